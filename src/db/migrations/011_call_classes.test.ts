import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { fromMigration } from '../../../test/support/migrations.ts';

// Calls stored before migration 011 keep everything they had: after it, each call joined to its
// class reads as it did (account, month, rating, batch), calls waiting for a rating have no
// billable seconds and are found by the unrated index, and calls rated alike share one class.
test('011 moves what calls of an account-month share into call classes, losing nothing', async () => {
  await fromMigration('010_call_sets', async (db, migrator) => {
    await sql`
      INSERT INTO calls (call_id, account_id, usage_month, started_at, duration_seconds, direction, origin,
        destination, origin_device, import_row, call_type, rounding, billable_seconds, allowance, rate_prefix,
        rate_from, rate_per_minute, unrated_reason, batch)
      SELECT 'd' || i, 'acc_1', '2026-01', '2026-01-05T16:00:00Z'::timestamptz + i * interval '1 minute', 61,
        'outbound', '101', '+12125551234', '101', i + 1, 'domestic', 'nearest-minute', 60, 'plan', NULL, NULL, NULL,
        NULL, 3
      FROM generate_series(1, 5) AS i;
      INSERT INTO calls (call_id, account_id, usage_month, started_at, duration_seconds, direction, origin,
        destination, origin_device, import_row, call_type, rounding, billable_seconds, allowance, rate_prefix,
        rate_from, rate_per_minute, unrated_reason, batch) VALUES
        ('i1', 'acc_1', '2026-01', '2026-01-06T10:00:00Z', 100, 'outbound', '101', '+442079460000', '101', 10,
          'international', 'nearest-minute', 120, NULL, '+44', '2025-01-01', 90000, NULL, 3),
        ('i2', 'acc_1', '2026-01', '2026-01-06T11:00:00Z', 10, 'outbound', '101', '+442079460001', NULL, NULL,
          'international', 'nearest-minute', 0, NULL, '+44', '2025-01-01', 90000, NULL, 4),
        ('u1', 'acc_1', '2026-02', '2026-02-01T06:00:00Z', 30, 'outbound', '101', '+9991234', '101', 2,
          NULL, NULL, 0, NULL, NULL, NULL, NULL, 'no_rate', 4),
        ('b1', 'acc_2', '2026-01', '2026-01-02T06:00:00Z', 30, 'inbound', '+12125550000', '+12125551111', NULL, 3,
          'before_billing_start', 'nearest-minute', 60, NULL, NULL, NULL, NULL, NULL, 4);
    `.execute(db);
    const columns =
      sql.raw(`call_id, account_id, usage_month, started_at, duration_seconds, direction, origin,
      destination, origin_device, import_row, call_type, rounding, allowance, rate_prefix, rate_from::text,
      rate_per_minute, unrated_reason, batch`);
    const before = await sql<Record<string, unknown>>`
      SELECT ${columns}, billable_seconds FROM calls ORDER BY call_id`.execute(db);

    assert.equal((await migrator.migrateTo('011_call_classes')).error, undefined);

    const after = await sql<Record<string, unknown>>`
      SELECT ${columns}, billable_seconds, class FROM calls JOIN call_classes USING (batch, class)
      ORDER BY call_id`.execute(db);
    assert.equal(after.rows.length, before.rows.length);
    for (const [i, was] of before.rows.entries()) {
      const { class: _class, ...now } = after.rows[i]!;
      const billable = was.call_type === null ? null : was.billable_seconds;
      assert.deepEqual(now, { ...was, billable_seconds: billable }, String(was.call_id));
    }
    // The five plan calls of batch 3 share one class; the others have one each.
    const classes = await sql<{ batch: string; n: number }>`
      SELECT batch::text, count(*)::int AS n FROM call_classes GROUP BY batch ORDER BY batch`.execute(db);
    assert.deepEqual(
      classes.rows.map((r) => [r.batch, r.n]),
      [
        ['3', 2],
        ['4', 3],
      ],
    );
    // The waiting call is found through the unrated index's condition, and only it.
    const waiting = await sql<{ call_id: string }>`
      SELECT call_id FROM calls WHERE billable_seconds IS NULL`.execute(db);
    assert.deepEqual(
      waiting.rows.map((r) => r.call_id),
      ['u1'],
    );
    const indexes = await sql<{ indexname: string; indexdef: string }>`
      SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'calls' ORDER BY indexname`.execute(db);
    assert.deepEqual(
      indexes.rows.map((r) => r.indexname),
      ['calls_pkey', 'calls_unrated'],
    );
    // Call ids stay unique.
    await assert.rejects(
      sql`INSERT INTO calls (call_id, started_at, duration_seconds, direction, origin, destination, batch, class)
        VALUES ('d1', now(), 1, 'outbound', '1', '2', 5, 1)`.execute(db),
      /calls_pkey/,
    );
  });
});
