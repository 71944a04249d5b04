// PAY-7 and the payment lock under load: 50 simultaneous payments of one invoice with distinct
// Idempotency-Keys never collect more than was asked; 50 with the same key charge once. Real
// concurrency needs a PostgreSQL server (DATABASE_URL); on the embedded database requests
// interleave at every await, and the same properties must hold.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedProcessor, TEST_CARDS, paymentProcessor } from '../../src/modules/payments/index.ts';
import { type TestApi, createTestAccount, invoiceFor, signAndEquip, testApi } from '../support/api.ts';

let api: TestApi;
let accountId: string;
const processor = paymentProcessor() as SimulatedProcessor;

before(async () => {
  api = await testApi({ simulatedClock: '2026-08-15T00:00:00Z' });
  accountId = (await createTestAccount(api, { companyName: 'Crowded Counter LLC' })).id;
  await signAndEquip(api, accountId, { signatureDate: '2026-08-15' }, [
    { itemCode: 'device.desk-phone', quantity: 3, addedOn: '2026-08-15' },
  ]);
  const c = await api.post(`/v1/accounts/${accountId}/payment-methods`, {
    type: 'card',
    number: TEST_CARDS.amex,
    expMonth: 1,
    expYear: 2031,
  });
  assert.equal(c.status, 201, JSON.stringify(c.body));
});

after(() => api.close());

const payments = async () =>
  (await api.get(`/v1/accounts/${accountId}/payments`)).body.data as {
    id: string;
    status: string;
    amount: number;
  }[];

test('50 simultaneous payments of one invoice with distinct keys collect the invoice once', async () => {
  await api.post('/v1/clock/advance', { to: '2026-09-02T00:00:00Z' });
  const inv = await invoiceFor(api, accountId, '2026-09');
  assert.ok(inv && inv.total > 0, 'an invoice to pay');
  const before = processor.totalCharges;
  const res = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      api.post(
        `/v1/accounts/${accountId}/payments`,
        { invoiceIds: [inv.number], amount: inv.total },
        {
          'idempotency-key': `distinct-${i}`,
        },
      ),
    ),
  );
  const statuses = res.map((r) => r.status);
  assert.equal(statuses.filter((s) => s === 201).length, 1, `exactly one succeeds: ${statuses.join(',')}`);
  assert.ok(
    res.filter((r) => r.status !== 201).every((r) => r.status === 409 && r.body.code === 'nothing_to_pay'),
    `the others are refused with nothing_to_pay: ${JSON.stringify(res.find((r) => r.status !== 201 && r.status !== 409)?.body ?? null)}`,
  );
  const collected = (await payments())
    .filter((p) => p.status === 'succeeded')
    .reduce((a, p) => a + p.amount, 0);
  assert.equal(collected, inv.total, 'never more than was asked');
  assert.equal(processor.totalCharges - before, 1, 'the processor was asked once');
  assert.equal((await api.get(`/v1/invoices/${inv.id}`)).body.status, 'paid', 'Paid');
  const b = (await api.get(`/v1/accounts/${accountId}/balance`)).body;
  assert.deepEqual([b.balance, b.credit], [0, 0], 'no overpayment');
});

test('50 simultaneous partial payments with distinct keys stop at the balance', async () => {
  await api.post('/v1/clock/advance', { to: '2026-10-02T00:00:00Z' });
  const inv = await invoiceFor(api, accountId, '2026-10');
  const part = Math.ceil(inv.total / 7);
  const res = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      api.post(`/v1/accounts/${accountId}/payments`, { amount: part }, { 'idempotency-key': `partial-${i}` }),
    ),
  );
  const ok = res.filter((r) => r.status === 201);
  assert.equal(
    ok.length,
    Math.floor(inv.total / part),
    `as many as fit: ${res.map((r) => r.status).join(',')}`,
  );
  const b = (await api.get(`/v1/accounts/${accountId}/balance`)).body;
  assert.equal(
    b.balance,
    inv.total - ok.length * part,
    'the rest is still owed; nothing collected beyond it',
  );
  assert.ok(b.balance >= 0 && b.credit === 0, 'no overpayment');
});

test('50 simultaneous requests with the same Idempotency-Key charge once', async () => {
  await api.post('/v1/clock/advance', { to: '2026-11-02T00:00:00Z' });
  const before = processor.totalCharges;
  const res = await Promise.all(
    Array.from({ length: 50 }, () =>
      api.post(`/v1/accounts/${accountId}/payments`, {}, { 'idempotency-key': 'same-key' }),
    ),
  );
  const statuses = res.map((r) => r.status);
  assert.ok(statuses.includes(201), `one succeeded: ${statuses.join(',')}`);
  assert.ok(
    res.every((r) => r.status === 201 || (r.status === 409 && r.body.code === 'idempotency_in_progress')),
    `only the first result or "in progress": ${statuses.join(',')}`,
  );
  const ids = new Set(res.filter((r) => r.status === 201).map((r) => r.body.id));
  assert.equal(ids.size, 1, 'every 201 is the same payment');
  assert.equal(processor.totalCharges - before, 1, 'charged once');
  const again = await api.post(`/v1/accounts/${accountId}/payments`, {}, { 'idempotency-key': 'same-key' });
  assert.equal(again.status, 201, 'a later retry returns the first result');
  assert.equal(again.headers['idempotent-replayed'], 'true', 'replayed');
  assert.equal(again.body.id, [...ids][0], 'the same payment');
  assert.equal(processor.totalCharges - before, 1, 'still charged once');
  assert.equal((await api.get(`/v1/accounts/${accountId}/balance`)).body.balance, 0, 'balance paid once');
});
