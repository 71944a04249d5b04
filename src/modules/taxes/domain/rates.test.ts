import { test } from 'node:test';
import assert from 'node:assert/strict';
import { percentText } from '../../../kernel/index.ts';
import { parsePercent, percentOf, rateOn, validateDatedRates } from './rates.ts';

test('percentages are integer parts per million, parsed and printed without floats', () => {
  const table: [string, number, string][] = [
    ['6.25', 62_500, '6.25%'],
    ['9.975', 99_750, '9.975%'],
    ['13', 130_000, '13%'],
    ['36.2', 362_000, '36.2%'],
    ['64.9', 649_000, '64.9%'],
    ['0.85', 8_500, '0.85%'],
    ['0.0001', 1, '0.0001%'],
    ['100', 1_000_000, '100%'],
  ];
  for (const [text, ppm, printed] of table) {
    assert.equal(parsePercent(text), ppm, text);
    assert.equal(percentText(ppm), printed, text);
  }
  for (const bad of ['', '6,25', '-1', '1.23456', '100.01', 'abc']) {
    assert.throws(() => parsePercent(bad), { code: 'invalid_percent' }, bad);
  }
});

test('a line amount is base × rate rounded once, half-up', () => {
  const table: [number, number, number][] = [
    [10_000, 62_500, 625], // 100.00 × 6.25% = 6.25
    [1_010, 50_000, 51], // 10.10 × 5% = 0.505 → 0.51 (half-up)
    [1_010, 99_750, 101], // 10.10 × 9.975% = 1.007475 → 1.01
    [1, 500_000, 1], // 0.01 × 50% = 0.005 → 0.01
    [1, 499_999, 0],
    [-1_010, 50_000, -51], // credits mirror charges
    [0, 130_000, 0],
  ];
  for (const [base, ppm, amount] of table) assert.equal(percentOf(base, ppm), amount, `${base} × ${ppm}`);
});

test('effective-dated rates: the latest row on or before the date, until its end', () => {
  const rows = [
    { from: '2020-01-01', to: '2025-03-31', ppm: 150_000 },
    { from: '2025-04-01', ppm: 140_000 },
  ];
  assert.equal(rateOn(rows, '2019-12-31'), undefined);
  assert.equal(rateOn(rows, '2020-01-01'), 150_000);
  assert.equal(rateOn(rows, '2025-03-31'), 150_000);
  assert.equal(rateOn(rows, '2025-04-01'), 140_000);
  assert.equal(rateOn(rows, '2031-01-01'), 140_000);
  const bounded = [{ from: '2026-07-01', to: '2026-09-30', ppm: 362_000 }];
  assert.equal(rateOn(bounded, '2026-09-30'), 362_000);
  assert.equal(rateOn(bounded, '2026-10-01'), undefined);
});

test('rate rows must be ordered, non-overlapping and between 0% and 100%', () => {
  assert.doesNotThrow(() =>
    validateDatedRates(
      [
        { from: '2020-01-01', to: '2025-03-31', ppm: 150_000 },
        { from: '2025-04-01', ppm: 140_000 },
      ],
      'ok',
    ),
  );
  assert.throws(
    () =>
      validateDatedRates(
        [
          { from: '2020-01-01', to: '2025-04-30', ppm: 150_000 },
          { from: '2025-04-01', ppm: 140_000 },
        ],
        'overlap',
      ),
    { code: 'overlapping_rates' },
  );
  assert.throws(
    () =>
      validateDatedRates(
        [
          { from: '2025-04-01', ppm: 140_000 },
          { from: '2020-01-01', ppm: 150_000 },
        ],
        'order',
      ),
    { code: 'overlapping_rates' },
  );
  assert.throws(() => validateDatedRates([{ from: '2025-04-01', ppm: 1_000_001 }], 'big'), {
    code: 'invalid_rate',
  });
  assert.throws(() => validateDatedRates([{ from: '2025-04-01', ppm: 0.5 }], 'float'), {
    code: 'invalid_rate',
  });
  assert.throws(() => validateDatedRates([{ from: '2025-04-01', to: '2025-03-01', ppm: 1 }], 'ends'), {
    code: 'invalid_rate_dates',
  });
});
