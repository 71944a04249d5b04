import { Type } from '@sinclair/typebox';
import type { App } from '../../http/types.ts';
import { IdParams, Nullable, errorResponses } from '../../http/schemas.ts';
import { listDisputes, openDispute, resolveDispute } from './disputes.ts';

const DisputeSchema = Type.Object(
  {
    id: Type.String(),
    accountId: Type.String(),
    invoiceId: Type.String(),
    linePosition: Nullable(Type.Integer()),
    amount: Type.Integer(),
    reason: Type.String(),
    status: Type.String({ description: 'open, accepted or rejected' }),
    resolution: Nullable(Type.String({ description: 'What staff told the customer' })),
    creditNoteId: Nullable(Type.String()),
    creditNoteNumber: Type.Optional(Type.String()),
    openedOn: Type.String(),
    lastDay: Type.String({ description: 'Issue date + 15 days: the last day the invoice could be disputed' }),
    resolvedAt: Nullable(Type.String()),
  },
  { $id: 'Dispute' },
);

export function disputeRoutes(app: App) {
  app.addSchema(DisputeSchema);
  const tags = ['Disputes'];
  app.post(
    '/v1/invoices/:id/disputes',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary: 'Dispute an invoice or one line, within 15 days of its issue date (DSP-1)',
        params: IdParams,
        body: Type.Object({
          reason: Type.String({ minLength: 1 }),
          linePosition: Type.Optional(Type.Integer({ minimum: 0 })),
          amount: Type.Optional(Type.Integer({ minimum: 1 })),
        }),
        response: { 201: Type.Ref('Dispute'), ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(await openDispute(req.ctx, req.params.id, req.body)),
  );
  app.post(
    '/v1/disputes/:id/accept',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary: 'Accept: a credit note reduces the balance (DSP-2)',
        params: IdParams,
        body: Type.Object({
          amount: Type.Optional(Type.Integer({ minimum: 1 })),
          reason: Type.Optional(Type.String()),
        }),
        response: { 200: Type.Ref('Dispute'), ...errorResponses },
      },
    },
    async (req) => resolveDispute(req.ctx, req.params.id, { decision: 'accept', ...req.body }),
  );
  app.post(
    '/v1/disputes/:id/reject',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary: 'Reject, with a reason the customer sees (DSP-2)',
        params: IdParams,
        body: Type.Object({ reason: Type.String({ minLength: 1 }) }),
        response: { 200: Type.Ref('Dispute'), ...errorResponses },
      },
    },
    async (req) => resolveDispute(req.ctx, req.params.id, { decision: 'reject', reason: req.body.reason }),
  );
  app.get(
    '/v1/accounts/:id/disputes',
    {
      schema: {
        tags,
        params: IdParams,
        response: { 200: Type.Object({ data: Type.Array(Type.Ref('Dispute')) }), ...errorResponses },
      },
    },
    async (req) => ({ data: await listDisputes(req.ctx, req.params.id) }),
  );
}
