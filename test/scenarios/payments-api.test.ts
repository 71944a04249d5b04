// PAY-1..3, PAY-7, PAY-8 and COL-1 through the API: payment methods and their validation, the
// simulated processor's test cards, a timeout reconciled by the janitor without a second charge,
// bank debits that settle or come back, cheques, a SPEI bank file, overpayment as credit.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedProcessor, TEST_CARDS, paymentProcessor } from '../../src/modules/payments/index.ts';
import { type TestApi, createTestAccount, invoiceFor, signAndEquip, testApi } from '../support/api.ts';

let api: TestApi;
const ids = {} as Record<'us' | 'bank' | 'mx' | 'credit', string>;
const processor = paymentProcessor() as SimulatedProcessor;
let n = 0;
const pay = (id: string, body: Record<string, unknown> = {}) =>
  api.post(`/v1/accounts/${id}/payments`, body, { 'idempotency-key': `api-${++n}` });
const addMethod = (id: string, body: Record<string, unknown>) =>
  api.post(`/v1/accounts/${id}/payment-methods`, body);
const balance = async (id: string) => (await api.get(`/v1/accounts/${id}/balance`)).body;

before(async () => {
  api = await testApi({ simulatedClock: '2026-08-15T00:00:00Z' });
  ids.us = (await createTestAccount(api, { companyName: 'Pine Street Clinic' })).id;
  ids.bank = (await createTestAccount(api, { companyName: 'Elm Street Clinic' })).id;
  ids.credit = (await createTestAccount(api, { companyName: 'Oak Street Clinic' })).id;
  ids.mx = (
    await createTestAccount(api, {
      companyName: 'Consultorio Reforma',
      entity: 'MX',
      address: { city: 'Guadalajara', state: 'JAL', postalCode: '44160', country: 'MX' },
    })
  ).id;
  for (const id of Object.values(ids)) {
    await signAndEquip(api, id, { signatureDate: '2026-08-15' }, [
      { itemCode: 'device.desk-phone', quantity: 2, addedOn: '2026-08-15' },
    ]);
  }
  await api.post('/v1/clock/advance', { to: '2026-09-02T00:00:00Z' });
});

after(() => api.close());

test('PAY-1..3: only the four brands; Luhn, expiry, ABA and CLABE checked; token, brand, last 4, expiry kept', async () => {
  const jcb = await addMethod(ids.us, {
    type: 'card',
    number: '3530111333300000',
    expMonth: 1,
    expYear: 2030,
  });
  assert.equal(jcb.status, 422, JSON.stringify(jcb.body));
  assert.equal(jcb.body.code, 'card_brand_not_accepted', 'JCB refused');
  assert.equal(
    jcb.body.message,
    'JCB cards are not accepted. We accept Visa, Mastercard, American Express and Discover.',
    'clear message',
  );
  const luhn = await addMethod(ids.us, {
    type: 'card',
    number: '4242424242424241',
    expMonth: 1,
    expYear: 2030,
  });
  assert.equal(luhn.body.code, 'invalid_card_number', 'Luhn');
  const expired = await addMethod(ids.us, {
    type: 'card',
    number: TEST_CARDS.visa,
    expMonth: 8,
    expYear: 2026,
  });
  assert.equal(expired.body.code, 'card_expired', 'expired at the end of August 2026');
  const routing = await addMethod(ids.us, {
    type: 'us_bank',
    holderName: 'Pine',
    routingNumber: '021000022',
    accountNumber: '123456789',
  });
  assert.equal(routing.body.code, 'invalid_routing_number', 'ABA checksum');
  const clabe = await addMethod(ids.mx, {
    type: 'clabe',
    holderName: 'Reforma',
    clabe: '002010077777777772',
  });
  assert.equal(clabe.body.code, 'invalid_clabe', 'CLABE check digit');

  const visa = await addMethod(ids.us, {
    type: 'card',
    number: '4242 4242 4242 4242',
    expMonth: 12,
    expYear: 2030,
  });
  assert.equal(visa.status, 201, JSON.stringify(visa.body));
  assert.deepEqual(
    [
      visa.body.type,
      visa.body.brand,
      visa.body.last4,
      visa.body.expMonth,
      visa.body.expYear,
      visa.body.isDefault,
    ],
    ['card', 'visa', '4242', 12, 2030, true],
    'what is kept',
  );
  const stored = await api.rt.handle.db
    .selectFrom('payment_methods')
    .selectAll()
    .where('id', '=', visa.body.id)
    .executeTakeFirstOrThrow();
  assert.ok(!JSON.stringify(stored).includes('4242424242424242'), 'the card number is never stored');
  assert.match(stored.token, /^tok_sim_/, 'a processor token');
  const disc = await addMethod(ids.us, {
    type: 'card',
    number: TEST_CARDS.discover,
    expMonth: 3,
    expYear: 2029,
  });
  assert.equal(disc.body.isDefault, false, 'the second is not the default');
  const def = await api.post(`/v1/accounts/${ids.us}/payment-methods/${disc.body.id}/default`, {});
  assert.equal(def.body.isDefault, true, 'made default');
  const rm = await api.post(`/v1/accounts/${ids.us}/payment-methods/${visa.body.id}/remove`, {});
  assert.equal(rm.status, 204, 'removed');
  const list = (await api.get(`/v1/accounts/${ids.us}/payment-methods`)).body.data;
  assert.deepEqual(
    list.map((m: any) => [m.brand, m.isDefault]),
    [['discover', true]],
    'one left, the default',
  );
  const mxClabe = await addMethod(ids.mx, {
    type: 'clabe',
    holderName: 'Consultorio Reforma',
    clabe: '002010077777777771',
  });
  assert.equal(mxClabe.status, 201, JSON.stringify(mxClabe.body));
});

test('PAY-7: a payment needs an Idempotency-Key; PAY-8: declines say why and lock for an hour, errors do not', async () => {
  const noKey = await api.post(`/v1/accounts/${ids.us}/payments`, {});
  assert.equal(noKey.body.code, 'idempotency_key_required', 'key required');
  const funds = await addMethod(ids.us, {
    type: 'card',
    number: TEST_CARDS.insufficientFunds,
    expMonth: 1,
    expYear: 2030,
  });
  const err = await addMethod(ids.us, {
    type: 'card',
    number: TEST_CARDS.processorError,
    expMonth: 1,
    expYear: 2030,
  });
  const e = await pay(ids.us, { paymentMethodId: err.body.id });
  assert.equal(e.status, 402, JSON.stringify(e.body));
  assert.equal(e.body.code, 'payment_failed', 'processor error');
  const d = await pay(ids.us, { paymentMethodId: funds.body.id, amount: 100 });
  assert.equal(d.status, 402, JSON.stringify(d.body));
  assert.deepEqual(
    [d.body.code, d.body.details.declineCode],
    ['payment_declined', 'insufficient_funds'],
    'declined: funds',
  );
  assert.equal(d.body.details.retryAt, '2026-09-02T01:00:00.000Z', 'retry an hour later');
  const locked = await pay(ids.us, { amount: 100 });
  assert.equal(locked.body.code, 'payment_retry_locked', 'the lockout covers every method');
});

test('PAY-7: a timeout leaves the payment unknown; the janitor confirms it and it is charged once', async () => {
  await api.post('/v1/clock/advance', { to: '2026-09-02T01:00:00Z' });
  const slow = await addMethod(ids.us, {
    type: 'card',
    number: TEST_CARDS.timeout,
    expMonth: 1,
    expYear: 2030,
  });
  const before = processor.totalCharges;
  const p = await pay(ids.us, { paymentMethodId: slow.body.id, amount: 500 });
  assert.equal(p.status, 202, JSON.stringify(p.body));
  assert.equal(p.body.status, 'unknown', 'unknown');
  assert.equal(
    (await balance(ids.us)).balanceDue,
    (await invoiceFor(api, ids.us, '2026-09')).total,
    'not in the ledger yet',
  );
  const more = await pay(ids.us, {});
  assert.equal(more.status, 201, 'paying the rest meanwhile is allowed: the unknown 5.00 stays reserved');
  const rec = await api.post('/v1/payments/reconcile', {});
  assert.equal(rec.body.reconciled, 1, JSON.stringify(rec.body));
  assert.equal(
    (await api.get(`/v1/payments/${p.body.id}`)).body.status,
    'succeeded',
    'the processor had charged it',
  );
  assert.equal(
    processor.totalCharges - before,
    2,
    'two charges for two payments: the janitor never charged again',
  );
  const b = await balance(ids.us);
  assert.deepEqual([b.balance, b.credit], [0, 0], 'exactly paid');
  assert.equal(
    (await api.post('/v1/payments/reconcile', {})).body.reconciled,
    0,
    'the janitor is idempotent',
  );
});

test('PAY-8: a bank debit settles days later; a returned one reverses the payment and reopens the invoice', async () => {
  const inv = await invoiceFor(api, ids.bank, '2026-09');
  const ach = await addMethod(ids.bank, {
    type: 'us_bank',
    holderName: 'Elm',
    routingNumber: '021000021',
    accountNumber: '0000120002',
  });
  assert.equal(ach.status, 201, JSON.stringify(ach.body));
  assert.deepEqual(
    [ach.body.type, ach.body.last4, ach.body.brand],
    ['us_bank', '0002', null],
    'bank: last 4 only',
  );
  const p = await pay(ids.bank, {});
  assert.equal(p.status, 201, JSON.stringify(p.body));
  assert.deepEqual([p.body.status, p.body.settlesOn], ['processing', '2026-09-05'], 'settling in 3 days');
  assert.equal((await api.get(`/v1/invoices/${inv.id}`)).body.status, 'paid', 'Paid while it settles');
  await api.post('/v1/clock/advance', { to: '2026-09-05T12:00:00Z' });
  assert.equal(
    (await api.get(`/v1/payments/${p.body.id}`)).body.status,
    'returned',
    'the bank returned it (R01)',
  );
  assert.equal(
    (await api.get(`/v1/invoices/${inv.id}`)).body.status,
    'to_pay',
    'the invoice is To pay again',
  );
  const ledger = (await api.get(`/v1/accounts/${ids.bank}/ledger`)).body.data;
  assert.deepEqual(
    ledger.map((l: any) => [l.kind, l.amount]),
    [
      ['invoice', inv.total],
      ['payment', -inv.total],
      ['payment_return', inv.total],
    ],
    'reversed by a new entry, nothing erased',
  );
  await assert.rejects(
    api.rt.handle.db
      .updateTable('ledger_entries')
      .set({ amount: 0 })
      .where('payment_id', '=', p.body.id)
      .execute(),
    /append-only/,
    'the ledger refuses changes',
  );
  assert.equal((await balance(ids.bank)).balanceDue, inv.total, 'owed again');
  const good = await addMethod(ids.bank, {
    type: 'us_bank',
    holderName: 'Elm',
    routingNumber: '011000015',
    accountNumber: '0000123456',
    makeDefault: true,
  });
  const p2 = await pay(ids.bank, {});
  assert.equal(p2.body.status, 'processing', 'second debit');
  assert.equal(good.body.isDefault, true, 'default');
  await api.post('/v1/clock/advance', { to: '2026-09-08T12:00:00Z' });
  assert.equal((await api.get(`/v1/payments/${p2.body.id}`)).body.status, 'succeeded', 'settled');
  assert.equal((await api.get(`/v1/invoices/${inv.id}`)).body.status, 'paid', 'Paid');
});

test('PAY-1: a SPEI bank file is matched by invoice number; what does not match is listed', async () => {
  const inv = await invoiceFor(api, ids.mx, '2026-09');
  const whole = (inv.total / 100).toFixed(2);
  const csv = [
    'date,amount,currency,reference,bank_reference',
    `2026-09-08,${whole},MXN,SPEI ${inv.number},TRX-1`,
    `2026-09-08,10.00,MXN,SPEI IN99999999999,TRX-2`,
    `2026-09-08,10.00,MXN,pago mensual,TRX-3`,
    `2026-09-08,${whole},USD,ACH ${inv.number},TRX-4`,
  ].join('\n');
  const r = await api.post('/v1/payments/bank-file', { csv });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(
    r.body.matched.map((m: any) => [m.line, m.invoiceNumber, m.amount]),
    [[2, inv.number, inv.total]],
    'matched',
  );
  assert.deepEqual(
    r.body.unmatched.map((u: any) => [u.line, u.reason]),
    [
      [3, 'no invoice IN99999999999'],
      [4, 'no invoice number in the reference'],
      [5, `invoice ${inv.number} is in MXN, the transfer in USD`],
    ],
    'unmatched, with reasons',
  );
  assert.equal((await api.get(`/v1/invoices/${inv.id}`)).body.status, 'paid', 'Paid');
  const again = await api.app.inject({
    method: 'POST',
    url: '/v1/payments/bank-file',
    headers: { authorization: `Bearer ${api.key}`, 'content-type': 'text/csv' },
    payload: csv,
  });
  const body = JSON.parse(again.body);
  assert.deepEqual(
    [body.matched.length, body.duplicates.length],
    [0, 1],
    'the same file twice records the line once',
  );
});

test('COL-1: an overpayment by cheque is account credit that the next invoice consumes; credit can be refunded', async () => {
  const sep = await invoiceFor(api, ids.credit, '2026-09');
  const over = 1_000_00;
  const chq = await api.post(`/v1/accounts/${ids.credit}/payments/offline`, {
    method: 'cheque',
    amount: sep.total + over,
    reference: '5531',
  });
  assert.equal(chq.status, 201, JSON.stringify(chq.body));
  let b = await balance(ids.credit);
  assert.deepEqual(
    [b.balance, b.credit, b.aging.current],
    [-over, over, -over],
    'credit, shown as negative current',
  );
  await api.post('/v1/clock/advance', { to: '2026-10-02T00:00:00Z' });
  const oct = await invoiceFor(api, ids.credit, '2026-10');
  assert.ok(oct.total < over, 'the credit covers October');
  b = await balance(ids.credit);
  assert.deepEqual(
    [b.balance, b.credit, b.balanceDue],
    [oct.total - over, over - oct.total, 0],
    'October consumed the credit',
  );
  assert.equal((await api.get(`/v1/invoices/${oct.id}`)).body.status, 'paid', 'and is Paid by it');
  const tooMuch = await api.post(`/v1/accounts/${ids.credit}/refunds`, {
    amount: b.credit + 1,
    reason: 'customer asked',
  });
  assert.equal(tooMuch.body.code, 'refund_exceeds_credit', 'only credit is refunded');
  const ref = await api.post(`/v1/accounts/${ids.credit}/refunds`, {
    amount: b.credit,
    reason: 'customer asked',
  });
  assert.equal(ref.status, 200, JSON.stringify(ref.body));
  assert.deepEqual([ref.body.balance, ref.body.credit], [0, 0], 'credit refunded');
});
