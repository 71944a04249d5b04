// RUN-10: a signed equipment order is invoiced on its own one-time invoice within five business
// days of the e-signature (Labor Day and weekends do not count), on a simulated clock.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { type TestApi, createTestAccount, testApi } from '../support/api.ts';

let api: TestApi;
let accountId: string;

const order = (signedOn: string, quantity = 2) =>
  api.post(`/v1/accounts/${accountId}/equipment-orders`, {
    signedOn,
    charges: [{ itemCode: 'hw.desk-phone', quantity }],
  });

before(async () => {
  // Thursday 3 September 2026, 10:00 in Chicago.
  api = await testApi({ simulatedClock: '2026-09-03T15:00:00Z' });
  accountId = (await createTestAccount(api, { timeZone: 'America/Chicago' })).id;
});

after(() => api.close());

test('an order recorded on the day it is signed is invoiced that day, separately', async () => {
  const r = await order('2026-09-03');
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.invoice.kind, 'one_time');
  assert.equal(r.body.invoice.issueDate, '2026-09-03');
  assert.equal(r.body.invoice.lines[0].itemCode, 'hw.desk-phone');
  assert.equal(r.body.invoice.lines[0].amount, 2 * 18_900);
  // Fri 4, (Mon 7 Labor Day) Tue 8, Wed 9, Thu 10, Fri 11.
  assert.equal(r.body.invoiceBy, '2026-09-11');
  assert.equal(r.body.onTime, true);
});

test('an order signed before the weekend and recorded on the 5th business day is on time; a day later is late', async () => {
  await api.post('/v1/clock/advance', { to: '2026-09-11T15:00:00Z' });
  const fifth = await order('2026-09-03', 1);
  assert.equal(fifth.status, 201, JSON.stringify(fifth.body));
  assert.equal(fifth.body.invoice.issueDate, '2026-09-11');
  assert.equal(fifth.body.onTime, true, 'the fifth business day is still within RUN-10');

  await api.post('/v1/clock/advance', { to: '2026-09-14T15:00:00Z' });
  const late = await order('2026-09-03', 1);
  assert.equal(late.status, 201, 'a late order is still invoiced');
  assert.equal(late.body.invoice.issueDate, '2026-09-14');
  assert.equal(late.body.onTime, false, 'reported as late');
});

test('a signature in the future or a recurring item is refused', async () => {
  const future = await order('2026-09-15');
  assert.equal(future.status, 422);
  assert.equal(future.body.code, 'signature_in_future');
  const recurring = await api.post(`/v1/accounts/${accountId}/equipment-orders`, {
    signedOn: '2026-09-14',
    charges: [{ itemCode: 'rental.desk-phone', quantity: 1 }],
  });
  assert.equal(recurring.status, 422);
  assert.equal(recurring.body.code, 'not_one_time');
});
