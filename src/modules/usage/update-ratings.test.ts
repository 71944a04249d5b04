// A call's rating given after it was stored (updateRatings) goes into its class: a class of the
// call's batch and account-month rated alike, found when there is one and made when not. Rated
// again in a bill run, a call keeps its batch; a call that waited for a rating moves to the batch
// of the transaction that rates it, and has billable seconds again.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { ArrivalRating } from './domain/arrival.ts';
import { nextCallBatch, updateRatings } from './repo.ts';
import { type TestApi, createTestAccount, signAndEquip, testApi } from '../../../test/support/api.ts';

let api: TestApi;
let accountId: string;

before(async () => {
  api = await testApi({ simulatedClock: '2026-01-01T00:00:00Z' });
  accountId = (await createTestAccount(api, { companyName: 'Rated Again Ltd' })).id;
  await signAndEquip(api, accountId, { signatureDate: '2026-01-01' }, []);
  // Four domestic calls (one class) and one to a number no deck prices (it waits for a rating).
  const call = (callId: string, destination: string, minute: number) => ({
    callId,
    account: accountId,
    origin: '+1 646 736 0000',
    destination,
    startTime: new Date(Date.UTC(2026, 0, 5, 15, minute)).toISOString(),
    endTime: new Date(Date.UTC(2026, 0, 5, 15, minute, 50)).toISOString(),
    direction: 'outbound',
  });
  const calls = [0, 1, 2, 3].map((i) => call(`r-${i}`, '+1 212 736 5000', i));
  calls.push(call('w-1', '+44 20 7946 0000', 9));
  const imported = await api.post('/v1/usage/calls', { calls });
  assert.equal(imported.body.accepted, 5, JSON.stringify(imported.body));
});

after(() => api.close());

interface Stored {
  call_id: string;
  batch: string;
  class: string;
  billable_seconds: number | null;
  account_id: string;
  usage_month: string;
  call_type: string | null;
  allowance: string | null;
  rate_prefix: string | null;
  rate_per_minute: string | null;
}

async function stored(): Promise<Map<string, Stored>> {
  const r = await sql<Stored>`
    SELECT c.call_id, c.batch::text, c.class::text, c.billable_seconds, k.account_id, k.usage_month, k.call_type,
      k.allowance, k.rate_prefix, k.rate_per_minute::text
    FROM calls c JOIN call_classes k USING (batch, class) WHERE k.account_id = ${accountId}`.execute(
    api.rt.ctx('test').db,
  );
  return new Map(r.rows.map((c) => [c.call_id, c]));
}

const classCount = async () =>
  (
    await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM call_classes WHERE account_id = ${accountId}`.execute(
      api.rt.ctx('test').db,
    )
  ).rows[0]!.n;

const international = (billableSeconds: number): ArrivalRating => ({
  callType: 'international',
  rounding: 'nearest-minute',
  billableSeconds,
  allowance: null,
  rate: {
    prefix: '888',
    description: 'Test',
    callType: 'international',
    ratePerMinute: 123_000,
    rounding: 'nearest-minute',
    validFrom: '2025-01-01',
    validTo: null,
  },
  unratedReason: null,
});

test('calls as imported: rated alike share a class; the waiting call has no billable seconds', async () => {
  const s = await stored();
  const rated = ['r-0', 'r-1', 'r-2', 'r-3'].map((id) => s.get(id)!);
  assert.equal(new Set(rated.map((c) => `${c.batch}/${c.class}`)).size, 1, 'one class for the four');
  assert.ok(rated.every((c) => c.call_type !== null && c.billable_seconds === 60));
  const waiting = s.get('w-1')!;
  assert.equal(waiting.call_type, null);
  assert.equal(waiting.billable_seconds, null);
  assert.equal(waiting.batch, rated[0]!.batch, 'the same import');
  assert.notEqual(waiting.class, rated[0]!.class);
});

test('rated again in a bill run (no batch): calls keep their batch and share a class made once', async () => {
  const before = await stored();
  const db = api.rt.ctx('test').db;
  const classesBefore = await classCount();
  const again = { ...before.get('r-0')! };
  await db.transaction().execute(async (trx) => {
    await updateRatings(trx, null, [
      { callId: 'r-0', rating: international(120) },
      { callId: 'r-1', rating: international(180) },
    ]);
  });
  let s = await stored();
  for (const [id, seconds] of [
    ['r-0', 120],
    ['r-1', 180],
  ] as const) {
    const c = s.get(id)!;
    assert.equal(c.batch, again.batch, `${id}: its batch kept`);
    assert.deepEqual(
      [c.account_id, c.usage_month, c.call_type, c.rate_prefix, c.rate_per_minute, c.billable_seconds],
      [accountId, '2026-01', 'international', '888', '123000', seconds],
      id,
    );
  }
  assert.equal(s.get('r-0')!.class, s.get('r-1')!.class, 'rated alike: one class');
  assert.equal(s.get('r-2')!.class, again.class, 'a call not rated again keeps its class');
  assert.equal(await classCount(), classesBefore + 1, 'one class made');

  // The same rating for another call of the batch: the class made above serves.
  await db
    .transaction()
    .execute((trx) => updateRatings(trx, null, [{ callId: 'r-2', rating: international(60) }]));
  s = await stored();
  assert.equal(s.get('r-2')!.class, s.get('r-0')!.class);
  assert.equal(await classCount(), classesBefore + 1, 'no class made');
  // The waiting call was not among them: it still waits.
  assert.equal(s.get('w-1')!.billable_seconds, null);
});

test('a waiting call rated in a batch of its own moves to it; rated calls are left alone', async () => {
  const db = api.rt.ctx('test').db;
  const before = await stored();
  const batch = await db.transaction().execute(async (trx) => {
    const b = await nextCallBatch(trx);
    await updateRatings(trx, b, [
      { callId: 'w-1', rating: international(60) },
      // Rated already: a re-rating in a new batch must not move it.
      { callId: 'r-3', rating: international(600) },
    ]);
    return b;
  });
  const s = await stored();
  const w = s.get('w-1')!;
  assert.equal(w.batch, String(batch));
  assert.deepEqual([w.call_type, w.billable_seconds, w.rate_prefix], ['international', 60, '888']);
  assert.deepEqual(s.get('r-3'), before.get('r-3'), 'a rated call is not rated in a waiting calls batch');
});
