// SPEC §6 for an account outside the US, billed in pesos: its calls are classified by its billing
// country (USG-2: Mexico is domestic, the US international), read in Mexican national format, and
// rated with the deck and the calling plan of its currency (CAT-2, CAT-3) — hand-computed lines
// in MXN, and call details that add up to them (USG-5).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedClock } from '../../src/kernel/index.ts';
import { billRun } from '../../src/modules/invoicing/index.ts';
import {
  type TestApi,
  apiCall,
  callDetailsFor,
  createTestAccount,
  invoiceFor,
  numberItem,
  putDemoDeck,
  putTestCallingPlan,
  signAndEquip,
  testApi,
} from '../support/api.ts';

let api: TestApi;
let accountId: string;
const USAGE = ['plan_minutes', 'outbound_overage', 'toll_free_inbound', 'international', 'premium_domestic'];

before(async () => {
  api = await testApi({ simulatedClock: '2026-01-01T00:00:00Z' });
  // Both decks and both plans: an account must be rated with its own currency's.
  await putDemoDeck(api, 'USD');
  await putDemoDeck(api, 'MXN');
  await putTestCallingPlan(api, 'USD'); // 10 minutes per phone, 0.02
  const mxn = await api.put('/v1/calling-plans/MXN', {
    includedMinutesPerDevice: 5,
    overageRatePerMinute: '0.36',
    lowUsageMinutesPerDevice: 50,
    lowUsageRatePerMinute: '0.36',
    rounding: 'nearest-minute',
  });
  assert.equal(mxn.status, 200, JSON.stringify(mxn.body));
  const account = await createTestAccount(api, {
    companyName: 'Consultorio Chapultepec',
    entity: 'MX',
    address: {
      line1: 'Av. Chapultepec 100',
      city: 'Guadalajara',
      state: 'JAL',
      postalCode: '44160',
      country: 'MX',
    },
  });
  assert.deepEqual([account.currency, account.timeZone], ['MXN', 'America/Mexico_City']);
  accountId = account.id;
  await signAndEquip(api, accountId, { signatureDate: '2026-01-01' }, [
    {
      itemCode: 'device.desk-phone',
      quantity: 2,
      addedOn: '2026-01-01',
      attributes: { extensions: ['101', '102'] },
    },
    numberItem('number.toll-free', '800 736 1000', '2026-01-01'),
  ]);
  const calls = [
    // Domestic, written the Mexican way (Guadalajara, Mexico City): 10 pooled minutes, then overage.
    apiCall('mx-1', accountId, '101', '33 1234 5678', '2026-01-05T16:00:00Z', 480), // 8 min, plan
    apiCall('mx-2', accountId, '102', '55 8736 1234', '2026-01-06T16:00:00Z', 420), // 7 min: 2 plan + 5 over
    // The US is another country for a Mexican account: international, per the MXN deck (+1).
    apiCall('mx-3', accountId, '101', '+1 212 555 0142', '2026-01-07T16:00:00Z', 300), // 5 min
    // A caller reaching its toll-free number: the MXN deck's toll-free rate (52800).
    apiCall('mx-4', accountId, '+52 33 3615 0000', '800 736 1000', '2026-01-08T16:00:00Z', 240, 'inbound'),
    // Mexico's premium range: per second.
    apiCall('mx-5', accountId, '102', '900 123 4567', '2026-01-09T16:00:00Z', 45),
  ];
  const imported = await api.post('/v1/usage/calls', { calls });
  assert.equal(imported.body.accepted, calls.length, JSON.stringify(imported.body));
  const clock = api.rt.clock;
  assert.ok(clock instanceof SimulatedClock);
  clock.set(new Date('2026-02-02T00:00:00Z'));
  assert.equal((await billRun(api.rt.ctx('test'), { month: '2026-02' })).invoicesCreated, 1);
});

after(() => api.close());

test('a Mexican account is rated in pesos by its own deck, plan and country', async () => {
  const invoice = await invoiceFor(api, accountId, '2026-02');
  assert.equal(invoice.currency, 'MXN');
  const lines = invoice.lines
    .filter((l: any) => USAGE.includes(l.lineType))
    .map((l: any) => [l.lineType, l.quantity, l.ratePerMinute, l.amount]);
  assert.deepEqual(lines, [
    // 2 phones × 5 minutes (the MXN plan, not the USD one's 10 each).
    ['plan_minutes', 600, 0, 0],
    // 45 s at 12.00 a minute, per second = 9.00.
    ['premium_domestic', 45, 12_000_000, 900],
    // 5 minutes at 0.36 = 1.80.
    ['outbound_overage', 300, 360_000, 180],
    // 4 minutes at 0.45 = 1.80.
    ['toll_free_inbound', 240, 450_000, 180],
    // 5 minutes at 0.18 (the USD 0.01 × 18) = 0.90.
    ['international', 300, 180_000, 90],
  ]);
  const { calls, cents } = await callDetailsFor(api, accountId, '2026-01');
  assert.deepEqual(
    calls.map((c: any) => [c.destinationNumber, c.callType]),
    [
      ['+523312345678', 'domestic'],
      ['+525587361234', 'domestic'],
      ['+12125550142', 'international'],
      ['+528007361000', 'toll_free_inbound'],
      ['+529001234567', 'premium_domestic'],
    ],
  );
  assert.equal(
    cents,
    lines.reduce((t: number, l: any) => t + l[3], 0),
    'the call details add up to the usage lines',
  );
});
