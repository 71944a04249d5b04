// An import's call classes (CallClasses): one number per account-month, direction and rating but
// for the billable seconds, the same number for calls rated alike, numbers by the part's stride.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type ArrivalRating, unrated } from './domain/arrival.ts';
import { CallClasses } from './import.ts';

const plan = (billableSeconds: number, allowance: string | null = 'plan'): ArrivalRating => ({
  callType: 'domestic',
  rounding: 'nearest-minute',
  billableSeconds,
  allowance,
  rate: null,
  unratedReason: null,
});
const deck = (prefix: string, ratePerMinute: number): ArrivalRating => ({
  callType: 'international',
  rounding: 'nearest-minute',
  billableSeconds: 60,
  allowance: null,
  rate: {
    prefix,
    description: 'x',
    callType: 'international',
    ratePerMinute,
    rounding: 'nearest-minute',
    validFrom: '2025-01-01',
    validTo: null,
  },
  unratedReason: null,
});

test('calls rated alike share a class; any difference but billable seconds makes another', () => {
  const classes = new CallClasses();
  const a = classes.of('acc_1', '2026-01', 'outbound', plan(60));
  assert.equal(
    classes.of('acc_1', '2026-01', 'outbound', plan(600)),
    a,
    'billable seconds are the call’s own',
  );
  const others = [
    classes.of('acc_2', '2026-01', 'outbound', plan(60)),
    classes.of('acc_1', '2026-02', 'outbound', plan(60)),
    classes.of('acc_1', '2026-01', 'outbound', plan(60, '101')),
    classes.of('acc_1', '2026-01', 'outbound', plan(60, null)),
    // A null and the text "null" are not one value.
    classes.of('acc_1', '2026-01', 'outbound', plan(60, 'null')),
    // Calls going the other way keep a class of their own.
    classes.of('acc_1', '2026-01', 'inbound', plan(60)),
    classes.of('acc_1', '2026-01', 'outbound', deck('44', 90_000)),
    classes.of('acc_1', '2026-01', 'outbound', deck('44', 90_001)),
    classes.of('acc_1', '2026-01', 'outbound', deck('4', 90_000)),
    classes.of('acc_1', '2026-01', 'outbound', unrated('no_rate')),
    classes.of('acc_1', '2026-01', 'outbound', unrated('unknown_extension')),
    // Texts that run together the same way stay apart.
    classes.of('acc_1', '2026-0', 'outbound', plan(60)),
    classes.of('acc_12', '026-01', 'outbound', plan(60)),
  ];
  assert.equal(new Set([a, ...others]).size, 1 + others.length);
  const rows = classes.fresh();
  assert.deepEqual(
    rows.map((k) => k.class),
    [a, ...others],
  );
  const row = rows.find((k) => k.class === others[6])!;
  assert.deepEqual(
    [
      row.account_id,
      row.usage_month,
      row.direction,
      row.call_type,
      row.rate_prefix,
      row.rate_from,
      row.rate_per_minute,
    ],
    ['acc_1', '2026-01', 'outbound', 'international', '44', '2025-01-01', 90_000],
  );
  assert.equal(rows.find((k) => k.class === others[5])!.direction, 'inbound');
  // Handed out once: the next rows are those made since, and a class met again makes none.
  assert.equal(classes.of('acc_2', '2026-01', 'outbound', plan(30)), others[0]);
  const later = classes.of('acc_3', '2026-01', 'outbound', deck('44', 90_000));
  assert.deepEqual(
    classes.fresh().map((k) => [k.class, k.account_id]),
    [[later, 'acc_3']],
  );
  assert.deepEqual(classes.fresh(), []);
});

test('a part numbers its classes from its own first by the parts’ stride', () => {
  const parts = [new CallClasses(1, 3), new CallClasses(2, 3), new CallClasses(3, 3)];
  const numbers = parts.flatMap((p) => [
    p.of('a', '2026-01', 'outbound', plan(1)),
    p.of('b', '2026-01', 'outbound', plan(1)),
  ]);
  assert.deepEqual(numbers, [1, 4, 2, 5, 3, 6]);
  assert.throws(() => new CallClasses(0, 1), /bad class numbering/);
  assert.throws(() => new CallClasses(1, 0), /bad class numbering/);
});
