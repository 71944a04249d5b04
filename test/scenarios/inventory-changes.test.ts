// CON-5 and RUN-3: removals (whole and partial) and the low-usage device rules (CAT-4).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { type TestApi, createTestAccount, invoiceFor, signAndEquip, testApi } from '../support/api.ts';

let api: TestApi;
let acct: string;
let big: string;

before(async () => {
  api = await testApi({ simulatedClock: '2026-07-01T12:00:00Z' });
  acct = (await createTestAccount(api, { companyName: 'Shrinking Co' })).id;
  await signAndEquip(api, acct, { signatureDate: '2026-07-01' }, [
    { itemCode: 'device.desk-phone', quantity: 5, addedOn: '2026-07-01' },
  ]);
  big = (await createTestAccount(api, { companyName: 'Big Warehouse' })).id;
  await signAndEquip(api, big, { signatureDate: '2026-07-01', commitments: { lowUsageDevices: 4 } }, [
    { itemCode: 'device.desk-phone', quantity: 19, addedOn: '2026-07-01' },
  ]);
});

after(() => api.close());

test('removing 2 of 5 phones on 10 August: August still bills 5, September bills 3', async () => {
  await api.post('/v1/clock/advance', { to: '2026-08-10T12:00:00Z' });
  const [line] = (await api.get(`/v1/accounts/${acct}/inventory`)).body.data;
  const r = await api.post(`/v1/inventory/${line.id}/remove`, { removedOn: '2026-08-10', quantity: 2 });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const lines = r.body.data.map((i: any) => [i.quantity, i.addedOn, i.removedOn]);
  assert.deepEqual(
    lines.sort((a: any, b: any) => a[0] - b[0]),
    [
      [2, '2026-07-01', '2026-08-10'],
      [3, '2026-07-01', null],
    ],
  );
  // On a date in August the phones are all still in service (removal takes effect at month end).
  const onAug = (await api.get(`/v1/accounts/${acct}/inventory?on=2026-08-20`)).body.data;
  assert.equal(
    onAug.reduce((s: number, i: any) => s + i.quantity, 0),
    5,
  );
  const onSep = (await api.get(`/v1/accounts/${acct}/inventory?on=2026-09-01`)).body.data;
  assert.equal(
    onSep.reduce((s: number, i: any) => s + i.quantity, 0),
    3,
  );
  await api.post('/v1/clock/advance', { to: '2026-09-02T12:00:00Z' });
  assert.equal((await invoiceFor(api, acct, '2026-08')).total, 5 * 2495);
  assert.equal((await invoiceFor(api, acct, '2026-09')).total, 3 * 2495);
  const again = await api.post(`/v1/inventory/${line.id}/remove`, { removedOn: '2026-09-05' });
  assert.equal(again.body.code, 'already_removed');
});

test('low-usage devices need 20 phones and stay within the contract allowance', async () => {
  const low = (quantity: number) => ({ itemCode: 'device.low-usage', quantity, addedOn: '2026-09-02' });
  const tooFew = await api.post(`/v1/accounts/${big}/inventory`, { items: [low(2)] });
  assert.equal(tooFew.status, 422);
  assert.equal(tooFew.body.code, 'low_usage_needs_phones');
  assert.match(tooFew.body.message, /19 on 2026-09-02/);
  // The 20th phone in the same request makes it allowed.
  const ok = await api.post(`/v1/accounts/${big}/inventory`, {
    items: [{ itemCode: 'device.desk-phone', quantity: 1, addedOn: '2026-09-02' }, low(3)],
  });
  assert.equal(ok.status, 201, JSON.stringify(ok.body));
  const over = await api.post(`/v1/accounts/${big}/inventory`, { items: [low(2)] });
  assert.equal(over.body.code, 'low_usage_over_contract');
  assert.equal(over.body.details.allowed, 4);
});
