import { type Kysely, sql } from 'kysely';

// Call rating (SPEC §6), owned by the usage module: rate decks per currency (CAT-3), the calling
// plan terms per currency (CAT-2, CAT-4), imported CDRs (USG-1) with their import reports, and the
// rated calls each invoice billed (USG-5). Usage invoice lines carry their rate per minute.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE rate_deck_entries (
      currency text NOT NULL,
      call_type text NOT NULL CHECK (call_type IN ('international', 'premium_domestic', 'toll_free_inbound')),
      prefix text NOT NULL CHECK (prefix ~ '^[1-9][0-9]{0,14}$'),
      valid_from date NOT NULL,
      valid_to date,
      description text NOT NULL,
      rate_per_minute bigint NOT NULL CHECK (rate_per_minute >= 0),
      rounding text NOT NULL,
      PRIMARY KEY (currency, call_type, prefix, valid_from),
      CHECK (valid_to IS NULL OR valid_to >= valid_from)
    );

    CREATE TABLE calling_plans (
      currency text PRIMARY KEY,
      included_minutes_per_device int NOT NULL CHECK (included_minutes_per_device >= 0),
      overage_rate_per_minute bigint NOT NULL CHECK (overage_rate_per_minute >= 0),
      low_usage_minutes_per_device int NOT NULL CHECK (low_usage_minutes_per_device >= 0),
      low_usage_rate_per_minute bigint NOT NULL CHECK (low_usage_rate_per_minute >= 0),
      rounding text NOT NULL,
      updated_at timestamptz NOT NULL
    );
    -- CAT-2 / CAT-4 defaults as data: 0.02 a minute (USD), the same price in MXN at the demo rate.
    INSERT INTO calling_plans VALUES
      ('USD', 1000, 20000, 50, 20000, 'nearest-minute', '2020-01-01T00:00:00Z'),
      ('MXN', 1000, 360000, 50, 360000, 'nearest-minute', '2020-01-01T00:00:00Z');

    -- No foreign keys: rows arrive by the million through COPY; the import checks the account.
    CREATE TABLE calls (
      call_id text PRIMARY KEY,
      account_id text NOT NULL,
      usage_month text NOT NULL,
      started_at timestamptz NOT NULL,
      duration_seconds int NOT NULL CHECK (duration_seconds >= 0),
      direction text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
      origin text NOT NULL,
      destination text NOT NULL,
      origin_device text,
      import_id text,
      import_row int
    );
    CREATE INDEX calls_account_month ON calls(account_id, usage_month);

    CREATE TABLE cdr_imports (
      id text PRIMARY KEY,
      source text NOT NULL,
      rows_read int NOT NULL,
      accepted int NOT NULL,
      already_imported int NOT NULL,
      rejected int NOT NULL,
      errors jsonb NOT NULL,
      created_at timestamptz NOT NULL,
      created_by text NOT NULL
    );

    -- Financial rows: written once by the bill run that invoices them, never changed.
    CREATE TABLE rated_calls (
      call_id text NOT NULL,
      account_id text NOT NULL,
      usage_month text NOT NULL,
      started_at timestamptz NOT NULL,
      invoice_id text NOT NULL,
      billed boolean NOT NULL,
      call_type text NOT NULL,
      rounding text NOT NULL,
      billable_seconds int NOT NULL,
      included_seconds int NOT NULL,
      charged_seconds int NOT NULL,
      rate_per_minute bigint NOT NULL,
      amount bigint NOT NULL,
      allowance text,
      -- One index serves the bill run (is this call rated?), the call details (a month in start
      -- order) and late calls (what a month drew); call ids are unique through calls.
      PRIMARY KEY (account_id, usage_month, started_at, call_id)
    );

    ALTER TABLE invoice_lines ADD COLUMN rate_per_minute bigint;
  `.execute(db);
}
