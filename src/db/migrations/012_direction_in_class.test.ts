import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { fromMigration } from '../../../test/support/migrations.ts';

// Calls stored before migration 012 keep everything they had: after it, each call joined to its
// class reads as it did, its direction included; a class whose calls went both ways is split in
// two; a class no call names is gone; the key and the unrated index are as before.
test('012 moves a call’s direction into its class, losing nothing', async () => {
  await fromMigration('011_call_classes', async (db, migrator) => {
    await sql`
      INSERT INTO call_classes (batch, class, account_id, usage_month, call_type, rounding, allowance, rate_prefix,
          rate_from, rate_per_minute, unrated_reason) VALUES
        -- Extension calls both ways (an inbound call from an extension of the account is one too).
        (3, 1, 'acc_1', '2026-01', 'extension', 'nearest-minute', NULL, NULL, NULL, NULL, NULL),
        (3, 2, 'acc_1', '2026-01', 'international', 'nearest-minute', NULL, '+44', '2025-01-01', 90000, NULL),
        -- Waiting calls both ways, in a class a later rating made.
        (4, 1000000000000, 'acc_2', '2026-02', NULL, NULL, NULL, NULL, NULL, NULL, 'no_rate'),
        -- No call names it any more (its calls were rated again into another).
        (4, 7, 'acc_2', '2026-02', 'domestic', 'nearest-minute', 'plan', NULL, NULL, NULL, NULL);
      INSERT INTO calls (call_id, started_at, duration_seconds, direction, origin, destination, origin_device,
          import_row, billable_seconds, batch, class)
        SELECT 'e' || i, '2026-01-05T16:00:00Z'::timestamptz + i * interval '1 minute', 61,
          CASE WHEN i % 3 = 0 THEN 'inbound' ELSE 'outbound' END, '101', '102', '101', i, 60, 3, 1
        FROM generate_series(1, 9) AS i;
      INSERT INTO calls (call_id, started_at, duration_seconds, direction, origin, destination, origin_device,
          import_row, billable_seconds, batch, class) VALUES
        ('i1', '2026-01-06T10:00:00Z', 100, 'outbound', '101', '+442079460000', '101', 10, 120, 3, 2),
        ('u1', '2026-02-01T06:00:00Z', 30, 'outbound', '101', '+9991234', '101', 2, NULL, 4, 1000000000000),
        ('u2', '2026-02-01T07:00:00Z', 30, 'inbound', '+9991235', '+12125551111', NULL, NULL, NULL, 4, 1000000000000);
    `.execute(db);
    const columns =
      sql.raw(`call_id, started_at, duration_seconds, direction, origin, destination, origin_device,
      import_row, billable_seconds, batch, account_id, usage_month, call_type, rounding, allowance, rate_prefix,
      rate_from::text, rate_per_minute, unrated_reason`);
    const before = await sql<Record<string, unknown>>`
      SELECT ${columns} FROM calls JOIN call_classes USING (batch, class) ORDER BY call_id`.execute(db);
    assert.equal(before.rows.length, 12);

    const columnsOf = async (table: string) =>
      (
        await sql<{ column_name: string }>`
          SELECT column_name FROM information_schema.columns WHERE table_name = ${table}
          ORDER BY ordinal_position`.execute(db)
      ).rows.map((r) => r.column_name);
    const callColumns = await columnsOf('calls');
    assert.ok(callColumns.includes('direction'));

    assert.equal((await migrator.migrateTo('012_direction_in_class')).error, undefined);

    const after = await sql<Record<string, unknown>>`
      SELECT ${columns}, class FROM calls JOIN call_classes USING (batch, class) ORDER BY call_id`.execute(
      db,
    );
    assert.deepEqual(
      after.rows.map(({ class: _class, ...call }) => call),
      before.rows,
    );
    // Alike calls going one way share a class: the extension calls' class and the waiting calls'
    // are split (inbound keep the number), the international one stays, the class no call names is gone.
    const classOf = new Map(after.rows.map((r) => [r.call_id, String(r.class)]));
    const classes = (ids: string[]) => [...new Set(ids.map((id) => classOf.get(id)))];
    assert.deepEqual(classes(['e3', 'e6', 'e9']), ['1']);
    const outboundExtension = classes(['e1', 'e2', 'e4', 'e5', 'e7', 'e8']);
    assert.equal(outboundExtension.length, 1);
    assert.ok(Number(outboundExtension[0]) >= 1e12, 'a new class is numbered from call_class_numbers');
    assert.deepEqual(classes(['i1']), ['2']);
    assert.deepEqual(classes(['u2']), ['1000000000000']);
    assert.notEqual(classOf.get('u1'), classOf.get('u2'));
    const all = await sql<{ batch: string; class: string; direction: string }>`
      SELECT batch::text, class::text, direction FROM call_classes ORDER BY batch, class`.execute(db);
    assert.equal(all.rows.length, 5);
    assert.ok(!all.rows.some((k) => k.class === '7'), 'the class no call named is gone');

    // A call has no direction of its own any more (its other columns stay, in their order); its
    // class's is one of two.
    assert.deepEqual(
      await columnsOf('calls'),
      callColumns.filter((c) => c !== 'direction'),
    );
    await assert.rejects(
      sql`INSERT INTO call_classes (batch, class, account_id, usage_month, direction)
        VALUES (5, 1, 'acc_1', '2026-01', 'sideways')`.execute(db),
      /call_classes_direction_check/,
    );
    const waiting = await sql<{ call_id: string }>`
      SELECT call_id FROM calls WHERE billable_seconds IS NULL ORDER BY call_id`.execute(db);
    assert.deepEqual(
      waiting.rows.map((r) => r.call_id),
      ['u1', 'u2'],
    );
    const indexes = await sql<{ indexname: string }>`
      SELECT indexname FROM pg_indexes WHERE tablename = 'calls' ORDER BY indexname`.execute(db);
    assert.deepEqual(
      indexes.rows.map((r) => r.indexname),
      ['calls_pkey', 'calls_unrated'],
    );
    await assert.rejects(
      sql`INSERT INTO calls (call_id, started_at, duration_seconds, origin, destination, batch, class)
        VALUES ('e1', now(), 1, '1', '2', 5, 1)`.execute(db),
      /calls_pkey/,
    );
    await assert.rejects(
      sql`INSERT INTO calls (call_id, started_at, duration_seconds, origin, destination, batch, class)
        VALUES ('x1', now(), -1, '1', '2', 5, 1)`.execute(db),
      /calls_duration_seconds_check/,
    );
  });
});
