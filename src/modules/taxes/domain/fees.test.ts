import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  type FeeSchedule,
  type UsfFee,
  feeStage,
  quarterFactor,
  regulatoryFees,
  usfRateOn,
  validateFeeSchedule,
} from './fees.ts';
import { type BillingContext, type DraftLine, computedLine } from './rates.ts';

const charge = (lineType: string, amount: number): DraftLine =>
  computedLine(lineType, `item.${lineType}`, lineType, amount);

const context = (over: Partial<BillingContext> = {}): BillingContext => ({
  currency: 'USD',
  issueDate: '2026-08-01',
  address: { country: 'US', state: 'TX' },
  taxStatus: 'taxable',
  ...over,
});

const SERVICE = ['service_fee', 'standard_numbers', 'partial_charges', 'contact_center'];

const rrf: FeeSchedule['fees'][number] = {
  kind: 'percent',
  code: 'rrf',
  label: 'RRF',
  countries: ['US'],
  appliesTo: SERVICE,
  rates: [{ from: '2025-01-01', ppm: 35_500 }],
};

const slrrf: FeeSchedule['fees'][number] = {
  kind: 'by-state',
  code: 'slrrf',
  label: 'SLRRF',
  countries: ['US'],
  appliesTo: SERVICE,
  states: [
    { country: 'US', state: 'TX', name: 'Texas', rates: [{ from: '2025-01-01', ppm: 18_000 }] },
    { country: 'US', state: 'CA', name: 'California', rates: [{ from: '2025-01-01', ppm: 22_500 }] },
    { country: 'US', state: 'NY', name: 'New York', rates: [{ from: '2025-01-01', ppm: 16_000 }] },
    { country: 'US', state: 'WA', name: 'Washington', rates: [{ from: '2025-01-01', ppm: 13_500 }] },
    { country: 'US', state: 'FL', name: 'Florida', rates: [{ from: '2025-01-01', ppm: 10_500 }] },
    { country: 'US', state: 'IL', name: 'Illinois', rates: [{ from: '2025-01-01', ppm: 14_000 }] },
    { country: 'US', state: 'GA', name: 'Georgia', rates: [{ from: '2025-01-01', ppm: 9_500 }] },
  ],
};

const usf = (over: Partial<UsfFee> = {}): UsfFee => ({
  kind: 'usf',
  code: 'usf',
  label: 'USF',
  countries: ['US'],
  appliesTo: [...SERVICE, 'international'],
  factors: [
    quarterFactor('2026-Q2', 371_000),
    quarterFactor('2026-Q3', 362_000),
    quarterFactor('2026-Q4', 357_000),
  ],
  safeHarbour: [{ from: '2006-07-01', ppm: 649_000 }],
  ...over,
});

const brief = (lines: DraftLine[]) => lines.map((l) => [l.lineType, l.description, l.amount]);

test('SLRRF by state: each state its own rate on 123.45 of service, rounded half-up once', () => {
  const lines = [charge('service_fee', 12_345)];
  const table: [string, string | null, number | null][] = [
    ['TX', 'SLRRF Texas 1.8%', 222], // 123.45 × 1.8% = 2.2221
    ['CA', 'SLRRF California 2.25%', 278], // 2.777625 → 2.78
    ['NY', 'SLRRF New York 1.6%', 198], // 1.9752
    ['WA', 'SLRRF Washington 1.35%', 167], // 1.666575
    ['FL', 'SLRRF Florida 1.05%', 130], // 1.296225
    ['IL', 'SLRRF Illinois 1.4%', 173], // 1.7283
    ['GA', 'SLRRF Georgia 0.95%', 117], // 1.172775
    ['tx', 'SLRRF Texas 1.8%', 222], // state codes are compared in upper case
    ['OR', null, null], // a state without an SLRRF gets no line
  ];
  for (const [state, description, amount] of table) {
    const fees = regulatoryFees({ fees: [slrrf] }, context({ address: { country: 'US', state } }), lines);
    assert.deepEqual(brief(fees), description === null ? [] : [['slrrf', description, amount]], state);
    if (description) assert.equal(fees[0]!.itemCode, `fee.slrrf.US-${state.toUpperCase()}`);
  }
});

test('USF: factor × the safe-harbour portion, and never more than portion × factor', () => {
  const lines = [charge('service_fee', 10_000)];
  const table: [string, UsfFee, string, number][] = [
    // 100.00 × 64.9% = 64.90 subject; × 36.2% = 23.4938 → 23.49
    ['pass-through', usf(), 'USF 36.2% × 64.9% interstate', 2_349],
    // a recovery rate above the factor is capped at the factor: still 23.49
    [
      'recovery above factor',
      usf({ recoveryRates: [{ from: '2026-01-01', ppm: 400_000 }] }),
      'USF 36.2% × 64.9% interstate',
      2_349,
    ],
    // recovering less than the factor is allowed: 64.90 × 30% = 19.47
    [
      'recovery below factor',
      usf({ recoveryRates: [{ from: '2026-01-01', ppm: 300_000 }] }),
      'USF 30% × 64.9% interstate',
      1_947,
    ],
    // a traffic-study share instead of the safe harbour: 100.00 × 50% × 36.2% = 18.10
    [
      'other portion',
      usf({ safeHarbour: [{ from: '2026-01-01', ppm: 500_000 }] }),
      'USF 36.2% × 50% interstate',
      1_810,
    ],
  ];
  for (const [name, fee, description, amount] of table) {
    assert.deepEqual(
      brief(regulatoryFees({ fees: [fee] }, context(), lines)),
      [['usf', description, amount]],
      name,
    );
  }
  // One rounding for portion × factor: 1.55 × 64.9% × 36.2% = 0.3641539 → 0.36. Rounding the
  // portion first (1.00595 → 1.01) would give 1.01 × 36.2% = 0.36562 → 0.37.
  assert.equal(regulatoryFees({ fees: [usf()] }, context(), [charge('service_fee', 155)])[0]!.amount, 36);
});

test('USF cap holds for any base and any recovery rate (property)', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 1e9 }),
      fc.integer({ min: 0, max: 1_000_000 }),
      (base, recovery) => {
        const fee = usf({ recoveryRates: [{ from: '2026-01-01', ppm: recovery }] });
        const [line] = regulatoryFees({ fees: [fee] }, context(), [charge('service_fee', base)]);
        const amount = line?.amount ?? 0;
        // portion × factor, exactly, in units of 1e-12 of a cent: the line is within half a cent of it or below.
        const cap = BigInt(base) * 649_000n * 362_000n;
        assert.ok(BigInt(amount) * 10n ** 12n <= cap + 5n * 10n ** 11n, `${base} ${recovery} → ${amount}`);
        assert.ok(amount >= 0);
      },
    ),
  );
});

test('a fee applies only to the line types it lists', () => {
  const lines = [
    charge('service_fee', 10_000),
    charge('standard_numbers', 1_500),
    charge('rental', 5_000), // equipment rental: no regulatory fee
    charge('one_time', 20_000), // equipment purchase: none either
    charge('circuit', 8_000),
    charge('international', 1_000), // USF lists international, RRF does not
  ];
  const fees = regulatoryFees({ fees: [rrf, usf()] }, context(), lines);
  assert.deepEqual(brief(fees), [
    ['rrf', 'RRF 3.55%', 408], // 115.00 × 3.55% = 4.0825 → 4.08
    ['usf', 'USF 36.2% × 64.9% interstate', 2_937], // 125.00 × 64.9% × 36.2% = 29.36725 → 29.37
  ]);
});

test('USF factor is effective-dated by quarter, and a missing quarter stops the bill', () => {
  const lines = [charge('service_fee', 10_000)];
  const table: [string, number | null][] = [
    ['2026-06-30', 2_408], // Q2 37.1%: 64.90 × 37.1% = 24.0779
    ['2026-07-01', 2_349], // Q3 36.2%: 23.4938
    ['2026-09-30', 2_349],
    ['2026-10-01', 2_317], // Q4 35.7%: 23.1693
    ['2026-12-01', 2_317],
    ['2026-03-01', null], // before the first factor on record: no USF line
  ];
  for (const [issueDate, amount] of table) {
    const fees = regulatoryFees({ fees: [usf()] }, context({ issueDate }), lines);
    assert.deepEqual(
      fees.map((l) => l.amount),
      amount === null ? [] : [amount],
      issueDate,
    );
  }
  assert.throws(() => regulatoryFees({ fees: [usf()] }, context({ issueDate: '2027-01-01' }), lines), {
    code: 'usf_factor_missing',
  });
  assert.deepEqual(usfRateOn(usf(), '2026-08-01'), {
    factor: 362_000,
    safeHarbour: 649_000,
    recovered: 362_000,
  });
});

test('fees apply in the countries listed: US by default, Canada where configured, not Mexico', () => {
  const lines = [charge('service_fee', 10_000)];
  const schedule: FeeSchedule = { fees: [{ ...rrf, countries: ['US', 'CA'] }, slrrf, usf()] };
  const codes = (address: BillingContext['address']) =>
    regulatoryFees(schedule, context({ address }), lines).map((l) => l.lineType);
  assert.deepEqual(codes({ country: 'US', state: 'TX' }), ['rrf', 'slrrf', 'usf']);
  assert.deepEqual(codes({ country: 'CA', state: 'ON' }), ['rrf']);
  assert.deepEqual(codes({ country: 'MX', state: 'JAL' }), []);
});

test('fee order: a fee is on another fee only when it lists it, and only after it', () => {
  const lines = [charge('service_fee', 10_000)];
  // USF on charges + RRF: (100.00 + 3.55) × 64.9% × 36.2% = 24.3278... → 24.33 (vs 23.49 without)
  const onRrf = usf({ appliesTo: [...SERVICE, 'rrf'] });
  assert.deepEqual(
    regulatoryFees({ fees: [rrf, onRrf] }, context(), lines).map((l) => l.amount),
    [355, 2_433],
  );
  assert.throws(() => validateFeeSchedule({ fees: [onRrf, rrf] }), { code: 'fee_order' });
  assert.throws(() => validateFeeSchedule({ fees: [{ ...rrf, appliesTo: ['rrf'] }] }), {
    code: 'fee_on_itself',
  });
  assert.throws(() => validateFeeSchedule({ fees: [rrf, rrf] }), { code: 'duplicate_fee' });
  assert.throws(() => feeStage({ fees: [onRrf, rrf] }), { code: 'fee_order' });
});

test('no charges of a listed type, no fee line; credits give a negative fee', () => {
  assert.deepEqual(regulatoryFees({ fees: [rrf] }, context(), [charge('rental', 5_000)]), []);
  assert.deepEqual(regulatoryFees({ fees: [rrf] }, context(), []), []);
  assert.deepEqual(
    regulatoryFees({ fees: [rrf] }, context(), [
      charge('service_fee', 1_000),
      charge('partial_charges', -3_000),
    ]).map((l) => l.amount),
    [-71], // -20.00 × 3.55% = -0.71
  );
});

test('feeStage is an invoice stage: it sees the lines before it and adds one line per fee', () => {
  const stage = feeStage<BillingContext>({ fees: [rrf, slrrf, usf()] });
  const lines = stage.lines(context(), [charge('service_fee', 24_990), charge('standard_numbers', 1_500)]);
  assert.equal(stage.name, 'regulatory-fees');
  assert.deepEqual(
    lines.map((l) => [l.lineType, l.itemCode, l.quantity, l.unitPrice, l.amount]),
    [
      ['rrf', 'fee.rrf', 1, 940, 940], // 264.90 × 3.55% = 9.40395
      ['slrrf', 'fee.slrrf.US-TX', 1, 477, 477], // 264.90 × 1.8% = 4.7682
      ['usf', 'fee.usf', 1, 6_224, 6_224], // 264.90 × 64.9% × 36.2% = 62.2350762
    ],
  );
});

test('quarterFactor builds a quarter row', () => {
  assert.deepEqual(quarterFactor('2026-Q3', 362_000), { from: '2026-07-01', to: '2026-09-30', ppm: 362_000 });
  assert.deepEqual(quarterFactor('2027-Q1', 1), { from: '2027-01-01', to: '2027-03-31', ppm: 1 });
  assert.throws(() => quarterFactor('2026-Q5', 1), { code: 'invalid_quarter' });
});
