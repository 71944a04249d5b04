import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { fromMigration } from '../../../test/support/migrations.ts';

// After 014 a call id and its key compare byte by byte ("C"), whatever the database's collation:
// stored calls stay, the key still refuses a repeated id, and ids come in byte order.
test('014 makes the call id compare byte by byte, its calls and key kept', async () => {
  await fromMigration('013_call_ids_text', async (db, migrator) => {
    const ids = ['b-2', 'B-1', 'a_1', 'a-1', 'Z9', 'ä-1', '_x', '~last', '0-first'];
    for (const [k, id] of ids.entries()) {
      await sql`
        INSERT INTO calls (call_id, started_at, duration_seconds, origin, destination, import_row,
          billable_seconds, batch, class)
        VALUES (${id}, '2026-01-05T10:00:00Z', ${60 + k}, '+15125550100', '+12125550100', ${k + 2}, 60, 1, 1)`.execute(
        db,
      );
    }
    const collations = () =>
      sql<{ name: string; collation: string }>`
        SELECT 'column' AS name, c.collname AS collation
          FROM pg_attribute a JOIN pg_collation c ON c.oid = a.attcollation
          WHERE a.attrelid = 'calls'::regclass AND a.attname = 'call_id'
        UNION ALL
        SELECT i.indexrelid::regclass::text, c.collname
          FROM pg_index i JOIN pg_collation c ON c.oid = i.indcollation[0]
          WHERE i.indrelid = 'calls'::regclass
        ORDER BY name`.execute(db);
    assert.ok(
      (await collations()).rows.every((r) => r.collation === 'default'),
      'before: the database collation',
    );

    assert.equal((await migrator.migrateTo('014_call_id_bytewise')).error, undefined);

    assert.deepEqual((await collations()).rows, [
      { name: 'calls_pkey', collation: 'C' },
      { name: 'calls_unrated', collation: 'C' },
      { name: 'column', collation: 'C' },
    ]);
    const stored = await sql<{ call_id: string; duration_seconds: number }>`
      SELECT call_id, duration_seconds FROM calls ORDER BY call_id`.execute(db);
    const bytewise = [...ids].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    assert.deepEqual(
      stored.rows.map((r) => r.call_id),
      bytewise,
      'every call kept, in byte order',
    );
    assert.deepEqual(
      stored.rows.map((r) => r.duration_seconds),
      bytewise.map((id) => 60 + ids.indexOf(id)),
    );
    await assert.rejects(
      sql`INSERT INTO calls (call_id, started_at, duration_seconds, origin, destination, batch, class)
        VALUES ('a-1', now(), 1, '+1', '+1', 2, 1)`.execute(db),
      /calls_pkey|duplicate key/,
    );
  });
});
