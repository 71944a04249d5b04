import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { fromMigration } from '../../../test/support/migrations.ts';

// Calls stored before migration 010 must be found through call sets after it, as the call details
// and the bill run read them: every call once, in its own account-month, with its start instant,
// in sets of at most 1,000; and the per-call account index is gone.
test('010 lists every stored call in the call sets of its account-month', async () => {
  await fromMigration('009_rated_on_arrival', async (db, migrator) => {
    // 1,001 January calls of acc_1 (two sets), one February call of acc_1, one January call of acc_2.
    await sql`
      INSERT INTO calls (call_id, account_id, usage_month, started_at, duration_seconds, direction, origin,
        destination, origin_device, import_row, call_type, billable_seconds, batch)
      SELECT 'c' || lpad(i::text, 4, '0'), 'acc_1', '2026-01', '2026-01-05T16:00:00.250Z'::timestamptz + i * interval '1 minute',
        60, 'outbound', '101', '+12125551234', '101', i + 1, 'domestic', 60, 3
      FROM generate_series(1, 1001) AS i;
      INSERT INTO calls (call_id, account_id, usage_month, started_at, duration_seconds, direction, origin,
        destination, origin_device, import_row, batch) VALUES
        ('feb-1', 'acc_1', '2026-02', '2026-02-01T06:00:00Z', 30, 'outbound', '101', '+12125551234', '101', 2, 4),
        ('x,"{1}"', 'acc_2', '2026-01', '2026-01-09T10:00:00.001Z', 30, 'outbound', '101', '+12125551234', '101', 2, 4);
    `.execute(db);

    assert.equal((await migrator.migrateTo('010_call_sets')).error, undefined);

    const sets = await sql<{ account_id: string; usage_month: string; n: number }>`
      SELECT account_id, usage_month, cardinality(call_ids) AS n FROM call_sets
      ORDER BY account_id, usage_month, n DESC`.execute(db);
    assert.deepEqual(
      sets.rows.map((s) => [s.account_id, s.usage_month, s.n]),
      [
        ['acc_1', '2026-01', 1000],
        ['acc_1', '2026-01', 1],
        ['acc_1', '2026-02', 1],
        ['acc_2', '2026-01', 1],
      ],
    );
    // Each call once, with the start instant it has in calls (to the millisecond).
    const listed = await sql<{ call_id: string; ms: string; started_ms: string; account_id: string }>`
      SELECT u.id AS call_id, u.ms, (extract(epoch FROM c.started_at) * 1000)::int8 AS started_ms, s.account_id
      FROM call_sets s CROSS JOIN unnest(s.call_ids, s.started_ms) AS u(id, ms)
      LEFT JOIN calls c ON c.call_id = u.id AND c.account_id = s.account_id AND c.usage_month = s.usage_month
      ORDER BY u.id`.execute(db);
    assert.equal(listed.rows.length, 1003);
    assert.equal(new Set(listed.rows.map((r) => r.call_id)).size, 1003);
    for (const r of listed.rows) assert.equal(String(r.ms), String(r.started_ms), r.call_id);
    assert.ok(listed.rows.some((r) => r.call_id === 'x,"{1}"' && String(r.ms) === '1767952800001'));

    const index = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM pg_indexes WHERE indexname = 'calls_account_month'`.execute(db);
    assert.equal(index.rows[0]!.n, 0);
  });
});
