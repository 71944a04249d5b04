// Billing start dates on month ends and leap days, over two years of monthly runs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { type TestApi, createTestAccount, invoiceFor, signAndEquip, testApi } from '../support/api.ts';

let api: TestApi;
const ids: Record<string, string> = {};
const phone = (addedOn: string) => [{ itemCode: 'device.desk-phone', quantity: 1, addedOn }];

before(async () => {
  api = await testApi({ simulatedClock: '2026-01-01T12:00:00Z' });
  const starts = {
    jan31: '2026-01-31',
    jan30: '2026-01-30',
    dec31: '2026-12-31',
    feb28: '2028-02-28',
    feb29: '2028-02-29',
  };
  for (const [name, date] of Object.entries(starts)) {
    ids[name] = (await createTestAccount(api, { companyName: `Edge ${name}` })).id;
    await signAndEquip(api, ids[name]!, { signatureDate: date }, phone(date));
  }
  const r = await api.post('/v1/clock/advance', { to: '2028-03-02T00:00:00Z' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.billRuns.length, 26); // Feb 2026 … Mar 2028, one time zone
});

after(() => api.close());

const partials = (inv: any) => inv.lines.filter((l: any) => l.lineType === 'partial_charges');

test('billing start 31 January: 31 − 31 = 0 days of January, so 1 February bills February only', async () => {
  assert.equal(await invoiceFor(api, ids.jan31!, '2026-01'), null);
  const feb = await invoiceFor(api, ids.jan31!, '2026-02');
  assert.deepEqual(partials(feb), []);
  assert.equal(feb.total, 2495);
  assert.equal((await invoiceFor(api, ids.jan31!, '2026-03')).total, 2495);
});

test('billing start 30 January: 1 day of 31', async () => {
  const feb = await invoiceFor(api, ids.jan30!, '2026-02');
  assert.deepEqual(
    partials(feb).map((l: any) => [l.prorateDays, l.periodDays, l.amount]),
    [[1, 31, 80]],
  ); // 24.95/31 = 0.805
  assert.equal(feb.total, 2495 + 80);
});

test('billing start 31 December: the 1 January invoice of the next year bills January only', async () => {
  assert.equal(await invoiceFor(api, ids.dec31!, '2026-12'), null);
  const jan = await invoiceFor(api, ids.dec31!, '2027-01');
  assert.equal(jan.issueDate, '2027-01-01');
  assert.deepEqual(partials(jan), []);
  assert.equal(jan.total, 2495);
});

test('leap year: 28 February 2028 is 1 day of 29; 29 February 2028 is 0 days', async () => {
  const mar = await invoiceFor(api, ids.feb28!, '2028-03');
  assert.deepEqual(
    partials(mar).map((l: any) => [l.prorateDays, l.periodDays, l.amount]),
    [[1, 29, 86]],
  ); // 24.95/29 = 0.860
  assert.equal(await invoiceFor(api, ids.feb29!, '2028-02'), null);
  const mar29 = await invoiceFor(api, ids.feb29!, '2028-03');
  assert.deepEqual(partials(mar29), []);
  assert.equal(mar29.total, 2495);
});

test('an account is billed once for every month since its start, none skipped', async () => {
  const list = await api.get(`/v1/invoices?account=${ids.jan31}&limit=200`);
  const months = list.body.data.map((i: any) => i.billingMonth);
  assert.equal(months.length, 26); // Feb 2026 … Mar 2028
  assert.equal(new Set(months).size, 26);
});
