import { type Kysely, sql } from 'kysely';

// The spine: billing entities, accounts, catalog, contracts, inventory, invoices, bill runs,
// API keys, idempotency and the instance clock. Money columns are bigint minor units.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE instance_settings (
      key text PRIMARY KEY,
      value jsonb NOT NULL
    );

    CREATE TABLE billing_entities (
      id text PRIMARY KEY,
      code text NOT NULL UNIQUE,
      country text NOT NULL,
      currency text NOT NULL,
      time_zone text NOT NULL,
      locale text NOT NULL,
      billing_email text NOT NULL,
      invoice_number_base bigint NOT NULL,
      remittance jsonb NOT NULL,
      rules jsonb NOT NULL,
      created_at timestamptz NOT NULL
    );

    CREATE TABLE billing_entity_names (
      entity_id text NOT NULL REFERENCES billing_entities(id),
      valid_from date NOT NULL,
      legal_name text NOT NULL,
      PRIMARY KEY (entity_id, valid_from)
    );

    CREATE TABLE invoice_sequences (
      entity_id text PRIMARY KEY REFERENCES billing_entities(id),
      next_value bigint NOT NULL
    );

    CREATE TABLE accounts (
      id text PRIMARY KEY,
      number text NOT NULL UNIQUE,
      company_name text NOT NULL,
      entity_id text NOT NULL REFERENCES billing_entities(id),
      currency text NOT NULL,
      time_zone text NOT NULL,
      locale text NOT NULL,
      type text NOT NULL CHECK (type IN ('online', 'corporate')),
      tax_status text NOT NULL CHECK (tax_status IN ('taxable', 'exempt')),
      status text NOT NULL CHECK (status IN ('active', 'suspended', 'deactivated', 'cancelled')),
      address jsonb NOT NULL,
      po_number text,
      created_at timestamptz NOT NULL
    );
    CREATE SEQUENCE account_numbers START 100001;

    CREATE TABLE account_contacts (
      account_id text NOT NULL REFERENCES accounts(id),
      role text NOT NULL CHECK (role IN ('invoice', 'receipt')),
      position int NOT NULL,
      email text NOT NULL,
      name text,
      is_primary boolean NOT NULL DEFAULT false,
      PRIMARY KEY (account_id, role, position)
    );

    CREATE TABLE catalog_items (
      code text PRIMARY KEY,
      name text NOT NULL,
      charge_type text NOT NULL,
      unit text NOT NULL,
      billing text NOT NULL CHECK (billing IN ('recurring', 'one_time', 'usage')),
      attributes jsonb NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL
    );

    CREATE TABLE catalog_prices (
      item_code text NOT NULL REFERENCES catalog_items(code),
      currency text NOT NULL,
      valid_from date NOT NULL,
      unit_price bigint NOT NULL CHECK (unit_price >= 0),
      PRIMARY KEY (item_code, currency, valid_from)
    );

    CREATE TABLE contracts (
      id text PRIMARY KEY,
      account_id text NOT NULL REFERENCES accounts(id),
      signature_date date NOT NULL,
      free_months int NOT NULL CHECK (free_months >= 0),
      billing_start_date date NOT NULL,
      term_months int,
      commitments jsonb NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL
    );
    CREATE INDEX contracts_account ON contracts(account_id, signature_date);

    CREATE TABLE inventory_items (
      id text PRIMARY KEY,
      account_id text NOT NULL REFERENCES accounts(id),
      item_code text NOT NULL REFERENCES catalog_items(code),
      quantity int NOT NULL CHECK (quantity > 0),
      added_on date NOT NULL,
      removed_on date,
      attributes jsonb NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL,
      CHECK (removed_on IS NULL OR removed_on >= added_on)
    );
    CREATE INDEX inventory_account ON inventory_items(account_id);

    CREATE TABLE bill_runs (
      id text PRIMARY KEY,
      month text NOT NULL,
      status text NOT NULL CHECK (status IN ('running', 'completed')),
      started_at timestamptz NOT NULL,
      finished_at timestamptz,
      invoices_created int NOT NULL DEFAULT 0,
      accounts_skipped int NOT NULL DEFAULT 0,
      total_billed jsonb NOT NULL DEFAULT '{}'
    );
    CREATE UNIQUE INDEX bill_runs_month ON bill_runs(month);

    CREATE TABLE invoices (
      id text PRIMARY KEY,
      number text NOT NULL UNIQUE,
      entity_id text NOT NULL REFERENCES billing_entities(id),
      account_id text NOT NULL REFERENCES accounts(id),
      kind text NOT NULL CHECK (kind IN ('monthly', 'one_time', 'rental', 'credit_note')),
      billing_month text,
      bill_run_id text REFERENCES bill_runs(id),
      issue_date date NOT NULL,
      sent_on date,
      due_date date NOT NULL,
      currency text NOT NULL,
      subtotal bigint NOT NULL,
      total bigint NOT NULL,
      status text NOT NULL CHECK (status IN ('to_pay', 'paid', 'void', 'credited')),
      po_number text,
      legal_name text NOT NULL,
      created_at timestamptz NOT NULL
    );
    CREATE UNIQUE INDEX invoices_one_monthly ON invoices(account_id, billing_month) WHERE kind = 'monthly';
    CREATE INDEX invoices_account ON invoices(account_id, issue_date);

    CREATE TABLE invoice_lines (
      invoice_id text NOT NULL REFERENCES invoices(id),
      position int NOT NULL,
      line_type text NOT NULL,
      description text NOT NULL,
      item_code text,
      quantity bigint NOT NULL,
      unit_price bigint NOT NULL,
      period_start date,
      period_end date,
      prorate_days int,
      period_days int,
      amount bigint NOT NULL,
      PRIMARY KEY (invoice_id, position)
    );

    CREATE TABLE events (
      id bigserial PRIMARY KEY,
      type text NOT NULL,
      subject_id text NOT NULL,
      account_id text,
      payload jsonb NOT NULL,
      actor text NOT NULL,
      occurred_at timestamptz NOT NULL
    );
    CREATE INDEX events_account ON events(account_id, id);

    CREATE TABLE api_keys (
      id text PRIMARY KEY,
      name text NOT NULL,
      role text NOT NULL CHECK (role IN ('admin', 'agent', 'auditor', 'integration')),
      prefix text NOT NULL,
      key_hash text NOT NULL UNIQUE,
      created_at timestamptz NOT NULL,
      revoked_at timestamptz
    );

    CREATE TABLE idempotency_keys (
      api_key_id text NOT NULL,
      key text NOT NULL,
      method text NOT NULL,
      path text NOT NULL,
      request_hash text NOT NULL,
      status_code int,
      response jsonb,
      created_at timestamptz NOT NULL,
      PRIMARY KEY (api_key_id, key)
    );
  `.execute(db);
}
