import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  allocate,
  applyRate,
  divRound,
  formatDecimal,
  formatMoney,
  parseMoney,
  parseRate,
  prorate,
} from './money.ts';

test('divRound: each named mode on halves, negatives and exact quotients', () => {
  const cases: [number, number, string, number][] = [
    [5, 2, 'half-up', 3],
    [5, 2, 'half-even', 2],
    [7, 2, 'half-even', 4],
    [5, 2, 'down', 2],
    [5, 2, 'up', 3],
    [-5, 2, 'half-up', -3],
    [-5, 2, 'down', -2],
    [10, 5, 'up', 2],
    [65967, 31, 'half-up', 2128],
  ];
  for (const [n, d, mode, want] of cases)
    assert.equal(divRound(n, d, mode as never), want, `${n}/${d} ${mode}`);
  assert.throws(() => divRound(1, 0, 'half-up'), /divide/);
  assert.throws(() => divRound(0.5, 1, 'half-up'), /safe integer/);
});

test('prorate rounds the whole line once', () => {
  assert.equal(prorate(1999, 3, 11, 31), 2128); // 21.28, not 3 × 7.09 = 21.27
  assert.equal(prorate(2495, 5, 16, 31), 6439);
  assert.equal(prorate(2495, 1, 0, 31), 0);
});

test('allocate: largest remainder, sums to the amount', () => {
  assert.deepEqual(allocate(1003, [1, 1]), [502, 501]);
  assert.deepEqual(allocate(100, [1, 1, 1]), [34, 33, 33]);
  assert.deepEqual(allocate(-100, [1, 1, 1]), [-34, -33, -33]);
  fc.assert(
    fc.property(
      fc.integer({ min: -1e12, max: 1e12 }),
      fc
        .array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 12 })
        .filter((r) => r.some((x) => x > 0)),
      (amount, ratios) => {
        const parts = allocate(amount, ratios);
        assert.equal(
          parts.reduce((a, b) => a + b, 0),
          amount,
        );
        ratios.forEach((r, i) => r === 0 && assert.equal(parts[i], 0));
      },
    ),
  );
});

test('parseMoney is exact and strict', () => {
  assert.equal(parseMoney('19.99', 'USD'), 1999);
  assert.equal(parseMoney('0.1', 'USD'), 10);
  assert.equal(parseMoney('449', 'MXN'), 44900);
  assert.equal(parseMoney('-3.50', 'USD'), -350);
  assert.throws(() => parseMoney('1.999', 'USD'), /more than 2 decimals/);
  assert.throws(() => parseMoney('1e3', 'USD'), /not a decimal/);
  assert.throws(() => parseMoney('12', 'XXX'), /not supported/);
  fc.assert(
    fc.property(fc.integer({ min: -1e13, max: 1e13 }), (minor) => {
      assert.equal(parseMoney(formatDecimal(minor, 'USD'), 'USD'), minor);
    }),
  );
});

test('rates carry millionths and round once when applied', () => {
  assert.equal(parseRate('0.02'), 20000);
  assert.equal(parseRate('0.0125'), 12500);
  assert.equal(applyRate('USD', 20000, 61, 'half-up'), 122); // 61 min × 0.02
  assert.equal(applyRate('USD', 12500, 3, 'half-up'), 4); // 0.0375 → 0.04
  assert.throws(() => parseRate('0.0000001'), /6 decimals/);
});

test('formatMoney follows the locale without float conversion', () => {
  assert.equal(formatMoney(123450, 'USD', 'en-US'), '$1,234.50');
  assert.equal(formatMoney(123450, 'MXN', 'es-MX'), '$1,234.50');
  assert.match(formatMoney(123450, 'BRL', 'pt-BR'), /R\$\s1\.234,50/);
  assert.equal(formatMoney(900719925474099, 'USD', 'en-US'), '$9,007,199,254,740.99');
});
