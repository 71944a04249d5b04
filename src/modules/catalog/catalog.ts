import type { Ctx } from '../../context.ts';
import {
  type CalendarDate,
  conflict,
  invalid,
  notFound,
  parseDate,
  parseMoney,
  supportedCurrencies,
} from '../../kernel/index.ts';
import { appendEvents } from '../../db/index.ts';
import {
  CHARGE_TYPES,
  type CatalogItem,
  type ChargeType,
  type PriceEntry,
  PriceBook,
} from './domain/price-book.ts';

const CODE_RE = /^[a-z0-9][a-z0-9._-]{1,63}$/;

export interface CatalogItemInput {
  code: string;
  name: string;
  chargeType: ChargeType;
  unit: string;
  billing: 'recurring' | 'one_time' | 'usage';
  attributes?: Record<string, unknown>;
  prices?: { currency: string; validFrom: CalendarDate; amount: string }[];
}

export interface CatalogItemWithPrices extends CatalogItem {
  prices: { currency: string; validFrom: CalendarDate; amount: number }[];
}

export async function createCatalogItem(ctx: Ctx, input: CatalogItemInput): Promise<CatalogItemWithPrices> {
  if (!CODE_RE.test(input.code ?? '')) {
    throw invalid(
      'invalid_item_code',
      'code must be 2-64 lower-case letters, digits, dots, dashes or underscores.',
    );
  }
  if (!CHARGE_TYPES.includes(input.chargeType)) {
    throw invalid('invalid_charge_type', `chargeType must be one of ${CHARGE_TYPES.join(', ')}.`);
  }
  const prices = (input.prices ?? []).map((p) => validatePrice(input.code, p));
  const exists = await ctx.db
    .selectFrom('catalog_items')
    .select('code')
    .where('code', '=', input.code)
    .executeTakeFirst();
  if (exists) throw conflict('item_exists', `Catalog item ${input.code} already exists.`);
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('catalog_items')
      .values({
        code: input.code,
        name: input.name,
        charge_type: input.chargeType,
        unit: input.unit,
        billing: input.billing,
        attributes: JSON.stringify(input.attributes ?? {}),
        created_at: ctx.clock.now(),
      })
      .execute();
    if (prices.length) {
      await trx
        .insertInto('catalog_prices')
        .values(
          prices.map((p) => ({
            item_code: p.itemCode,
            currency: p.currency,
            valid_from: p.validFrom,
            unit_price: p.unitPrice,
          })),
        )
        .execute();
    }
    await appendEvents(trx, ctx.actor, ctx.clock.now(), [
      {
        type: 'catalog.item_created',
        subjectId: input.code,
        payload: { name: input.name, prices: prices.length },
      },
    ]);
  });
  return getCatalogItem(ctx, input.code);
}

function validatePrice(
  itemCode: string,
  p: { currency: string; validFrom: CalendarDate; amount: string },
): PriceEntry {
  if (!supportedCurrencies().includes(p.currency)) {
    throw invalid('unknown_currency', `Currency ${p.currency} is not supported.`);
  }
  const unitPrice = parseMoney(p.amount, p.currency);
  if (unitPrice < 0) throw invalid('negative_price', 'A catalog price cannot be negative.');
  return { itemCode, currency: p.currency, validFrom: parseDate(p.validFrom, 'validFrom'), unitPrice };
}

/** A new price valid from a date; earlier invoices keep the price that was valid on their dates. */
export async function setCatalogPrice(
  ctx: Ctx,
  itemCode: string,
  price: { currency: string; validFrom: CalendarDate; amount: string },
): Promise<CatalogItemWithPrices> {
  await getCatalogItem(ctx, itemCode);
  const p = validatePrice(itemCode, price);
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('catalog_prices')
      .values({ item_code: itemCode, currency: p.currency, valid_from: p.validFrom, unit_price: p.unitPrice })
      .onConflict((oc) =>
        oc.columns(['item_code', 'currency', 'valid_from']).doUpdateSet({ unit_price: p.unitPrice }),
      )
      .execute();
    await appendEvents(trx, ctx.actor, ctx.clock.now(), [
      { type: 'catalog.price_set', subjectId: itemCode, payload: { ...p } },
    ]);
  });
  return getCatalogItem(ctx, itemCode);
}

function toItem(r: {
  code: string;
  name: string;
  charge_type: string;
  unit: string;
  billing: 'recurring' | 'one_time' | 'usage';
  attributes: unknown;
}): CatalogItem {
  return {
    code: r.code,
    name: r.name,
    chargeType: r.charge_type as ChargeType,
    unit: r.unit,
    billing: r.billing,
    attributes: r.attributes as Record<string, unknown>,
  };
}

export async function listCatalogItems(ctx: Ctx): Promise<CatalogItemWithPrices[]> {
  const items = await ctx.db.selectFrom('catalog_items').selectAll().orderBy('code').execute();
  const prices = await ctx.db.selectFrom('catalog_prices').selectAll().orderBy('valid_from').execute();
  return items.map((i) => ({
    ...toItem(i),
    prices: prices
      .filter((p) => p.item_code === i.code)
      .map((p) => ({ currency: p.currency, validFrom: p.valid_from, amount: p.unit_price })),
  }));
}

export async function getCatalogItem(ctx: Ctx, code: string): Promise<CatalogItemWithPrices> {
  const item = await ctx.db
    .selectFrom('catalog_items')
    .selectAll()
    .where('code', '=', code)
    .executeTakeFirst();
  if (!item) throw notFound('unknown_catalog_item', `No catalog item "${code}".`);
  const prices = await ctx.db
    .selectFrom('catalog_prices')
    .selectAll()
    .where('item_code', '=', code)
    .orderBy('currency')
    .orderBy('valid_from')
    .execute();
  return {
    ...toItem(item),
    prices: prices.map((p) => ({ currency: p.currency, validFrom: p.valid_from, amount: p.unit_price })),
  };
}

/** Items by code, for validating inventory lines. */
export async function findCatalogItems(
  ctx: Ctx,
  codes: readonly string[],
): Promise<Map<string, CatalogItem>> {
  if (codes.length === 0) return new Map();
  const rows = await ctx.db.selectFrom('catalog_items').selectAll().where('code', 'in', codes).execute();
  return new Map(rows.map((r) => [r.code, toItem(r)]));
}

/** The whole catalog and its price history in memory, for a bill run. */
export async function loadPriceBook(
  ctx: Ctx,
): Promise<{ items: Map<string, CatalogItem>; prices: PriceBook }> {
  const items = await ctx.db.selectFrom('catalog_items').selectAll().execute();
  const prices = await ctx.db.selectFrom('catalog_prices').selectAll().execute();
  return {
    items: new Map(items.map((r) => [r.code, toItem(r)])),
    prices: new PriceBook(
      prices.map((p) => ({
        itemCode: p.item_code,
        currency: p.currency,
        validFrom: p.valid_from,
        unitPrice: p.unit_price,
      })),
    ),
  };
}
