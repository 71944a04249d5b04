// What rating reads of the accounts an import meets comes in one narrow query
// (callingInventoryOf): each account's billing start and its whole inventory history. It must say
// exactly what contractsOf and inventoryOf over the whole history say, for every shape an account
// can have: items removed (and split), attributes of every kind, no contract, no inventory, and
// (from data that did not come through the API) two contracts, where the first signed counts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import {
  WHOLE_HISTORY,
  callingInventoryOf,
  contractOf,
  contractsOf,
  inventoryOf,
  removeInventory,
} from '../../src/modules/inventory/index.ts';
import { type TestApi, createTestAccount, signAndEquip, testApi } from '../support/api.ts';

let api: TestApi;
const ids: Record<string, string> = {};

before(async () => {
  api = await testApi({ simulatedClock: '2026-01-01T00:00:00Z' });
  ids.equipped = (await createTestAccount(api, { companyName: 'Equipped LLC' })).id;
  await signAndEquip(api, ids.equipped!, { signatureDate: '2025-11-03', freeMonths: 1 }, [
    {
      itemCode: 'device.desk-phone',
      quantity: 5,
      addedOn: '2025-12-03',
      attributes: { extensions: ['101', '102', '103', '104', '105'], label: 'Front desk "A"' },
    },
    {
      itemCode: 'number.toll-free',
      quantity: 1,
      addedOn: '2025-12-03',
      attributes: { number: '+1 800 555 0100' },
    },
  ]);
  const ctx = api.rt.ctx('test');
  // Two of the five phones go at the end of February: the item is ended and split.
  const [phones] = await inventoryOf(ctx, [ids.equipped!], ...WHOLE_HISTORY);
  await removeInventory(ctx, phones!.id, { removedOn: '2026-02-28', quantity: 2 });

  ids.contractOnly = (await createTestAccount(api, { companyName: 'Contract Only LLC' })).id;
  await signAndEquip(api, ids.contractOnly!, { signatureDate: '2026-01-01' }, []);
  ids.nothing = (await createTestAccount(api, { companyName: 'Nothing Yet LLC' })).id;

  // Two contracts: not something the API makes, but data migrated in may hold them.
  ids.twice = (await createTestAccount(api, { companyName: 'Signed Twice LLC' })).id;
  await signAndEquip(api, ids.twice!, { signatureDate: '2025-06-01' }, [
    { itemCode: 'device.desk-phone', quantity: 1, addedOn: '2025-06-01', attributes: { extension: '200' } },
  ]);
  await sql`INSERT INTO contracts (id, account_id, signature_date, free_months, billing_start_date, created_at)
    VALUES ('con_later', ${ids.twice}, '2026-01-05', 0, '2026-01-05', now())`.execute(api.rt.handle.db);
});

after(() => api.close());

test('callingInventoryOf says what contractsOf and inventoryOf over the whole history say', async () => {
  const ctx = api.rt.ctx('test');
  const all = Object.values(ids);
  const { billingStarts, items } = await callingInventoryOf(ctx, all);

  const contracts = await contractsOf(ctx, all);
  const expectedStarts = new Map([...contracts].map(([id, c]) => [id, c.billingStartDate]));
  assert.deepEqual(billingStarts, expectedStarts);
  assert.equal(billingStarts.get(ids.equipped!), '2025-12-03');
  assert.equal(billingStarts.has(ids.nothing!), false);
  // The first contract signed, as contractOf has it.
  assert.equal(billingStarts.get(ids.twice!), (await contractOf(ctx, ids.twice!)).billingStartDate);
  assert.equal(billingStarts.get(ids.twice!), '2025-06-01');

  const shape = (i: (typeof items)[number]) =>
    JSON.stringify([i.accountId, i.itemCode, i.quantity, i.addedOn, i.removedOn, i.attributes]);
  const expected = (await inventoryOf(ctx, all, ...WHOLE_HISTORY)).map((i) =>
    shape({
      accountId: i.accountId,
      itemCode: i.itemCode,
      quantity: i.quantity,
      addedOn: i.addedOn,
      removedOn: i.removedOn,
      attributes: i.attributes,
    }),
  );
  assert.deepEqual(items.map(shape).sort(), expected.sort());
  // The split phones: three stay, two end in February.
  const phones = items.filter((i) => i.accountId === ids.equipped && i.itemCode === 'device.desk-phone');
  assert.deepEqual(phones.map((p) => [p.quantity, p.removedOn]).sort(), [
    [2, '2026-02-28'],
    [3, null],
  ]);
  assert.equal(
    items.filter((i) => i.accountId === ids.contractOnly || i.accountId === ids.nothing).length,
    0,
  );
});

test('callingInventoryOf of no accounts reads nothing, and of an unknown one finds nothing', async () => {
  const ctx = api.rt.ctx('test');
  const none = await callingInventoryOf(ctx, []);
  assert.equal(none.billingStarts.size, 0);
  assert.equal(none.items.length, 0);
  const unknown = await callingInventoryOf(ctx, ['acc_missing']);
  assert.equal(unknown.billingStarts.size, 0);
  assert.equal(unknown.items.length, 0);
});
