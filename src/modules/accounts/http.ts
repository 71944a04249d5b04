import { Type } from '@sinclair/typebox';
import type { App } from '../../http/types.ts';
import { DateString, IdParams, Nullable, Page, PageQuery, errorResponses } from '../../http/schemas.ts';
import { pageArray } from '../../db/index.ts';
import { createAccount, getAccount, listAccounts, setInvoiceRecipients } from './accounts.ts';
import { getBillingEntity, listBillingEntities, renameBillingEntity } from './entities.ts';

const Address = Type.Object({
  line1: Type.Optional(Type.String()),
  line2: Type.Optional(Type.String()),
  city: Type.Optional(Type.String()),
  state: Type.Optional(Type.String({ description: 'State or province code: TX, ON, JAL…' })),
  postalCode: Type.Optional(Type.String()),
  country: Type.String({ description: 'ISO 3166 two-letter country code' }),
});

const Recipient = Type.Object({
  email: Type.String(),
  name: Type.Optional(Nullable(Type.String())),
  primary: Type.Boolean({ description: 'The primary billing contact (exactly one)' }),
});

const AccountSchema = Type.Object(
  {
    id: Type.String(),
    number: Type.String(),
    companyName: Type.String(),
    entityId: Type.String(),
    entityCode: Type.String(),
    currency: Type.String(),
    timeZone: Type.String(),
    locale: Type.String(),
    type: Type.Union([Type.Literal('online'), Type.Literal('corporate')]),
    taxStatus: Type.Union([Type.Literal('taxable'), Type.Literal('exempt')]),
    status: Type.String(),
    address: Address,
    poNumber: Nullable(Type.String()),
    invoiceRecipients: Type.Array(Recipient),
    receiptEmail: Nullable(Type.String()),
    createdAt: Type.String(),
  },
  { $id: 'Account' },
);

const EntitySchema = Type.Object(
  {
    id: Type.String(),
    code: Type.String(),
    country: Type.String(),
    currency: Type.String(),
    timeZone: Type.String(),
    locale: Type.String(),
    billingEmail: Type.String(),
    invoiceNumberBase: Type.Integer(),
    legalNames: Type.Array(Type.Object({ validFrom: Type.String(), legalName: Type.String() })),
    remittance: Type.Record(Type.String(), Type.Unknown()),
    rules: Type.Record(Type.String(), Type.Unknown()),
  },
  { $id: 'BillingEntity' },
);

export function accountRoutes(app: App) {
  app.addSchema(AccountSchema);
  app.addSchema(EntitySchema);
  const tags = ['Accounts'];

  app.get(
    '/v1/billing-entities',
    {
      schema: {
        tags,
        summary: 'List billing entities (US, CA, MX)',
        querystring: Type.Object(PageQuery),
        response: { 200: Page(Type.Ref('BillingEntity')) },
      },
    },
    async (req) => pageArray(await listBillingEntities(req.ctx), req.query, (e) => e.code),
  );

  app.get(
    '/v1/billing-entities/:id',
    { schema: { tags, params: IdParams, response: { 200: Type.Ref('BillingEntity'), ...errorResponses } } },
    async (req) => getBillingEntity(req.ctx, req.params.id),
  );

  app.post(
    '/v1/billing-entities/:id/legal-names',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Rename an entity from a date on (older invoices keep the old name)',
        params: IdParams,
        body: Type.Object({
          legalName: Type.String({ minLength: 1 }),
          validFrom: DateString('First day of the name'),
        }),
        response: { 200: Type.Ref('BillingEntity'), ...errorResponses },
      },
    },
    async (req) => renameBillingEntity(req.ctx, req.params.id, req.body.legalName, req.body.validFrom),
  );

  app.post(
    '/v1/accounts',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary: 'Create an account',
        body: Type.Object({
          companyName: Type.String({ minLength: 1 }),
          entity: Type.String({ description: 'Billing entity code (US, CA, MX) or id' }),
          timeZone: Type.Optional(Type.String({ description: "IANA zone; defaults to the entity's" })),
          locale: Type.Optional(Type.String()),
          type: Type.Optional(Type.Union([Type.Literal('online'), Type.Literal('corporate')])),
          taxStatus: Type.Optional(Type.Union([Type.Literal('taxable'), Type.Literal('exempt')])),
          address: Address,
          poNumber: Type.Optional(Nullable(Type.String())),
          invoiceRecipients: Type.Array(Recipient, { description: 'Up to 5, exactly one primary' }),
          receiptEmail: Type.Optional(Type.String({ description: 'The one address receipts go to' })),
          number: Type.Optional(Type.String({ description: 'Keep an existing account number' })),
        }),
        response: { 201: Type.Ref('Account'), ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(await createAccount(req.ctx, req.body)),
  );

  app.get(
    '/v1/accounts',
    {
      schema: {
        tags,
        summary: 'List accounts',
        querystring: Type.Object({
          ...PageQuery,
          entity: Type.Optional(Type.String()),
          status: Type.Optional(
            Type.Union(['active', 'suspended', 'deactivated', 'cancelled'].map((s) => Type.Literal(s))),
          ),
        }),
        response: { 200: Page(Type.Ref('Account')), ...errorResponses },
      },
    },
    async (req) => listAccounts(req.ctx, req.query as Parameters<typeof listAccounts>[1]),
  );

  app.get(
    '/v1/accounts/:id',
    {
      schema: {
        tags,
        summary: 'Get an account by id or number',
        params: IdParams,
        response: { 200: Type.Ref('Account'), ...errorResponses },
      },
    },
    async (req) => getAccount(req.ctx, req.params.id),
  );

  app.put(
    '/v1/accounts/:id/invoice-recipients',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary: 'Replace the invoice recipients (up to 5, one primary) and the receipt address',
        params: IdParams,
        body: Type.Object({ recipients: Type.Array(Recipient), receiptEmail: Type.Optional(Type.String()) }),
        response: { 200: Type.Ref('Account'), ...errorResponses },
      },
    },
    async (req) => setInvoiceRecipients(req.ctx, req.params.id, req.body.recipients, req.body.receiptEmail),
  );
}
