// SPEC §6 through the API on a simulated clock: a month of calls for two accounts (one with
// low-usage devices) → the next invoices carry usage lines equal to hand computation to the cent,
// the billed call details (CSV) add up to those lines, and a call that arrives after its month
// was invoiced goes on the next invoice, labelled with its month.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { demoFeeSchedule } from '../../src/modules/taxes/index.ts';
import { callDetailsOf, demoDeckCsv } from '../../src/modules/usage/index.ts';
import {
  type TestApi,
  apiCall,
  createTestAccount,
  invoiceFor,
  numberItem,
  putTestCallingPlan,
  testApi,
} from '../support/api.ts';

let api: TestApi;
const ids = {} as Record<'dental' | 'warehouse', string>;
const USAGE = [
  'plan_minutes',
  'premium_domestic',
  'outbound_overage',
  'low_usage_minutes',
  'toll_free_inbound',
  'international',
];
const usageLines = (inv: any) =>
  inv.lines
    .filter((l: any) => USAGE.includes(l.lineType))
    .map((l: any) => [l.lineType, l.description, l.quantity, l.ratePerMinute, l.amount]);

const call = apiCall;

async function csvRequest(method: 'GET' | 'PUT', url: string, body?: string) {
  const res = await api.app.inject({
    method,
    url,
    headers: {
      authorization: `Bearer ${api.key}`,
      ...(body === undefined ? {} : { 'content-type': 'text/csv' }),
    },
    ...(body === undefined ? {} : { payload: body }),
  });
  return { status: res.statusCode, body: res.body, type: String(res.headers['content-type']) };
}

const cents = (decimal: string) => Math.round(Number(decimal) * 100);

before(async () => {
  api = await testApi({ simulatedClock: '2026-01-01T00:00:00Z' });
  // Fees apply to usage lines by their line type (RRF and SLRRF of the demo schedule; no USF here).
  const fees = await api.put('/v1/rate-tables/fees', { fees: demoFeeSchedule.fees.slice(0, 2) });
  assert.equal(fees.status, 200, JSON.stringify(fees.body));
  const deck = await csvRequest('PUT', '/v1/rate-decks/USD', demoDeckCsv('USD'));
  assert.equal(deck.status, 200, deck.body);
  // CAT-2 as data: 10 included minutes per billable device, pooled per account.
  await putTestCallingPlan(api);

  // Dental: 2 phones (ext 101, 102) → 20 pooled minutes; a local and a toll-free number.
  ids.dental = (await createTestAccount(api, { companyName: 'Hill Country Dental' })).id;
  assert.equal(
    (await api.post(`/v1/accounts/${ids.dental}/contracts`, { signatureDate: '2026-01-01' })).status,
    201,
  );
  const dentalItems = await api.post(`/v1/accounts/${ids.dental}/inventory`, {
    items: [
      {
        itemCode: 'device.desk-phone',
        quantity: 2,
        addedOn: '2026-01-01',
        attributes: { extensions: ['101', '102'] },
      },
      numberItem('number.local', '+1 512 736 0100', '2026-01-01'),
      numberItem('number.toll-free', '+1 800 736 0199', '2026-01-01'),
    ],
  });
  assert.equal(dentalItems.status, 201, JSON.stringify(dentalItems.body));

  // Warehouse: 20 phones (200 pooled minutes), 2 low-usage devices (CAT-4); billing starts 15 January.
  ids.warehouse = (await createTestAccount(api, { companyName: 'Trinity Warehouse' })).id;
  const contract = await api.post(`/v1/accounts/${ids.warehouse}/contracts`, {
    signatureDate: '2026-01-15',
    commitments: { lowUsageDevices: 2 },
  });
  assert.equal(contract.status, 201, JSON.stringify(contract.body));
  const extensions = Array.from({ length: 20 }, (_, i) => String(201 + i));
  const warehouseItems = await api.post(`/v1/accounts/${ids.warehouse}/inventory`, {
    items: [
      { itemCode: 'device.desk-phone', quantity: 20, addedOn: '2026-01-15', attributes: { extensions } },
      {
        itemCode: 'device.low-usage',
        quantity: 2,
        addedOn: '2026-01-15',
        attributes: { extensions: ['301', '302'] },
      },
    ],
  });
  assert.equal(warehouseItems.status, 201, JSON.stringify(warehouseItems.body));

  const d = ids.dental;
  const w = ids.warehouse;
  const calls = [
    // Dental, in no particular order: rating goes by start time (USG-3).
    call('d-04', d, '101', '+1 415 736 0100', '2026-01-12T17:00:00Z', 90), // 2 min, overage
    call('d-01', d, '101', '+1 212 736 5000', '2026-01-05T16:00:00Z', 900), // 15 min, plan
    call('d-02', d, '101', '102', '2026-01-06T16:00:00Z', 89), // extension: 1 min, plan
    call('d-03', d, '102', '(312) 726-0142', '2026-01-07T16:00:00Z', 390), // 7 min: 4 plan + 3 overage
    call('d-05', d, '102', '+1 787 555 1000', '2026-01-13T16:00:00Z', 125), // premium, per second
    call('d-06', d, '+1 646 736 0000', '+1 800 736 0199', '2026-01-14T16:00:00Z', 620, 'inbound'), // toll-free 10 min
    call('d-07', d, '+1 646 736 0001', '+1 512 736 0100', '2026-01-14T17:00:00Z', 300, 'inbound'), // free
    call('d-08', d, '101', '+55 11 98765 4321', '2026-01-20T16:00:00Z', 20), // Brazil mobile → 30 s
    call('d-09', d, '101', '+55 11 98765 4322', '2026-01-20T17:00:00Z', 31), // Brazil mobile → 36 s
    call('d-10', d, '101', '+55 11 3456 7890', '2026-01-21T16:00:00Z', 89), // Brazil fixed → 1 min
    call('d-11', d, '101', '+44 20 7946 0000', '2026-01-22T16:00:00Z', 0), // unanswered: free
    call('d-13', d, '101', '999', '2026-01-29T16:00:00Z', 60), // no such extension: not rated
    // Warehouse
    call('w-07', w, '201', '+1 214 736 0105', '2026-01-10T16:00:00Z', 300), // before billing start (CON-3)
    call('w-01', w, '301', '+1 214 736 0101', '2026-01-20T16:00:00Z', 2400), // low-usage 40 min
    call('w-02', w, '301', '+1 214 736 0102', '2026-01-21T16:00:00Z', 929), // 15 min: 10 included + 5 charged
    call('w-03', w, '302', '301', '2026-01-22T16:00:00Z', 600), // on-net: not metered
    call('w-04', w, '302', '+1 214 736 0103', '2026-01-23T16:00:00Z', 180), // 302's own minutes
    call('w-05', w, '201', '+1 214 736 0104', '2026-01-24T16:00:00Z', 1800), // plan 30 min
    call('w-06', w, '201', '+52 55 1234 5678', '2026-01-25T16:00:00Z', 61), // Mexico City 1 min
  ];
  await api.post('/v1/clock/advance', { to: '2026-01-31T00:00:00Z' });
  const imported = await api.post('/v1/usage/calls', { calls });
  assert.equal(imported.status, 200, JSON.stringify(imported.body));
  assert.deepEqual(
    [imported.body.accepted, imported.body.rejected, imported.body.errors],
    [calls.length, 0, []],
    JSON.stringify(imported.body),
  );
  // Sending the batch again changes nothing (USG-1: idempotent on call id).
  const again = await api.post('/v1/usage/calls', { calls });
  assert.deepEqual([again.body.accepted, again.body.alreadyImported], [0, calls.length], 'replayed batch');

  await api.post('/v1/clock/advance', { to: '2026-02-02T00:00:00Z' });
});

after(() => api.close());

test('1 February: the dental practice is billed January’s calls, line by line (RUN-4, RUN-5)', async () => {
  const inv = await invoiceFor(api, ids.dental, '2026-02');
  assert.ok(inv, 'February invoice exists');
  assert.deepEqual(usageLines(inv), [
    // 15 + 1 (extension, USG-2/CAT-2) + 4 of the 7-minute call: the 20 pooled minutes
    ['plan_minutes', 'Plan minutes (included)', 1200, 0, 0],
    // 125 s × 0.99 / 60 = 2.0625 → 2.06
    ['premium_domestic', 'Puerto Rico - Premium (787-555)', 125, 990000, 206],
    // 3 minutes of the crossing call + 2 minutes (90 s) = 5 × 0.02 = 0.10
    ['outbound_overage', 'Outbound overage minutes', 300, 20000, 10],
    // 620 s → 10 minutes × 0.025 = 0.25
    ['toll_free_inbound', 'Toll-free inbound (800)', 600, 25000, 25],
    // 30 s + 36 s = 66 s × 0.085 / 60 = 0.0935 → 0.09
    ['international', 'Brazil - Mobile (11)', 66, 85000, 9],
    // 89 s → 1 minute × 0.02
    ['international', 'Brazil - Sao Paulo', 60, 20000, 2],
  ]);
  const usageTotal = usageLines(inv).reduce((s: number, l: any[]) => s + l[4], 0);
  assert.equal(usageTotal, 252, 'usage lines total 2.52');
  // Recurring: 2 phones 49.90 + local number 4.00 + toll-free number 6.00 = 59.90, plus usage 2.52.
  assert.equal(inv.subtotal, 5990 + 252, 'subtotal = recurring + usage');
  const plan = inv.lines.find((l: any) => l.lineType === 'plan_minutes');
  assert.deepEqual(
    [plan.periodStart, plan.periodEnd],
    ['2026-01-01', '2026-01-31'],
    'usage period is January',
  );
  // RRF 3.55% and SLRRF (TX) 1.8% on the phone service including its usage, not international:
  // 59.90 + 2.06 + 0.10 + 0.25 = 62.31 → RRF 2.212 → 2.21, SLRRF 1.1216 → 1.12
  assert.deepEqual(
    inv.lines
      .filter((l: any) => ['rrf', 'slrrf'].includes(l.lineType))
      .map((l: any) => [l.lineType, l.amount]),
    [
      ['rrf', 221],
      ['slrrf', 112],
    ],
    'fees include the usage lines',
  );
  // The invoice documents read the usage lines' units: billed seconds at a rate per minute.
  const csv = await csvRequest('GET', `/v1/invoices/${inv.id}.csv`);
  assert.equal(csv.status, 200, csv.body.slice(0, 200));
  const premium = csv.body.split(/\r?\n/).find((l) => l.includes('Puerto Rico - Premium'));
  assert.ok(premium?.includes('second') && premium.includes('0.99'), `premium line in the CSV: ${premium}`);
  const pdf = await api.app.inject({
    method: 'GET',
    url: `/v1/invoices/${inv.id}.pdf`,
    headers: { authorization: `Bearer ${api.key}` },
  });
  assert.equal(pdf.statusCode, 200, 'the PDF renders with usage lines');
});

test('a call that cannot be rated is reported and stays unbilled', async () => {
  const events = await api.rt
    .ctx('test')
    .db.selectFrom('events')
    .select(['account_id', 'payload'])
    .where('type', '=', 'usage.calls_unrated')
    .execute();
  assert.deepEqual(
    events.map((e) => [e.account_id, (e.payload as any).month, (e.payload as any).examples]),
    [[ids.dental, '2026-02', [{ callId: 'd-13', reason: 'unknown_extension' }]]],
    JSON.stringify(events),
  );
});

test('1 February: the warehouse — low-usage minutes, on-net calls, nothing before billing start', async () => {
  const inv = await invoiceFor(api, ids.warehouse, '2026-02');
  assert.ok(inv, 'February invoice exists');
  assert.deepEqual(usageLines(inv), [
    // only the 30-minute call from a regular phone draws on the 200 pooled minutes
    ['plan_minutes', 'Plan minutes (included)', 1800, 0, 0],
    // device 301: 40 + 15 minutes against its 50 → 5 × 0.02 = 0.10; 302's 3 minutes are included
    ['low_usage_minutes', 'Low-usage device minutes beyond the 50 included', 300, 20000, 10],
    ['international', 'Mexico - Mexico City', 60, 10000, 1],
  ]);
  const plan = inv.lines.find((l: any) => l.lineType === 'plan_minutes');
  assert.deepEqual(
    [plan.periodStart, plan.periodEnd],
    ['2026-01-15', '2026-01-31'],
    'CON-3: from billing start',
  );
});

async function details(accountId: string, month: string) {
  const res = await csvRequest('GET', `/v1/accounts/${accountId}/call-details?month=${month}`);
  assert.equal(res.status, 200, res.body);
  assert.match(res.type, /text\/csv/, 'CSV content type');
  const [header, ...rows] = res.body.trim().split('\r\n');
  return { header, rows: rows.map((r) => r.split(',')) };
}

test('USG-5: the call details have exactly the SPEC columns and add up to the usage lines', async () => {
  const dental = await details(ids.dental, '2026-01');
  assert.equal(
    dental.header,
    'origin_number,destination_number,start_time_utc,end_time_utc,duration_seconds,billable_minutes,total_cost,rate,call_type',
  );
  assert.equal(dental.rows.length, 11, 'every rated call of January');
  assert.equal(
    dental.rows.reduce((s, r) => s + cents(r[6]!), 0),
    252,
    'details sum to the invoice usage lines',
  );
  const byDestination = new Map(dental.rows.map((r) => [r[1], r]));
  assert.deepEqual(byDestination.get('+13127260142'), [
    '102',
    '+13127260142',
    '2026-01-07T16:00:00.000Z',
    '2026-01-07T16:06:30.000Z',
    '390',
    '7.00',
    '0.06',
    '0.02',
    'domestic',
  ]);
  assert.deepEqual(
    ['+5511987654321', '+5511987654322', '+551134567890', '102'].map((n) =>
      byDestination.get(n)!.slice(5, 9),
    ),
    [
      ['0.50', '0.04', '0.085', 'international'],
      ['0.60', '0.05', '0.085', 'international'],
      ['1.00', '0.02', '0.02', 'international'],
      ['1.00', '0.00', '0.02', 'extension'],
    ],
  );

  const warehouse = await details(ids.warehouse, '2026-01');
  assert.equal(warehouse.rows.length, 6, 'the call before billing start is not a billed call');
  assert.equal(
    warehouse.rows.reduce((s, r) => s + cents(r[6]!), 0),
    11,
    'warehouse details sum to its lines',
  );

  const json = await api.get(`/v1/accounts/${ids.dental}/call-details?month=2026-01&format=json`);
  assert.equal(json.status, 200, 'JSON call details');
  assert.equal(json.body.calls.length, 11, 'JSON has the same calls');
  assert.equal(json.body.currency, 'USD', 'JSON names the currency');
});

test('a January call that arrives after 1 February is billed on 1 March, labelled with its month', async () => {
  const late = await api.post('/v1/usage/calls', {
    calls: [call('d-12', ids.dental, '101', '+1 212 736 5999', '2026-01-30T16:00:00Z', 120)],
  });
  assert.equal(late.body.accepted, 1, JSON.stringify(late.body));
  await api.post('/v1/clock/advance', { to: '2026-03-02T00:00:00Z' });
  const march = await invoiceFor(api, ids.dental, '2026-03');
  // January's pooled minutes were used up: 2 minutes of overage.
  assert.deepEqual(usageLines(march), [
    ['outbound_overage', 'Outbound overage minutes (calls of 2026-01)', 120, 20000, 4],
  ]);
  const feb = await invoiceFor(api, ids.dental, '2026-02');
  assert.equal(feb.subtotal, 5990 + 252, 'the February invoice is unchanged');
  const dental = await details(ids.dental, '2026-01');
  assert.equal(dental.rows.length, 12, 'January details now include the late call');
  assert.equal(
    dental.rows.reduce((s, r) => s + cents(r[6]!), 0),
    256,
    'and add up to both invoices',
  );
  // Pages end anywhere, across the two invoices' calls: the same calls, in the same order, costs.
  const read = async (pageSize?: number) => {
    const out: string[] = [];
    const d = await callDetailsOf(api.rt.ctx('test'), ids.dental, '2026-01', pageSize);
    for await (const page of d.pages()) for (const c of page) out.push(`${c.startTimeUtc} ${c.totalCost}`);
    return out;
  };
  const whole = await read();
  assert.equal(whole.length, 12);
  for (const size of [1, 2, 5, 11]) assert.deepEqual(await read(size), whole, `pages of ${size}`);
});

test('rate decks export as CSV and refuse bad rows by line', async () => {
  const exported = await csvRequest('GET', '/v1/rate-decks/USD');
  assert.equal(exported.status, 200, 'export');
  assert.ok(
    exported.body.includes('1787555,Puerto Rico - Premium (787-555),premium_domestic,0.99,per-second'),
    'PR premium',
  );
  const bad = await csvRequest(
    'PUT',
    '/v1/rate-decks/USD',
    'prefix,description,call_type,rate_per_minute,rounding,valid_from,valid_to\n' +
      '4420,United Kingdom - London,international,0.008,nearest-minute,2020-01-01,2026-03-31\n' +
      '4420,United Kingdom - London,international,0.007,nearest-minute,2026-04-01,\n' +
      'x1,Nowhere,international,0.01,nearest-minute,2026-04-01,\n',
  );
  assert.equal(bad.status, 200, bad.body);
  const body = JSON.parse(bad.body);
  assert.equal(body.imported, 2, 'the good rows are stored: the old rate closed, the new one from April');
  assert.deepEqual(
    body.errors.map((e: any) => e.line),
    [4],
    'the bad row is reported by line',
  );
  const after = await csvRequest('GET', '/v1/rate-decks/USD');
  assert.ok(
    after.body.includes('4420,United Kingdom - London,international,0.007,nearest-minute,2026-04-01,\n'),
    'new rate',
  );
  // A new rate that overlaps the current one without closing it is refused as a whole.
  const overlap = await csvRequest(
    'PUT',
    '/v1/rate-decks/USD',
    'prefix,description,call_type,rate_per_minute,rounding,valid_from,valid_to\n' +
      '447,United Kingdom - Mobile,international,0.02,nearest-minute,2026-06-01,\n',
  );
  assert.equal(overlap.status, 422, overlap.body);
  assert.equal(JSON.parse(overlap.body).code, 'overlapping_rates', 'overlap refused');
});
