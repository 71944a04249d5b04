import { Type } from '@sinclair/typebox';
import type { App } from '../../http/types.ts';
import { DateString, Page, PageQuery, errorResponses } from '../../http/schemas.ts';
import { createCatalogItem, getCatalogItem, listCatalogItems, setCatalogPrice } from './catalog.ts';
import { pageArray } from '../../db/index.ts';
import { CHARGE_TYPES } from './domain/price-book.ts';

const PriceIn = Type.Object({
  currency: Type.String({ examples: ['USD', 'MXN'] }),
  validFrom: DateString('First day the price applies'),
  amount: Type.String({ description: 'Decimal amount, e.g. "24.95"', pattern: '^-?\\d+(\\.\\d+)?$' }),
});

const ItemSchema = Type.Object(
  {
    code: Type.String(),
    name: Type.String(),
    chargeType: Type.String(),
    unit: Type.String(),
    billing: Type.String(),
    attributes: Type.Record(Type.String(), Type.Unknown()),
    prices: Type.Array(
      Type.Object({
        currency: Type.String(),
        validFrom: Type.String(),
        amount: Type.Integer({ description: 'Unit price in minor units' }),
      }),
    ),
  },
  { $id: 'CatalogItem' },
);

export function catalogRoutes(app: App) {
  app.addSchema(ItemSchema);
  const tags = ['Catalog'];
  app.get(
    '/v1/catalog/items',
    {
      schema: {
        tags,
        summary: 'List catalog items with their price history',
        querystring: Type.Object(PageQuery),
        response: { 200: Page(Type.Ref('CatalogItem')), ...errorResponses },
      },
    },
    async (req) => pageArray(await listCatalogItems(req.ctx), req.query, (i) => i.code),
  );
  app.get(
    '/v1/catalog/items/:code',
    {
      schema: {
        tags,
        params: Type.Object({ code: Type.String() }),
        response: { 200: Type.Ref('CatalogItem'), ...errorResponses },
      },
    },
    async (req) => getCatalogItem(req.ctx, req.params.code),
  );
  app.post(
    '/v1/catalog/items',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary: 'Create a catalog item',
        body: Type.Object({
          code: Type.String(),
          name: Type.String({ minLength: 1 }),
          chargeType: Type.Union(CHARGE_TYPES.map((t) => Type.Literal(t))),
          unit: Type.String(),
          billing: Type.Union([Type.Literal('recurring'), Type.Literal('one_time'), Type.Literal('usage')]),
          attributes: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
          prices: Type.Optional(Type.Array(PriceIn)),
        }),
        response: { 201: Type.Ref('CatalogItem'), ...errorResponses },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(await createCatalogItem(req.ctx, req.body as Parameters<typeof createCatalogItem>[1])),
  );
  app.post(
    '/v1/catalog/items/:code/prices',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary: 'Set a price valid from a date',
        params: Type.Object({ code: Type.String() }),
        body: PriceIn,
        response: { 200: Type.Ref('CatalogItem'), ...errorResponses },
      },
    },
    async (req) => setCatalogPrice(req.ctx, req.params.code, req.body),
  );
}
