import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type RawBuilder, sql } from 'kysely';
import { fromMigration } from '../../../test/support/migrations.ts';

// Call sets written before migration 013 read as they did after it, as the call details and the
// bill run read them (each id with its instant, in the order stored); the ids are one text now,
// stored as written; a set whose ids cannot fit its instants is refused.
test('013 keeps every call set’s ids, in order, each with its instant, as one text', async () => {
  await fromMigration('012_direction_in_class', async (db, migrator) => {
    await sql`
      INSERT INTO call_sets (account_id, usage_month, call_ids, started_ms)
        SELECT 'acc_1', '2026-01', array_agg('c' || lpad(i::text, 4, '0') ORDER BY i),
          array_agg(1767628800000 + i * 60000 ORDER BY i)
        FROM generate_series(1, 1000) AS i;
      INSERT INTO call_sets (account_id, usage_month, call_ids, started_ms) VALUES
        ('acc_1', '2026-01', ARRAY['c1001'], ARRAY[1767688800000]::int8[]),
        ('acc_2', '2026-01', ARRAY['x,"{1}"', 'z', repeat('y', 128)], ARRAY[1767952800001, 1767952800000, 5]::int8[]);
    `.execute(db);
    // Each id with its instant and its position in the set.
    const pairs = (ids: RawBuilder<unknown>) =>
      sql`
        SELECT s.account_id, s.usage_month, u.id, u.ms::text, u.n
        FROM call_sets s CROSS JOIN LATERAL unnest(${ids}, s.started_ms) WITH ORDINALITY AS u(id, ms, n)
        ORDER BY s.account_id, u.id`.execute(db);
    const before = await pairs(sql`s.call_ids`);
    assert.equal(before.rows.length, 1004);

    assert.equal((await migrator.migrateTo('013_call_ids_text')).error, undefined);

    assert.deepEqual((await pairs(sql`string_to_array(s.call_ids, ' ')`)).rows, before.rows);
    const column = await sql<{ data_type: string; storage: string }>`
      SELECT c.data_type, a.attstorage AS storage
      FROM information_schema.columns c
      JOIN pg_attribute a ON a.attrelid = 'call_sets'::regclass AND a.attname = c.column_name
      WHERE c.table_name = 'call_sets' AND c.column_name = 'call_ids'`.execute(db);
    assert.deepEqual(column.rows, [{ data_type: 'text', storage: 'e' }]);
    const stored = await sql<{ call_ids: string }>`
      SELECT call_ids FROM call_sets WHERE account_id = 'acc_2'`.execute(db);
    assert.deepEqual(stored.rows, [{ call_ids: `x,"{1}" z ${'y'.repeat(128)}` }]);

    // Ids that fit their instants go in; a set without instants, or with more than its ids can
    // have, does not.
    const insert = (callIds: string, ms: string) =>
      sql`INSERT INTO call_sets (account_id, usage_month, call_ids, started_ms)
        VALUES ('acc_3', '2026-01', ${callIds}, ${ms}::int8[])`.execute(db);
    await insert('a b', '{1,2}');
    await insert('y'.repeat(128), '{1}');
    for (const [callIds, ms] of [
      ['a', '{}'],
      ['a', '{1,2}'],
      ['a b', '{1,2,3}'],
      ['y'.repeat(129), '{1}'],
    ] as const) {
      await assert.rejects(insert(callIds, ms), /call_sets_ids_fit_instants/, `${callIds} ${ms}`);
    }
  });
});
