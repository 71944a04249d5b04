// PAY-4..6, COL-1..4 through the HTTP API on a simulated clock (accounts in New York, UTC−4 in
// September): an invoice on the 1st; autopay declined on the 10th, a retry 30 minutes later
// refused, one 61 minutes later accepted; an account that never pays suspended at 30 days past
// due and reactivated the moment it pays; another past 60 days deactivated, then reactivated by
// staff after full payment and proof.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_CARDS } from '../../src/modules/payments/index.ts';
import { type TestApi, createTestAccount, invoiceFor, signAndEquip, testApi } from '../support/api.ts';

let api: TestApi;
const ids = {} as Record<'autopay' | 'neverPays' | 'longGone', string>;
let keyN = 0;
const pay = (accountId: string, body: Record<string, unknown> = {}, key = `k${++keyN}`) =>
  api.post(`/v1/accounts/${accountId}/payments`, body, { 'idempotency-key': key });
const advance = async (to: string) => {
  const r = await api.post('/v1/clock/advance', { to });
  assert.equal(r.status, 200, `advance to ${to}: ${JSON.stringify(r.body)}`);
};
const card = async (accountId: string, number: string, makeDefault = false) => {
  const r = await api.post(`/v1/accounts/${accountId}/payment-methods`, {
    type: 'card',
    number,
    expMonth: 12,
    expYear: 2030,
    makeDefault,
  });
  assert.equal(r.status, 201, `card ${number}: ${JSON.stringify(r.body)}`);
  return r.body;
};
const account = async (id: string) => (await api.get(`/v1/accounts/${id}`)).body;
const balance = async (id: string) => (await api.get(`/v1/accounts/${id}/balance`)).body;
const services = async (id: string) =>
  (await api.get(`/v1/accounts/${id}/inventory`)).body.data.map((i: any) => i.serviceState);

before(async () => {
  api = await testApi({ simulatedClock: '2026-08-15T00:00:00Z' });
  for (const [name, company] of [
    ['autopay', 'Hudson Yards Dental'],
    ['neverPays', 'Bowery Bagels'],
    ['longGone', 'Canal Street Imports'],
  ] as const) {
    ids[name] = (
      await createTestAccount(api, {
        companyName: company,
        timeZone: 'America/New_York',
        address: { line1: '1 Main St', city: 'Austin', state: 'TX', postalCode: '78701', country: 'US' },
        receiptEmail: `receipts@${name.toLowerCase()}.example`,
      })
    ).id;
    await signAndEquip(api, ids[name], { signatureDate: '2026-08-15' }, [
      { itemCode: 'device.desk-phone', quantity: 2, addedOn: '2026-08-15' },
    ]);
  }
});

after(() => api.close());

test('PAY-6, PAY-5, PAY-4: autopay declined on the 10th; retry at +30 min refused, at +61 min paid', async () => {
  const declining = await card(ids.autopay, TEST_CARDS.genericDecline);
  assert.equal(declining.isDefault, true, 'the first method is the default');
  assert.equal(declining.brand, 'visa', 'brand kept');
  assert.equal(declining.last4, '0002', 'last 4 kept');
  const on = await api.put(`/v1/accounts/${ids.autopay}/autopay`, { enabled: true });
  assert.equal(on.status, 200, JSON.stringify(on.body));

  await advance('2026-09-01T12:00:00Z');
  const inv = await invoiceFor(api, ids.autopay, '2026-09');
  assert.ok(inv, 'invoice issued on the 1st');
  assert.equal(inv.status, 'to_pay', 'To pay');
  assert.equal(inv.issueDate, '2026-09-01', 'issued on the 1st');
  assert.equal((await balance(ids.autopay)).balanceDue, inv.total, 'balance due is the invoice');

  // 10 September 00:00 in New York is 04:00Z: the autopay run charges the default card.
  await advance('2026-09-10T04:00:00Z');
  const payments = (await api.get(`/v1/accounts/${ids.autopay}/payments`)).body.data;
  assert.equal(payments.length, 1, `one autopay attempt: ${JSON.stringify(payments)}`);
  assert.deepEqual(
    [payments[0].source, payments[0].status, payments[0].declineCode, payments[0].amount],
    ['autopay', 'declined', 'generic_decline', inv.total],
    'autopay charged the balance due and was declined',
  );
  assert.equal(payments[0].decidedAt, '2026-09-10T04:00:00.000Z', 'declined at 00:00 New York');
  assert.equal((await api.get(`/v1/invoices/${inv.id}`)).body.status, 'to_pay', 'still To pay');

  const good = await card(ids.autopay, TEST_CARDS.visa);
  await advance('2026-09-10T04:30:00Z');
  const early = await pay(ids.autopay, { paymentMethodId: good.id });
  assert.equal(early.status, 422, JSON.stringify(early.body));
  assert.equal(early.body.code, 'payment_retry_locked', 'inside the hour');
  assert.equal(early.body.details.retryAt, '2026-09-10T05:00:00.000Z', 'says when it may be retried');
  assert.match(early.body.message, /2026-09-10T05:00:00\.000Z/, early.body.message);

  await advance('2026-09-10T05:01:00Z');
  const ok = await pay(ids.autopay, { paymentMethodId: good.id });
  assert.equal(ok.status, 201, JSON.stringify(ok.body));
  assert.deepEqual([ok.body.status, ok.body.amount], ['succeeded', inv.total], 'paid in full');
  assert.equal((await api.get(`/v1/invoices/${inv.id}`)).body.status, 'paid', 'the invoice moved to Paid');
  const b = await balance(ids.autopay);
  assert.deepEqual([b.balance, b.pastDue, b.credit], [0, 0, 0], 'nothing owed');

  const events = await api.rt.handle.db
    .selectFrom('events')
    .select(['type', 'payload'])
    .where('account_id', '=', ids.autopay)
    .where('type', 'in', ['payment.receipt', 'autopay.failed', 'payment.declined'])
    .orderBy('id')
    .execute();
  assert.deepEqual(
    events.map((e) => e.type),
    ['payment.declined', 'autopay.failed', 'payment.receipt'],
    'the failure is notified and the success gets a receipt',
  );
  assert.equal(
    (events[2]!.payload as any).to,
    'receipts@autopay.example',
    'receipt to the single receipt address',
  );

  // Autopay runs once a month: advancing over the rest of the 10th–12th charges nothing more.
  await advance('2026-09-13T05:00:00Z');
  assert.equal(
    (await api.get(`/v1/accounts/${ids.autopay}/payments`)).body.data.length,
    2,
    'no second autopay',
  );
});

test('COL-1, COL-3: never pays → suspended at 30 days past due; reactivated the moment it pays', async () => {
  const inv = await invoiceFor(api, ids.neverPays, '2026-09');
  assert.equal(inv.dueDate, '2026-09-16', 'due 15 days after issue');
  // 15 October: 29 days past due.
  await advance('2026-10-15T12:00:00Z');
  assert.equal((await account(ids.neverPays)).status, 'active', 'day 29: still active');
  const b29 = await balance(ids.neverPays);
  assert.equal(b29.oldestPastDueDays, 29, 'day 29');
  assert.equal(b29.aging.days1to30, inv.total, 'September is in 1–30');
  const oct = await invoiceFor(api, ids.neverPays, '2026-10');
  assert.equal(b29.aging.current, oct.total, 'October is current');
  assert.equal(
    b29.aging.current + b29.aging.days1to30 + b29.aging.days31to60 + b29.aging.days61plus,
    b29.balance,
    'aging sums to balance',
  );

  await advance('2026-10-16T04:00:00Z'); // 00:00 16 October New York: 30 days past due
  assert.equal((await account(ids.neverPays)).status, 'suspended', 'day 30: suspended');
  assert.deepEqual(await services(ids.neverPays), ['suspended'], 'its services are marked suspended');
  const history = (await api.get(`/v1/accounts/${ids.neverPays}/status-history`)).body.data;
  assert.equal(history.length, 1, 'one change');
  assert.match(history[0].reason, /30 days past due/, history[0].reason);
  const notices = await api.rt.handle.db
    .selectFrom('collection_notices')
    .select(['kind', 'days_past_due'])
    .where('account_id', '=', ids.neverPays)
    .orderBy('sent_at')
    .orderBy('days_past_due')
    .execute();
  assert.deepEqual(
    notices.filter((n) => n.days_past_due <= 30).map((n) => `${n.kind}@${n.days_past_due}`),
    ['reminder@-5', 'past_due@1', 'past_due@15', 'reminder@-5', 'suspension_warning@25', 'suspension@30'],
    'the dunning schedule: September reminder and notices, October reminder',
  );

  await advance('2026-10-20T15:00:00Z');
  const b = await balance(ids.neverPays);
  await card(ids.neverPays, TEST_CARDS.mastercard);
  const paid = await pay(ids.neverPays, { amount: b.pastDue });
  assert.equal(paid.status, 201, JSON.stringify(paid.body));
  assert.equal(
    (await account(ids.neverPays)).status,
    'active',
    'reactivated in the same request, at 0.00 past due',
  );
  assert.deepEqual(await services(ids.neverPays), ['active'], 'its services are active again');
  assert.equal((await balance(ids.neverPays)).pastDue, 0, 'past due 0.00');
  assert.equal((await api.get(`/v1/invoices/${inv.id}`)).body.status, 'paid', 'September Paid');
});

test('COL-4: past 60 days → deactivated by staff; only staff reactivate, after full payment and proof', async () => {
  const inv = await invoiceFor(api, ids.longGone, '2026-09');
  await advance('2026-11-15T12:00:00Z'); // 60 days past due
  assert.equal((await account(ids.longGone)).status, 'suspended', 'suspended since day 30');
  const early = await api.post(`/v1/accounts/${ids.longGone}/deactivate`, {});
  assert.equal(early.status, 422, JSON.stringify(early.body));
  assert.equal(early.body.code, 'deactivation_not_allowed', 'not at 60 days');
  assert.match(early.body.message, /more than 60 days past due.*60 days past due/, early.body.message);

  await advance('2026-11-16T12:00:00Z'); // 61 days
  assert.equal((await balance(ids.longGone)).aging.days61plus, inv.total, 'September is 61+');
  const off = await api.post(`/v1/accounts/${ids.longGone}/deactivate`, { reason: 'non-payment' });
  assert.equal(off.status, 200, JSON.stringify(off.body));
  assert.equal((await account(ids.longGone)).status, 'deactivated', 'deactivated');
  assert.deepEqual(await services(ids.longGone), ['deactivated'], 'services deactivated');

  const owed = (await balance(ids.longGone)).balanceDue;
  const part = await api.post(`/v1/accounts/${ids.longGone}/payments/offline`, {
    method: 'transfer',
    amount: owed - 100,
    reference: 'wire 1',
  });
  assert.equal(part.status, 201, JSON.stringify(part.body));
  const refused = await api.post(`/v1/accounts/${ids.longGone}/reactivate`, { proof: 'wire 1 receipt' });
  assert.equal(refused.status, 422, JSON.stringify(refused.body));
  assert.equal(refused.body.code, 'balance_not_paid', 'not before full payment');
  await api.post(`/v1/accounts/${ids.longGone}/payments/offline`, {
    method: 'cheque',
    amount: 100,
    reference: '1042',
  });
  assert.equal((await balance(ids.longGone)).balanceDue, 0, 'paid in full');
  assert.equal(
    (await account(ids.longGone)).status,
    'deactivated',
    'paying does not reactivate a deactivated account',
  );
  const noProof = await api.post(`/v1/accounts/${ids.longGone}/reactivate`, { proof: '' });
  assert.equal(noProof.status, 400, 'proof of payment is required');
  const back = await api.post(`/v1/accounts/${ids.longGone}/reactivate`, {
    proof: 'wire 1 + cheque 1042 receipts',
  });
  assert.equal(back.status, 200, JSON.stringify(back.body));
  assert.equal((await account(ids.longGone)).status, 'active', 'reactivated by staff');
  assert.deepEqual(await services(ids.longGone), ['active'], 'services active');
  const history = (await api.get(`/v1/accounts/${ids.longGone}/status-history`)).body.data;
  assert.deepEqual(
    history.map((h: any) => h.to),
    ['suspended', 'deactivated', 'active'],
    'suspended, deactivated, reactivated',
  );
  assert.equal(history[2].proof, 'wire 1 + cheque 1042 receipts', 'the proof is recorded');
});
