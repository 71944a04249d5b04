import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { fromMigration } from '../../../test/support/migrations.ts';

// Calls billed before migration 009 kept their rating in rated_calls. After it, they must still be
// billed exactly once (a cut per account-month, through batch 0), with the allowance they drew,
// and calls that were never billed must wait to be rated and billed by the next run.
test('009 carries billed calls over as cuts and leaves unbilled calls to the next bill run', async () => {
  await fromMigration('008_notices', async (db, migrator) => {
    await sql`
      INSERT INTO billing_entities (id, code, country, currency, time_zone, locale, billing_email,
        invoice_number_base, remittance, rules, created_at)
      VALUES ('ent_us', 'US', 'US', 'USD', 'America/Chicago', 'en-US', 'billing@example.com', 1, '{}', '{}', now());
      INSERT INTO accounts (id, number, company_name, entity_id, currency, time_zone, locale, type, tax_status,
        status, address, created_at)
      VALUES ('acc_1', '100001', 'Old Customer', 'ent_us', 'USD', 'America/Chicago', 'en-US', 'online', 'taxable',
        'active', '{"country": "US"}', now());
      INSERT INTO calls (call_id, account_id, usage_month, started_at, duration_seconds, direction, origin,
        destination, origin_device, import_id, import_row) VALUES
        ('c1', 'acc_1', '2026-01', '2026-01-05T16:00:00Z', 900, 'outbound', '101', '+12125551234', '101', 'imp_1', 2),
        ('c2', 'acc_1', '2026-01', '2026-01-06T16:00:00Z', 300, 'outbound', '301', '+12125551234', '301', 'imp_1', 3),
        ('c3', 'acc_1', '2026-01', '2026-01-07T16:00:00Z', 60, 'outbound', '101', '+12125551234', '101', 'imp_2', 2);
      INSERT INTO rated_calls (call_id, account_id, usage_month, started_at, invoice_id, billed, call_type, rounding,
        billable_seconds, included_seconds, charged_seconds, rate_per_minute, amount, allowance) VALUES
        ('c1', 'acc_1', '2026-01', '2026-01-05T16:00:00Z', 'inv_1', true, 'domestic', 'nearest-minute', 900, 600,
          300, 20000, 10, 'plan'),
        ('c2', 'acc_1', '2026-01', '2026-01-06T16:00:00Z', 'inv_1', true, 'domestic', 'nearest-minute', 300, 300,
          0, 20000, 0, '301');
    `.execute(db);

    const after = await migrator.migrateTo('009_rated_on_arrival');
    assert.equal(after.error, undefined);

    const calls = await sql<{
      call_id: string;
      call_type: string | null;
      billable_seconds: number | null;
      batch: number;
    }>`
      SELECT call_id, call_type, billable_seconds, batch FROM calls ORDER BY call_id`.execute(db);
    assert.deepEqual(
      calls.rows.map((c) => [c.call_id, c.call_type, c.billable_seconds, Number(c.batch)]),
      [
        ['c1', 'domestic', 900, 0],
        ['c2', 'domestic', 300, 0],
        ['c3', null, null, 0], // never billed: rated again, in a new batch, by the next bill run
      ],
    );
    const cuts = await sql<Record<string, unknown>>`
      SELECT account_id, usage_month, invoice_id, after_batch, through_batch, plan_available, plan_seconds,
        low_usage, overage_rate, low_usage_rate FROM usage_cuts`.execute(db);
    assert.deepEqual(
      cuts.rows.map((c) => ({
        ...c,
        after_batch: Number(c.after_batch),
        through_batch: Number(c.through_batch),
        plan_available: Number(c.plan_available),
        plan_seconds: Number(c.plan_seconds),
        overage_rate: Number(c.overage_rate),
        low_usage_rate: Number(c.low_usage_rate),
      })),
      [
        {
          account_id: 'acc_1',
          usage_month: '2026-01',
          invoice_id: 'inv_1',
          after_batch: -1,
          through_batch: 0,
          plan_available: 600,
          plan_seconds: 600,
          low_usage: { '301': { available: 300, drawn: 300 } },
          overage_rate: 20000,
          low_usage_rate: 20000,
        },
      ],
    );
    // The billed calls' sums are kept under batch 0, which their cut covers: nothing to bill twice.
    const totals = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM usage_totals WHERE batch > 0`.execute(db);
    assert.equal(totals.rows[0]!.n, 0);
    const gone = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'rated_calls'`.execute(db);
    assert.equal(gone.rows[0]!.n, 0);
  });
});
