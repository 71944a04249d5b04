import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isBillingError } from '../../../kernel/index.ts';
import type { AccountCallingContext } from './classify.ts';
import { demoDeck } from './demo-decks.ts';
import { RateDeck, type RateEntry } from './rate-deck.ts';
import {
  type CallDetailRecord,
  DEFAULT_PLAN_TERMS,
  type RatedUsageMonth,
  type UsageMonthInput,
  rateMonth,
} from './rating.ts';

const usAccount: AccountCallingContext = {
  billingCountry: 'US',
  extensions: new Set(['101', '102', '103']),
  ownNumbers: new Set(['+13125550100', '+13125550101']),
  tollFreeNumbers: new Set(['+18005550100']),
};

/** 5 minutes × 2 devices = 600 included seconds; dock-1 and dock-2 are low-usage devices. */
const input = (calls: CallDetailRecord[], over: Partial<UsageMonthInput> = {}): UsageMonthInput => ({
  month: '2026-03',
  currency: 'USD',
  timeZone: 'America/Chicago',
  billingStartDate: '2026-01-01',
  account: usAccount,
  plan: { includedMinutesPerDevice: 5, billableDevices: 2, ...DEFAULT_PLAN_TERMS },
  lowUsageDevices: new Set(['dock-1', 'dock-2']),
  deck: demoDeck('USD'),
  calls,
  ...over,
});

const rate = (calls: CallDetailRecord[], over: Partial<UsageMonthInput> = {}) =>
  rateMonth(input(calls, over));

let sequence = 0;
const cdr = (
  at: string,
  durationSeconds: number,
  origin: string,
  destination: string,
  over: Partial<CallDetailRecord> = {},
): CallDetailRecord => ({
  callId: `c${++sequence}`,
  startedAt: Date.parse(at),
  durationSeconds,
  direction: 'outbound',
  origin,
  destination,
  originDevice: 'desk-1',
  ...over,
});

/** [callType, billable, included, charged, amount] per rated call. */
const brief = (r: RatedUsageMonth) =>
  r.calls.map((c) => [c.callType, c.billableSeconds, c.includedSeconds, c.chargedSeconds, c.amount]);
/** [lineType, description, seconds, rate, amount] per line. */
const lines = (r: RatedUsageMonth) =>
  r.lines.map((l) => [l.lineType, l.description, l.quantity, l.unitPrice, l.amount]);

test('USG-4: domestic calls at the nearest minute — 89 s is 1 minute, 90 s is 2', () => {
  const r = rate([
    cdr('2026-03-02T15:00:00Z', 89, '101', '+1 212 555 1234'),
    cdr('2026-03-02T16:00:00Z', 90, '101', '+1 212 555 1234'),
  ]);
  assert.deepEqual(brief(r), [
    ['domestic', 60, 60, 0, 0],
    ['domestic', 120, 120, 0, 0],
  ]);
  assert.deepEqual(lines(r), [['plan_minutes', 'Plan minutes (included)', 180, 0, 0]]);
  assert.equal(r.total, 0);
  assert.deepEqual(
    [r.lines[0]!.quantityUnit, r.lines[0]!.periodStart, r.lines[0]!.periodEnd],
    ['second', '2026-03-01', '2026-03-31'],
  );
});

test('USG-3: extension calls count as outbound minutes; the call crossing the allowance is split', () => {
  const ext = cdr('2026-03-03T15:00:00Z', 240, '101', '102');
  const first = cdr('2026-03-04T15:00:00Z', 240, '101', '+1 212 555 1234');
  const crossing = cdr('2026-03-05T15:00:00Z', 300, '+1 312 555 0100', '+1 646 555 0123');
  const after = cdr('2026-03-06T15:00:00Z', 61, '101', '+1 646 555 0123');
  // Out of order on purpose: allowance goes in start order, whatever the CDR order.
  const r = rate([crossing, after, ext, first]);
  assert.deepEqual(
    r.calls.map((c) => c.callId),
    [ext, first, crossing, after].map((c) => c.callId),
  );
  assert.deepEqual(brief(r), [
    ['extension', 240, 240, 0, 0],
    ['domestic', 240, 240, 0, 0],
    ['domestic', 300, 120, 180, 6], // 2 min included + 3 min × 0.02
    ['domestic', 60, 0, 60, 2],
  ]);
  assert.deepEqual(lines(r), [
    ['plan_minutes', 'Plan minutes (included)', 600, 0, 0],
    ['outbound_overage', 'Outbound overage minutes', 240, 20_000, 8],
  ]);
  assert.deepEqual(
    r.calls.map((c) => [c.line, c.ratePerMinute]),
    [
      [-1, 20_000],
      [-1, 20_000],
      [1, 20_000],
      [1, 20_000],
    ],
  );
  assert.equal(r.total, 8);
});

test('CAT-4: a low-usage device uses its own 50 off-net minutes, then pays per minute', () => {
  const r = rate([
    cdr('2026-03-02T15:00:00Z', 2400, '103', '+1 212 555 1234', { originDevice: 'dock-1' }), // 40 min
    cdr('2026-03-03T15:00:00Z', 120, '103', '101', { originDevice: 'dock-1' }), // on-net: not metered
    cdr('2026-03-04T15:00:00Z', 900, '103', '+1 212 555 1234', { originDevice: 'dock-1' }), // 15 min
    cdr('2026-03-05T15:00:00Z', 600, '102', '+1 212 555 1234', { originDevice: 'dock-2' }), // own pool
    cdr('2026-03-06T15:00:00Z', 120, '103', '+44 20 7946 0000', { originDevice: 'dock-1' }), // deck
    cdr('2026-03-07T15:00:00Z', 60, '101', '+1 212 555 1234', { originDevice: 'desk-1' }),
  ]);
  assert.deepEqual(brief(r), [
    ['domestic', 2400, 2400, 0, 0],
    ['extension', 120, 0, 0, 0],
    ['domestic', 900, 600, 300, 10], // 10 of its 50 minutes left; 5 min × 0.02
    ['domestic', 600, 600, 0, 0],
    ['international', 120, 0, 120, 2], // London 0.008 × 2 = 0.016
    ['domestic', 60, 60, 0, 0],
  ]);
  assert.deepEqual(lines(r), [
    ['plan_minutes', 'Plan minutes (included)', 60, 0, 0],
    ['low_usage_minutes', 'Low-usage device minutes beyond the 50 included', 300, 20_000, 10],
    ['international', 'United Kingdom - London', 120, 8_000, 2],
  ]);
});

test('premium domestic (+1 787 555, +1 900) is priced by the deck, never from plan minutes', () => {
  const r = rate([
    cdr('2026-03-02T15:00:00Z', 125, '101', '+1 787 555 0123'), // per second: 0.99 × 125/60 = 2.0625
    cdr('2026-03-02T16:00:00Z', 60, '101', '+1 900 555 0199'),
    cdr('2026-03-02T17:00:00Z', 120, '101', '+1 787 234 5678'), // ordinary Puerto Rico: domestic
  ]);
  assert.deepEqual(brief(r), [
    ['premium_domestic', 125, 0, 125, 206],
    ['premium_domestic', 60, 0, 60, 199],
    ['domestic', 120, 120, 0, 0],
  ]);
  assert.deepEqual(lines(r), [
    ['plan_minutes', 'Plan minutes (included)', 120, 0, 0],
    ['premium_domestic', 'Puerto Rico - Premium (787-555)', 125, 990_000, 206],
    ['premium_domestic', 'United States - Premium (900)', 60, 1_990_000, 199],
  ]);
  assert.deepEqual(
    r.lines.map((l) => l.itemCode),
    [null, '1787555', '1900'],
  );
});

test('Irish premium +353 84: international from the US, premium domestic for an Irish account', () => {
  const fromUs = rate([
    cdr('2026-03-02T15:00:00Z', 60, '101', '+353 84 123 4567'),
    cdr('2026-03-02T16:00:00Z', 60, '101', '+353 86 123 4567'),
  ]);
  assert.deepEqual(lines(fromUs), [
    ['international', 'Ireland - Mobile', 60, 60_000, 6],
    ['international', 'Ireland - Premium', 60, 850_000, 85],
  ]);
  const ieAccount = {
    billingCountry: 'IE',
    extensions: new Set(['10']),
    ownNumbers: new Set<string>(),
    tollFreeNumbers: new Set<string>(),
  };
  const inIreland = rate([cdr('2026-03-02T15:00:00Z', 30, '10', '084 123 4567')], {
    account: ieAccount,
    timeZone: 'Europe/Dublin',
  });
  assert.deepEqual(brief(inIreland), [['premium_domestic', 30, 0, 30, 38]]); // 0.75 × 0.5 = 0.375
  assert.deepEqual(inIreland.calls[0]!.destination, '+353841234567');
});

test('toll-free inbound is rated; plain inbound is free', () => {
  const r = rate([
    cdr('2026-03-02T15:00:00Z', 150, '+1 212 555 1234', '+1 800 555 0100', { direction: 'inbound' }),
    cdr('2026-03-02T16:00:00Z', 600, '+1 212 555 1234', '+1 312 555 0100', { direction: 'inbound' }),
    cdr('2026-03-02T17:00:00Z', 45, '+52 55 1234 5678', '102', { direction: 'inbound' }),
  ]);
  assert.deepEqual(brief(r), [
    ['toll_free_inbound', 180, 0, 180, 8], // 3 min × 0.025 = 0.075 → 0.08
    ['inbound', 600, 0, 0, 0],
    ['inbound', 60, 0, 0, 0],
  ]);
  assert.deepEqual(lines(r), [['toll_free', 'Toll-free inbound (800)', 180, 25_000, 8]]);
  assert.deepEqual(
    r.calls.map((c) => [c.ratePerMinute, c.line]),
    [
      [25_000, 0],
      [0, -1],
      [0, -1],
    ],
  );
});

test('international by longest prefix (52 vs 5233 vs 5255); Brazil mobile 6 s, Brazil fixed by the minute', () => {
  const r = rate([
    cdr('2026-03-02T15:00:00Z', 120, '101', '+52 55 1234 5678'), // 5255: 0.010 × 2
    cdr('2026-03-02T15:10:00Z', 120, '101', '+52 33 1234 5678'), // 5233: 0.011 × 2 = 0.022
    cdr('2026-03-02T15:20:00Z', 120, '101', '+52 222 123 4567'), // 52:   0.015 × 2
    cdr('2026-03-02T15:30:00Z', 20, '101', '+55 11 98765 4321'), // → 30 s
    cdr('2026-03-02T15:40:00Z', 31, '101', '+55 11 98765 4321'), // → 36 s
    cdr('2026-03-02T15:50:00Z', 89, '101', '+55 21 3333 4444'), // fixed: 89 s → 1 min
    cdr('2026-03-02T16:00:00Z', 90, '101', '+55 21 3333 4444'), // fixed: 90 s → 2 min
  ]);
  assert.deepEqual(brief(r), [
    ['international', 120, 0, 120, 2],
    ['international', 120, 0, 120, 2],
    ['international', 120, 0, 120, 3],
    ['international', 30, 0, 30, 4],
    ['international', 36, 0, 36, 5],
    ['international', 60, 0, 60, 2],
    ['international', 120, 0, 120, 4],
  ]);
  assert.deepEqual(
    r.calls.map((c) => c.rounding),
    [
      'nearest-minute',
      'nearest-minute',
      'nearest-minute',
      'br-mobile-6s',
      'br-mobile-6s',
      'nearest-minute',
      'nearest-minute',
    ],
  );
  // Brazil mobile line: 66 s × 0.085 / 60 = 0.0935 → 0.09, split 4 + 5 by largest remainder.
  assert.deepEqual(lines(r), [
    ['international', 'Brazil - Mobile (11)', 66, 85_000, 9],
    ['international', 'Brazil - Rio de Janeiro', 180, 20_000, 6],
    ['international', 'Mexico', 120, 15_000, 3],
    ['international', 'Mexico - Guadalajara', 120, 11_000, 2],
    ['international', 'Mexico - Mexico City', 120, 10_000, 2],
  ]);
  assert.equal(r.total, 22);
});

test('per-call amounts are shares of the line amount, rounded once per line', () => {
  // 7 calls of 31 s → 36 s each: 252 s × 0.085 / 60 = 0.357 → 0.36, not 7 × 0.05 = 0.35.
  const calls = Array.from({ length: 7 }, (_, i) =>
    cdr(`2026-03-0${i + 2}T15:00:00Z`, 31, '101', '+55 11 98765 4321'),
  );
  const r = rate(calls);
  assert.deepEqual(lines(r), [['international', 'Brazil - Mobile (11)', 252, 85_000, 36]]);
  assert.deepEqual(
    r.calls.map((c) => c.amount),
    [6, 5, 5, 5, 5, 5, 5],
  );
});

test('CON-3: calls before the billing start date (in the account time zone) are neither counted nor charged', () => {
  const before = cdr('2026-03-10T04:30:00Z', 600, '101', '+1 212 555 1234'); // 9 March 23:30 CDT
  const beforeIntl = cdr('2026-03-10T04:59:59Z', 600, '101', '+44 20 7946 0000');
  const first = cdr('2026-03-10T05:00:00Z', 60, '101', '+1 212 555 1234'); // 10 March 00:00 CDT
  const february = cdr('2026-03-01T05:59:59Z', 60, '101', '+1 212 555 1234'); // 28 Feb 23:59:59 CST
  const april = cdr('2026-04-01T05:00:00Z', 60, '101', '+1 212 555 1234'); // 1 April 00:00 CDT
  const repeated = { ...first };
  const r = rate([before, beforeIntl, first, february, april, repeated], { billingStartDate: '2026-03-10' });
  assert.deepEqual(brief(r), [['domestic', 60, 60, 0, 0]]);
  assert.deepEqual(
    r.skipped.map((s) => [s.callId, s.reason]),
    [
      [february.callId, 'outside_month'],
      [before.callId, 'before_billing_start'],
      [beforeIntl.callId, 'before_billing_start'],
      [first.callId, 'duplicate'],
      [april.callId, 'outside_month'],
    ],
  );
  assert.deepEqual(lines(r), [['plan_minutes', 'Plan minutes (included)', 60, 0, 0]]);
  assert.deepEqual([r.lines[0]!.periodStart, r.lines[0]!.periodEnd], ['2026-03-10', '2026-03-31']);
  assert.equal(r.total, 0);
});

test('0-second (unanswered) calls are free of every kind', () => {
  const r = rate([
    cdr('2026-03-02T15:00:00Z', 0, '101', '+1 212 555 1234'),
    cdr('2026-03-02T15:01:00Z', 0, '101', '+44 20 7946 0000'),
    cdr('2026-03-02T15:02:00Z', 0, '101', '+1 787 555 0123'),
    cdr('2026-03-02T15:03:00Z', 0, '101', '+55 11 98765 4321'),
    cdr('2026-03-02T15:04:00Z', 0, '+1 212 555 1234', '+1 800 555 0100', { direction: 'inbound' }),
    cdr('2026-03-02T15:05:00Z', 0, '103', '+1 212 555 1234', { originDevice: 'dock-1' }),
  ]);
  assert.deepEqual(
    r.calls.map((c) => [c.billableSeconds, c.amount, c.line]),
    r.calls.map(() => [0, 0, -1]),
  );
  assert.equal(r.calls.length, 6);
  assert.deepEqual(r.lines, []);
  assert.equal(r.total, 0);
});

test('calls that cannot be rated are reported with a reason; the rest are rated', () => {
  const good = cdr('2026-03-02T15:00:00Z', 60, '101', '+1 212 555 1234');
  const r = rate([
    cdr('2026-03-02T15:01:00Z', 60, '101', 'abc'),
    cdr('2026-03-02T15:02:00Z', 60, '', '+1 212 555 1234'),
    cdr('2026-03-02T15:03:00Z', 60, '101', '999'),
    cdr('2026-03-02T15:04:00Z', 60, '101', '+800 1234 5678'),
    cdr('2026-03-02T15:05:00Z', -5, '101', '+1 212 555 1234'),
    cdr('2026-03-02T15:06:00Z', 1.5, '101', '+1 212 555 1234'),
    { ...cdr('2026-03-02T15:07:00Z', 60, '101', '+1 212 555 1234'), startedAt: Number.NaN },
    good,
  ]);
  assert.deepEqual(
    r.calls.map((c) => c.callId),
    [good.callId],
  );
  assert.deepEqual(
    r.rejected.map((x) => [x.reason, x.detail]),
    [
      ['invalid_duration', null],
      ['invalid_duration', null],
      ['invalid_start', null],
      ['invalid_destination', 'not_a_number'],
      ['invalid_origin', 'empty'],
      ['unknown_extension', null],
      ['no_international_rate', null],
    ],
  );
});

test('a rate change mid-month applies by the local date of each call', () => {
  const deck = new RateDeck('USD', [
    entry('52', 15_000),
    entry('5255', 10_000, { validTo: '2026-03-15' }),
    entry('5255', 9_000, { validFrom: '2026-03-16' }),
  ]);
  const r = rate(
    [
      cdr('2026-03-16T04:30:00Z', 120, '101', '+52 55 1234 5678'), // 15 March 23:30 in Chicago
      cdr('2026-03-16T05:30:00Z', 120, '101', '+52 55 1234 5678'), // 16 March 00:30
    ],
    { deck },
  );
  assert.deepEqual(lines(r), [
    ['international', 'Mexico City', 120, 10_000, 2],
    ['international', 'Mexico City', 120, 9_000, 2], // 0.018 → 0.02
  ]);
  assert.deepEqual(
    r.calls.map((c) => c.line),
    [0, 1],
  );
});

test('no plan minutes: every domestic minute is overage; rounding mode is a setting', () => {
  const calls = [cdr('2026-03-02T15:00:00Z', 90, '101', '+1 212 555 1234')];
  const plan = {
    includedMinutesPerDevice: 0,
    billableDevices: 0,
    ...DEFAULT_PLAN_TERMS,
    overageRatePerMinute: 12_500,
  };
  assert.deepEqual(lines(rate(calls, { plan })), [
    ['outbound_overage', 'Outbound overage minutes', 120, 12_500, 3],
  ]);
  assert.deepEqual(lines(rate(calls, { plan, roundingMode: 'half-even' })), [
    ['outbound_overage', 'Outbound overage minutes', 120, 12_500, 2],
  ]);
  const perSecond = { ...plan, rounding: 'per-second' as const };
  assert.deepEqual(lines(rate(calls, { plan: perSecond })), [
    ['outbound_overage', 'Outbound overage minutes', 90, 12_500, 2], // 0.01875
  ]);
});

test('configuration errors throw: deck in another currency, malformed plan', () => {
  const isCode = (code: string) => (e: unknown) => isBillingError(e) && e.code === code;
  assert.throws(() => rate([], { deck: demoDeck('MXN') }), isCode('deck_currency_mismatch'));
  const plan = { includedMinutesPerDevice: -1, billableDevices: 1, ...DEFAULT_PLAN_TERMS };
  assert.throws(() => rate([], { plan }), isCode('invalid_calling_plan'));
  const badRule = {
    includedMinutesPerDevice: 1,
    billableDevices: 1,
    ...DEFAULT_PLAN_TERMS,
    rounding: 'x' as never,
  };
  assert.throws(() => rate([], { plan: badRule }), isCode('invalid_calling_plan'));
});

test('property: per-call amounts add up exactly to their lines, and lines to the total', () => {
  const destinations: [string, string, Partial<CallDetailRecord>][] = [
    ['101', '+1 212 555 1234', {}],
    ['101', '102', {}],
    ['103', '+1 646 555 0123', { originDevice: 'dock-1' }],
    ['103', '+1 646 555 0123', { originDevice: 'dock-2' }],
    ['101', '+1 787 555 0123', {}],
    ['101', '+1 900 555 0199', {}],
    ['101', '+52 55 1234 5678', {}],
    ['101', '+52 222 123 4567', {}],
    ['101', '+55 11 98765 4321', {}],
    ['101', '+55 21 3333 4444', {}],
    ['101', '+353 84 123 4567', {}],
    ['101', '+8816 1234 5678', {}],
    ['+1 212 555 1234', '+1 800 555 0100', { direction: 'inbound' }],
    ['+1 212 555 1234', '+1 312 555 0100', { direction: 'inbound' }],
  ];
  const callArb = fc.record({
    kind: fc.integer({ min: 0, max: destinations.length - 1 }),
    minute: fc.integer({ min: 0, max: 31 * 24 * 60 - 1 }),
    seconds: fc.oneof(fc.integer({ min: 0, max: 120 }), fc.integer({ min: 0, max: 7200 })),
  });
  fc.assert(
    fc.property(
      fc.array(callArb, { maxLength: 120 }),
      fc.integer({ min: 0, max: 60 }),
      fc.constantFrom('half-up' as const, 'half-even' as const, 'up' as const, 'down' as const),
      (generated, minutes, roundingMode) => {
        const calls = generated.map((g, i) => {
          const [from, to, over] = destinations[g.kind]!;
          return {
            ...cdr('2026-03-01T06:00:00Z', g.seconds, from, to, over),
            callId: `p${i}`,
            startedAt: Date.parse('2026-03-01T06:00:00Z') + g.minute * 60_000,
          };
        });
        const planCalls = new Set(calls.filter((_, i) => generated[i]!.kind < 2).map((c) => c.callId));
        const plan = { includedMinutesPerDevice: minutes, billableDevices: 3, ...DEFAULT_PLAN_TERMS };
        const r = rate(calls, { plan, roundingMode });
        assert.equal(r.rejected.length, 0);
        assert.equal(r.calls.length + r.skipped.length, calls.length);
        const perLine = new Map<number, number>();
        const secondsPerLine = new Map<number, number>();
        for (const c of r.calls) {
          // Free kinds (inbound, a low-usage device's on-net calls) neither draw nor charge.
          const free = c.ratePerMinute === 0;
          assert.equal(c.includedSeconds + c.chargedSeconds, free ? 0 : c.billableSeconds);
          if (c.line < 0) {
            assert.equal(c.amount, 0);
            continue;
          }
          perLine.set(c.line, (perLine.get(c.line) ?? 0) + c.amount);
          secondsPerLine.set(c.line, (secondsPerLine.get(c.line) ?? 0) + c.chargedSeconds);
          // Within 1 of its exact share of the rounded line, and the line within 1 of exact.
          const exact = (c.ratePerMinute * c.chargedSeconds) / 600_000;
          assert.ok(Math.abs(c.amount - exact) < 2, `${c.callId}: ${c.amount} vs ${exact}`);
        }
        r.lines.forEach((l, i) => {
          if (l.lineType === 'plan_minutes') {
            const planSeconds = r.calls
              .filter((c) => planCalls.has(c.callId))
              .reduce((s, c) => s + c.includedSeconds, 0);
            assert.ok(l.quantity <= minutes * 3 * 60, 'plan minutes within the allowance');
            assert.equal(l.amount, 0);
            assert.equal(planSeconds, l.quantity);
            return;
          }
          assert.equal(perLine.get(i) ?? 0, l.amount, `${l.lineType} ${l.description}`);
          for (const c of r.calls.filter((x) => x.line === i)) {
            const share = (l.amount * c.chargedSeconds) / l.quantity;
            assert.ok(Math.abs(c.amount - share) < 1, `${c.callId}: ${c.amount} vs share ${share}`);
          }
          assert.equal(secondsPerLine.get(i) ?? 0, l.quantity);
        });
        assert.equal(
          r.calls.reduce((s, c) => s + c.amount, 0),
          r.total,
        );
        assert.equal(
          r.lines.reduce((s, l) => s + l.amount, 0),
          r.total,
        );
      },
    ),
    { numRuns: 200 },
  );
});

function entry(prefix: string, ratePerMinute: number, over: Partial<RateEntry> = {}): RateEntry {
  return {
    prefix,
    description: prefix === '52' ? 'Mexico' : 'Mexico City',
    callType: 'international',
    ratePerMinute,
    rounding: 'nearest-minute',
    validFrom: '2026-01-01',
    validTo: null,
    ...over,
  };
}

test('late CDRs continue from the allowance their month already drew (USG-3), plan and low-usage', () => {
  const late = [
    cdr('2026-03-20T15:00:00Z', 240, '101', '+1 212 555 1234'),
    cdr('2026-03-21T15:00:00Z', 600, '101', '+1 212 555 1234', { originDevice: 'dock-1' }),
  ];
  // 540 of the 600 plan seconds and 2,700 of dock-1's 3,000 were billed with the month.
  const r = rate(late, {
    allowanceUsed: { planSeconds: 540, lowUsageSecondsByDevice: new Map([['dock-1', 2_700]]) },
  });
  assert.deepEqual(brief(r), [
    ['domestic', 240, 60, 180, 6],
    ['domestic', 600, 300, 300, 10],
  ]);
  assert.deepEqual(
    r.calls.map((c) => c.allowance),
    ['plan', 'dock-1'],
    'what each call drew on, to add up what a month has used',
  );
  // More used than the month had (a plan changed since): nothing is left, never a negative allowance.
  const over = rate([late[0]!], {
    allowanceUsed: { planSeconds: 9_999, lowUsageSecondsByDevice: new Map() },
  });
  assert.deepEqual(brief(over), [['domestic', 240, 0, 240, 8]]);
});

test('working arrays reused between months: a result never depends on what was rated before', () => {
  const kinds = ['+1 212 555 1234', '+52 55 1234 5678', '102', '+1 787 555 0100'];
  const month = (n: number, seed: number) =>
    Array.from({ length: n }, (_, i) =>
      cdr(
        `2026-03-${String(1 + ((i * 7 + seed) % 28)).padStart(2, '0')}T15:00:00Z`,
        (i * 37 + seed) % 400,
        i % 5 === 0 ? 'dock-1' : '101',
        kinds[(i + seed) % kinds.length]!,
        { originDevice: i % 5 === 0 ? 'dock-1' : 'desk-1' },
      ),
    );
  const small = month(300, 1);
  const other = month(40, 2);
  // More calls than the arrays kept between months hold: rated on arrays of its own.
  const large = month(70_000, 3);
  const first = rateMonth(input(small));
  const firstOther = rateMonth(input(other));
  const firstLarge = rateMonth(input(large));
  assert.deepEqual(rateMonth(input(other)), firstOther);
  assert.deepEqual(rateMonth(input(small)), first);
  assert.deepEqual(rateMonth(input(large)), firstLarge);
  assert.deepEqual(rateMonth(input(small)), first);
  assert.equal(first.calls.length + first.rejected.length + first.skipped.length, 300);
  assert.ok(first.total > 0);
});
