import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { fromMigration } from '../../../test/support/migrations.ts';

const plan = (currency: string, validFrom: string, overage: number) =>
  sql`
    INSERT INTO calling_plans (currency, valid_from, included_minutes_per_device, overage_rate_per_minute,
      low_usage_minutes_per_device, low_usage_rate_per_minute, rounding, updated_at)
    VALUES (${currency}, ${validFrom}, 1000, ${overage}, 50, 20000, 'nearest-minute', now())`;

// After 016 a currency's calling plan is versions by first day of a month; the terms kept before
// become the version in force from 2000-01-01.
test('016: calling plan terms become versions from the first day of a month', async () => {
  await fromMigration('015_reissue', async (db, migrator) => {
    await sql`UPDATE calling_plans SET overage_rate_per_minute = 25000 WHERE currency = 'USD'`.execute(db);
    assert.equal((await migrator.migrateTo('016_calling_plan_versions')).error, undefined);
    const rows = await sql<{ currency: string; valid_from: string; overage: string }>`
      SELECT currency, to_char(valid_from, 'YYYY-MM-DD') AS valid_from, overage_rate_per_minute::text AS overage
      FROM calling_plans ORDER BY currency, valid_from`.execute(db);
    assert.deepEqual(
      rows.rows.map((r) => [r.currency, r.valid_from, r.overage]),
      [
        ['MXN', '2000-01-01', '360000'],
        ['USD', '2000-01-01', '25000'],
      ],
    );
    // A second version of a currency; a version starts on a month's first day, once per day.
    await plan('USD', '2026-02-01', 30000).execute(db);
    await assert.rejects(plan('USD', '2026-03-15', 30000).execute(db), /calling_plans_from_month_start/);
    await assert.rejects(plan('USD', '2026-02-01', 40000).execute(db), /calling_plans_pkey|duplicate key/);
  });
});
