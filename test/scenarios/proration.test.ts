// RUN-1..3 and CON-2 on a simulated clock, through the HTTP API, to the cent.
// Prices from the reference catalog: desk phone 24.95, local number 4.00 (USD).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { type TestApi, createTestAccount, invoiceFor, signAndEquip, testApi } from '../support/api.ts';

let api: TestApi;
const ids = {} as Record<'run2' | 'run3' | 'rounding' | 'free', string>;

const line = (inv: any, lineType: string, itemCode: string) =>
  inv.lines.filter((l: any) => l.lineType === lineType && l.itemCode === itemCode);

before(async () => {
  api = await testApi({ simulatedClock: '2026-07-01T00:00:00Z' });
  // RUN-2: billing starts 15 July.
  ids.run2 = (await createTestAccount(api, { companyName: 'Run Two LLC' })).id;
  await signAndEquip(api, ids.run2, { signatureDate: '2026-07-15' }, [
    { itemCode: 'device.desk-phone', quantity: 5, addedOn: '2026-07-15' },
    { itemCode: 'number.local', quantity: 3, addedOn: '2026-07-15' },
  ]);
  // RUN-3: 5 devices and 3 numbers on 1 August, then 2 devices and 1 number on 20 August.
  ids.run3 = (await createTestAccount(api, { companyName: 'Run Three Inc' })).id;
  await signAndEquip(api, ids.run3, { signatureDate: '2026-08-01' }, [
    { itemCode: 'device.desk-phone', quantity: 5, addedOn: '2026-08-01' },
    { itemCode: 'number.local', quantity: 3, addedOn: '2026-08-01' },
  ]);
  // Rounding once per line: 3 devices at 19.99 added 20 August.
  const item = await api.post('/v1/catalog/items', {
    code: 'device.test-1999',
    name: 'Test phone at 19.99',
    chargeType: 'service_fee',
    unit: 'device',
    billing: 'recurring',
    prices: [{ currency: 'USD', validFrom: '2026-01-01', amount: '19.99' }],
  });
  assert.equal(item.status, 201, JSON.stringify(item.body));
  ids.rounding = (await createTestAccount(api, { companyName: 'Rounding Co' })).id;
  await signAndEquip(api, ids.rounding, { signatureDate: '2026-08-01' }, []);
  // CON-2: two free months from 10 July, so billing starts 10 September.
  ids.free = (await createTestAccount(api, { companyName: 'Free Months SA' })).id;
  const c = await signAndEquip(api, ids.free, { signatureDate: '2026-07-10', freeMonths: 2 }, [
    { itemCode: 'device.desk-phone', quantity: 2, addedOn: '2026-07-10' },
  ]);
  assert.equal(c.billingStartDate, '2026-09-10');

  // Walk the clock to mid-August, add the RUN-3 services on 20 August, then on to October.
  const a = await api.post('/v1/clock/advance', { to: '2026-08-20T15:00:00Z' });
  assert.equal(a.status, 200, JSON.stringify(a.body));
  const add = await api.post(`/v1/accounts/${ids.run3}/inventory`, {
    items: [
      { itemCode: 'device.desk-phone', quantity: 2, addedOn: '2026-08-20' },
      { itemCode: 'number.local', quantity: 1, addedOn: '2026-08-20' },
    ],
  });
  assert.equal(add.status, 201, JSON.stringify(add.body));
  await api.post(`/v1/accounts/${ids.rounding}/inventory`, {
    items: [{ itemCode: 'device.test-1999', quantity: 3, addedOn: '2026-08-20' }],
  });
  const b = await api.post('/v1/clock/advance', { to: '2026-10-02T00:00:00Z' });
  assert.equal(b.status, 200, JSON.stringify(b.body));
});

after(() => api.close());

test('RUN-2: billing start 15 July → no July invoice; 1 August = 16/31 of July + August', async () => {
  assert.equal(await invoiceFor(api, ids.run2, '2026-07'), null);
  const inv = await invoiceFor(api, ids.run2, '2026-08');
  assert.equal(inv.issueDate, '2026-08-01');
  assert.equal(inv.dueDate, '2026-08-16');
  assert.deepEqual(
    inv.lines.map((l: any) => [l.lineType, l.itemCode, l.quantity, l.prorateDays, l.periodDays, l.amount]),
    [
      ['service_fee', 'device.desk-phone', 5, null, null, 12475], // 5 × 24.95
      ['standard_numbers', 'number.local', 3, null, null, 1200], // 3 × 4.00
      ['partial_charges', 'device.desk-phone', 5, 16, 31, 6439], // 124.75 × 16/31 = 64.387 → 64.39
      ['partial_charges', 'number.local', 3, 16, 31, 619], // 12.00 × 16/31 = 6.194 → 6.19
    ],
  );
  assert.equal(inv.total, 20733);
  assert.equal(inv.subtotal, 20733);
  // September is a plain month.
  const sep = await invoiceFor(api, ids.run2, '2026-09');
  assert.equal(sep.total, 12475 + 1200);
});

test('RUN-3: +2 devices +1 number on 20 August → 1 September has 7 devices, 4 numbers and 11/31 partials', async () => {
  const aug = await invoiceFor(api, ids.run3, '2026-08');
  assert.equal(aug.total, 12475 + 1200);
  const sep = await invoiceFor(api, ids.run3, '2026-09');
  assert.equal(line(sep, 'service_fee', 'device.desk-phone')[0].quantity, 7);
  assert.equal(line(sep, 'service_fee', 'device.desk-phone')[0].amount, 17465); // 7 × 24.95
  assert.equal(line(sep, 'standard_numbers', 'number.local')[0].amount, 1600); // 4 × 4.00
  const pd = line(sep, 'partial_charges', 'device.desk-phone')[0];
  assert.deepEqual(
    [pd.quantity, pd.periodStart, pd.periodEnd, pd.prorateDays, pd.periodDays, pd.amount],
    [
      2,
      '2026-08-20',
      '2026-08-31',
      11,
      31,
      1771, // 49.90 × 11/31 = 17.706 → 17.71
    ],
  );
  const pn = line(sep, 'partial_charges', 'number.local')[0];
  assert.deepEqual([pn.quantity, pn.prorateDays, pn.amount], [1, 11, 142]); // 4.00 × 11/31 = 1.419 → 1.42
  assert.equal(sep.total, 17465 + 1600 + 1771 + 142);
  // October: the partials are gone.
  const oct = await invoiceFor(api, ids.run3, '2026-10');
  assert.equal(oct.total, 17465 + 1600);
});

test('rounding happens once per line: 3 × 19.99 for 11/31 is 21.28, not 3 × 7.09', async () => {
  assert.equal(await invoiceFor(api, ids.rounding, '2026-08'), null); // nothing to bill on 1 August
  const sep = await invoiceFor(api, ids.rounding, '2026-09');
  const partial = line(sep, 'partial_charges', 'device.test-1999')[0];
  assert.equal(partial.amount, 2128);
  assert.notEqual(partial.amount, 3 * 709);
  assert.equal(sep.total, 5997 + 2128);
});

test('CON-2: free months run from the signature date; billing starts after them', async () => {
  assert.equal(await invoiceFor(api, ids.free, '2026-08'), null);
  assert.equal(await invoiceFor(api, ids.free, '2026-09'), null);
  const oct = await invoiceFor(api, ids.free, '2026-10');
  const partial = line(oct, 'partial_charges', 'device.desk-phone')[0];
  assert.deepEqual([partial.prorateDays, partial.periodDays, partial.amount], [20, 30, 3327]); // 49.90 × 20/30
  assert.equal(oct.total, 4990 + 3327);
});

test('every invoice total is the sum of its lines and numbers are gapless', async () => {
  const all = await api.get('/v1/invoices?limit=200');
  const numbers = all.body.data.map((i: any) => Number(i.number.slice(2)));
  numbers.sort((a: number, b: number) => a - b);
  numbers.forEach((n: number, i: number) => assert.equal(n, numbers[0] + i));
  for (const summary of all.body.data) {
    const inv = (await api.get(`/v1/invoices/${summary.id}`)).body;
    assert.equal(
      inv.total,
      inv.lines.reduce((s: number, l: any) => s + l.amount, 0),
    );
    assert.match(inv.number, /^IN\d{11}$/);
  }
});
