import { Type } from '@sinclair/typebox';
import type { App } from '../../http/types.ts';
import { IdParams, MinorUnits, Nullable, Page, PageQuery, errorResponses } from '../../http/schemas.ts';
import { billRun } from './bill-run.ts';
import { getInvoice, listBillRuns, listInvoices, voidInvoice } from './invoices.ts';
import { reissueInvoice } from './reissue.ts';
import { invoiceOneTimeCharges, requestCallerIdChange } from './one-time.ts';
import { invoiceCsv, invoicePdf } from './document.ts';
import { invoiceEquipmentOrder } from './equipment-orders.ts';
import { pageArray } from '../../db/index.ts';
import { getAccount } from '../accounts/index.ts';

const LineSchema = Type.Object({
  position: Type.Integer(),
  lineType: Type.String({ description: 'RUN-5 line type: service_fee, standard_numbers, partial_charges…' }),
  description: Type.String(),
  itemCode: Nullable(Type.String()),
  quantity: Type.Integer(),
  unitPrice: MinorUnits('Unit price'),
  periodStart: Nullable(Type.String()),
  periodEnd: Nullable(Type.String()),
  prorateDays: Nullable(Type.Integer({ description: 'Charged days of a partial month' })),
  periodDays: Nullable(Type.Integer({ description: 'Days of that month' })),
  amount: MinorUnits('Line amount, rounded once'),
  ratePerMinute: Type.Optional(
    Nullable(
      Type.Integer({
        description:
          'Usage lines: rate per minute in millionths of the currency (0.02 = 20000); quantity is then billed seconds',
      }),
    ),
  ),
});

const invoiceFields = {
  id: Type.String(),
  number: Type.String({ description: 'IN + 11 digits, gapless per billing entity' }),
  entityId: Type.String(),
  accountId: Type.String(),
  kind: Type.String(),
  billingMonth: Nullable(Type.String()),
  billRunId: Nullable(Type.String()),
  issueDate: Type.String(),
  sentOn: Nullable(Type.String()),
  dueDate: Type.String(),
  currency: Type.String(),
  subtotal: MinorUnits('Sum of charge lines'),
  total: MinorUnits('Sum of all lines'),
  status: Type.Union(['to_pay', 'paid', 'void', 'credited'].map((s) => Type.Literal(s))),
  poNumber: Nullable(Type.String()),
  legalName: Type.String({ description: "The billing entity's legal name on the issue date" }),
  createdAt: Type.String(),
  reissue: Type.Boolean({ description: 'RUN-12: voided to be issued again (see replaces)' }),
  replaces: Nullable(Type.String({ description: 'The voided invoice this one replaces (a reissue)' })),
};

const InvoiceSummary = Type.Object(invoiceFields, { $id: 'InvoiceSummary' });
const InvoiceSchema = Type.Object({ ...invoiceFields, lines: Type.Array(LineSchema) }, { $id: 'Invoice' });

const BillRunSchema = Type.Object(
  {
    id: Type.String(),
    month: Type.String(),
    status: Type.String(),
    startedAt: Type.String(),
    finishedAt: Nullable(Type.String()),
    invoicesCreated: Type.Integer(),
    totalBilled: Type.Record(Type.String(), Type.Integer()),
  },
  { $id: 'BillRun' },
);

const Month = Type.String({ pattern: '^\\d{4}-\\d{2}$', description: 'Billing month, e.g. 2026-08' });

export function invoicingRoutes(app: App) {
  app.addSchema(InvoiceSummary);
  app.addSchema(InvoiceSchema);
  app.addSchema(BillRunSchema);
  const tags = ['Invoices and bill runs'];

  app.get(
    '/v1/invoices',
    {
      schema: {
        tags,
        summary: 'List invoices in number order',
        querystring: Type.Object({
          ...PageQuery,
          account: Type.Optional(Type.String({ description: 'Account id or number' })),
          month: Type.Optional(Month),
          status: Type.Optional(
            Type.Union(['to_pay', 'paid', 'void', 'credited'].map((s) => Type.Literal(s))),
          ),
        }),
        response: { 200: Page(Type.Ref('InvoiceSummary')), ...errorResponses },
      },
    },
    async (req) => {
      const { account, ...rest } = req.query;
      const accountId = account ? (await getAccount(req.ctx, account)).id : undefined;
      return listInvoices(req.ctx, { ...rest, accountId } as Parameters<typeof listInvoices>[1]);
    },
  );

  app.get(
    '/v1/invoices/:id',
    {
      schema: {
        tags,
        summary: 'Get an invoice with its lines, by id or number',
        params: IdParams,
        response: { 200: Type.Ref('Invoice'), ...errorResponses },
      },
    },
    async (req) => getInvoice(req.ctx, req.params.id),
  );

  // POR-1/POR-3: the invoice as a document (the router prefers the '.pdf'/'.csv' suffix to the
  // bare :id route above).
  const DocumentQuery = Type.Object({
    lang: Type.Optional(
      Type.Unsafe<'en' | 'es' | 'pt'>({
        type: 'string',
        enum: ['en', 'es', 'pt'],
        description: "Print in this language instead of the account's (en, es, pt)",
      }),
    ),
  });
  const documentDescription =
    "In the account's language (US accounts English, Mexican Spanish, Brazilian Portuguese) unless " +
    '`lang` says otherwise; money and dates in its locale. The entity legal name is the one valid on ' +
    'the invoice date (ACC-2).';
  const documentFormats = [
    {
      ext: 'pdf',
      render: invoicePdf,
      type: 'application/pdf',
      contentType: 'application/pdf',
      disposition: 'inline',
      summary: 'The invoice as a PDF, by id or number',
      body: 'The invoice PDF',
      schema: { type: 'string', format: 'binary' },
    },
    {
      ext: 'csv',
      render: invoiceCsv,
      type: 'text/csv',
      contentType: 'text/csv; charset=utf-8',
      disposition: 'attachment',
      summary: 'The invoice lines and totals as CSV, by id or number',
      body: 'One row per invoice line, then the totals',
      schema: { type: 'string' },
    },
  ] as const;
  for (const f of documentFormats) {
    app.get(
      `/v1/invoices/:id.${f.ext}`,
      {
        schema: {
          tags,
          summary: f.summary,
          description: documentDescription,
          params: IdParams,
          querystring: DocumentQuery,
          produces: [f.type],
          response: {
            200: { description: f.body, content: { [f.type]: { schema: f.schema } } },
            ...errorResponses,
          },
        },
      },
      async (req, reply) => {
        const doc = await f.render(req.ctx, req.params.id, { lang: req.query.lang as string | undefined });
        return reply
          .type(f.contentType)
          .header('content-disposition', `${f.disposition}; filename="${doc.filename}"`)
          .send(doc.content);
      },
    );
  }

  app.post(
    '/v1/invoices/:id/void',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary: 'Void an unpaid invoice issued in error (staff)',
        params: IdParams,
        body: Type.Object({ reason: Type.String({ minLength: 1 }) }),
        response: { 200: Type.Ref('Invoice'), ...errorResponses },
      },
    },
    async (req) => voidInvoice(req.ctx, req.params.id, req.body.reason),
  );

  app.post(
    '/v1/invoices/:id/reissue',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary: 'Void a monthly invoice issued in error and bill its month again now (staff)',
        description:
          'RUN-12. The invoice is voided (its number and lines stay) and the bill run issues the ' +
          "account's invoice for the month again, with what is in force now: inventory, contract, " +
          'prices, rate decks. The calls it billed are rated again and billed by the replacement, ' +
          'which names it in `replaces`. Refused (409) when calls of one of its months that arrived ' +
          'later were billed by a later invoice. When the bill run cannot issue the replacement now, ' +
          '`pending` says why; the account stays due for the month.',
        params: IdParams,
        body: Type.Object({ reason: Type.String({ minLength: 1 }) }),
        response: {
          201: Type.Object({
            voided: Type.Ref('Invoice'),
            replacement: Nullable(Type.Ref('Invoice')),
            pending: Nullable(Type.Object({ code: Type.String(), message: Type.String() })),
          }),
          ...errorResponses,
        },
      },
    },
    async (req, reply) => reply.code(201).send(await reissueInvoice(req.ctx, req.params.id, req.body.reason)),
  );

  app.post(
    '/v1/bill-runs',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary: "Run (or resume) a month's bill run now; safe to repeat",
        body: Type.Object({ month: Month, accountIds: Type.Optional(Type.Array(Type.String())) }),
        response: {
          200: Type.Object({
            runId: Type.String(),
            month: Type.String(),
            invoicesCreated: Type.Integer(),
            nothingToBill: Type.Integer(),
            failures: Type.Array(
              Type.Object({ accountId: Type.String(), code: Type.String(), message: Type.String() }),
            ),
            totals: Type.Record(Type.String(), Type.Integer()),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => billRun(req.ctx, { month: req.body.month, accountIds: req.body.accountIds }),
  );

  app.get(
    '/v1/bill-runs',
    {
      schema: {
        tags,
        querystring: Type.Object(PageQuery),
        response: { 200: Page(Type.Ref('BillRun')), ...errorResponses },
      },
    },
    async (req) => pageArray(await listBillRuns(req.ctx), req.query, (r) => r.month),
  );

  app.post(
    '/v1/accounts/:id/one-time-charges',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary: 'Invoice one-time charges now (equipment, premium numbers, installation): RUN-10',
        description:
          'Issues a separate one-time invoice dated today in the account time zone. Send an Idempotency-Key.',
        params: IdParams,
        body: Type.Object({
          charges: Type.Array(
            Type.Object({
              itemCode: Type.String(),
              quantity: Type.Integer({ minimum: 1 }),
              description: Type.Optional(Type.String()),
            }),
            { minItems: 1, maxItems: 100 },
          ),
        }),
        response: { 201: Type.Ref('Invoice'), ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await invoiceOneTimeCharges(req.ctx, req.params.id, req.body.charges)),
  );

  app.post(
    '/v1/accounts/:id/equipment-orders',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary: 'Invoice a signed equipment order: RUN-10, within 5 business days of the e-signature',
        description:
          'Issues a one-time invoice dated today (account time zone) for the ordered equipment. ' +
          '`invoiceBy` is the fifth business day after `signedOn` (weekends and the entity ' +
          "country's holidays skipped); `onTime` is false when the order reached billing after it. " +
          'Send an Idempotency-Key.',
        params: IdParams,
        body: Type.Object({
          signedOn: Type.String({ description: 'E-signature date (YYYY-MM-DD)', examples: ['2026-09-03'] }),
          charges: Type.Array(
            Type.Object({
              itemCode: Type.String(),
              quantity: Type.Integer({ minimum: 1 }),
              description: Type.Optional(Type.String()),
            }),
            { minItems: 1, maxItems: 100 },
          ),
        }),
        response: {
          201: Type.Object({
            invoice: Type.Ref('Invoice'),
            invoiceBy: Type.String(),
            onTime: Type.Boolean(),
          }),
          ...errorResponses,
        },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await invoiceEquipmentOrder(req.ctx, req.params.id, req.body)),
  );

  app.post(
    '/v1/accounts/:id/caller-id-changes',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary: 'Change caller ID and/or E911 address: one fee per request (CAT-6)',
        params: IdParams,
        body: Type.Object({
          number: Type.String({ description: 'The phone number (E.164) that changes' }),
          callerIdName: Type.Optional(Type.String()),
          e911Address: Type.Optional(Type.String()),
        }),
        response: { 201: Type.Ref('Invoice'), ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await requestCallerIdChange(req.ctx, req.params.id, req.body)),
  );
}
