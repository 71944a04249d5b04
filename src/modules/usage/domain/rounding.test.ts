import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRate } from '../../../kernel/index.ts';
import {
  ROUNDING_RULES,
  type RoundingRule,
  billableMinutes,
  billableSeconds,
  chargeForSeconds,
  formatMinutes,
  formatRate,
} from './rounding.ts';

test('USG-4 rounding rules: billable seconds per rule', () => {
  const table: [rule: RoundingRule, duration: number, billable: number][] = [
    // nearest minute, halves up, at least one minute for an answered call
    ['nearest-minute', 0, 0],
    ['nearest-minute', 1, 60],
    ['nearest-minute', 29, 60],
    ['nearest-minute', 30, 60],
    ['nearest-minute', 89, 60],
    ['nearest-minute', 90, 120],
    ['nearest-minute', 149, 120],
    ['nearest-minute', 150, 180],
    ['nearest-minute', 3600, 3600],
    // Brazilian mobiles: 30-second minimum, then 6-second increments
    ['br-mobile-6s', 0, 0],
    ['br-mobile-6s', 1, 30],
    ['br-mobile-6s', 20, 30],
    ['br-mobile-6s', 30, 30],
    ['br-mobile-6s', 31, 36],
    ['br-mobile-6s', 36, 36],
    ['br-mobile-6s', 37, 42],
    ['br-mobile-6s', 61, 66],
    ['per-second', 0, 0],
    ['per-second', 1, 1],
    ['per-second', 89, 89],
    ['up-minute', 0, 0],
    ['up-minute', 1, 60],
    ['up-minute', 60, 60],
    ['up-minute', 61, 120],
  ];
  for (const [rule, duration, billable] of table) {
    assert.equal(billableSeconds(rule, duration), billable, `${rule} ${duration}s`);
  }
});

test('billable minutes exist only for minute-based rules', () => {
  assert.equal(billableMinutes('nearest-minute', 89), 1);
  assert.equal(billableMinutes('nearest-minute', 90), 2);
  assert.equal(billableMinutes('up-minute', 61), 2);
  assert.equal(billableMinutes('br-mobile-6s', 31), null);
  assert.equal(billableMinutes('per-second', 31), null);
});

test('durations must be whole non-negative seconds', () => {
  for (const bad of [-1, 1.5, Number.NaN, 2 ** 31]) {
    for (const rule of ROUNDING_RULES) assert.throws(() => billableSeconds(rule, bad), /whole seconds/);
  }
});

test('charge = rate per minute × seconds / 60, rounded once with the named mode', () => {
  const table: [
    rate: string,
    seconds: number,
    mode: 'half-up' | 'half-even' | 'up' | 'down',
    cents: number,
  ][] = [
    ['0.02', 60, 'half-up', 2],
    ['0.02', 180, 'half-up', 6],
    ['0.085', 30, 'half-up', 4], // 4.25 cents
    ['0.085', 36, 'half-up', 5], // 5.1 cents
    ['0.085', 30, 'up', 5],
    ['0.025', 180, 'half-up', 8], // 7.5 cents
    ['0.025', 180, 'half-even', 8],
    ['0.025', 60, 'half-even', 2], // 2.5 → 2
    ['0.025', 60, 'down', 2],
    ['0.99', 125, 'half-up', 206], // 2.0625
    ['7.00', 120, 'half-up', 1400],
    ['0.0001', 1, 'half-up', 0],
  ];
  for (const [rate, seconds, mode, cents] of table) {
    assert.equal(
      chargeForSeconds('USD', parseRate(rate), seconds, mode),
      cents,
      `${rate} × ${seconds}s ${mode}`,
    );
  }
  // A month of a large account stays exact (bigint): 0.02 × 50,000,000 minutes = 1,000,000.00.
  assert.equal(chargeForSeconds('USD', 20_000, 3_000_000_000, 'half-up'), 100_000_000);
  assert.equal(chargeForSeconds('JPY', 2_000_000, 90, 'half-up'), 3);
});

test('minutes and rates format as plain decimals', () => {
  assert.equal(formatMinutes(36), '0.60');
  assert.equal(formatMinutes(120), '2.00');
  assert.equal(formatMinutes(1), '0.02');
  assert.equal(formatMinutes(61, 0), '1');
  assert.equal(formatRate(20_000), '0.02');
  assert.equal(formatRate(15_000), '0.015');
  assert.equal(formatRate(1_990_000), '1.99');
  assert.equal(formatRate(0), '0.00');
  assert.equal(formatRate(1), '0.000001');
});
