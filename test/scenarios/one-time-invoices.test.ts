// RUN-10 and CAT-6: one-time charges get their own invoice, dated the day of purchase.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { demoTaxTable } from '../../src/modules/taxes/index.ts';
import { type TestApi, createTestAccount, signAndEquip, testApi } from '../support/api.ts';

let api: TestApi;
let acct: string;

before(async () => {
  // 03:30 UTC on 10 September is still 9 September in Chicago.
  api = await testApi({ simulatedClock: '2026-09-10T03:30:00Z' });
  await api.put('/v1/rate-tables/taxes', demoTaxTable);
  acct = (
    await createTestAccount(api, {
      companyName: 'Bayou Bakery',
      timeZone: 'America/Chicago',
      address: { city: 'Houston', state: 'TX', postalCode: '77002', country: 'US' },
    })
  ).id;
  await signAndEquip(api, acct, { signatureDate: '2026-09-01' }, []);
});

after(() => api.close());

test('a hardware purchase is invoiced on the day of purchase, on its own invoice, with tax', async () => {
  const r = await api.post(
    `/v1/accounts/${acct}/one-time-charges`,
    {
      charges: [
        { itemCode: 'hw.desk-phone', quantity: 2 },
        { itemCode: 'install.onsite', quantity: 1 },
      ],
    },
    { 'idempotency-key': 'order-7781' },
  );
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const inv = r.body;
  assert.equal(inv.kind, 'one_time');
  assert.equal(inv.issueDate, '2026-09-09');
  assert.equal(inv.billingMonth, null);
  // 2 × 189.00 + 150.00 = 528.00; Texas 6.25% = 33.00; Houston 2% = 10.56
  assert.equal(inv.subtotal, 52800);
  assert.deepEqual(
    inv.lines.filter((l: any) => l.lineType === 'tax').map((l: any) => [l.itemCode, l.amount]),
    [
      ['tax.US-TX', 3300],
      ['tax.US-TX-HOUSTON', 1056],
    ],
  );
  assert.equal(inv.total, 52800 + 3300 + 1056);
  // A retry of the same order returns the same invoice and issues nothing new.
  const again = await api.post(
    `/v1/accounts/${acct}/one-time-charges`,
    {
      charges: [
        { itemCode: 'hw.desk-phone', quantity: 2 },
        { itemCode: 'install.onsite', quantity: 1 },
      ],
    },
    { 'idempotency-key': 'order-7781' },
  );
  assert.equal(again.body.id, inv.id);
  assert.equal((await api.get(`/v1/invoices?account=${acct}`)).body.data.length, 1);
});

test('one fee per caller-ID/E911 request, whether one or both change', async () => {
  const both = await api.post(`/v1/accounts/${acct}/caller-id-changes`, {
    number: '+17135550100',
    callerIdName: 'BAYOU BAKERY',
    e911Address: '1200 Smith St, Houston TX',
  });
  assert.equal(both.status, 201, JSON.stringify(both.body));
  const fee = both.body.lines.filter((l: any) => l.lineType === 'one_time');
  assert.deepEqual(
    fee.map((l: any) => [l.itemCode, l.quantity, l.amount]),
    [['fee.cid-e911-change', 1, 1500]],
  );
  assert.match(fee[0].description, /caller ID and E911 address/);
  const nothing = await api.post(`/v1/accounts/${acct}/caller-id-changes`, { number: '+17135550100' });
  assert.equal(nothing.body.code, 'nothing_to_change');
});

test('recurring services cannot be sold as one-time charges, and nothing is invoiced on refusal', async () => {
  const before = (await api.get(`/v1/invoices?account=${acct}`)).body.data.length;
  const r = await api.post(`/v1/accounts/${acct}/one-time-charges`, {
    charges: [{ itemCode: 'device.desk-phone', quantity: 1 }],
  });
  assert.equal(r.status, 422);
  assert.equal(r.body.code, 'not_one_time');
  assert.equal((await api.get(`/v1/invoices?account=${acct}`)).body.data.length, before);
});
