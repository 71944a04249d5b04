// Many CDR batches posted at once (USG-1), as a busy switch or several of them send them: every
// call goes in once, sending them all again at once stores nothing twice, and none waits forever.
// On a PostgreSQL server a batch streams by COPY on its transaction's connection while it looks up
// accounts through another: more batches than the pool has connections must still all finish.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { type TestApi, createTestAccount, signAndEquip, testApi } from '../support/api.ts';

let api: TestApi;
const accounts: string[] = [];
/** More than the pool's 10 connections, and more than its 5 pair slots. */
const BATCHES = 24;

before(async () => {
  api = await testApi({ simulatedClock: '2026-01-01T00:00:00Z' });
  for (let i = 0; i < 3; i++) {
    const id = (await createTestAccount(api, { companyName: `Busy Switch ${i}` })).id;
    await signAndEquip(api, id, { signatureDate: '2026-01-01' }, []);
    accounts.push(id);
  }
});

after(() => api.close());

const batch = (k: number) => ({
  calls: [0, 1, 2].map((j) => ({
    callId: `burst-${k}-${j}`,
    account: accounts[k % accounts.length],
    origin: '+1 646 736 0000',
    destination: '+1 212 736 5000',
    startTime: `2026-01-${String(5 + (k % 20)).padStart(2, '0')}T10:0${j}:00Z`,
    endTime: `2026-01-${String(5 + (k % 20)).padStart(2, '0')}T10:0${j}:59Z`,
    direction: 'outbound',
  })),
});

const postAll = () =>
  Promise.all(Array.from({ length: BATCHES }, (_, k) => api.post('/v1/usage/calls', batch(k))));

test('batches posted at once all finish, each call stored once', { timeout: 60_000 }, async () => {
  const first = await postAll();
  for (const r of first) {
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual([r.body.accepted, r.body.alreadyImported, r.body.errors], [3, 0, []]);
  }
  // All again at once: nothing stored twice.
  const again = await postAll();
  for (const r of again) assert.deepEqual([r.body.accepted, r.body.alreadyImported], [0, 3]);
  const stored = await api.rt
    .ctx('test')
    .db.selectFrom('calls')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  assert.equal(Number(stored.n), 3 * BATCHES);
});
