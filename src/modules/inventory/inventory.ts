import { type Selectable, sql } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { Ctx } from '../../context.ts';
import {
  type CalendarDate,
  firstDayOf,
  invalid,
  monthOf,
  newId,
  notFound,
  parseDate,
} from '../../kernel/index.ts';
import { anyOf, appendEvents } from '../../db/index.ts';
import { getAccount } from '../accounts/index.ts';
import { type CatalogItem, findCatalogItems } from '../catalog/index.ts';
import { type Contract, contractOf } from './contracts.ts';

/** CON-5: every service has an effective-dated life; the bill for any date is recomputed from it. */
export interface InventoryItem {
  id: string;
  accountId: string;
  itemCode: string;
  quantity: number;
  addedOn: CalendarDate;
  /** The day the removal was requested; it takes effect at the end of that month (RUN-3). */
  removedOn: CalendarDate | null;
  attributes: Record<string, unknown>;
  /** Follows the account's collection status (COL-3): active, suspended or deactivated. */
  serviceState?: 'active' | 'suspended' | 'deactivated';
}

export interface AddInventoryInput {
  itemCode: string;
  quantity: number;
  addedOn: CalendarDate;
  /** Device type and extension, number (E.164) and number type, seat name… */
  attributes?: Record<string, unknown>;
}

const MAX_QUANTITY = 100_000;

function validateQuantity(q: unknown, field = 'quantity'): number {
  if (typeof q !== 'number' || !Number.isInteger(q) || q < 1 || q > MAX_QUANTITY) {
    throw invalid(
      'invalid_quantity',
      `${field} must be a whole number from 1 to ${MAX_QUANTITY}, got ${String(q)}.`,
      {
        field,
      },
    );
  }
  return q;
}

export async function addInventory(
  ctx: Ctx,
  accountId: string,
  inputs: AddInventoryInput[],
): Promise<InventoryItem[]> {
  const account = await getAccount(ctx, accountId);
  if (inputs.length === 0) throw invalid('empty_request', 'Give at least one inventory item to add.');
  const contract = await contractOf(ctx, account.id);
  const catalog = await findCatalogItems(
    ctx,
    inputs.map((i) => i.itemCode),
  );
  // Validate everything before writing anything.
  inputs.forEach((input, i) => {
    const field = `items[${i}]`;
    const item = catalog.get(input.itemCode);
    if (!item)
      throw invalid('unknown_catalog_item', `${field}: no catalog item "${input.itemCode}".`, { field });
    if (item.billing !== 'recurring') {
      throw invalid(
        'not_a_service',
        `${field}: ${input.itemCode} is a ${item.billing} charge, not a recurring service.`,
      );
    }
    validateQuantity(input.quantity, `${field}.quantity`);
    parseDate(input.addedOn, `${field}.addedOn`);
    if (input.addedOn < contract.signatureDate) {
      throw invalid(
        'before_contract',
        `${field}: added on ${input.addedOn}, before the contract was signed on ${contract.signatureDate}.`,
        { field },
      );
    }
  });
  await checkLowUsageAllowance(ctx, account.id, contract, inputs, catalog);
  const now = ctx.clock.now();
  const rows = inputs.map((input) => ({
    id: newId('inv_item', now),
    account_id: account.id,
    item_code: input.itemCode,
    quantity: input.quantity,
    added_on: input.addedOn,
    removed_on: null,
    attributes: JSON.stringify(input.attributes ?? {}),
    created_at: now,
  }));
  await ctx.db.transaction().execute(async (trx) => {
    await trx.insertInto('inventory_items').values(rows).execute();
    await appendEvents(
      trx,
      ctx.actor,
      now,
      rows.map((r) => ({
        type: 'inventory.added',
        subjectId: r.id,
        accountId: account.id,
        payload: { itemCode: r.item_code, quantity: r.quantity, addedOn: r.added_on },
      })),
    );
  });
  return listInventory(ctx, account.id, { ids: rows.map((r) => r.id) });
}

/**
 * Removes `quantity` units (all by default) of an inventory line on a date. A partial removal ends
 * the line and opens a new one for the remaining units with the original start date, so history
 * stays exact.
 */
export async function removeInventory(
  ctx: Ctx,
  itemId: string,
  input: { removedOn: CalendarDate; quantity?: number },
): Promise<InventoryItem[]> {
  const item = await ctx.db
    .selectFrom('inventory_items')
    .selectAll()
    .where('id', '=', itemId)
    .executeTakeFirst();
  if (!item) throw notFound('inventory_item_not_found', `No inventory item ${itemId}.`);
  const removedOn = parseDate(input.removedOn, 'removedOn');
  if (item.removed_on)
    throw invalid('already_removed', `Inventory item ${itemId} was removed on ${item.removed_on}.`);
  if (removedOn < item.added_on) {
    throw invalid(
      'removed_before_added',
      `removedOn ${removedOn} is before the item was added on ${item.added_on}.`,
    );
  }
  const quantity = input.quantity === undefined ? item.quantity : validateQuantity(input.quantity);
  if (quantity > item.quantity) {
    throw invalid(
      'invalid_quantity',
      `Cannot remove ${quantity} of the ${item.quantity} units on this line.`,
    );
  }
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    // The ended line keeps only the removed units; the rest continue on a new line.
    await trx
      .updateTable('inventory_items')
      .set({ removed_on: removedOn, quantity })
      .where('id', '=', itemId)
      .execute();
    if (quantity < item.quantity) {
      await trx
        .insertInto('inventory_items')
        .values({
          id: newId('inv_item', now),
          account_id: item.account_id,
          item_code: item.item_code,
          quantity: item.quantity - quantity,
          added_on: item.added_on,
          removed_on: null,
          attributes: JSON.stringify({ ...(item.attributes as object), splitFrom: item.id }),
          created_at: now,
        })
        .execute();
    }
    await appendEvents(trx, ctx.actor, now, [
      {
        type: 'inventory.removed',
        subjectId: itemId,
        accountId: item.account_id,
        payload: { itemCode: item.item_code, quantity, removedOn },
      },
    ]);
  });
  return listInventory(ctx, item.account_id, {});
}

type ItemRow = Selectable<Database['inventory_items']>;

const toItem = (r: ItemRow): InventoryItem => ({
  id: r.id,
  accountId: r.account_id,
  itemCode: r.item_code,
  quantity: r.quantity,
  addedOn: r.added_on,
  removedOn: r.removed_on,
  attributes: r.attributes as Record<string, unknown>,
  serviceState: r.service_state,
});

export async function listInventory(
  ctx: Ctx,
  accountId: string,
  opts: { on?: CalendarDate; ids?: string[] },
): Promise<InventoryItem[]> {
  let q = ctx.db.selectFrom('inventory_items').selectAll().where('account_id', '=', accountId);
  if (opts.ids) q = q.where('id', 'in', opts.ids);
  if (opts.on) {
    const on = parseDate(opts.on, 'on');
    // A removal takes effect at the end of its month (RUN-3): until then the service is still there.
    q = q
      .where('added_on', '<=', on)
      .where((eb) => eb.or([eb('removed_on', 'is', null), eb('removed_on', '>=', firstDayOf(monthOf(on)))]));
  }
  const rows = await q.orderBy('added_on').orderBy('id').execute();
  return rows.map(toItem);
}

/** From the first day to the last: for inventoryOf, every item an account ever had. */
export const WHOLE_HISTORY = ['0001-01-01', '9999-12-31'] as const;

/** Whether an item may bear charges in the window [from, to]: what inventoryOf selects by. */
export const inWindow = (
  item: Pick<InventoryItem, 'addedOn' | 'removedOn'>,
  from: CalendarDate,
  to: CalendarDate,
): boolean => item.addedOn <= to && (item.removedOn === null || item.removedOn >= from);

/** An item as rating reads it (callingInventoryOf): what it is, how many, when, its attributes. */
export type CallingItem = Pick<
  InventoryItem,
  'accountId' | 'itemCode' | 'quantity' | 'addedOn' | 'removedOn' | 'attributes'
>;

/**
 * What rating reads of many accounts at once, in one query (an import meeting the accounts its
 * CDRs name, a few thousand at a time): each one's billing start date (of its contract, contractOf's:
 * the first signed; absent without a contract) and every item it ever had, only the fields
 * rating reads. The same as contractsOf and inventoryOf over WHOLE_HISTORY, at a fraction of
 * their cost: one round trip, and each account's items come as one JSON array.
 */
export async function callingInventoryOf(
  ctx: Ctx,
  accountIds: readonly string[],
): Promise<{ billingStarts: Map<string, CalendarDate>; items: CallingItem[] }> {
  const billingStarts = new Map<string, CalendarDate>();
  const items: CallingItem[] = [];
  if (accountIds.length === 0) return { billingStarts, items };
  const { rows } = await sql<{
    id: string;
    billing_start: CalendarDate | null;
    items: [string, number, CalendarDate, CalendarDate | null, Record<string, unknown>][] | null;
  }>`
    SELECT a.id,
      (SELECT c.billing_start_date FROM contracts c WHERE c.account_id = a.id
        ORDER BY c.signature_date LIMIT 1) AS billing_start,
      (SELECT json_agg(json_build_array(i.item_code, i.quantity, i.added_on, i.removed_on, i.attributes))
        FROM inventory_items i WHERE i.account_id = a.id) AS items
    FROM unnest(${[...accountIds]}::text[]) AS a(id)`.execute(ctx.db);
  for (const r of rows) {
    if (r.billing_start !== null) billingStarts.set(r.id, r.billing_start);
    for (const [itemCode, quantity, addedOn, removedOn, attributes] of r.items ?? [])
      items.push({ accountId: r.id, itemCode, quantity, addedOn, removedOn, attributes });
  }
  return { billingStarts, items };
}

/** Items of many accounts that may bear charges in the window [from, to] (the bill run). */
export async function inventoryOf(
  ctx: Ctx,
  accountIds: readonly string[],
  from: CalendarDate,
  to: CalendarDate,
): Promise<InventoryItem[]> {
  if (accountIds.length === 0) return [];
  const rows = await ctx.db
    .selectFrom('inventory_items')
    .selectAll()
    .where('account_id', '=', anyOf(accountIds))
    .where('added_on', '<=', to)
    .where((eb) => eb.or([eb('removed_on', 'is', null), eb('removed_on', '>=', from)]))
    .execute();
  return rows.map(toItem);
}

const isLowUsage = (item: CatalogItem | undefined) => item?.attributes.lowUsage === true;
const isPhone = (item: CatalogItem | undefined) =>
  item?.chargeType === 'service_fee' &&
  !isLowUsage(item) &&
  (item.unit === 'device' || item.unit === 'extension');

/**
 * CAT-4: low-usage devices are allowed only on an account with at least 20 phones (the catalog
 * item's minimumPhones), and no more of them than the contract's lowUsageDevices commitment.
 */
async function checkLowUsageAllowance(
  ctx: Ctx,
  accountId: string,
  contract: Contract,
  inputs: AddInventoryInput[],
  catalog: Map<string, CatalogItem>,
) {
  const lowUsageInputs = inputs.filter((i) => isLowUsage(catalog.get(i.itemCode)));
  if (lowUsageInputs.length === 0) return;
  const existing = await ctx.db
    .selectFrom('inventory_items')
    .selectAll()
    .where('account_id', '=', accountId)
    .execute();
  const existingCatalog = await findCatalogItems(ctx, [...new Set(existing.map((e) => e.item_code))]);
  const all = [
    ...existing.map((e) => ({
      item: existingCatalog.get(e.item_code),
      quantity: e.quantity,
      addedOn: e.added_on,
      removedOn: e.removed_on,
    })),
    ...inputs.map((i) => ({
      item: catalog.get(i.itemCode),
      quantity: i.quantity,
      addedOn: i.addedOn,
      removedOn: null,
    })),
  ];
  const allowed = Number(contract.commitments.lowUsageDevices ?? 0);
  for (const input of lowUsageInputs) {
    const on = input.addedOn;
    const activeOn = all.filter(
      (x) => x.addedOn <= on && (x.removedOn === null || x.removedOn >= firstDayOf(monthOf(on))),
    );
    const phones = activeOn.filter((x) => isPhone(x.item)).reduce((s, x) => s + x.quantity, 0);
    const lowUsage = activeOn.filter((x) => isLowUsage(x.item)).reduce((s, x) => s + x.quantity, 0);
    const minimum = Number(catalog.get(input.itemCode)!.attributes.minimumPhones ?? 20);
    if (phones < minimum) {
      throw invalid(
        'low_usage_needs_phones',
        `Low-usage devices need at least ${minimum} phones on the account; it has ${phones} on ${on}.`,
      );
    }
    if (lowUsage > allowed) {
      throw invalid(
        'low_usage_over_contract',
        `The contract allows ${allowed} low-usage device(s); this would make ${lowUsage} on ${on}.`,
        { allowed, requested: lowUsage },
      );
    }
  }
}
