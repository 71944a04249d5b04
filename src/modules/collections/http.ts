import { Type } from '@sinclair/typebox';
import type { App } from '../../http/types.ts';
import { IdParams, errorResponses } from '../../http/schemas.ts';
import type { CollectionPolicy } from './domain/policy.ts';
import { runCollections } from './daily.ts';
import { getCollectionPolicy, updateCollectionPolicy } from './settings.ts';
import { deactivateAccount, reactivateAccount, statusHistory } from './staff.ts';

const Policy = Type.Object(
  {
    schedule: Type.Array(
      Type.Object({
        days: Type.Integer({
          description: 'Days from the due date: negative before it (reminder), positive after',
        }),
        kind: Type.String({
          description: 'reminder, past_due, suspension_warning, suspension, deactivation_warning',
        }),
      }),
    ),
    suspendAfterDays: Type.Integer({ description: 'Suspend at this many days past due (default 30)' }),
    deactivateAfterDays: Type.Integer({
      description: 'Deactivation allowed after this many days past due (60)',
    }),
    autoDeactivate: Type.Boolean(),
  },
  { $id: 'CollectionPolicy' },
);

export function collectionRoutes(app: App) {
  app.addSchema(Policy);
  const tags = ['Collections'];

  app.get(
    '/v1/collections/policy',
    {
      schema: {
        tags,
        summary: 'The dunning schedule and suspension/deactivation days (COL-2)',
        response: { 200: Type.Ref('CollectionPolicy') },
      },
    },
    async (req) => getCollectionPolicy(req.ctx),
  );
  app.put(
    '/v1/collections/policy',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        body: Type.Partial(Policy),
        response: { 200: Type.Ref('CollectionPolicy'), ...errorResponses },
      },
    },
    async (req) => updateCollectionPolicy(req.ctx, req.body as Partial<CollectionPolicy>),
  );
  app.post(
    '/v1/collections/run',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary:
          'Run the daily collections check now (janitor, autopay on the 10th, notices, suspension, reactivation)',
        response: { 200: Type.Unknown(), ...errorResponses },
      },
    },
    async (req) => runCollections(req.ctx),
  );
  app.post(
    '/v1/accounts/:id/deactivate',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary: 'Deactivate for non-payment: only more than 60 days past due (COL-4)',
        params: IdParams,
        body: Type.Object({ reason: Type.Optional(Type.String()) }),
        response: { 200: Type.Unknown(), ...errorResponses },
      },
    },
    async (req) => deactivateAccount(req.ctx, req.params.id, req.body),
  );
  app.post(
    '/v1/accounts/:id/reactivate',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary: 'Reactivate a deactivated account after full payment and proof of payment (COL-4)',
        params: IdParams,
        body: Type.Object({
          proof: Type.String({ minLength: 1, description: 'The proof of payment the customer sent' }),
        }),
        response: { 200: Type.Unknown(), ...errorResponses },
      },
    },
    async (req) => reactivateAccount(req.ctx, req.params.id, req.body),
  );
  app.get(
    '/v1/accounts/:id/status-history',
    {
      schema: {
        tags,
        summary: 'Every suspension, deactivation and reactivation, with the reason',
        params: IdParams,
        response: { 200: Type.Object({ data: Type.Array(Type.Unknown()) }), ...errorResponses },
      },
    },
    async (req) => ({ data: await statusHistory(req.ctx, req.params.id) }),
  );
}
