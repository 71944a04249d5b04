import { type Kysely, sql } from 'kysely';

// Which calls an account-month has is kept in call sets (lists of call ids with their start
// instants) instead of an index entry per call: an import writes one set per account-month it
// touched in each stretch of rows, so storing a call costs its row and its call-id key only. Call
// details (USG-5) page through a month's sets by start instant and read just the page's calls by
// id; a bill run re-rating a month reads its calls the same way. A call's account and usage month
// never change, so a set is written once and never updated.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE call_sets (
      account_id text NOT NULL,
      usage_month text NOT NULL,
      call_ids text[] NOT NULL,
      -- Start instants in epoch milliseconds, position for position.
      started_ms int8[] NOT NULL,
      CHECK (cardinality(call_ids) = cardinality(started_ms))
    );
    -- Stored as written (no compression pass): sets are read whole, by account-month.
    ALTER TABLE call_sets ALTER COLUMN call_ids SET STORAGE EXTERNAL, ALTER COLUMN started_ms SET STORAGE EXTERNAL;
    CREATE INDEX call_sets_account_month ON call_sets (account_id, usage_month);

    INSERT INTO call_sets
      SELECT account_id, usage_month, array_agg(call_id ORDER BY n), array_agg(ms ORDER BY n)
      FROM (
        SELECT account_id, usage_month, call_id, (extract(epoch FROM started_at) * 1000)::int8 AS ms,
          row_number() OVER (PARTITION BY account_id, usage_month ORDER BY started_at, call_id) AS n
        FROM calls) c
      GROUP BY account_id, usage_month, (n - 1) / 1000;

    DROP INDEX calls_account_month;
  `.execute(db);
}
