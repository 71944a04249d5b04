import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { testRuntime } from '../../test/support/runtime.ts';
import type { Db } from './connection.ts';
import { canCopy, copyBinaryInto, copyInto, limitImportSlots, withImportSlot } from './copy.ts';

// COPY … FROM STDIN as imports use it on a server: chunks fed ahead of the server, each chunk's
// memory released once the connection has taken it, and either side's failure ending the COPY
// with nothing stored. Embedded, there is no COPY from a client stream: imports insert in batches.
const rt = await testRuntime();
after(() => rt.close());
const db = rt.ctx('test').db;
const onServer = rt.databaseUrl !== undefined;

const rows = (from: number, count: number, width = 0) => {
  let text = '';
  const pad = 'x'.repeat(width);
  for (let i = from; i < from + count; i++) text += `${i}\tr${i}${pad}\n`;
  return new TextEncoder().encode(text);
};

test('COPY is offered on a server only', async () => {
  assert.equal(await canCopy(db), onServer);
});

test('imports (and what waits on them) run in half the pool at most, first come first served', async () => {
  const pool = {} as Db; // slots are kept per database handle: any object stands for one here
  limitImportSlots(pool, 5);
  let running = 0;
  let most = 0;
  const started: number[] = [];
  const gates: (() => void)[] = [];
  const work = (k: number) =>
    withImportSlot(pool, async () => {
      started.push(k);
      most = Math.max(most, ++running);
      await new Promise<void>((resolve) => gates.push(resolve));
      running--;
      if (k === 1) throw new Error('work 1 failed');
      return k;
    });
  const all = [0, 1, 2, 3, 4, 5].map((k) => work(k).catch((e: Error) => e.message));
  // Let every work that can start, start; then end them one at a time, oldest first.
  for (let ended = 0; ended < 6; ended++) {
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(running, Math.min(2, 6 - ended), `after ${ended} ended`);
    gates.shift()!();
  }
  assert.deepEqual(await Promise.all(all), [0, 'work 1 failed', 2, 3, 4, 5]);
  assert.equal(most, 2, 'two slots for five connections');
  assert.deepEqual(started, [0, 1, 2, 3, 4, 5], 'in the order they came');
  // A failed work gave its slot back: two works start at once again.
  let again = 0;
  const twice = [0, 1].map((k) => withImportSlot(pool, async () => (again++, k)));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(again, 2, 'both slots free');
  assert.deepEqual(await Promise.all(twice), [0, 1]);
  // A pool of one connection still has a slot; a handle without slots runs work at once.
  const small = {} as Db;
  limitImportSlots(small, 1);
  assert.equal(await withImportSlot(small, async () => 'ran'), 'ran');
  assert.equal(await withImportSlot({} as Db, async () => 'ran'), 'ran');
});

if (onServer) {
  before(() => sql`CREATE TABLE copied (n int PRIMARY KEY, label text NOT NULL)`.execute(db));
  const count = async () =>
    Number((await sql<{ n: string }>`SELECT count(*) AS n FROM copied`.execute(db)).rows[0]!.n);

  test('every chunk is stored, and told taken once, in order, after the connection has it', async () => {
    await sql`TRUNCATE copied`.execute(db);
    const given: number[] = [];
    const taken: number[] = [];
    // 64 chunks of 40,000 rows (~0.5 MiB each): more than is ever taken ahead of the server.
    async function* chunks() {
      for (let k = 0; k < 64; k++) {
        given.push(k);
        yield rows(k * 40_000, 40_000);
      }
    }
    await copyInto(db, 'COPY copied (n, label) FROM STDIN', chunks(), () => taken.push(given[taken.length]!));
    assert.equal(await count(), 64 * 40_000);
    assert.deepEqual(taken, given);
  });

  test('chunks are taken while later ones are made (the server is fed ahead, not at the end)', async () => {
    await sql`TRUNCATE copied`.execute(db);
    const takenWhenMade: number[] = [];
    let taken = 0;
    // 200 chunks of 2,500 rows of ~210 bytes (~0.5 MiB a chunk, 100 MiB in all).
    async function* chunks() {
      for (let k = 0; k < 200; k++) {
        takenWhenMade.push(taken);
        yield rows(k * 2_500, 2_500, 200);
      }
    }
    await copyInto(db, 'COPY copied (n, label) FROM STDIN', chunks(), () => taken++);
    assert.equal(taken, 200);
    assert.ok(takenWhenMade[199]! > 100, `chunks taken before the last was made: ${takenWhenMade[199]}`);
    // What waits for the server is bounded (32 MiB taken ahead, ~0.5 MiB a chunk, and what the
    // connection's socket holds): the chunks' maker waits for the server beyond.
    const waiting = Math.max(...takenWhenMade.map((t, k) => k - t));
    assert.ok(waiting <= 80, `at most ~64 chunks ahead: ${waiting}`);
  });

  test('binary rows: framed by the format, each chunk told taken once, in order', async () => {
    await sql`TRUNCATE copied`.execute(db);
    // A row: two fields, an int4 and a text.
    const binaryRows = (from: number, count: number) => {
      const rows = Buffer.alloc(count * 20);
      for (let i = 0; i < count; i++) {
        const at = i * 20;
        rows.writeInt16BE(2, at);
        rows.writeInt32BE(4, at + 2);
        rows.writeInt32BE(from + i, at + 6);
        rows.writeInt32BE(6, at + 10);
        rows.write(`r${String(from + i).padStart(5, '0')}`, at + 14, 'latin1');
      }
      return rows;
    };
    const taken: number[] = [];
    const chunks = Array.from({ length: 40 }, (_, k) => binaryRows(k * 1_000, 1_000));
    await copyBinaryInto(db, 'COPY copied (n, label) FROM STDIN (FORMAT binary)', chunks, () =>
      taken.push(taken.length),
    );
    assert.equal(await count(), 40_000);
    assert.deepEqual(
      taken,
      chunks.map((_, k) => k),
    );
    const last = await sql<{ label: string }>`SELECT label FROM copied WHERE n = 39999`.execute(db);
    assert.equal(last.rows[0]!.label, 'r39999');
  });

  test('a failure while the chunks are made fails the COPY: nothing is stored', async () => {
    await sql`TRUNCATE copied`.execute(db);
    async function* chunks() {
      yield rows(0, 10_000);
      yield rows(10_000, 10_000);
      throw new Error('the file went away');
    }
    await assert.rejects(copyInto(db, 'COPY copied (n, label) FROM STDIN', chunks()), /the file went away/);
    assert.equal(await count(), 0);
    // The connection is usable again.
    await copyInto(db, 'COPY copied (n, label) FROM STDIN', [rows(0, 3)]);
    assert.equal(await count(), 3);
  });

  test("the server's refusal stops the chunks and is reported: nothing is stored", async () => {
    await sql`TRUNCATE copied`.execute(db);
    let made = 0;
    async function* chunks() {
      for (let k = 0; k < 100_000; k++) {
        made++;
        // The second chunk repeats a key of the first.
        yield k === 1 ? rows(5, 10) : rows(k * 1_000, 1_000);
      }
    }
    await assert.rejects(copyInto(db, 'COPY copied (n, label) FROM STDIN', chunks()), { code: '23505' });
    assert.ok(made < 100_000, `the chunks stopped after ${made}`);
    assert.equal(await count(), 0);
  });
}
