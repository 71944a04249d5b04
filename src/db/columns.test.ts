// insertColumns writes rows a column at a time: by a binary COPY on a server, by unnest embedded
// (the suite runs on both). Every type it knows reads back as given, fixed columns included (on a
// server, rows made into COPY rows ahead by copyRows too), and a value its column cannot hold is
// refused before anything is written.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { type Database, canCopy, copyRows, insertColumns, insertCopyRows } from './index.ts';
import { type TestApi, testApi } from '../../test/support/api.ts';

let api: TestApi;
before(async () => {
  api = await testApi({ simulatedClock: '2026-01-01T00:00:00Z' });
});
after(() => api.close());

const TABLE = 'columns_scratch' as keyof Database & string;
const TYPES = {
  name: 'text',
  day: 'date',
  n: 'int',
  big: 'bigint',
  at: 'timestamptz',
  doc: 'jsonb',
} as const;
type Row = {
  name: string | null;
  day: string | null;
  n: number | null;
  big: number | null;
  at: Date | null;
  doc: string | null;
};

test('texts, dates, integers and instants read back as written, with a fixed column', async () => {
  const db = api.rt.ctx('test').db;
  await sql`CREATE TABLE columns_scratch (tag text NOT NULL, name text, day date, n int, big bigint,
    at timestamptz, doc jsonb)`.execute(db);
  try {
    const rows: Row[] = Array.from({ length: 25_000 }, (_, i) => ({
      name: i % 9 === 0 ? null : `naïve "${i}"\t日本`,
      day: i % 4 === 0 ? '1999-12-31' : i % 4 === 1 ? '2000-01-01' : i % 4 === 2 ? '2026-02-28' : null,
      n: i % 5 === 0 ? null : i % 2 === 0 ? -(2 ** 31) + i : 2 ** 31 - 1 - i,
      big: i % 6 === 0 ? null : (i % 2 === 0 ? 1 : -1) * (Number.MAX_SAFE_INTEGER - i),
      at: i % 7 === 0 ? null : new Date(Date.UTC(1999, 11, 31, 23, 59, 59, 999) + i * 86_399_001),
      doc: i % 8 === 0 ? null : JSON.stringify({ [`${i % 3}ü`]: { available: i, drawn: i % 11 } }),
    }));
    await insertColumns(db, TABLE, TYPES, rows, [{ column: 'tag', type: 'text', value: 'fixed' }]);
    const tags = ['fixed'];
    if (await canCopy(db)) {
      const ahead = copyRows(TABLE, TYPES, rows, [{ column: 'tag', type: 'text', value: 'made ahead' }]);
      assert.ok(ahead.pieces.length > 1, 'rows made in pieces');
      await insertCopyRows(db, ahead);
      tags.push('made ahead');
    }
    const key = (r: Row) =>
      `${r.name}|${r.day}|${r.n}|${r.big}|${r.at?.toISOString() ?? null}|` +
      canonical(r.doc === null ? null : JSON.parse(r.doc));
    const expected = rows.map(key).sort();
    for (const tag of tags) {
      const back = await sql<Row & { day: string | null; big: string | null }>`
        SELECT name, to_char(day, 'YYYY-MM-DD') AS day, n, big::text AS big, at, doc::text AS doc
        FROM columns_scratch WHERE tag = ${tag}`.execute(db);
      const got = back.rows
        .map((r) => key({ ...r, big: r.big === null ? null : Number(r.big), at: r.at && new Date(r.at) }))
        .sort();
      assert.deepEqual(got, expected, tag);
    }
    const all = await sql<{ n: number }>`SELECT count(*)::int AS n FROM columns_scratch`.execute(db);
    assert.equal(all.rows[0]!.n, rows.length * tags.length, 'no row but those written');
  } finally {
    await sql`DROP TABLE columns_scratch`.execute(db);
  }
});

/** JSON with its keys sorted (jsonb keeps keys in an order of its own). */
function canonical(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
    .join(',')}}`;
}

test('a value its integer column cannot hold is refused, and nothing is written', async () => {
  const db = api.rt.ctx('test').db;
  await sql`CREATE TABLE columns_scratch (name text, day date, n int, big bigint, at timestamptz)`.execute(
    db,
  );
  try {
    const good: Row = { name: 'a', day: null, n: 1, big: 1, at: null, doc: null };
    for (const bad of [{ n: 1.5 }, { n: 2 ** 31 }, { big: 2 ** 60 }]) {
      await assert.rejects(
        () => insertColumns(db, TABLE, TYPES, [good, { ...good, ...bad }]),
        /not an integer of its column/,
      );
    }
    const n = await sql<{ n: number }>`SELECT count(*)::int AS n FROM columns_scratch`.execute(db);
    assert.equal(n.rows[0]!.n, 0);
  } finally {
    await sql`DROP TABLE columns_scratch`.execute(db);
  }
});
