// RUN-10: rented equipment is invoiced on its own rental invoice, issued on the first business
// day of the month (1 August 2026 is a Saturday: Monday the 3rd), never with the service invoice;
// the first one carries the part of the month the equipment was installed in. Exactly one per
// account and month, however often the run starts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { type TestApi, createTestAccount, invoiceFor, signAndEquip, testApi } from '../support/api.ts';
import { rentalRun } from '../../src/modules/invoicing/index.ts';
import { startRealClockScheduler } from '../../src/scheduler.ts';

let api: TestApi;
let accountId: string;
let mxId: string;

const rentalInvoices = async (id: string) => {
  const r = await api.get(`/v1/invoices?account=${id}&limit=200`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.data.filter((i: any) => i.kind === 'rental');
};

before(async () => {
  api = await testApi({ simulatedClock: '2026-07-10T12:00:00Z' });
  accountId = (await createTestAccount(api, { timeZone: 'America/Chicago' })).id;
  await signAndEquip(api, accountId, { signatureDate: '2026-07-01' }, [
    { itemCode: 'device.desk-phone', quantity: 4, addedOn: '2026-07-01' },
  ]);
  // Installed with rented phones on 15 July.
  const add = await api.post(`/v1/accounts/${accountId}/inventory`, {
    items: [{ itemCode: 'rental.desk-phone', quantity: 4, addedOn: '2026-07-15' }],
  });
  assert.equal(add.status, 201, JSON.stringify(add.body));
  mxId = (
    await createTestAccount(api, {
      entity: 'MX',
      address: { city: 'Guadalajara', state: 'JAL', postalCode: '44100', country: 'MX' },
    })
  ).id;
  await signAndEquip(api, mxId, { signatureDate: '2026-07-01' }, [
    { itemCode: 'device.desk-phone', quantity: 2, addedOn: '2026-07-01' },
    { itemCode: 'rental.desk-phone', quantity: 2, addedOn: '2026-07-01' },
  ]);
});

after(() => api.close());

test('the 1 August service invoice has no rental; the rental invoice waits for Monday 3 August', async () => {
  const moved = await api.post('/v1/clock/advance', { to: '2026-08-02T23:00:00Z' });
  assert.equal(moved.status, 200, JSON.stringify(moved.body));
  const monthly = await invoiceFor(api, accountId, '2026-08');
  assert.ok(monthly, 'the August service invoice');
  assert.ok(
    monthly.lines.every((l: any) => l.itemCode !== 'rental.desk-phone'),
    'no rental line on the service invoice',
  );
  assert.deepEqual(moved.body.rentalRuns, [], 'no rental run on a weekend');
  assert.deepEqual(await rentalInvoices(accountId), [], 'no rental invoice yet');
});

test('on the first business day: one rental invoice with August and the installation part of July', async () => {
  const moved = await api.post('/v1/clock/advance', { to: '2026-08-03T12:00:00Z' });
  assert.equal(moved.status, 200, JSON.stringify(moved.body));
  const runs = moved.body.rentalRuns.filter((r: any) => r.timeZone === 'America/Chicago');
  assert.equal(runs.length, 1, JSON.stringify(moved.body.rentalRuns));
  assert.equal(runs[0].at, '2026-08-03T05:00:00.000Z', '00:00 on Monday 3 August in Chicago');
  const [rental] = await rentalInvoices(accountId);
  assert.ok(rental, 'a rental invoice');
  assert.equal(rental.issueDate, '2026-08-03');
  assert.equal(rental.billingMonth, '2026-08');
  const inv = (await api.get(`/v1/invoices/${rental.id}`)).body;
  const charges = inv.lines.filter((l: any) => l.lineType === 'rental' || l.lineType === 'partial_charges');
  // August: 4 × 6.50 = 26.00; 15–31 July: 4 × 6.50 × 16/31 = 13.419… → 13.42 (RUN-2 after-start).
  assert.deepEqual(
    charges.map((l: any) => [l.lineType, l.itemCode, l.quantity, l.amount]),
    [
      ['rental', 'rental.desk-phone', 4, 2600],
      ['partial_charges', 'rental.desk-phone', 4, 1342],
    ],
  );
  assert.equal(inv.subtotal, 2600 + 1342);
  assert.ok(inv.total >= inv.subtotal, 'taxes on top of the rental charges');
  // Mexico: 1 August is not a business day there either; MXN, at 00:00 in Mexico City.
  const [mx] = await rentalInvoices(mxId);
  assert.ok(mx, 'the Mexican rental invoice');
  assert.equal(mx.issueDate, '2026-08-03');
  assert.equal(mx.currency, 'MXN');
});

test('running the rental run again, or advancing through the month, issues nothing more', async () => {
  const again = await rentalRun(api.rt.ctx('test'), { month: '2026-08' });
  assert.equal(again.invoicesCreated, 0, 'idempotent');
  await api.post('/v1/clock/advance', { to: '2026-08-31T12:00:00Z' });
  assert.equal((await rentalInvoices(accountId)).length, 1, 'one rental invoice for August');
});

test('September: the rental invoice on Tuesday the 1st, full month only; the service invoice still has none', async () => {
  const moved = await api.post('/v1/clock/advance', { to: '2026-09-02T12:00:00Z' });
  assert.equal(moved.status, 200, JSON.stringify(moved.body));
  const rentals = await rentalInvoices(accountId);
  assert.equal(rentals.length, 2, 'August and September');
  const sept = (await api.get(`/v1/invoices/${rentals[1].id}`)).body;
  assert.equal(sept.issueDate, '2026-09-01');
  assert.deepEqual(
    sept.lines.filter((l: any) => l.itemCode === 'rental.desk-phone').map((l: any) => l.amount),
    [2600],
  );
  const monthly = await invoiceFor(api, accountId, '2026-09');
  assert.ok(
    monthly.lines.every((l: any) => l.itemCode !== 'rental.desk-phone'),
    'no rental line on the September service invoice',
  );
});

test('the real-clock scheduler runs the rental run too, catching up on start, once', async () => {
  // The scheduler only reads the instance clock: here one standing at Monday 3 August, 12:00 UTC.
  const other = await testApi({ simulatedClock: '2026-08-03T12:00:00Z' });
  try {
    const id = (await createTestAccount(other, { timeZone: 'America/Denver' })).id;
    await signAndEquip(other, id, { signatureDate: '2026-07-01' }, [
      { itemCode: 'rental.desk-phone', quantity: 2, addedOn: '2026-07-01' },
    ]);
    const logged: string[] = [];
    const stop = startRealClockScheduler(other.rt, 60_000, (m) => logged.push(m));
    try {
      for (let i = 0; i < 200 && !logged.some((m) => m.startsWith('rental run 2026-08')); i++)
        await new Promise((r) => setTimeout(r, 25));
    } finally {
      stop();
    }
    assert.ok(
      logged.includes('rental run 2026-08 (America/Denver): 1 invoices'),
      `the August rental run: ${JSON.stringify(logged)}`,
    );
    const list = (await other.get(`/v1/invoices?account=${id}`)).body.data;
    // It looks back 35 days on start: July's run (Wednesday 1 July) was missed and runs too.
    assert.ok(logged.includes('rental run 2026-07 (America/Denver): 1 invoices'), 'July caught up');
    assert.deepEqual(
      list.map((i: any) => [i.kind, i.billingMonth, i.issueDate]),
      [
        ['rental', '2026-07', '2026-07-01'],
        ['rental', '2026-08', '2026-08-03'],
      ],
      'one rental invoice a month (the phones are rented: the service invoice has nothing to bill)',
    );
  } finally {
    await other.close();
  }
});

test('three rental runs at once issue one rental invoice per account between them', async () => {
  const other = await testApi({ simulatedClock: '2026-08-03T12:00:00Z' });
  try {
    const ids: string[] = [];
    for (let i = 0; i < 24; i++) {
      const id = (await createTestAccount(other, { companyName: `Rental Co ${i}` })).id;
      await signAndEquip(other, id, { signatureDate: '2026-08-01' }, [
        { itemCode: 'rental.desk-phone', quantity: 1 + (i % 3), addedOn: '2026-08-01' },
      ]);
      ids.push(id);
    }
    const runs = await Promise.all(
      [0, 1, 2].map(() => rentalRun(other.rt.ctx('test'), { month: '2026-08', batchSize: 5 })),
    );
    assert.equal(
      runs.reduce((n, r) => n + r.invoicesCreated, 0),
      24,
      `24 invoices between the runs (${runs.map((r) => r.invoicesCreated).join(' + ')})`,
    );
    const all = (await other.get('/v1/invoices?limit=200')).body.data.filter((i: any) => i.kind === 'rental');
    assert.equal(new Set(all.map((i: any) => i.accountId)).size, 24, 'every account once');
    assert.equal(all.length, 24, 'no account twice');
  } finally {
    await other.close();
  }
});
