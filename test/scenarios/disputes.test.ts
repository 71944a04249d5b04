// DSP-1, DSP-2 through the API: an invoice issued on 1 September (New York) can be disputed
// until 16 September (issue date + 15): on day 15 the dispute is opened and accepted with a
// credit note that reduces the balance; on day 16 it is refused, saying why.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { type TestApi, createTestAccount, invoiceFor, signAndEquip, testApi } from '../support/api.ts';

let api: TestApi;
const ids = {} as Record<'a' | 'b', string>;

before(async () => {
  api = await testApi({ simulatedClock: '2026-08-15T00:00:00Z' });
  for (const k of ['a', 'b'] as const) {
    ids[k] = (await createTestAccount(api, { companyName: `Dispute ${k}`, timeZone: 'America/New_York' })).id;
    await signAndEquip(api, ids[k], { signatureDate: '2026-08-15' }, [
      { itemCode: 'device.desk-phone', quantity: 4, addedOn: '2026-08-15' },
      { itemCode: 'number.local', quantity: 2, addedOn: '2026-08-15' },
    ]);
  }
  await api.post('/v1/clock/advance', { to: '2026-09-01T12:00:00Z' });
});

after(() => api.close());

test('DSP-1/DSP-2: a line disputed on day 15 is accepted with a credit note that reduces the balance', async () => {
  const inv = await invoiceFor(api, ids.a, '2026-09');
  // 16 September 23:30 in New York (day 15) is 03:30Z on the 17th.
  await api.post('/v1/clock/advance', { to: '2026-09-17T03:30:00Z' });
  const line = inv.lines[0];
  const d = await api.post(`/v1/invoices/${inv.number}/disputes`, {
    reason: 'Two of these phones were returned in August',
    linePosition: line.position,
  });
  assert.equal(d.status, 201, JSON.stringify(d.body));
  assert.deepEqual(
    [d.body.status, d.body.amount, d.body.lastDay],
    ['open', line.amount, '2026-09-16'],
    'open, for the line',
  );
  const before = (await api.get(`/v1/accounts/${ids.a}/balance`)).body.balance;
  const credit = 1234;
  const acc = await api.post(`/v1/disputes/${d.body.id}/accept`, {
    amount: credit,
    reason: 'Returned phones credited',
  });
  assert.equal(acc.status, 200, JSON.stringify(acc.body));
  assert.equal(acc.body.status, 'accepted', 'accepted');
  assert.match(acc.body.creditNoteNumber, /^CN-US-\d{8}$/, 'a numbered credit note');
  const after = (await api.get(`/v1/accounts/${ids.a}/balance`)).body;
  assert.equal(after.balance, before - credit, 'the credit note reduces the balance');
  const ledger = (await api.get(`/v1/accounts/${ids.a}/ledger`)).body.data;
  assert.deepEqual(
    ledger.map((l: any) => [l.kind, l.amount]),
    [
      ['invoice', inv.total],
      ['credit_note', -credit],
    ],
    'invoice and credit note in the ledger',
  );
  const again = await api.post(`/v1/disputes/${d.body.id}/reject`, { reason: 'late' });
  assert.equal(again.status, 409, 'a resolved dispute stays resolved');
});

test('DSP-1: on day 16 the dispute is refused, saying why', async () => {
  const inv = await invoiceFor(api, ids.b, '2026-09');
  await api.post('/v1/clock/advance', { to: '2026-09-17T04:00:00Z' }); // 00:00 17 September New York
  const late = await api.post(`/v1/invoices/${inv.id}/disputes`, { reason: 'Too many numbers' });
  assert.equal(late.status, 422, JSON.stringify(late.body));
  assert.equal(late.body.code, 'dispute_window_closed', 'window closed');
  assert.match(
    late.body.message,
    /issued on 2026-09-01.*within 15 days.*until 2026-09-16.*Today is 2026-09-17/,
    late.body.message,
  );
  assert.equal((await api.get(`/v1/accounts/${ids.b}/disputes`)).body.data.length, 0, 'nothing opened');
});

test('DSP-2: a rejection carries a reason the customer sees', async () => {
  // The October invoice of account b, disputed on its issue day and rejected.
  await api.post('/v1/clock/advance', { to: '2026-10-01T12:00:00Z' });
  const inv = await invoiceFor(api, ids.b, '2026-10');
  const d = await api.post(`/v1/invoices/${inv.id}/disputes`, { reason: 'We never ordered number 2' });
  assert.equal(d.status, 201, JSON.stringify(d.body));
  const rej = await api.post(`/v1/disputes/${d.body.id}/reject`, {
    reason: 'The order was signed on 15 August (order 881).',
  });
  assert.equal(rej.status, 200, JSON.stringify(rej.body));
  const list = (await api.get(`/v1/accounts/${ids.b}/disputes`)).body.data;
  assert.deepEqual(
    [list[0].status, list[0].resolution],
    ['rejected', 'The order was signed on 15 August (order 881).'],
    'the customer sees the reason',
  );
  const noReason = await api.post(`/v1/disputes/${d.body.id}/reject`, { reason: '' });
  assert.equal(noReason.status, 400, 'a reason is required');
});
