// Many CDR batches posted at once (USG-1), as a busy switch or several of them send them: every
// call goes in once, sending them all again at once stores nothing twice, and none waits forever.
// On a PostgreSQL server a batch streams by COPY on its transaction's connection while it looks up
// accounts through another: more batches than the pool has connections must still all finish,
// and so must an import that bill runs are waiting for.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { importCdrs, usageRater } from '../../src/modules/usage/index.ts';
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

test(
  'bill runs waiting for an import in progress leave it a connection to finish with',
  { timeout: 60_000 },
  async () => {
    const ctx = api.rt.ctx('test');
    const raw = (callId: string, account: string) => ({
      callId,
      account,
      origin: '+1 646 736 0000',
      destination: '+1 212 736 5000',
      startTime: '2026-01-28T09:00:00Z',
      endTime: '2026-01-28T09:04:00Z',
      direction: 'outbound',
    });
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    let reachGate!: () => void;
    const atGate = new Promise<void>((resolve) => (reachGate = resolve));
    // An import that has begun (it holds its batch lock) and is still reading its rows: its
    // accounts are looked up once the rows come, through a second connection on a server.
    async function* rows() {
      yield { row: 2, raw: raw('slow-1', accounts[0]!) };
      reachGate();
      await gate;
      yield { row: 3, raw: raw('slow-2', accounts[1]!) };
    }
    const importing = importCdrs(ctx, () => rows(), { source: 'test' });
    await atGate;
    // More bill runs than the pool has connections, each waiting for the import to end.
    const runs = Array.from({ length: 12 }, () => usageRater(ctx, '2026-02'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    openGate();
    const report = await importing;
    assert.deepEqual([report.accepted, report.errors], [2, []]);
    assert.equal((await Promise.all(runs)).length, 12);
  },
);
