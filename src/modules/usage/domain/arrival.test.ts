import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { AccountCallingContext } from './classify.ts';
import { demoDeck } from './demo-decks.ts';
import { RateDeck } from './rate-deck.ts';
import {
  type ArrivalRating,
  ArrivalTotals,
  type UsageSum,
  arrivalContext,
  detailAllocator,
  priceUsageMonth,
  rateArrival,
  unrated,
} from './arrival.ts';
import { type CallDetailRecord, type CallingPlan, DEFAULT_PLAN_TERMS, rateMonth } from './rating.ts';

// The product rates a call when it arrives and prices a month from sums (arrival.ts); rateMonth
// rates a whole month in memory, call by call. Both must bill the same lines to the cent, and the
// call details replayed from the sums must split the same calls the same way.

const account: AccountCallingContext = {
  billingCountry: 'US',
  extensions: new Set(['101', '102', '103', '301']),
  ownNumbers: new Set(['+13125550100']),
  tollFreeNumbers: new Set(['+18005550100']),
};
const lowUsageDevices = new Set(['301']);
const deck = demoDeck('USD');
const MONTH = '2026-03';
const TIME_ZONE = 'America/Chicago';

const context = (billingStartDate: string) =>
  arrivalContext({
    month: MONTH,
    timeZone: TIME_ZONE,
    billingStartDate,
    account,
    lowUsageDevices,
    deck,
    planRounding: 'nearest-minute',
  });

const NUMBERS = [
  '+12125551234', // domestic
  '+13125550100', // own number
  '+17875551000', // premium domestic (Puerto Rico)
  '+5511987654321', // Brazil mobile: 6-second steps
  '+551134567890', // Brazil fixed
  '+442079460000', // UK
  '+525512345678', // Mexico City
  '102',
  '103',
  '301',
];

const call = fc.record({
  day: fc.integer({ min: 1, max: 31 }),
  minute: fc.integer({ min: 0, max: 24 * 60 - 1 }),
  durationSeconds: fc.oneof(fc.constantFrom(0, 20, 30, 31, 89, 90), fc.integer({ min: 0, max: 3600 })),
  from: fc.constantFrom('101', '102', '301', '+16465550000'),
  to: fc.constantFrom(...NUMBERS, '+18005550100'),
});

function cdrs(raw: (typeof call extends fc.Arbitrary<infer T> ? T : never)[]): CallDetailRecord[] {
  return raw.map((c, i) => {
    const inbound = c.from.startsWith('+');
    return {
      callId: `c${String(i).padStart(4, '0')}`,
      // 1–31 March, local time (the month is in Chicago time; 6 h after UTC midnight is inside).
      startedAt: Date.UTC(2026, 2, c.day, 6, 0) + c.minute * 60_000,
      durationSeconds: c.durationSeconds,
      direction: inbound ? 'inbound' : 'outbound',
      origin: c.from,
      destination: inbound ? (c.to.startsWith('+1800') ? c.to : '+13125550100') : c.to,
      originDevice: inbound ? null : c.from,
    };
  });
}

const inMonth = (c: CallDetailRecord) => c.startedAt < Date.UTC(2026, 3, 1, 5, 0);

function sumsOf(rated: { rating: ArrivalRating }[]): UsageSum[] {
  const sums = new Map<string, UsageSum>();
  for (const { rating: r } of rated) {
    if (r.callType === null || r.callType === 'before_billing_start') continue;
    const key = `${r.callType}|${r.allowance}|${r.rate?.prefix}|${r.rate?.validFrom}`;
    const s = sums.get(key);
    if (s) s.billableSeconds += r.billableSeconds;
    else
      sums.set(key, {
        callType: r.callType,
        allowance: r.allowance,
        rate: r.rate,
        billableSeconds: r.billableSeconds,
      });
  }
  return [...sums.values()];
}

const startOrder = (a: CallDetailRecord, b: CallDetailRecord) =>
  a.startedAt - b.startedAt || (a.callId < b.callId ? -1 : 1);

test('rating on arrival + pricing the sums bills what rating the whole month bills, call details included', () => {
  fc.assert(
    fc.property(
      fc.array(call, { maxLength: 60 }),
      fc.integer({ min: 0, max: 40 }),
      fc.constantFrom('2026-01-01', '2026-03-15'),
      (raw, included, billingStartDate) => {
        const calls = cdrs(raw).filter(inMonth);
        const plan: CallingPlan = {
          ...DEFAULT_PLAN_TERMS,
          includedMinutesPerDevice: included,
          billableDevices: 2,
        };
        const whole = rateMonth({
          month: MONTH,
          currency: 'USD',
          timeZone: TIME_ZONE,
          billingStartDate,
          account,
          plan,
          lowUsageDevices,
          deck,
          calls,
        });
        const cx = context(billingStartDate);
        const rated = calls.map((c) => ({ call: c, rating: rateArrival(c, cx) }));
        // Written into one object again and again, each call's rating is the same.
        const into = unrated('not rated yet');
        for (const r of rated) {
          const again = rateArrival(r.call, cx, into);
          assert.deepEqual(again, r.rating, r.call.callId);
          if (r.rating.callType !== null && r.rating.callType !== 'before_billing_start')
            assert.equal(again, into);
        }
        const priced = priceUsageMonth(
          { month: MONTH, currency: 'USD', billingStartDate, plan },
          sumsOf(rated),
        );
        assert.deepEqual(priced.lines, whole.lines);

        // Rejected and skipped calls are the same calls.
        assert.deepEqual(
          rated.filter((r) => r.rating.callType === null).map((r) => [r.call.callId, r.rating.unratedReason]),
          whole.rejected.map((r) => [r.callId, r.reason]).sort(([a], [b]) => (a! < b! ? -1 : 1)),
        );

        // Call details: replayed in start order, the same split, amounts that add up to each line.
        const charge = detailAllocator({
          currency: 'USD',
          planAvailable: priced.allowances.planAvailable,
          lowUsage: priced.allowances.lowUsage,
          overageRate: plan.overageRatePerMinute,
          lowUsageRate: plan.lowUsageRatePerMinute,
        });
        const byId = new Map(whole.calls.map((c) => [c.callId, c]));
        let detailTotal = 0;
        for (const { call: c, rating: r } of [...rated].sort((a, b) => startOrder(a.call, b.call))) {
          if (r.callType === null || r.callType === 'before_billing_start') continue;
          const d = charge({
            callType: r.callType,
            allowance: r.allowance,
            billableSeconds: r.billableSeconds,
            ratePerMinute: r.rate?.ratePerMinute ?? null,
            ratePrefix: r.rate?.prefix ?? null,
            rateFrom: r.rate?.validFrom ?? null,
          });
          const w = byId.get(c.callId)!;
          assert.deepEqual(
            [r.callType, r.billableSeconds, d.includedSeconds, d.chargedSeconds],
            [w.callType, w.billableSeconds, w.includedSeconds, w.chargedSeconds],
            c.callId,
          );
          // Within one minor unit of the call's exact charge.
          const exact = (d.ratePerMinute * d.chargedSeconds) / 60 / 10_000;
          assert.ok(Math.abs(d.amount - exact) <= 1, `${c.callId}: ${d.amount} vs ${exact}`);
          detailTotal += d.amount;
        }
        assert.equal(detailTotal, whole.total);
      },
    ),
    { numRuns: 300 },
  );
});

test('calls that arrive after their month was billed go on from the allowance left (USG-3)', () => {
  fc.assert(
    fc.property(fc.array(call, { minLength: 1, maxLength: 40 }), fc.nat(), (raw, cut) => {
      const calls = cdrs(raw).filter(inMonth);
      const plan: CallingPlan = { ...DEFAULT_PLAN_TERMS, includedMinutesPerDevice: 3, billableDevices: 2 };
      const cx = context('2026-01-01');
      const split = calls.length === 0 ? 0 : cut % calls.length;
      const first = calls.slice(0, split).map((c) => ({ rating: rateArrival(c, cx) }));
      const late = calls.slice(split).map((c) => ({ rating: rateArrival(c, cx) }));
      const base = { month: MONTH, currency: 'USD', billingStartDate: '2026-01-01', plan };
      const one = priceUsageMonth(base, sumsOf(first));
      const two = priceUsageMonth(
        {
          ...base,
          drawnBefore: {
            planSeconds: one.allowances.planDrawn,
            lowUsageSecondsByDevice: new Map(
              Object.entries(one.allowances.lowUsage).map(([d, a]) => [d, a.drawn]),
            ),
          },
        },
        sumsOf(late),
      );
      const reference = rateMonth({
        ...base,
        timeZone: TIME_ZONE,
        account,
        lowUsageDevices,
        deck,
        calls: calls.slice(split),
        allowanceUsed: {
          planSeconds: one.allowances.planDrawn,
          lowUsageSecondsByDevice: new Map(
            Object.entries(one.allowances.lowUsage).map(([d, a]) => [d, a.drawn]),
          ),
        },
      });
      assert.deepEqual(two.lines, reference.lines);
      // Together they never draw more than the plan includes.
      assert.ok(one.allowances.planDrawn + two.allowances.planDrawn <= 3 * 2 * 60);
    }),
    { numRuns: 200 },
  );
});

test('on arrival: the SPEC examples, one call at a time', () => {
  const cx = context('2026-03-10');
  const at = (day: number) => Date.UTC(2026, 2, day, 16, 0);
  const one = (day: number, seconds: number, origin: string, destination: string) =>
    rateArrival(
      {
        startedAt: at(day),
        durationSeconds: seconds,
        direction: 'outbound',
        origin,
        destination,
        originDevice: origin,
      },
      cx,
    );
  const brief = (r: ArrivalRating) => [
    r.callType,
    r.rounding,
    r.billableSeconds,
    r.allowance,
    r.rate?.prefix ?? null,
  ];
  assert.deepEqual(brief(one(12, 89, '101', '+12125551234')), [
    'domestic',
    'nearest-minute',
    60,
    'plan',
    null,
  ]);
  assert.deepEqual(brief(one(12, 90, '101', '+12125551234')), [
    'domestic',
    'nearest-minute',
    120,
    'plan',
    null,
  ]);
  assert.deepEqual(brief(one(12, 20, '101', '+5511987654321')), [
    'international',
    'br-mobile-6s',
    30,
    null,
    '55119',
  ]);
  assert.deepEqual(brief(one(12, 31, '101', '+5511987654321')), [
    'international',
    'br-mobile-6s',
    36,
    null,
    '55119',
  ]);
  assert.deepEqual(brief(one(12, 89, '101', '+551134567890')).slice(0, 3), [
    'international',
    'nearest-minute',
    60,
  ]);
  assert.deepEqual(brief(one(12, 89, '101', '102')), ['extension', 'nearest-minute', 60, 'plan', null]);
  // CAT-4: a low-usage device's off-net call draws on its own minutes; on-net it is not metered.
  assert.deepEqual(brief(one(12, 600, '301', '+12125551234')), [
    'domestic',
    'nearest-minute',
    600,
    '301',
    null,
  ]);
  assert.deepEqual(brief(one(12, 600, '301', '102')), ['extension', 'nearest-minute', 600, null, null]);
  // CON-3: before the billing start, nothing is counted.
  assert.deepEqual(brief(one(9, 600, '101', '+12125551234')), ['before_billing_start', null, 0, null, null]);
  // Not rated, with the reason: an extension the account does not have.
  assert.equal(one(12, 60, '101', '999').unratedReason, 'unknown_extension');
});

test('a deck rate valid from a date applies from local midnight, across daylight-saving changes', () => {
  // A new UK rate every day: the rate a call gets names the local date it started on.
  const daily = (month: string, days: number) =>
    Array.from({ length: days }, (_, d) => {
      const date = `${month}-${String(d + 1).padStart(2, '0')}`;
      return {
        prefix: '44',
        description: `UK ${date}`,
        callType: 'international' as const,
        ratePerMinute: 1000 + d,
        rounding: 'per-second' as const,
        validFrom: date,
        validTo: date,
      };
    });
  for (const [month, zone, days] of [
    ['2026-03', 'America/Chicago', 31], // spring forward on 8 March
    ['2026-11', 'America/Chicago', 30], // fall back on 1 November
    ['2026-10', 'Australia/Lord_Howe', 31], // a half-hour change on 4 October
    ['2011-12', 'Pacific/Apia', 31], // 30 December 2011 never happened in Samoa
  ] as const) {
    const cx = arrivalContext({
      month,
      timeZone: zone,
      billingStartDate: '2000-01-01',
      account,
      lowUsageDevices,
      deck: new RateDeck('USD', daily(month, days)),
      planRounding: 'nearest-minute',
    });
    for (let d = 0; d < days; d++) {
      const from = cx.dayStarts[d]!;
      const to = cx.dayStarts[d + 1]!;
      if (to === from) continue; // a day the zone skipped
      for (const t of [from, from + 1, Math.floor((from + to) / 2), to - 1]) {
        const local = new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(t);
        const r = rateArrival(
          {
            startedAt: t,
            durationSeconds: 60,
            direction: 'outbound',
            origin: '101',
            destination: '+442079460000',
            originDevice: '101',
          },
          cx,
        );
        assert.equal(r.rate?.description, `UK ${local}`, `${zone} ${new Date(t).toISOString()}`);
      }
    }
  }
});

test('an import’s sums come out by account and month (as usage_totals is indexed), none lost', () => {
  const plan = (seconds: number): ArrivalRating => ({
    callType: 'domestic',
    rounding: 'nearest-minute',
    billableSeconds: seconds,
    allowance: 'plan',
    rate: null,
    unratedReason: null,
  });
  const tollFree: ArrivalRating = { ...plan(120), callType: 'toll_free_inbound', allowance: null };
  const totals = new ArrivalTotals();
  // Met in no order: accounts, months, and within a month its charges.
  const calls: [string, string, ArrivalRating][] = [
    ['acc_c', '2026-02', plan(60)],
    ['acc_a', '2026-02', tollFree],
    ['acc_c', '2026-01', plan(120)],
    ['acc_a', '2026-01', plan(60)],
    ['acc_b', '2026-01', plan(180)],
    ['acc_a', '2026-02', plan(60)],
    ['acc_a', '2026-02', tollFree],
    ['acc_c', '2026-02', plan(60)],
  ];
  for (const [accountId, month, rating] of calls) totals.add(accountId, month, rating);
  assert.deepEqual(
    totals.rows().map((t) => [t.accountId, t.usageMonth, t.callType, t.calls, t.billableSeconds]),
    [
      ['acc_a', '2026-01', 'domestic', 1, 60],
      // A month's sums in the order their first calls came.
      ['acc_a', '2026-02', 'toll_free_inbound', 2, 240],
      ['acc_a', '2026-02', 'domestic', 1, 60],
      ['acc_b', '2026-01', 'domestic', 1, 180],
      ['acc_c', '2026-01', 'domestic', 1, 120],
      ['acc_c', '2026-02', 'domestic', 2, 120],
    ],
  );
});
