// SPEC §3: prices are data, per currency, effective-dated — the calling plan too (CAT-2, CAT-4). A
// currency's plan is versions from the first day of a month; a month's calls are priced by the
// version in force on its first day, whenever the invoice falls (a late call included), and a month
// already invoiced cannot have its terms changed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedClock } from '../../src/kernel/index.ts';
import { billRun } from '../../src/modules/invoicing/index.ts';
import {
  type TestApi,
  apiCall,
  createTestAccount,
  invoiceFor,
  putDemoDeck,
  putTestCallingPlan,
  signAndEquip,
  testApi,
} from '../support/api.ts';

let api: TestApi;
let accountId: string;

const clock = () => {
  const c = api.rt.clock;
  assert.ok(c instanceof SimulatedClock);
  return c;
};
const USAGE = ['plan_minutes', 'outbound_overage'];
const usageLines = (inv: any) =>
  inv.lines
    .filter((l: any) => USAGE.includes(l.lineType))
    .map((l: any) => [l.lineType, l.description, l.quantity, l.ratePerMinute, l.amount]);
const importCalls = async (calls: ReturnType<typeof apiCall>[]) => {
  const r = await api.post('/v1/usage/calls', { calls });
  assert.equal(r.body.accepted, calls.length, JSON.stringify(r.body));
};
// From February: 5 included minutes per phone (10 before), overage 0.05 a minute (0.02 before).
const february = {
  validFrom: '2026-02-01',
  includedMinutesPerDevice: 5,
  overageRatePerMinute: '0.05',
  lowUsageMinutesPerDevice: 50,
  lowUsageRatePerMinute: '0.02',
  rounding: 'nearest-minute',
};

before(async () => {
  api = await testApi({ simulatedClock: '2026-01-01T00:00:00Z' });
  await putDemoDeck(api);
  await putTestCallingPlan(api); // from 1 January (the current month): 10 minutes per phone, 0.02
  accountId = (await createTestAccount(api, { companyName: 'Price Change Co' })).id;
  await signAndEquip(api, accountId, { signatureDate: '2026-01-01' }, [
    { itemCode: 'device.desk-phone', quantity: 1, addedOn: '2026-01-01', attributes: { extension: '101' } },
  ]);
});

after(() => api.close());

test('a version starts on the first day of a month; each month reads the one in force then', async () => {
  const midMonth = await api.put('/v1/calling-plans/USD', { ...february, validFrom: '2026-02-15' });
  assert.equal(midMonth.status, 422, JSON.stringify(midMonth.body));
  assert.equal(midMonth.body.code, 'invalid_valid_from');

  const set = await api.put('/v1/calling-plans/USD', february);
  assert.equal(set.status, 200, JSON.stringify(set.body));
  assert.deepEqual([set.body.validFrom, set.body.overageRatePerMinute], ['2026-02-01', '0.05']);

  const inForce = async (month: string) => {
    const r = await api.get(`/v1/calling-plans/USD?month=${month}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return [r.body.validFrom, r.body.includedMinutesPerDevice, r.body.overageRatePerMinute];
  };
  assert.deepEqual(await inForce('2025-12'), ['2000-01-01', 1000, '0.02']);
  assert.deepEqual(await inForce('2026-01'), ['2026-01-01', 10, '0.02']);
  assert.deepEqual(await inForce('2026-02'), ['2026-02-01', 5, '0.05']);
  assert.deepEqual(await inForce('2026-07'), ['2026-02-01', 5, '0.05']);
  // Without a month: the current one (January, by the clock).
  assert.equal((await api.get('/v1/calling-plans/USD')).body.validFrom, '2026-01-01');
  const versions = await api.get('/v1/calling-plans/USD/versions');
  assert.deepEqual(
    versions.body.data.map((v: any) => v.validFrom),
    ['2000-01-01', '2026-01-01', '2026-02-01'],
  );
});

test("each month's calls are priced by its own version, a late call by its month's", async () => {
  // 20 minutes in January and 20 in February, to a domestic number.
  await importCalls([
    apiCall('pv-jan', accountId, '101', '+1 212 555 0142', '2026-01-12T16:00:00Z', 1200),
    apiCall('pv-feb', accountId, '101', '+1 212 555 0142', '2026-02-12T16:00:00Z', 1200),
  ]);
  clock().set(new Date('2026-02-02T00:00:00Z'));
  assert.equal((await billRun(api.rt.ctx('test'), { month: '2026-02' })).invoicesCreated, 1);
  // January: 10 included minutes, 10 over at 0.02.
  assert.deepEqual(usageLines(await invoiceFor(api, accountId, '2026-02')), [
    ['plan_minutes', 'Plan minutes (included)', 600, 0, 0],
    ['outbound_overage', 'Outbound overage minutes', 600, 20_000, 20],
  ]);

  // January is invoiced: its terms are what its invoice was priced with.
  const january = await api.put('/v1/calling-plans/USD', { ...february, validFrom: '2026-01-01' });
  assert.equal(january.status, 409, JSON.stringify(january.body));
  assert.equal(january.body.code, 'usage_month_invoiced');
  assert.equal((await api.get('/v1/calling-plans/USD?month=2026-01')).body.overageRatePerMinute, '0.02');

  // A January call that arrives late, with February's: billed on 1 March at January's rate.
  clock().set(new Date('2026-02-10T00:00:00Z'));
  await importCalls([apiCall('pv-late', accountId, '101', '+1 212 555 0142', '2026-01-30T16:00:00Z', 300)]);
  clock().set(new Date('2026-03-02T00:00:00Z'));
  assert.equal((await billRun(api.rt.ctx('test'), { month: '2026-03' })).invoicesCreated, 1);
  assert.deepEqual(usageLines(await invoiceFor(api, accountId, '2026-03')), [
    // January's late call: its allowance was used up, 5 minutes at January's 0.02.
    ['outbound_overage', 'Outbound overage minutes (calls of 2026-01)', 300, 20_000, 10],
    // February: 5 included minutes, 15 over at 0.05.
    ['plan_minutes', 'Plan minutes (included)', 300, 0, 0],
    ['outbound_overage', 'Outbound overage minutes', 900, 50_000, 75],
  ]);
});
