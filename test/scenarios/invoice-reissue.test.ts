// RUN-12: staff void a monthly invoice issued in error and have its month billed again (a
// reissue). The replacement is the bill run's, with what is in force now, and bills the calls the
// voided invoice billed, rated again; a plain void bills nothing again; RUN-9 holds for what is in
// force (one monthly invoice per account and month that is not void), and a reissue never bills a
// call twice.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedClock } from '../../src/kernel/index.ts';
import { billRun, voidInvoice } from '../../src/modules/invoicing/index.ts';
import { queueInvoiceDeliveries } from '../../src/modules/notifications/index.ts';
import {
  type TestApi,
  apiCall,
  callDetailsFor,
  createTestAccount,
  invoiceFor,
  numberItem,
  putDemoDeck,
  putTestCallingPlan,
  signAndEquip,
  testApi,
} from '../support/api.ts';

let api: TestApi;
const FEB = '2026-02';

const call = apiCall;

const clock = () => {
  const c = api.rt.clock;
  assert.ok(c instanceof SimulatedClock);
  return c;
};

/** An account with one desk phone since 1 January and the given calls of January. */
async function accountWithCalls(name: string, calls: (id: string) => ReturnType<typeof call>[]) {
  const id = (await createTestAccount(api, { companyName: name })).id;
  await signAndEquip(api, id, { signatureDate: '2026-01-01' }, [
    { itemCode: 'device.desk-phone', quantity: 1, addedOn: '2026-01-01', attributes: { extension: '101' } },
  ]);
  const imported = await api.post('/v1/usage/calls', { calls: calls(id) });
  assert.equal(imported.body.accepted, calls(id).length, JSON.stringify(imported.body));
  return id;
}

const lineSum = (inv: any) => inv.lines.reduce((t: number, l: any) => t + l.amount, 0);
const usageLines = (inv: any) =>
  inv.lines.filter((l: any) => l.ratePerMinute !== null).map((l: any) => [l.lineType, l.quantity, l.amount]);

let corrected: string; // its February invoice missed a toll-free number: reissued
let cancelled: string; // its February invoice is voided, not reissued
let interrupted: string; // voided to be reissued, the bill run not yet run
let lateCalls: string; // January calls billed in February and, late ones, in March
let chain: string; // the same, its March invoice voided to be reissued before February is
let balanceBefore: number;

before(async () => {
  api = await testApi({ simulatedClock: '2026-01-01T00:00:00Z' });
  await putDemoDeck(api);
  await putTestCallingPlan(api); // 10 plan minutes per phone
  corrected = await accountWithCalls('Late Paperwork LLC', (id) => [
    call('rc-out-1', id, '+1 512 555 0100', '+1 212 555 0142', '2026-01-05T15:00:00Z', 610, 'outbound'),
    call('rc-tf-1', id, '+1 646 736 0000', '+1 800 736 0199', '2026-01-14T16:00:00Z', 600, 'inbound'),
    call('rc-tf-2', id, '+1 646 736 0001', '+1 800 736 0199', '2026-01-15T16:00:00Z', 240, 'inbound'),
  ]);
  cancelled = await accountWithCalls('Billed By Mistake Inc', (id) => [
    call('cx-out-1', id, '+1 512 555 0100', '+1 212 555 0142', '2026-01-06T15:00:00Z', 300, 'outbound'),
  ]);
  interrupted = await accountWithCalls('Crash Test Co', (id) => [
    call('ct-out-1', id, '+1 512 555 0100', '+1 212 555 0142', '2026-01-07T15:00:00Z', 125, 'outbound'),
  ]);
  lateCalls = await accountWithCalls('Slow Switch LLC', (id) => [
    call('ls-out-1', id, '+1 512 555 0100', '+1 212 555 0143', '2026-01-08T15:00:00Z', 360, 'outbound'),
  ]);
  chain = await accountWithCalls('Pending Chain Co', (id) => [
    call('pc-out-1', id, '+1 512 555 0100', '+1 212 555 0145', '2026-01-09T15:00:00Z', 360, 'outbound'),
  ]);
  clock().set(new Date('2026-02-02T00:00:00Z'));
  const run = await billRun(api.rt.ctx('test'), { month: FEB });
  assert.equal(run.invoicesCreated, 5, JSON.stringify(run));
});

after(() => api.close());

test('a reissue voids the invoice and bills the month again with what is in force now', async () => {
  const first = await invoiceFor(api, corrected, FEB);
  assert.ok(
    !first.lines.some((l: any) => l.lineType === 'toll_free_inbound'),
    'calls to a toll-free number the inventory does not list: not billed (they wait)',
  );
  balanceBefore = (await api.get(`/v1/accounts/${corrected}/balance`)).body.balance;
  assert.equal(balanceBefore, first.total);
  // The paperwork arrives: the number is the account's toll-free number since 1 January.
  const added = await api.post(`/v1/accounts/${corrected}/inventory`, {
    items: [numberItem('number.toll-free', '+1 800 736 0199', '2026-01-01')],
  });
  assert.equal(added.status, 201, JSON.stringify(added.body));

  const r = await api.post(`/v1/invoices/${first.number}/reissue`, { reason: 'toll-free number missing' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const { voided, replacement, pending } = r.body;
  assert.equal(pending, null);
  assert.deepEqual([voided.id, voided.status, voided.reissue], [first.id, 'void', true]);
  assert.deepEqual(voided.lines, first.lines, 'the voided invoice keeps its lines');
  assert.equal(replacement.replaces, first.id);
  assert.deepEqual(
    [replacement.kind, replacement.billingMonth, replacement.status],
    ['monthly', FEB, 'to_pay'],
  );
  assert.notEqual(replacement.number, first.number);
  assert.equal(replacement.total, lineSum(replacement));

  // The calls it billed are billed again, rated with the number now known.
  const tollFree = replacement.lines.find((l: any) => l.lineType === 'toll_free_inbound');
  assert.ok(tollFree, JSON.stringify(replacement.lines.map((l: any) => l.lineType)));
  assert.equal(tollFree.quantity, 14 * 60, '10 + 4 minutes at the toll-free rate');
  const plan = (inv: any) => usageLines(inv).filter(([type]: [string]) => type !== 'toll_free_inbound');
  assert.deepEqual(plan(replacement), plan(first), 'the outbound call is billed as before, once');
  // Every charge of the first invoice is on the replacement; the number's fee is new.
  const charges = (inv: any) =>
    inv.lines
      .filter((l: any) => l.ratePerMinute === null && !/^(fee|tax)\./.test(l.itemCode ?? ''))
      .map((l: any) => JSON.stringify([l.lineType, l.itemCode, l.quantity, l.amount]));
  for (const c of charges(first)) assert.ok(charges(replacement).includes(c), c);
  assert.ok(charges(replacement).length > charges(first).length, 'the toll-free number is charged now');

  // The call details follow the replacement: each call once, adding up to its usage lines.
  const { calls, cents } = await callDetailsFor(api, corrected, '2026-01');
  assert.deepEqual(calls.map((c: any) => c.callType).sort(), [
    'domestic',
    'toll_free_inbound',
    'toll_free_inbound',
  ]);
  const usageCents = replacement.lines
    .filter((l: any) => l.ratePerMinute !== null)
    .reduce((t: number, l: any) => t + l.amount, 0);
  assert.equal(cents, usageCents, 'the details add up to the usage lines');

  // The ledger: the first invoice's charge and its reversal, then the replacement's.
  const balance = (await api.get(`/v1/accounts/${corrected}/balance`)).body.balance;
  assert.equal(balance, replacement.total);
  assert.equal((await invoiceFor(api, corrected, FEB)).id, replacement.id, 'the one in force');
});

test('the month is not billed a third time: a bill run again, or the voided invoice reissued again', async () => {
  const run = await billRun(api.rt.ctx('test'), { month: FEB });
  assert.equal(run.invoicesCreated, 0, JSON.stringify(run));
  const list = (await api.get(`/v1/invoices?account=${corrected}&month=${FEB}`)).body.data;
  assert.deepEqual(list.map((i: any) => i.status).sort(), ['to_pay', 'void']);
  // The run's record counts what the month bills now: the replacement, not the voided invoice.
  const inForce = (await api.get(`/v1/invoices?month=${FEB}`)).body.data.filter(
    (i: any) => i.kind === 'monthly' && i.status !== 'void',
  );
  const record = (await api.get('/v1/bill-runs')).body.data.find((b: any) => b.month === FEB);
  assert.equal(record.invoicesCreated, inForce.length);
  assert.equal(
    record.totalBilled.USD,
    inForce.reduce((t: number, i: any) => t + i.total, 0),
  );
  const voidedId = list.find((i: any) => i.status === 'void').id;
  const again = await api.post(`/v1/invoices/${voidedId}/reissue`, { reason: 'twice' });
  assert.equal(again.status, 422, JSON.stringify(again.body));
  assert.equal(again.body.code, 'cannot_void');
});

test('a plain void bills nothing again: the month stays billed by the voided invoice', async () => {
  const inv = await invoiceFor(api, cancelled, FEB);
  const r = await api.post(`/v1/invoices/${inv.id}/void`, { reason: 'the customer never ordered it' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual([r.body.status, r.body.reissue, r.body.replaces], ['void', false, null]);
  const run = await billRun(api.rt.ctx('test'), { month: FEB, accountIds: [cancelled] });
  assert.equal(run.invoicesCreated, 0);
  const list = (await api.get(`/v1/invoices?account=${cancelled}&month=${FEB}`)).body.data;
  assert.deepEqual(
    list.map((i: any) => i.status),
    ['void'],
  );
  assert.equal((await api.get(`/v1/accounts/${cancelled}/balance`)).body.balance, 0);
});

test('voided to be reissued but the bill run stopped before it: the next run of the month reissues it', async () => {
  const inv = await invoiceFor(api, interrupted, FEB);
  await voidInvoice(api.rt.ctx('test'), inv.id, 'wrong address', { reissue: true });
  const run = await billRun(api.rt.ctx('test'), { month: FEB });
  assert.equal(run.invoicesCreated, 1, 'only the account voided to be reissued');
  const replacement = await invoiceFor(api, interrupted, FEB);
  assert.equal(replacement.replaces, inv.id);
  assert.deepEqual(usageLines(replacement), usageLines(inv), 'the same calls, billed once');
  assert.equal(replacement.total, inv.total, 'nothing else changed');
});

test('only a monthly invoice is reissued; one whose later calls another invoice billed is refused', async () => {
  const oneTime = await api.post(`/v1/accounts/${lateCalls}/one-time-charges`, {
    charges: [{ itemCode: 'hw.desk-phone', quantity: 1 }],
  });
  assert.equal(oneTime.status, 201, JSON.stringify(oneTime.body));
  const refused = await api.post(`/v1/invoices/${oneTime.body.id}/reissue`, { reason: 'x' });
  assert.equal(refused.status, 422, JSON.stringify(refused.body));
  assert.equal(refused.body.code, 'cannot_reissue');

  // A January call that arrives in February goes on the March invoice, after the February one:
  // the 4 plan minutes the first call left, then 3 minutes of overage.
  clock().set(new Date('2026-02-10T00:00:00Z'));
  const lateCall = (id: string, callId: string, start: string) =>
    call(callId, id, '+1 512 555 0100', '+1 212 555 0144', start, 420, 'outbound');
  const late = await api.post('/v1/usage/calls', {
    calls: [
      lateCall(lateCalls, 'ls-out-2', '2026-01-20T15:00:00Z'),
      lateCall(chain, 'pc-out-2', '2026-01-21T15:00:00Z'),
    ],
  });
  assert.equal(late.body.accepted, 2, JSON.stringify(late.body));
  clock().set(new Date('2026-03-02T00:00:00Z'));
  await billRun(api.rt.ctx('test'), { month: '2026-03' });
  const march = await invoiceFor(api, lateCalls, '2026-03');
  const lateLines = (inv: any) =>
    inv.lines
      .filter((l: any) => /calls of 2026-01/.test(l.description))
      .map((l: any) => [l.lineType, l.quantity, l.amount]);
  assert.deepEqual(
    lateLines(march).map(([type, seconds]: [string, number]) => [type, seconds]),
    [
      ['plan_minutes', 240],
      ['outbound_overage', 180],
    ],
    JSON.stringify(march.lines),
  );
  const feb = await invoiceFor(api, lateCalls, FEB);
  const r = await api.post(`/v1/invoices/${feb.id}/reissue`, { reason: 'wrong rate' });
  assert.equal(r.status, 409, JSON.stringify(r.body));
  assert.equal(r.body.code, 'usage_billed_later');
  assert.match(r.body.message, new RegExp(march.number));
  const still = (await api.get(`/v1/invoices/${feb.id}`)).body;
  assert.deepEqual([still.status, still.reissue], ['to_pay', false], 'nothing was voided');

  // The March invoice billed them last: it may be reissued, and its replacement bills the late
  // call from what February left of the allowance, as March did.
  const reissued = await api.post(`/v1/invoices/${march.id}/reissue`, { reason: 'PO number missing' });
  assert.equal(reissued.status, 201, JSON.stringify(reissued.body));
  assert.deepEqual(lateLines(reissued.body.replacement), lateLines(march));
  assert.equal(reissued.body.replacement.total, march.total);
});

test("a reissue's two documents name each other, in the account's language", async () => {
  const list = (await api.get(`/v1/invoices?account=${corrected}&month=${FEB}`)).body.data;
  const voided = list.find((i: any) => i.status === 'void');
  const replacement = list.find((i: any) => i.status === 'to_pay');
  const csv = async (id: string, lang = 'en') =>
    (
      await api.app.inject({
        method: 'GET',
        url: `/v1/invoices/${id}.csv?lang=${lang}`,
        headers: { authorization: `Bearer ${api.key}` },
      })
    ).body;
  const replacementCsv = await csv(replacement.id);
  assert.match(
    replacementCsv,
    new RegExp(`summary,${replacement.number},replaces,.*Replaces invoice ${voided.number}`),
  );
  assert.doesNotMatch(replacementCsv, /replaced_by/);
  const voidedCsv = await csv(voided.id, 'pt');
  assert.match(voidedCsv, new RegExp(`replaced_by,.*Substituída pela fatura ${replacement.number}`));
  assert.match(voidedCsv, /,voided,/);
  // Its usage lines too are in Portuguese: Tollbooth's own words, translated.
  assert.match(voidedCsv, /,plan_minutes,,Minutos do plano \(incluídos\),/);
});

test('a later invoice voided to be reissued first: the earlier one is reissued and bills every call of its month', async () => {
  const feb = await invoiceFor(api, chain, FEB);
  const march = await invoiceFor(api, chain, '2026-03');
  assert.ok(march.lines.some((l: any) => /calls of 2026-01/.test(l.description)));
  await voidInvoice(api.rt.ctx('test'), march.id, 'wrong address', { reissue: true });
  clock().set(new Date('2026-03-20T00:00:00Z')); // February's e-mail window is long past
  const r = await api.post(`/v1/invoices/${feb.id}/reissue`, { reason: 'wrong address' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  // Both January calls, 6 + 7 minutes: the 10 plan minutes, then 3 of overage, as January's own.
  assert.deepEqual(
    usageLines(r.body.replacement).map(([type, seconds]: [string, number]) => [type, seconds]),
    [
      ['plan_minutes', 600],
      ['outbound_overage', 180],
    ],
  );
  await billRun(api.rt.ctx('test'), { month: '2026-03' });
  const marchAgain = await invoiceFor(api, chain, '2026-03');
  assert.equal(marchAgain.replaces, march.id);
  assert.ok(
    !marchAgain.lines.some((l: any) => /calls of 2026-01/.test(l.description)),
    'billed once, in February',
  );
  const details = await api.get(`/v1/accounts/${chain}/call-details?month=2026-01&format=json`);
  assert.equal(details.body.calls.length, 2);

  // The February replacement, issued on 20 March, is e-mailed at once: a correction, not news of
  // a month whose window (RUN-7) ended weeks ago, which would be left unsent.
  await queueInvoiceDeliveries(api.rt.ctx('test'));
  const delivery = async (id: string) => (await api.get(`/v1/invoices/${id}/deliveries`)).body.delivery;
  const sent = await delivery(r.body.replacement.id);
  assert.ok(sent, 'queued');
  assert.deepEqual([sent.windowMonth, sent.notBefore], [null, '2026-03-20T00:00:00.000Z']);
  assert.equal(await delivery(march.id), null, 'a voided invoice is not sent');
  // Where the replacement is sent, February's own invoices, met for the first time weeks after
  // their window, are history: not e-mailed on their own.
  const februarys = await invoiceFor(api, lateCalls, FEB);
  assert.equal(februarys.replaces, null);
  assert.equal(await delivery(februarys.id), null, 'a month whose window ended weeks ago is not news');
});
