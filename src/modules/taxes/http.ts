import { Type } from '@sinclair/typebox';
import type { App } from '../../http/types.ts';
import { DateString, IdParams, Nullable, errorResponses } from '../../http/schemas.ts';
import { pageArray } from '../../db/index.ts';
import { getAccount } from '../accounts/index.ts';
import type { FeeSchedule } from './domain/fees.ts';
import type { TaxTable } from './domain/taxes.ts';
import {
  certificatesOf,
  grantExemption,
  loadRateTables,
  publishFeeSchedule,
  publishTaxTable,
} from './rate-tables.ts';

const Certificate = Type.Object(
  {
    id: Type.String(),
    accountId: Type.String(),
    certificateNumber: Type.String(),
    jurisdictions: Type.Array(Type.String()),
    validFrom: Type.String(),
    validTo: Nullable(Type.String()),
  },
  { $id: 'ExemptionCertificate' },
);

const Published = Type.Object({ version: Type.Integer() });

export function taxRoutes(app: App) {
  app.addSchema(Certificate);
  const tags = ['Fees and taxes'];

  app.get(
    '/v1/rate-tables',
    {
      schema: {
        tags,
        summary: 'The regulatory fee schedule and tax table in force (latest versions)',
        response: {
          200: Type.Object({
            fees: Type.Unknown(),
            taxes: Type.Unknown(),
            versions: Type.Object({ fees: Nullable(Type.Integer()), taxes: Nullable(Type.Integer()) }),
          }),
        },
      },
    },
    async (req) => loadRateTables(req.ctx),
  );

  app.put(
    '/v1/rate-tables/fees',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary:
          'Publish a new fee schedule version (RRF, SLRRF by state, USF quarterly factors, safe harbour)',
        body: Type.Object({ fees: Type.Array(Type.Unknown()) }, { additionalProperties: true }),
        response: { 200: Published, ...errorResponses },
      },
    },
    async (req) => ({ version: await publishFeeSchedule(req.ctx, req.body as unknown as FeeSchedule) }),
  );

  app.put(
    '/v1/rate-tables/taxes',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Publish a new tax table version (rates per jurisdiction, effective-dated)',
        body: Type.Object({}, { additionalProperties: true }),
        response: { 200: Published, ...errorResponses },
      },
    },
    async (req) => ({ version: await publishTaxTable(req.ctx, req.body as unknown as TaxTable) }),
  );

  app.post(
    '/v1/accounts/:id/exemption-certificates',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary: 'Grant a tax exemption on a submitted certificate (ACC-4)',
        params: IdParams,
        body: Type.Object({
          certificateNumber: Type.String({ minLength: 1 }),
          jurisdictions: Type.Array(Type.String(), {
            minItems: 1,
            description: "Codes as on tax lines: 'US-TX', 'CA-QC-QST'…",
          }),
          validFrom: DateString('First day covered'),
          validTo: Type.Optional(Nullable(DateString('Last day covered'))),
        }),
        response: { 201: Type.Ref('ExemptionCertificate'), ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(await grantExemption(req.ctx, req.params.id, req.body)),
  );

  app.get(
    '/v1/accounts/:id/exemption-certificates',
    {
      schema: {
        tags,
        params: IdParams,
        querystring: Type.Object({
          cursor: Type.Optional(Type.String()),
          limit: Type.Optional(Type.Integer()),
        }),
        response: {
          200: Type.Object({
            data: Type.Array(Type.Ref('ExemptionCertificate')),
            nextCursor: Nullable(Type.String()),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const account = await getAccount(req.ctx, req.params.id);
      const certs = (await certificatesOf(req.ctx, [account.id])).get(account.id) ?? [];
      return pageArray(certs, req.query, (c) => c.id);
    },
  );
}
