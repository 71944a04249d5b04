import { type Kysely, sql } from 'kysely';

// Regulatory fee schedules and tax tables are versioned documents (each holds its own
// effective-dated rates); a new version never rewrites an old one. Exemption certificates are
// granted by staff per account (ACC-4).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE rate_tables (
      kind text NOT NULL CHECK (kind IN ('fees', 'taxes')),
      version int NOT NULL,
      document jsonb NOT NULL,
      created_at timestamptz NOT NULL,
      created_by text NOT NULL,
      PRIMARY KEY (kind, version)
    );

    CREATE TABLE exemption_certificates (
      id text PRIMARY KEY,
      account_id text NOT NULL REFERENCES accounts(id),
      certificate_number text NOT NULL,
      jurisdictions jsonb NOT NULL,
      valid_from date NOT NULL,
      valid_to date,
      created_at timestamptz NOT NULL,
      created_by text NOT NULL,
      CHECK (valid_to IS NULL OR valid_to >= valid_from)
    );
    CREATE INDEX exemption_certificates_account ON exemption_certificates(account_id);
  `.execute(db);
}
