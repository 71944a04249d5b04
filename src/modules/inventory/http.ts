import { Type } from '@sinclair/typebox';
import type { App } from '../../http/types.ts';
import { DateString, IdParams, Nullable, Page, PageQuery, errorResponses } from '../../http/schemas.ts';
import { createContract, listContracts } from './contracts.ts';
import { addInventory, listInventory, removeInventory } from './inventory.ts';
import { getAccount } from '../accounts/index.ts';
import { pageArray } from '../../db/index.ts';

const ContractSchema = Type.Object(
  {
    id: Type.String(),
    accountId: Type.String(),
    signatureDate: Type.String(),
    freeMonths: Type.Integer(),
    billingStartDate: Type.String(),
    termMonths: Nullable(Type.Integer()),
    commitments: Type.Record(Type.String(), Type.Unknown()),
  },
  { $id: 'Contract' },
);

const ItemSchema = Type.Object(
  {
    id: Type.String(),
    accountId: Type.String(),
    itemCode: Type.String(),
    quantity: Type.Integer(),
    addedOn: Type.String(),
    removedOn: Nullable(Type.String()),
    serviceState: Type.Optional(Type.String({ description: 'active, suspended or deactivated (COL-3)' })),
    attributes: Type.Record(Type.String(), Type.Unknown()),
  },
  { $id: 'InventoryItem' },
);

const ItemIn = Type.Object({
  itemCode: Type.String({ description: 'Catalog item code, e.g. device.desk-phone' }),
  quantity: Type.Number({ description: 'Whole number of units (devices, extensions, numbers, seats)' }),
  addedOn: DateString('Effective date'),
  attributes: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});

export function inventoryRoutes(app: App) {
  app.addSchema(ContractSchema);
  app.addSchema(ItemSchema);
  const tags = ['Contracts and inventory'];

  app.post(
    '/v1/accounts/:id/contracts',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary: 'Sign a phone-service contract',
        params: IdParams,
        body: Type.Object({
          signatureDate: DateString('Signature date = service start date'),
          freeMonths: Type.Optional(Type.Integer({ minimum: 0 })),
          billingStartDate: Type.Optional(DateString('From the quote; default signature date + free months')),
          termMonths: Type.Optional(Nullable(Type.Integer({ description: 'null = month-to-month' }))),
          commitments: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
        }),
        response: { 201: Type.Ref('Contract'), ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(await createContract(req.ctx, req.params.id, req.body)),
  );

  app.get(
    '/v1/accounts/:id/contracts',
    {
      schema: {
        tags,
        params: IdParams,
        querystring: Type.Object(PageQuery),
        response: { 200: Page(Type.Ref('Contract')), ...errorResponses },
      },
    },
    async (req) => {
      const account = await getAccount(req.ctx, req.params.id);
      return pageArray(await listContracts(req.ctx, account.id), req.query, (c) => c.id);
    },
  );

  app.post(
    '/v1/accounts/:id/inventory',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary: 'Add services (devices, numbers, seats…) from a date; all or nothing',
        params: IdParams,
        body: Type.Object({ items: Type.Array(ItemIn, { minItems: 1, maxItems: 1000 }) }),
        response: { 201: Type.Object({ data: Type.Array(Type.Ref('InventoryItem')) }), ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.status(201).send({ data: await addInventory(req.ctx, req.params.id, req.body.items) }),
  );

  app.get(
    '/v1/accounts/:id/inventory',
    {
      schema: {
        tags,
        summary: 'The service inventory, optionally as it was on a date',
        params: IdParams,
        querystring: Type.Object({
          ...PageQuery,
          on: Type.Optional(DateString('Services active on this date')),
        }),
        response: { 200: Page(Type.Ref('InventoryItem')), ...errorResponses },
      },
    },
    async (req) => {
      const account = await getAccount(req.ctx, req.params.id);
      return pageArray(
        await listInventory(req.ctx, account.id, { on: req.query.on }),
        req.query,
        (i) => i.id,
      );
    },
  );

  app.post(
    '/v1/inventory/:id/remove',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary: 'Remove services; effective at the end of the month of removedOn (no partial credit)',
        params: IdParams,
        body: Type.Object({
          removedOn: DateString('Day the removal is requested'),
          quantity: Type.Optional(Type.Number({ description: 'Units to remove; all by default' })),
        }),
        response: { 200: Type.Object({ data: Type.Array(Type.Ref('InventoryItem')) }), ...errorResponses },
      },
    },
    async (req) => ({ data: await removeInventory(req.ctx, req.params.id, req.body) }),
  );
}
