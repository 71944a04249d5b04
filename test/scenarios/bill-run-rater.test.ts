// A bill run prices usage a batch of accounts at a time with one rater kept for the whole run.
// What the rater reads and makes for a batch (inventory, contexts) is let go once the batch is
// priced: held to the run's end, ten thousand accounts' worth of it was traced by every garbage
// collection of the run, a fifth of the run's time. And a run for some accounts only (a reissue,
// a staff re-run) rates only their calls that were waiting for a rating, not every account's.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedClock } from '../../src/kernel/index.ts';
import { billRun } from '../../src/modules/invoicing/index.ts';
import { usageRater } from '../../src/modules/usage/index.ts';
import {
  type TestApi,
  apiCall,
  createTestAccount,
  putDemoDeck,
  signAndEquip,
  testApi,
} from '../support/api.ts';

let api: TestApi;
const accounts: string[] = [];
/** Two accounts whose January calls came before their contracts: they waited for a rating. */
const late: string[] = [];

before(async () => {
  api = await testApi({ simulatedClock: '2026-01-01T00:00:00Z' });
  await putDemoDeck(api);
  for (const name of ['Batch One LLC', 'Batch Two LLC', 'Batch Three LLC']) {
    const id = (await createTestAccount(api, { companyName: name })).id;
    await signAndEquip(api, id, { signatureDate: '2026-01-01' }, [
      { itemCode: 'device.desk-phone', quantity: 1, addedOn: '2026-01-01', attributes: { extension: '101' } },
    ]);
    accounts.push(id);
  }
  const imported = await api.post('/v1/usage/calls', {
    calls: accounts.map((id, i) =>
      apiCall(`held-${i}`, id, '+1 646 736 0000', '+44 20 7946 0000', '2026-01-14T16:00:00Z', 600),
    ),
  });
  assert.equal(imported.body.accepted, accounts.length, JSON.stringify(imported.body));
  for (const name of ['Paperwork First LLC', 'Paperwork Second LLC']) {
    late.push((await createTestAccount(api, { companyName: name })).id);
  }
  const early = await api.post('/v1/usage/calls', {
    calls: late.map((id, i) =>
      apiCall(`waited-${i}`, id, '+1 646 736 0000', '+44 20 7946 0000', '2026-01-20T16:00:00Z', 600),
    ),
  });
  assert.equal(early.body.accepted, late.length, JSON.stringify(early.body));
  for (const id of late) {
    await signAndEquip(api, id, { signatureDate: '2026-01-01' }, [
      { itemCode: 'device.desk-phone', quantity: 1, addedOn: '2026-01-01', attributes: { extension: '101' } },
    ]);
  }
  const clock = api.rt.clock;
  assert.ok(clock instanceof SimulatedClock);
  clock.set(new Date('2026-02-02T00:00:00Z'));
});

after(() => api.close());

test("the bill run's rater lets go of a batch's accounts once it has priced them", async () => {
  const ctx = api.rt.ctx('test');
  const rater = await usageRater(ctx, '2026-02', accounts);
  const batch = (ids: string[]) =>
    ids.map((id) => ({ id, currency: 'USD', billingStartDate: '2026-01-01' as const }));

  const first = await rater.rate(ctx.db, batch(accounts.slice(0, 2)), '2026-02');
  assert.deepEqual([...first.keys()].sort(), accounts.slice(0, 2).sort());
  for (const usage of first.values())
    assert.ok(
      usage.lines.some((l) => l.amount > 0),
      'priced',
    );
  assert.equal(rater.heldAccounts(), 0);

  // The next batch is read afresh, and an account seen before is read again, priced alike.
  const second = await rater.rate(ctx.db, batch([accounts[2]!, accounts[0]!]), '2026-02');
  assert.deepEqual(second.get(accounts[0]!)?.lines, first.get(accounts[0]!)?.lines);
  assert.ok(second.get(accounts[2]!)?.lines.some((l) => l.amount > 0));
  assert.equal(rater.heldAccounts(), 0);
});

test("a bill run for some accounts rates only their waiting calls; the month's run rates the others", async () => {
  const ctx = api.rt.ctx('test');
  const rated = async () =>
    (
      await ctx.db
        .selectFrom('calls')
        .select(['call_id', 'billable_seconds'])
        .where('call_id', 'in', ['waited-0', 'waited-1'])
        .orderBy('call_id')
        .execute()
    ).map((c) => [c.call_id, c.billable_seconds]);
  assert.deepEqual(await rated(), [
    ['waited-0', null],
    ['waited-1', null],
  ]);

  const one = await billRun(ctx, { month: '2026-02', accountIds: [late[0]!] });
  assert.equal(one.invoicesCreated, 1);
  assert.deepEqual(await rated(), [
    ['waited-0', 600],
    ['waited-1', null],
  ]);

  const all = await billRun(ctx, { month: '2026-02' });
  assert.deepEqual(all.failures, []);
  assert.deepEqual(await rated(), [
    ['waited-0', 600],
    ['waited-1', 600],
  ]);
  // Each waited call is billed once, on its account's February invoice.
  for (const id of late) {
    const invoices = await api.get(`/v1/invoices?account=${id}&month=2026-02`);
    assert.equal(invoices.status, 200, JSON.stringify(invoices.body));
    assert.equal(invoices.body.data.length, 1, JSON.stringify(invoices.body));
  }
});
