import { Type } from '@sinclair/typebox';
import type { App } from '../../http/types.ts';
import { DateString, IdParams, MinorUnits, Nullable, errorResponses } from '../../http/schemas.ts';
import { BillingError, ErrorKind, invalid, notFound } from '../../kernel/index.ts';
import { getAccount } from '../accounts/index.ts';
import { accountBalance, accountLedger } from './ledger.ts';
import { importBankFile } from './bank-file.ts';
import { recordOfflinePayment } from './offline.ts';
import { payBalance } from './pay-balance.ts';
import { type Payment, toPayment } from './payment.ts';
import {
  type AddPaymentMethodInput,
  addPaymentMethod,
  listPaymentMethods,
  removePaymentMethod,
  setAutopay,
  setDefaultPaymentMethod,
} from './payment-methods.ts';
import { reconcilePayments } from './reconcile.ts';
import { adjustBalance, refundCredit } from './refund.ts';

const Aging = Type.Object({
  current: MinorUnits('Not yet due (account credit shows here as a negative amount)'),
  days1to30: MinorUnits('1–30 days past due'),
  days31to60: MinorUnits('31–60 days past due'),
  days61plus: MinorUnits('61 or more days past due'),
});

const Balance = Type.Object(
  {
    accountId: Type.String(),
    currency: Type.String(),
    asOf: Type.String({ description: "Today in the account's time zone" }),
    balance: MinorUnits('Sum of the ledger; negative is account credit'),
    balanceDue: MinorUnits('What is owed now'),
    pastDue: MinorUnits('Owed after its due date'),
    credit: MinorUnits('Unapplied account credit'),
    aging: Aging,
    oldestPastDueDays: Type.Integer(),
    openInvoices: Type.Array(
      Type.Object({
        invoiceId: Type.String(),
        number: Type.String(),
        issueDate: Nullable(Type.String()),
        dueDate: Nullable(Type.String()),
        total: MinorUnits('Invoice total'),
        open: MinorUnits('Still to pay'),
        daysPastDue: Type.Integer(),
      }),
    ),
  },
  { $id: 'AccountBalance' },
);

const PaymentSchema = Type.Object(
  {
    id: Type.String(),
    accountId: Type.String(),
    amount: MinorUnits('Amount'),
    currency: Type.String(),
    status: Type.String({
      description:
        'pending, unknown (being confirmed), processing (bank debit settling), succeeded, declined, failed, returned',
    }),
    methodType: Type.String(),
    paymentMethodId: Nullable(Type.String()),
    source: Type.String({ description: 'online, autopay, offline, bank_file' }),
    invoiceIds: Type.Array(Type.String()),
    reference: Nullable(Type.String()),
    declineCode: Nullable(Type.String()),
    message: Nullable(Type.String()),
    receivedOn: Type.String(),
    settlesOn: Nullable(Type.String()),
    createdAt: Type.String(),
    decidedAt: Nullable(Type.String()),
  },
  { $id: 'Payment' },
);

const MethodSchema = Type.Object(
  {
    id: Type.String(),
    accountId: Type.String(),
    type: Type.String({ description: 'card, us_bank or clabe' }),
    brand: Nullable(Type.String()),
    last4: Type.String(),
    expMonth: Nullable(Type.Integer()),
    expYear: Nullable(Type.Integer()),
    holderName: Nullable(Type.String()),
    isDefault: Type.Boolean(),
    createdAt: Type.String(),
  },
  { $id: 'PaymentMethod' },
);

const MethodParams = Type.Object({ id: Type.String(), methodId: Type.String() });
const Amount = Type.Integer({ minimum: 1, description: 'In minor units (cents)' });

/** A declined or failed payment is an answer the customer acts on: 402 with the payment in details. */
function failedPayment(p: Payment): BillingError {
  if (p.status === 'declined') {
    const retryAt = new Date(Date.parse(p.decidedAt!) + 60 * 60_000).toISOString();
    return new BillingError(
      ErrorKind.paymentFailed,
      'payment_declined',
      `${p.message ?? 'The payment was declined.'} A declined payment can be resubmitted after one hour, at ${retryAt}.`,
      { payment: p, declineCode: p.declineCode, retryAt },
    );
  }
  return new BillingError(ErrorKind.paymentFailed, 'payment_failed', p.message ?? 'The payment failed.', {
    payment: p,
  });
}

export function paymentRoutes(app: App) {
  app.addSchema(Balance);
  app.addSchema(PaymentSchema);
  app.addSchema(MethodSchema);
  if (!app.hasContentTypeParser('text/csv')) {
    app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  }
  const tags = ['Payments'];

  app.get(
    '/v1/accounts/:id/balance',
    {
      schema: {
        tags,
        summary: 'Balance, past-due balance, account credit and aging buckets (COL-1)',
        params: IdParams,
        response: { 200: Type.Ref('AccountBalance'), ...errorResponses },
      },
    },
    async (req) => accountBalance(req.ctx, req.params.id),
  );

  app.get(
    '/v1/accounts/:id/ledger',
    {
      schema: {
        tags,
        summary:
          'Every invoice, payment, refund, returned payment, credit note and adjustment, with the running balance',
        params: IdParams,
        response: { 200: Type.Object({ data: Type.Array(Type.Unknown()) }), ...errorResponses },
      },
    },
    async (req) => ({ data: await accountLedger(req.ctx, req.params.id) }),
  );

  app.get(
    '/v1/accounts/:id/payment-methods',
    {
      schema: {
        tags,
        params: IdParams,
        response: { 200: Type.Object({ data: Type.Array(Type.Ref('PaymentMethod')) }), ...errorResponses },
      },
    },
    async (req) => ({ data: await listPaymentMethods(req.ctx, req.params.id) }),
  );

  app.post(
    '/v1/accounts/:id/payment-methods',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary:
          'Add a card (Visa, Mastercard, American Express, Discover), US bank account or CLABE (PAY-1..3)',
        description:
          'The details go to the processor; only its token, the brand, the last 4 digits and the expiry are kept. ' +
          'The first method becomes the default.',
        params: IdParams,
        body: Type.Union([
          Type.Object({
            type: Type.Literal('card'),
            number: Type.String(),
            expMonth: Type.Integer(),
            expYear: Type.Integer(),
            cvc: Type.Optional(Type.String()),
            holderName: Type.Optional(Type.String()),
            makeDefault: Type.Optional(Type.Boolean()),
          }),
          Type.Object({
            type: Type.Literal('us_bank'),
            holderName: Type.String(),
            routingNumber: Type.String(),
            accountNumber: Type.String(),
            makeDefault: Type.Optional(Type.Boolean()),
          }),
          Type.Object({
            type: Type.Literal('clabe'),
            holderName: Type.String(),
            clabe: Type.String(),
            makeDefault: Type.Optional(Type.Boolean()),
          }),
        ]),
        response: { 201: Type.Ref('PaymentMethod'), ...errorResponses },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(await addPaymentMethod(req.ctx, req.params.id, req.body as AddPaymentMethodInput)),
  );

  app.post(
    '/v1/accounts/:id/payment-methods/:methodId/default',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary: 'Make a method the default (PAY-3)',
        params: MethodParams,
        response: { 200: Type.Ref('PaymentMethod'), ...errorResponses },
      },
    },
    async (req) => setDefaultPaymentMethod(req.ctx, req.params.id, req.params.methodId),
  );

  app.post(
    '/v1/accounts/:id/payment-methods/:methodId/remove',
    {
      config: { access: 'write' },
      schema: { tags, summary: 'Remove a payment method (PAY-3)', params: MethodParams },
    },
    async (req, reply) => {
      await removePaymentMethod(req.ctx, req.params.id, req.params.methodId);
      return reply.status(204).send();
    },
  );

  app.put(
    '/v1/accounts/:id/autopay',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary: 'Autopay on or off: on the 10th the default method is charged the balance due (PAY-6)',
        params: IdParams,
        body: Type.Object({ enabled: Type.Boolean() }),
        response: {
          200: Type.Object({
            accountId: Type.String(),
            autopay: Type.Boolean(),
            defaultMethodId: Nullable(Type.String()),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => setAutopay(req.ctx, req.params.id, req.body.enabled),
  );

  app.post(
    '/v1/accounts/:id/payments',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary: 'Pay the balance, in full or in part, by card or bank account (PAY-4)',
        description:
          'Requires an Idempotency-Key header (PAY-7): a retry returns the first result and never charges twice. ' +
          'Without `amount` the whole balance due is paid; `invoiceIds` (ids or numbers) are paid first, otherwise oldest first. ' +
          '201: succeeded, or processing for a bank debit; 202: the processor did not answer and the payment is being confirmed; ' +
          '402 payment_declined: declined, retry after one hour (PAY-5); 422 payment_retry_locked: inside that hour (details.retryAt).',
        params: IdParams,
        body: Type.Object({
          amount: Type.Optional(Amount),
          invoiceIds: Type.Optional(Type.Array(Type.String(), { minItems: 1 })),
          paymentMethodId: Type.Optional(Type.String()),
        }),
        response: {
          201: Type.Ref('Payment'),
          202: Type.Ref('Payment'),
          402: Type.Ref('Error'),
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const key = req.headers['idempotency-key'];
      if (typeof key !== 'string' || !key) {
        throw invalid(
          'idempotency_key_required',
          'A payment request needs an Idempotency-Key header (PAY-7).',
        );
      }
      const p = await payBalance(req.ctx, req.params.id, { ...req.body, idempotencyKey: key });
      if (p.status === 'declined' || p.status === 'failed') throw failedPayment(p);
      return reply.status(p.status === 'unknown' || p.status === 'pending' ? 202 : 201).send(p);
    },
  );

  app.get(
    '/v1/accounts/:id/payments',
    {
      schema: {
        tags,
        params: IdParams,
        response: { 200: Type.Object({ data: Type.Array(Type.Ref('Payment')) }), ...errorResponses },
      },
    },
    async (req) => {
      const account = await getAccount(req.ctx, req.params.id);
      const rows = await req.ctx.db
        .selectFrom('payments')
        .selectAll()
        .where('account_id', '=', account.id)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return { data: rows.map(toPayment) };
    },
  );

  app.get(
    '/v1/payments/:id',
    { schema: { tags, params: IdParams, response: { 200: Type.Ref('Payment'), ...errorResponses } } },
    async (req) => {
      const row = await req.ctx.db
        .selectFrom('payments')
        .selectAll()
        .where('id', '=', req.params.id)
        .executeTakeFirst();
      if (!row) throw notFound('payment_not_found', `No payment ${req.params.id}.`);
      return toPayment(row);
    },
  );

  app.post(
    '/v1/accounts/:id/payments/offline',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary: 'Record a cheque or bank transfer received (PAY-1, staff)',
        params: IdParams,
        body: Type.Object({
          method: Type.Union([Type.Literal('cheque'), Type.Literal('transfer')]),
          amount: Amount,
          reference: Type.Optional(Type.String({ description: 'Cheque number or transfer reference' })),
          receivedOn: Type.Optional(DateString('Day the money was received')),
          invoiceIds: Type.Optional(Type.Array(Type.String())),
        }),
        response: { 201: Type.Ref('Payment'), ...errorResponses },
      },
    },
    async (req, reply) => {
      const { replayed: _r, ...p } = await recordOfflinePayment(req.ctx, req.params.id, req.body);
      return reply.status(201).send(p);
    },
  );

  app.post(
    '/v1/payments/bank-file',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary:
          'Import a bank file (CSV): transfers are matched to invoices by the invoice number in the reference (SPEI)',
        description:
          'Columns: date, amount (decimal), currency, reference, bank_reference (optional). Send it as text/csv, ' +
          'or as JSON {"csv": "…"}. Lines without a matching invoice are listed in `unmatched`; a line already imported is listed in `duplicates`.',
        response: {
          200: Type.Object({
            matched: Type.Array(Type.Unknown()),
            duplicates: Type.Array(Type.Unknown()),
            unmatched: Type.Array(Type.Unknown()),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const body = req.body as unknown;
      const csv = typeof body === 'string' ? body : (body as { csv?: unknown } | null)?.csv;
      if (typeof csv !== 'string')
        throw invalid('csv_required', 'Send the bank file as text/csv or as {"csv": "…"}.');
      return importBankFile(req.ctx, csv);
    },
  );

  app.post(
    '/v1/accounts/:id/refunds',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary: 'Pay back account credit (staff)',
        params: IdParams,
        body: Type.Object({ amount: Amount, reason: Type.String({ minLength: 1 }) }),
        response: { 200: Type.Ref('AccountBalance'), ...errorResponses },
      },
    },
    async (req) => refundCredit(req.ctx, req.params.id, req.body),
  );

  app.post(
    '/v1/accounts/:id/adjustments',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Adjust the balance: positive is a debit, negative a credit (admin)',
        params: IdParams,
        body: Type.Object({ amount: Type.Integer(), reason: Type.String({ minLength: 1 }) }),
        response: { 200: Type.Ref('AccountBalance'), ...errorResponses },
      },
    },
    async (req) => adjustBalance(req.ctx, req.params.id, req.body),
  );

  app.post(
    '/v1/payments/reconcile',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary: 'Run the payment janitor now: confirm unknown payments, settle or return bank debits',
        response: {
          200: Type.Object({ reconciled: Type.Integer(), settled: Type.Integer(), returned: Type.Integer() }),
          ...errorResponses,
        },
      },
    },
    async (req) => reconcilePayments(req.ctx),
  );
}
