// CAT-7, RUN-6, ACC-4 through the API on a simulated clock: accounts in Texas, Ontario and Jalisco
// get fee and tax lines equal to hand computation, in USD, USD and MXN.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { demoFeeSchedule, demoTaxTable } from '../../src/modules/taxes/index.ts';
import { type TestApi, createTestAccount, invoiceFor, signAndEquip, testApi } from '../support/api.ts';

let api: TestApi;
const ids = {} as Record<'texas' | 'ontario' | 'jalisco' | 'exempt', string>;
const fixed = (inv: any) => inv.lines.filter((l: any) => ['rrf', 'slrrf', 'usf', 'tax'].includes(l.lineType));
const brief = (inv: any) => fixed(inv).map((l: any) => [l.lineType, l.itemCode, l.amount]);

before(async () => {
  api = await testApi({ simulatedClock: '2026-07-01T00:00:00Z' });
  assert.equal((await api.put('/v1/rate-tables/fees', demoFeeSchedule)).status, 200);
  assert.equal((await api.put('/v1/rate-tables/taxes', demoTaxTable)).status, 200);

  ids.texas = (
    await createTestAccount(api, {
      companyName: 'Hill Country Dental',
      address: { line1: '600 Congress Ave', city: 'Austin', state: 'TX', postalCode: '78701', country: 'US' },
    })
  ).id;
  await signAndEquip(api, ids.texas, { signatureDate: '2026-08-01' }, [
    { itemCode: 'device.desk-phone', quantity: 10, addedOn: '2026-08-01' },
    { itemCode: 'number.local', quantity: 3, addedOn: '2026-08-01' },
    { itemCode: 'cc.seat', quantity: 1, addedOn: '2026-08-01' },
    { itemCode: 'rental.desk-phone', quantity: 1, addedOn: '2026-08-01' },
  ]);
  ids.ontario = (
    await createTestAccount(api, {
      companyName: 'Queen Street Physio',
      entity: 'CA',
      address: { city: 'Toronto', state: 'ON', postalCode: 'M5V 1K2', country: 'CA' },
    })
  ).id;
  await signAndEquip(api, ids.ontario, { signatureDate: '2026-08-01' }, [
    { itemCode: 'device.desk-phone', quantity: 5, addedOn: '2026-08-01' },
    { itemCode: 'number.local', quantity: 2, addedOn: '2026-08-01' },
  ]);
  ids.jalisco = (
    await createTestAccount(api, {
      companyName: 'Consultorio Chapultepec',
      entity: 'MX',
      address: { city: 'Guadalajara', state: 'JAL', postalCode: '44160', country: 'MX' },
    })
  ).id;
  await signAndEquip(api, ids.jalisco, { signatureDate: '2026-08-01' }, [
    { itemCode: 'device.desk-phone', quantity: 6, addedOn: '2026-08-01' },
    { itemCode: 'number.local', quantity: 2, addedOn: '2026-08-01' },
  ]);
  ids.exempt = (
    await createTestAccount(api, {
      companyName: 'County Library District',
      taxStatus: 'exempt',
      address: { city: 'Austin', state: 'TX', postalCode: '78701', country: 'US' },
    })
  ).id;
  await signAndEquip(api, ids.exempt, { signatureDate: '2026-08-01' }, [
    { itemCode: 'device.desk-phone', quantity: 4, addedOn: '2026-08-01' },
  ]);

  await api.post('/v1/clock/advance', { to: '2026-08-21T00:00:00Z' });
  await api.post(`/v1/accounts/${ids.texas}/inventory`, {
    items: [{ itemCode: 'device.desk-phone', quantity: 2, addedOn: '2026-08-20' }],
  });
  await api.post('/v1/clock/advance', { to: '2026-09-02T00:00:00Z' });
});

after(() => api.close());

test('Texas (Austin), USD, 1 September: RRF, SLRRF TX, USF (Q3) on service lines, then state + local tax', async () => {
  const inv = await invoiceFor(api, ids.texas, '2026-09');
  // Charges: 12 phones 299.40 + 3 numbers 12.00 + seat 45.00
  //   + the 2 phones added 20 August for 11/31 of August 17.71 = 374.11
  //   (the rented phone is on its own rental invoice, RUN-10)
  assert.equal(inv.subtotal, 37411);
  // Fee base: the phone-service lines: 374.11
  // RRF 3.55% = 13.2809 → 13.28; SLRRF TX 1.8% = 6.7340 → 6.73
  // USF 374.11 × 64.9% × 36.2% (Q3) = 87.8927 → 87.89
  // Taxed: 374.11 + 13.28 + 6.73 + 87.89 = 482.01; Texas 6.25% = 30.1256 → 30.13; Austin 2% = 9.6402 → 9.64
  assert.deepEqual(brief(inv), [
    ['rrf', 'fee.rrf', 1328],
    ['slrrf', 'fee.slrrf.US-TX', 673],
    ['usf', 'fee.usf', 8789],
    ['tax', 'tax.US-TX', 3013],
    ['tax', 'tax.US-TX-AUSTIN', 964],
  ]);
  assert.equal(inv.total, 52178);
  assert.equal(
    inv.total,
    inv.lines.reduce((s: number, l: any) => s + l.amount, 0),
  );
});

test('Texas: the rented phone is on the rental invoice, taxed but with no regulatory fee', async () => {
  const list = await api.get(`/v1/invoices?account=${ids.texas}&month=2026-09`);
  const rentals = list.body.data.filter((i: any) => i.kind === 'rental');
  assert.equal(rentals.length, 1, 'one September rental invoice');
  const inv = (await api.get(`/v1/invoices/${rentals[0].id}`)).body;
  assert.equal(inv.issueDate, '2026-09-01', 'the first business day of September');
  // Rental 6.50; no RRF/SLRRF/USF on equipment; Texas 6.25% = 0.40625 → 0.41; Austin 2% = 0.13.
  assert.equal(inv.subtotal, 650);
  assert.deepEqual(brief(inv), [
    ['tax', 'tax.US-TX', 41],
    ['tax', 'tax.US-TX-AUSTIN', 13],
  ]);
  assert.equal(inv.total, 650 + 41 + 13);
});

test('Ontario (Toronto), USD: RRF only (no SLRRF/USF outside the US), HST 13% on the subtotal', async () => {
  const inv = await invoiceFor(api, ids.ontario, '2026-09');
  // Charges 124.75 + 8.00 = 132.75; RRF 3.55% = 4.713 → 4.71; HST 13% of 137.46 = 17.870 → 17.87
  assert.equal(inv.currency, 'USD');
  assert.deepEqual(brief(inv), [
    ['rrf', 'fee.rrf', 471],
    ['tax', 'tax.CA-ON-HST', 1787],
  ]);
  assert.equal(inv.total, 13275 + 471 + 1787);
});

test('Jalisco, MXN: no regulatory fees, IVA 16%', async () => {
  const inv = await invoiceFor(api, ids.jalisco, '2026-09');
  // 6 × 449.00 + 2 × 69.00 = 2,832.00 MXN; IVA 16% = 453.12
  assert.equal(inv.currency, 'MXN');
  assert.deepEqual(brief(inv), [['tax', 'tax.MX-IVA', 45312]]);
  assert.equal(inv.total, 283200 + 45312);
});

test('a tax-exempt account pays the regulatory fees but no tax', async () => {
  const inv = await invoiceFor(api, ids.exempt, '2026-09');
  assert.deepEqual(
    fixed(inv).map((l: any) => l.lineType),
    ['rrf', 'slrrf', 'usf'],
  );
});

test('an exemption certificate removes only the jurisdiction it covers, from its first day', async () => {
  const bad = await api.post(`/v1/accounts/${ids.texas}/exemption-certificates`, {
    certificateNumber: 'TX-01-339921',
    jurisdictions: ['US-TX'],
    validFrom: '2026-09-31',
  });
  assert.equal(bad.body.code, 'invalid_date');
  const cert = await api.post(`/v1/accounts/${ids.texas}/exemption-certificates`, {
    certificateNumber: 'TX-01-339921',
    jurisdictions: ['US-TX'],
    validFrom: '2026-09-15',
  });
  assert.equal(cert.status, 201, JSON.stringify(cert.body));
  await api.post('/v1/clock/advance', { to: '2026-10-02T00:00:00Z' });
  const oct = await invoiceFor(api, ids.texas, '2026-10');
  // Charges 356.40 (12 phones, numbers, seat); Q4 USF factor 35.7%:
  // RRF 12.65, SLRRF 6.42, USF 356.40 × 64.9% × 35.7% = 82.576 → 82.58; taxed 458.05; Austin 2% = 9.161 → 9.16
  assert.deepEqual(brief(oct), [
    ['rrf', 'fee.rrf', 1265],
    ['slrrf', 'fee.slrrf.US-TX', 642],
    ['usf', 'fee.usf', 8258],
    ['tax', 'tax.US-TX-AUSTIN', 916],
  ]);
  assert.equal(oct.total, 45805 + 916);
  // September, issued before the certificate, is unchanged.
  assert.equal((await invoiceFor(api, ids.texas, '2026-09')).total, 52178);
});

test('rate tables are versioned, validated data', async () => {
  const current = await api.get('/v1/rate-tables');
  assert.deepEqual(current.body.versions, { fees: 1, taxes: 1 });
  const broken = await api.put('/v1/rate-tables/fees', { fees: [{ kind: 'percent', code: 'rrf' }] });
  assert.equal(broken.status, 422);
  assert.match(broken.body.code, /^invalid_/);
  assert.deepEqual((await api.get('/v1/rate-tables')).body.versions, { fees: 1, taxes: 1 });
});
