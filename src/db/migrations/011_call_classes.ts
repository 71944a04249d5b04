import { type Kysely, sql } from 'kysely';

// What a stored call has in common with the other calls of its account-month rated alike (its
// account, usage month, and rating but for its billable seconds) is kept once, in a call class,
// instead of in nine columns of every call: a call names its class by its batch and the class's
// number in that batch. An import numbers its classes itself (1, 2, … in its own batch, so no round
// trip comes between rating rows and writing them) and writes them before it commits; a rating
// given later takes a number from `call_class_numbers`, which starts above any an import gives.
// A stored call is 11 columns instead of 19: the server stores a call in about two thirds of the
// time. Billable seconds are NULL while a call waits for a rating (it was 0 with no call type).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE SEQUENCE call_class_numbers START 1000000000000;

    CREATE TABLE call_classes (
      batch bigint NOT NULL,
      class bigint NOT NULL,
      account_id text NOT NULL,
      usage_month text NOT NULL,
      -- USG-2 call type, or 'before_billing_start' (CON-3: never billed); NULL until rated.
      call_type text,
      rounding text,
      -- What the calls draw on first: 'plan', a low-usage device's extension (CAT-4), or NULL.
      allowance text,
      -- The deck entry that prices them (international, premium domestic, toll-free inbound).
      rate_prefix text,
      rate_from date,
      rate_per_minute bigint,
      -- Why they could not be rated yet (no deck entry, unknown extension).
      unrated_reason text,
      PRIMARY KEY (batch, class)
    );
    -- A later rating looks for a class of the account-month rated alike before it makes one.
    CREATE INDEX call_classes_account_month ON call_classes (account_id, usage_month);

    CREATE TABLE calls_by_class (
      call_id text NOT NULL,
      started_at timestamptz NOT NULL,
      duration_seconds int NOT NULL CONSTRAINT calls_duration_seconds_check CHECK (duration_seconds >= 0),
      direction text NOT NULL CONSTRAINT calls_direction_check CHECK (direction IN ('inbound', 'outbound')),
      origin text NOT NULL,
      destination text NOT NULL,
      origin_device text,
      import_row int,
      -- NULL while the call waits for a rating.
      billable_seconds int,
      -- The import transaction that stored (or last rated) it: cuts bill calls up to a batch.
      batch bigint NOT NULL,
      class bigint NOT NULL
    );

    INSERT INTO call_classes
      SELECT batch, row_number() OVER (PARTITION BY batch ORDER BY account_id, usage_month, call_type, rounding,
          allowance, rate_prefix, rate_from, rate_per_minute, unrated_reason),
        account_id, usage_month, call_type, rounding, allowance, rate_prefix, rate_from, rate_per_minute, unrated_reason
      FROM (SELECT DISTINCT batch, account_id, usage_month, call_type, rounding, allowance, rate_prefix, rate_from,
          rate_per_minute, unrated_reason FROM calls) d;
    INSERT INTO calls_by_class
      SELECT c.call_id, c.started_at, c.duration_seconds, c.direction, c.origin, c.destination, c.origin_device,
        c.import_row, CASE WHEN c.call_type IS NULL THEN NULL ELSE c.billable_seconds END, c.batch, k.class
      FROM calls c JOIN call_classes k ON k.batch = c.batch AND k.account_id = c.account_id
        AND k.usage_month = c.usage_month AND k.call_type IS NOT DISTINCT FROM c.call_type
        AND k.rounding IS NOT DISTINCT FROM c.rounding AND k.allowance IS NOT DISTINCT FROM c.allowance
        AND k.rate_prefix IS NOT DISTINCT FROM c.rate_prefix AND k.rate_from IS NOT DISTINCT FROM c.rate_from
        AND k.rate_per_minute IS NOT DISTINCT FROM c.rate_per_minute
        AND k.unrated_reason IS NOT DISTINCT FROM c.unrated_reason;

    DROP TABLE calls;
    ALTER TABLE calls_by_class RENAME TO calls;
    ALTER TABLE calls ADD CONSTRAINT calls_pkey PRIMARY KEY (call_id);
    -- Calls waiting for a rating (no deck entry yet, no contract yet), by id: each bill run tries again.
    CREATE INDEX calls_unrated ON calls (call_id) WHERE billable_seconds IS NULL;
  `.execute(db);
}
