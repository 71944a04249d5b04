// A bill run rating a month again reads its calls a page at a time through a cursor
// (windowCallPages): every call of the window once, pages of the size asked, the calls as they
// were when the cursor opened, and the cursor closed however the reader stops.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { windowCallPages } from './repo.ts';
import { type TestApi, createTestAccount, signAndEquip, testApi } from '../../../test/support/api.ts';

let api: TestApi;
let accountId: string;
const CALLS = 30;
const ALL = { after: 0, through: Number.MAX_SAFE_INTEGER };

before(async () => {
  api = await testApi({ simulatedClock: '2026-01-01T00:00:00Z' });
  accountId = (await createTestAccount(api, { companyName: 'Paged Calls Inc' })).id;
  await signAndEquip(api, accountId, { signatureDate: '2026-01-01' }, []);
  const calls = Array.from({ length: CALLS }, (_, i) => {
    const start = Date.UTC(2026, 0, 2 + (i % 25), 15, i);
    return {
      callId: `page-${i}`,
      account: accountId,
      origin: '+1 646 736 0000',
      destination: '+1 212 736 5000',
      startTime: new Date(start).toISOString(),
      endTime: new Date(start + 60_000 * (1 + (i % 4))).toISOString(),
      direction: 'outbound',
    };
  });
  const imported = await api.post('/v1/usage/calls', { calls });
  assert.equal(imported.body.accepted, CALLS, JSON.stringify(imported.body));
});

after(() => api.close());

const ids = (pages: { call_id: string }[][]) =>
  pages
    .flat()
    .map((c) => c.call_id)
    .sort();
const expected = Array.from({ length: CALLS }, (_, i) => `page-${i}`).sort();

test('a window read in pages: every call once, pages of the size asked', async () => {
  await api.rt
    .ctx('test')
    .db.transaction()
    .execute(async (trx) => {
      const pages: { call_id: string }[][] = [];
      for await (const page of windowCallPages(trx, accountId, '2026-01', ALL, 7)) pages.push(page);
      assert.deepEqual(
        pages.map((p) => p.length),
        [7, 7, 7, 7, 2],
      );
      assert.deepEqual(ids(pages), expected);
      // Exactly a page's worth: the last page is full, and nothing follows it.
      const exact: { call_id: string }[][] = [];
      for await (const page of windowCallPages(trx, accountId, '2026-01', ALL, 10)) exact.push(page);
      assert.deepEqual(
        exact.map((p) => p.length),
        [10, 10, 10],
      );
      // Another month, or a window after the calls' batch: nothing.
      for await (const page of windowCallPages(trx, accountId, '2026-02', ALL, 7))
        assert.fail(`${page.length}`);
      for await (const page of windowCallPages(trx, accountId, '2026-01', {
        after: ALL.through - 1,
        through: ALL.through,
      }))
        assert.fail(`${page.length}`);
    });
});

test('calls changed while the pages are read come as they were when the window opened', async () => {
  await api.rt
    .ctx('test')
    .db.transaction()
    .execute(async (trx) => {
      const seen: { call_id: string; duration_seconds: number }[] = [];
      for await (const page of windowCallPages(trx, accountId, '2026-01', ALL, 4)) {
        seen.push(...page);
        // What a bill run does between pages: it writes the calls it rated again.
        await sql`UPDATE calls c SET duration_seconds = duration_seconds + 1000 FROM call_classes k
          WHERE k.batch = c.batch AND k.class = c.class AND k.account_id = ${accountId}`.execute(trx);
      }
      assert.equal(seen.length, CALLS);
      assert.ok(
        seen.every((c) => c.duration_seconds <= 4 * 60),
        'every call as it was stored, none as changed since',
      );
      throw new Rollback();
    })
    .catch((e) => {
      if (!(e instanceof Rollback)) throw e;
    });
});

test('a reader that stops early leaves no cursor open: the next window reads in full', async () => {
  await api.rt
    .ctx('test')
    .db.transaction()
    .execute(async (trx) => {
      for await (const page of windowCallPages(trx, accountId, '2026-01', ALL, 5)) {
        assert.equal(page.length, 5);
        break;
      }
      const pages: { call_id: string }[][] = [];
      for await (const page of windowCallPages(trx, accountId, '2026-01', ALL, 8)) pages.push(page);
      assert.deepEqual(ids(pages), expected);
    });
  await assert.rejects(async () => {
    for await (const page of windowCallPages(api.rt.ctx('test').db, accountId, '2026-01', ALL, 0))
      assert.fail(`${page.length}`);
  }, /bad page size: 0/);
});

class Rollback extends Error {}
