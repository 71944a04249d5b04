import { type Kysely, sql } from 'kysely';

// Calls are rated when they arrive (USG-2, USG-4): the import stores each call's type, rounding,
// billable seconds and what it draws on or is priced at, next to the call, in the same write. The
// bill run then prices a month from sums (USG-3: the plan and low-usage allowances are applied to
// the totals), and records what it billed as a cut: the calls of an account-month up to an import
// batch. Call details (USG-5) replay the cuts in start order, so no per-call row is written twice.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE SEQUENCE call_batches;

    ALTER TABLE calls
      -- USG-2 call type, or 'before_billing_start' (CON-3: never billed); NULL until rated.
      ADD COLUMN call_type text,
      ADD COLUMN rounding text,
      ADD COLUMN billable_seconds int,
      -- What the call draws on first: 'plan', a low-usage device's extension (CAT-4), or NULL.
      ADD COLUMN allowance text,
      -- The deck entry that prices it (international, premium domestic, toll-free inbound).
      ADD COLUMN rate_prefix text,
      ADD COLUMN rate_from date,
      ADD COLUMN rate_per_minute bigint,
      -- Why it could not be rated yet (no deck entry, unknown extension): tried again by each bill run.
      ADD COLUMN unrated_reason text,
      -- The import transaction that stored (or last rated) it: cuts bill calls up to a batch.
      ADD COLUMN batch bigint NOT NULL DEFAULT 0;
    -- Existing calls are batch 0; from now on every writer names the batch its transaction drew.
    ALTER TABLE calls ALTER COLUMN batch DROP DEFAULT;
    -- The batch identifies the import that stored a call (import_id is no longer written per row).
    ALTER TABLE cdr_imports ADD COLUMN batch bigint;

    -- Calls waiting for a rating (no deck entry yet, no contract yet): each bill run tries again.
    CREATE INDEX calls_unrated ON calls (account_id) WHERE call_type IS NULL;

    -- What each import (batch) added per account, usage month and charge: the bill run prices a
    -- month from these sums and never reads the calls back.
    CREATE TABLE usage_totals (
      account_id text NOT NULL,
      usage_month text NOT NULL,
      batch bigint NOT NULL,
      call_type text NOT NULL,
      allowance text,
      rate_prefix text,
      rate_from date,
      rate_per_minute bigint,
      calls int NOT NULL,
      billable_seconds bigint NOT NULL,
      -- What the calls were rated with (inventory, contract, deck, plan): when the account's
      -- context has changed since, the bill run rates the month's unbilled calls again.
      context text NOT NULL DEFAULT ''
    );
    CREATE INDEX usage_totals_account ON usage_totals (account_id, usage_month, batch);

    -- One row per invoice and usage month it billed: the calls of the account-month with
    -- after_batch < batch <= through_batch, what allowance was left before them and what they drew
    -- (late calls go on from there), and the plan rates they were priced at. Never changed.
    CREATE TABLE usage_cuts (
      account_id text NOT NULL,
      usage_month text NOT NULL,
      invoice_id text NOT NULL,
      after_batch bigint NOT NULL,
      through_batch bigint NOT NULL,
      plan_available bigint NOT NULL,
      plan_seconds bigint NOT NULL,
      -- {"<extension>": {"available": seconds, "drawn": seconds}} per low-usage device
      low_usage jsonb NOT NULL,
      overage_rate bigint NOT NULL,
      low_usage_rate bigint NOT NULL,
      PRIMARY KEY (account_id, usage_month, through_batch)
    );

    -- Calls billed before this migration keep their rating and become batch 0 of one cut each.
    UPDATE calls c SET call_type = r.call_type, rounding = r.rounding, billable_seconds = r.billable_seconds,
        allowance = r.allowance, rate_per_minute = NULLIF(r.rate_per_minute, 0)
      FROM rated_calls r WHERE r.call_id = c.call_id;
    INSERT INTO usage_cuts
      WITH drawn AS (
        SELECT account_id, usage_month, allowance, sum(included_seconds) AS s, min(invoice_id) AS invoice_id
        FROM rated_calls GROUP BY account_id, usage_month, allowance)
      SELECT d.account_id, d.usage_month, min(d.invoice_id), -1, 0,
        coalesce(sum(d.s) FILTER (WHERE d.allowance = 'plan'), 0),
        coalesce(sum(d.s) FILTER (WHERE d.allowance = 'plan'), 0),
        coalesce(jsonb_object_agg(d.allowance, jsonb_build_object('available', d.s, 'drawn', d.s))
          FILTER (WHERE d.allowance <> 'plan'), '{}'),
        min(p.overage_rate_per_minute), min(p.low_usage_rate_per_minute)
      FROM drawn d JOIN accounts a ON a.id = d.account_id JOIN calling_plans p ON p.currency = a.currency
      GROUP BY d.account_id, d.usage_month;
    INSERT INTO usage_totals
      SELECT account_id, usage_month, 0, call_type, allowance, NULL, NULL, rate_per_minute, count(*),
        sum(billable_seconds)
      FROM calls WHERE call_type IS NOT NULL AND call_type <> 'before_billing_start'
      GROUP BY account_id, usage_month, call_type, allowance, rate_per_minute;
    DROP TABLE rated_calls;
  `.execute(db);
}
