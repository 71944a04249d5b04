import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  type ChargeableItem,
  type MonthlyChargeInput,
  MissingPriceError,
  chargedDays,
  monthlyCharges,
} from './monthly-charges.ts';
import { composeInvoice } from './compose.ts';

const catalog = new Map([
  ['dev', { name: 'Device', chargeType: 'service_fee', billing: 'recurring' }],
  ['num', { name: 'Number', chargeType: 'standard_numbers', billing: 'recurring' }],
  ['hw', { name: 'Phone purchase', chargeType: 'one_time', billing: 'one_time' }],
]);
const prices: Record<string, [string, number][]> = {
  dev: [
    ['2026-01-01', 1999],
    ['2026-10-01', 2199], // price rise from October
  ],
  num: [['2026-01-01', 400]],
};
const priceOn = (code: string, currency: string, on: string) => {
  if (currency !== 'USD') return undefined;
  let p: number | undefined;
  for (const [from, amount] of prices[code] ?? []) if (from <= on) p = amount;
  return p;
};

const run = (month: string, items: ChargeableItem[], over: Partial<MonthlyChargeInput> = {}) =>
  monthlyCharges({
    month,
    currency: 'USD',
    billingStartDate: '2026-01-01',
    proration: 'after-start',
    items,
    catalog,
    priceOn,
    ...over,
  });
const item = (itemCode: string, quantity: number, addedOn: string, removedOn: string | null = null) => ({
  itemCode,
  quantity,
  addedOn,
  removedOn,
});
const brief = (lines: ReturnType<typeof run>) =>
  lines.map((l) => [l.lineType, l.itemCode, l.quantity, l.prorateDays, l.amount]);

test('charged days: after-start (default) and inclusive conventions', () => {
  const table: [string, number, number][] = [
    ['2026-07-15', 16, 17],
    ['2026-08-20', 11, 12],
    ['2026-01-31', 0, 1],
    ['2028-02-29', 0, 1],
    ['2028-02-28', 1, 2],
    ['2026-02-02', 26, 27],
  ];
  for (const [start, after, incl] of table) {
    assert.equal(chargedDays(start, 'after-start'), after, start);
    assert.equal(chargedDays(start, 'inclusive'), incl, start);
  }
});

test('inclusive convention: billing start 15 July is 17/31', () => {
  const lines = run('2026-08', [item('dev', 1, '2026-07-15')], {
    billingStartDate: '2026-07-15',
    proration: 'inclusive',
  });
  assert.deepEqual(brief(lines), [
    ['service_fee', 'dev', 1, null, 1999],
    ['partial_charges', 'dev', 1, 17, 1096], // 19.99 × 17/31 = 10.962
  ]);
});

test('removals take effect at the end of the month: no partial credit, gone the month after', () => {
  const items = [item('dev', 5, '2026-01-01', '2026-08-10')];
  assert.deepEqual(brief(run('2026-08', items)), [['service_fee', 'dev', 5, null, 9995]]);
  assert.deepEqual(brief(run('2026-09', items)), []);
  // Removed on the 1st of a month: that month is still billed (the removal ends it at month end).
  assert.deepEqual(brief(run('2026-09', [item('dev', 1, '2026-01-01', '2026-09-01')])), [
    ['service_fee', 'dev', 1, null, 1999],
  ]);
});

test('lines group units with the same item, period and price; one-time items are not recurring', () => {
  const lines = run('2026-09', [
    item('dev', 2, '2026-03-01'),
    item('dev', 3, '2026-05-17'),
    item('dev', 1, '2026-08-20'),
    item('dev', 2, '2026-08-20'),
    item('num', 1, '2026-08-25'),
    item('hw', 1, '2026-08-20'),
  ]);
  assert.deepEqual(brief(lines), [
    ['service_fee', 'dev', 8, null, 15992],
    ['standard_numbers', 'num', 1, null, 400],
    ['partial_charges', 'dev', 3, 11, 2128],
    ['partial_charges', 'num', 1, 6, 77], // 4.00 × 6/31 = 0.774
  ]);
});

test('prices are taken on the dates they apply: a price rise applies from its date', () => {
  const items = [item('dev', 1, '2026-01-01')];
  assert.equal(run('2026-09', items)[0]!.unitPrice, 1999);
  assert.equal(run('2026-10', items)[0]!.unitPrice, 2199);
});

test('before the billing start nothing is charged; a missing price is an error, not a zero', () => {
  assert.deepEqual(run('2026-08', [item('dev', 1, '2026-07-01')], { billingStartDate: '2026-08-15' }), []);
  assert.throws(() => run('2026-08', [item('dev', 1, '2026-07-01')], { currency: 'MXN' }), MissingPriceError);
});

test('an invoice total is the sum of its lines', () => {
  const input = {
    month: '2026-09',
    currency: 'USD',
    billingStartDate: '2026-07-15',
    proration: 'after-start' as const,
    items: [item('dev', 3, '2026-07-15'), item('num', 2, '2026-08-03')],
    catalog,
    priceOn,
  };
  const composed = composeInvoice(input, [{ name: 'recurring', lines: (i) => monthlyCharges(i) }]);
  assert.equal(
    composed.total,
    composed.lines.reduce((s, l) => s + l.amount, 0),
  );
  assert.equal(composed.subtotal, composed.total);
});
