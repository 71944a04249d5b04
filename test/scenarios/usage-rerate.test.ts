// Calls are rated when they arrive, with the inventory, contract and deck known then. When those
// change before the month is billed (a toll-free number added with an earlier date, a deck rate
// corrected), the bill run rates the month's unbilled calls again, so the invoice and the call
// details follow what is in force, as if the calls had arrived after the change.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedClock } from '../../src/kernel/index.ts';
import { billRun } from '../../src/modules/invoicing/index.ts';
import {
  type TestApi,
  apiCall,
  callDetailsFor,
  createTestAccount,
  invoiceFor,
  putDemoDeck,
  signAndEquip,
  testApi,
} from '../support/api.ts';

let api: TestApi;
let accountId: string;

const call = apiCall;

before(async () => {
  api = await testApi({ simulatedClock: '2026-01-01T00:00:00Z' });
  await putDemoDeck(api);
  accountId = (await createTestAccount(api, { companyName: 'Late Paperwork LLC' })).id;
  await signAndEquip(api, accountId, { signatureDate: '2026-01-01' }, []);
  const items = await api.post(`/v1/accounts/${accountId}/inventory`, {
    items: [
      { itemCode: 'device.desk-phone', quantity: 1, addedOn: '2026-01-01', attributes: { extension: '101' } },
    ],
  });
  assert.equal(items.status, 201, JSON.stringify(items.body));
  // Calls to a toll-free number the inventory does not list yet: stored, waiting for a rating
  // (never billed as free inbound calls).
  const imported = await api.post('/v1/usage/calls', {
    calls: [
      call('tf-1', accountId, '+1 646 736 0000', '+1 800 736 0199', '2026-01-14T16:00:00Z', 600, 'inbound'),
      call('tf-2', accountId, '+1 646 736 0001', '+1 800 736 0199', '2026-01-15T16:00:00Z', 240, 'inbound'),
    ],
  });
  assert.equal(imported.body.accepted, 2, JSON.stringify(imported.body));
  const waiting = await api.rt
    .ctx('test')
    .db.selectFrom('calls')
    .innerJoin('call_classes', (j) =>
      j.onRef('call_classes.batch', '=', 'calls.batch').onRef('call_classes.class', '=', 'calls.class'),
    )
    .select(['calls.call_id', 'calls.billable_seconds', 'call_classes.unrated_reason'])
    .orderBy('calls.call_id')
    .execute();
  assert.deepEqual(
    waiting.map((c) => [c.call_id, c.billable_seconds, c.unrated_reason]),
    [
      ['tf-1', null, 'unlisted_toll_free_number'],
      ['tf-2', null, 'unlisted_toll_free_number'],
    ],
  );
  // The paperwork arrives: the number is the account's toll-free number since 1 January.
  const tollFree = await api.post(`/v1/accounts/${accountId}/inventory`, {
    items: [
      {
        itemCode: 'number.toll-free',
        quantity: 1,
        addedOn: '2026-01-01',
        attributes: { number: '+1 800 736 0199' },
      },
    ],
  });
  assert.equal(tollFree.status, 201, JSON.stringify(tollFree.body));
  const clock = api.rt.clock;
  assert.ok(clock instanceof SimulatedClock);
  clock.set(new Date('2026-02-02T00:00:00Z'));
});

after(() => api.close());

test('a toll-free number added after its calls arrived: the bill run rates them again', async () => {
  const run = await billRun(api.rt.ctx('test'), { month: '2026-02' });
  assert.equal(run.invoicesCreated, 1, JSON.stringify(run));
  const invoice = await invoiceFor(api, accountId, '2026-02');
  const line = invoice.lines.find((l: any) => l.lineType === 'toll_free_inbound');
  assert.ok(line, JSON.stringify(invoice.lines.map((l: any) => l.lineType)));
  assert.equal(line.quantity, 14 * 60, '10 + 4 minutes at the toll-free rate');
  const { calls, cents } = await callDetailsFor(api, accountId, '2026-01');
  assert.deepEqual(
    calls.map((c: any) => c.callType),
    ['toll_free_inbound', 'toll_free_inbound'],
  );
  assert.equal(cents, line.amount, 'the details add up to the line');
});
