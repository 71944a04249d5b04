import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BillingMonth, CalendarDate } from '../../kernel/index.ts';
import { type CatalogLike, type InventoryLike, callingContext } from './rating-context.ts';

const catalog = new Map<string, CatalogLike>([
  ['device.desk-phone', { chargeType: 'service_fee', unit: 'device', attributes: {} }],
  ['device.executive-ext', { chargeType: 'service_fee', unit: 'extension', attributes: {} }],
  ['device.low-usage', { chargeType: 'service_fee', unit: 'device', attributes: { lowUsage: true } }],
  ['number.local', { chargeType: 'standard_numbers', unit: 'number', attributes: {} }],
  [
    'number.toll-free',
    { chargeType: 'standard_numbers', unit: 'number', attributes: { numberType: 'toll-free' } },
  ],
]);

const item = (
  itemCode: string,
  quantity: number,
  attributes: Record<string, unknown>,
  addedOn = '2026-01-01',
  removedOn: string | null = null,
): InventoryLike => ({
  itemCode,
  quantity,
  addedOn: addedOn as CalendarDate,
  removedOn: removedOn as CalendarDate | null,
  attributes,
});

test('CAT-2 / CAT-4: plan minutes pool over phones only; low-usage devices keep their own minutes', () => {
  const items = [
    item('device.desk-phone', 20, { extensions: Array.from({ length: 20 }, (_, i) => String(201 + i)) }),
    item('device.executive-ext', 2, { extensions: ['900', '901'] }),
    item('device.low-usage', 3, { extensions: ['301', '302', '303'] }),
    // In force from February, and one removed before January: neither counts in January.
    item('device.desk-phone', 5, { extension: '250' }, '2026-02-01'),
    item('device.desk-phone', 4, {}, '2025-06-01', '2025-12-31'),
    item('number.local', 1, { number: '+1 512 736 0100' }),
    item('number.toll-free', 2, { numbers: ['+1 800 736 0199', '(888) 736-0100'] }),
  ];
  const jan = callingContext({ country: 'US', items }, catalog, '2026-01' as BillingMonth);
  assert.equal(jan.billableDevices, 22, '20 phones and 2 executive extensions, not the 3 low-usage devices');
  assert.deepEqual([...jan.lowUsageDevices], ['301', '302', '303']);
  assert.equal(jan.account.extensions.size, 25);
  assert.deepEqual([...jan.account.tollFreeNumbers], ['+18007360199', '+18887360100']);
  assert.deepEqual([...jan.account.ownNumbers], ['+15127360100', '+18007360199', '+18887360100']);
  const feb = callingContext({ country: 'US', items }, catalog, '2026-02' as BillingMonth);
  assert.equal(feb.billableDevices, 27);
  assert.ok(feb.account.extensions.has('250'));
});
