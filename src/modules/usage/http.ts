import { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import type { App } from '../../http/types.ts';
import { IdParams, Nullable, errorResponses } from '../../http/schemas.ts';
import { type BillingMonth, notFound } from '../../kernel/index.ts';
import { callDetailsCsv, callDetailsJson, callDetailsOf, checkDetailsFormat } from './call-details.ts';
import {
  callingPlanTerms,
  callingPlanVersions,
  callingPlanView,
  exportRateDeck,
  importRateDeck,
  setCallingPlan,
} from './decks.ts';
import type { RawCdr } from './domain/cdr.ts';
import { type CdrRow, importCdrs } from './import.ts';
import { getImport } from './repo.ts';

const MAX_BATCH = 10_000;

const ImportError = Type.Object({
  row: Type.Integer({ description: 'API: position of the item, from 1. CSV: line of the file.' }),
  callId: Nullable(Type.String()),
  reason: Type.String(),
});

const ImportReport = Type.Object({
  importId: Type.String(),
  rowsRead: Type.Integer(),
  accepted: Type.Integer(),
  alreadyImported: Type.Integer({
    description:
      'Rows skipped: the same call (account, start, end, direction, numbers, device) was stored by an earlier import. A row with a stored id but other details is rejected instead (see errors).',
  }),
  rejected: Type.Integer(),
  errors: Type.Array(ImportError),
});

const CurrencyParams = Type.Object({ currency: Type.String({ pattern: '^[A-Za-z]{3}$' }) });

const CallingPlan = Type.Object({
  currency: Type.String(),
  validFrom: Nullable(
    Type.String({
      format: 'date',
      description:
        'First day of the month from which these terms are in force, until the next version starts (null: none set, the built-in defaults)',
    }),
  ),
  includedMinutesPerDevice: Type.Integer({ minimum: 0, description: 'CAT-2, pooled per account' }),
  overageRatePerMinute: Type.String({ description: 'Decimal, e.g. "0.02"' }),
  lowUsageMinutesPerDevice: Type.Integer({ minimum: 0, description: 'CAT-4 off-net minutes' }),
  lowUsageRatePerMinute: Type.String(),
  rounding: Type.String({ description: 'USG-4 rule for plan-rated calls: nearest-minute, up-minute…' }),
});

/**
 * A CDR of a batch (USG-1), as documented: an object with these fields, or anything else (the
 * second choice), so that one bad item is reported by its position instead of refusing the batch.
 */
const field = (description: string) => Type.Unsafe<unknown>({ description });
const CdrItem = Type.Unsafe<unknown>({
  description:
    "A call detail record. Numbers in E.164, the account country's national format, or 2-6 digit " +
    'extensions. Items are checked one by one (one that is not such an object is reported by its position).',
  anyOf: [
    {
      type: 'object',
      properties: {
        callId: field(
          'string, required: 1-128 printable characters, unique per call (sending it again is safe)',
        ),
        account: field('string, required: the account id or account number'),
        origin: field('string, required: the calling number or extension'),
        destination: field('string, required: the called number or extension'),
        startTime: field('string, required: ISO 8601 instant, UTC unless an offset is given'),
        endTime: field('string, required: ISO 8601 instant, not before startTime (a call of 0 s is free)'),
        direction: field('string, required: "inbound" or "outbound"'),
        originDevice: field('string, optional: the device (extension) that placed the call'),
      },
    },
    {},
  ],
});

const text = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
const rawFromItem = (o: Record<string, unknown>): RawCdr => ({
  callId: text(o.callId),
  account: text(o.account),
  origin: text(o.origin),
  destination: text(o.destination),
  startTime: text(o.startTime),
  endTime: text(o.endTime),
  direction: text(o.direction),
  originDevice: text(o.originDevice),
});

const csvLine = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export function usageRoutes(app: App) {
  const tags = ['Usage'];
  app.addContentTypeParser(
    'text/csv',
    { parseAs: 'string', bodyLimit: 20 * 1024 * 1024 },
    (_req, body, done) => done(null, body),
  );

  app.post(
    '/v1/usage/calls',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary: 'Import a batch of CDRs (USG-1)',
        description:
          'Every good item is stored; each bad one is reported with its position and reason. A call ' +
          'already stored (the same id and details) is skipped, so a batch can be sent again safely; an ' +
          'item with a stored id but other details is reported, naming the import that stored it. Each call is rated as it is ' +
          "stored (type, rounding, and what it draws on, from the account's inventory and the rate deck); " +
          'a call that cannot be rated yet (no deck entry, an extension the inventory lacks, no contract) ' +
          'is stored with the reason and rated again by each bill run.',
        body: Type.Object({
          calls: Type.Array(CdrItem, { minItems: 1, maxItems: MAX_BATCH }),
        }),
        response: { 200: ImportReport, ...errorResponses },
      },
    },
    async (req) => {
      const rows: CdrRow[] = req.body.calls.map((item, i) =>
        typeof item === 'object' && item !== null && !Array.isArray(item)
          ? { row: i + 1, raw: rawFromItem(item as Record<string, unknown>) }
          : { row: i + 1, error: 'each call must be an object' },
      );
      return importCdrs(req.ctx, rows, { source: 'api' });
    },
  );

  app.get(
    '/v1/usage/imports/:id',
    {
      schema: {
        tags,
        summary: 'An import’s summary and its first 10,000 errors',
        params: IdParams,
        response: { 200: ImportReport, ...errorResponses },
      },
    },
    async (req) => {
      const r = await getImport(req.ctx, req.params.id);
      if (!r) throw notFound('import_not_found', `No CDR import ${req.params.id}.`);
      return {
        importId: r.id,
        rowsRead: r.rows_read,
        accepted: r.accepted,
        alreadyImported: r.already_imported,
        rejected: r.rejected,
        errors: r.errors,
      };
    },
  );

  app.get(
    '/v1/usage/imports/:id/errors.csv',
    {
      schema: {
        tags,
        summary: 'Download an import’s rejected rows (row, call_id, reason)',
        description:
          'The first 10,000 rejected rows are kept with the import (the command line writes every one to its own error file). `x-rows-rejected` says how many rows were rejected, `x-rows-listed` how many are listed: when they differ, the list is cut.',
        params: IdParams,
        produces: ['text/csv'],
        response: {
          200: { description: 'CSV', content: { 'text/csv': { schema: { type: 'string' } } } },
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const r = await getImport(req.ctx, req.params.id);
      if (!r) throw notFound('import_not_found', `No CDR import ${req.params.id}.`);
      const body =
        'row,call_id,reason\r\n' +
        r.errors.map((e) => `${e.row},${csvLine(e.callId ?? '')},${csvLine(e.reason)}\r\n`).join('');
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${r.id}-errors.csv"`)
        .header('x-rows-rejected', String(r.rejected))
        .header('x-rows-listed', String(r.errors.length))
        .send(body);
    },
  );

  app.get(
    '/v1/accounts/:id/call-details',
    {
      schema: {
        tags,
        summary: 'Billed call details of a usage month (USG-5), as CSV (default) or JSON, streamed',
        params: IdParams,
        querystring: Type.Object({
          month: Type.String({ pattern: '^\\d{4}-\\d{2}$', description: 'Usage month, e.g. 2026-01' }),
          format: Type.Optional(Type.String({ enum: ['csv', 'json'] })),
        }),
        produces: ['text/csv', 'application/json'],
        response: {
          200: {
            description:
              'CSV columns: origin_number, destination_number, start_time_utc, end_time_utc, duration_seconds, ' +
              'billable_minutes, total_cost, rate, call_type. The calls each invoice billed, in start order; ' +
              "total_cost adds up to that invoice's usage lines for the month to the cent.",
            content: { 'text/csv': { schema: { type: 'string' } }, 'application/json': { schema: {} } },
          },
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const format = checkDetailsFormat(req.query.format);
      const details = await callDetailsOf(req.ctx, req.params.id, req.query.month);
      if (format === 'json') {
        const head = {
          accountId: details.account.id,
          month: details.month,
          currency: details.account.currency,
        };
        return reply
          .type('application/json; charset=utf-8')
          .send(Readable.from(callDetailsJson(head, details.pages)));
      }
      return reply
        .type('text/csv; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="call-details-${details.account.number}-${details.month}.csv"`,
        )
        .send(Readable.from(callDetailsCsv(details.pages)));
    },
  );

  app.get(
    '/v1/rate-decks/:currency',
    {
      schema: {
        tags,
        summary: 'Export a currency’s rate deck as CSV (CAT-3)',
        params: CurrencyParams,
        produces: ['text/csv'],
        response: {
          200: { description: 'CSV', content: { 'text/csv': { schema: { type: 'string' } } } },
          ...errorResponses,
        },
      },
    },
    async (req, reply) =>
      reply
        .type('text/csv; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="rate-deck-${req.params.currency.toUpperCase()}.csv"`,
        )
        .send(await exportRateDeck(req.ctx, req.params.currency)),
  );

  app.put(
    '/v1/rate-decks/:currency',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary:
          'Import rate-deck entries from CSV (prefix, description, call_type, rate_per_minute, rounding, valid_from, valid_to)',
        description:
          'Send the CSV as the body with content-type text/csv. Bad rows are reported; good rows are stored.',
        params: CurrencyParams,
        body: Type.String(),
        response: {
          200: Type.Object({
            currency: Type.String(),
            imported: Type.Integer(),
            errors: Type.Array(Type.Object({ line: Type.Integer(), reason: Type.String() })),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => importRateDeck(req.ctx, req.params.currency, req.body),
  );

  app.get(
    '/v1/calling-plans/:currency',
    {
      schema: {
        tags,
        summary: 'Calling plan terms of a currency in force in a month (CAT-2, CAT-4)',
        description: 'The version in force on the first day of `month` (default: the current month, UTC).',
        params: CurrencyParams,
        querystring: Type.Object({
          month: Type.Optional(Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$', description: 'YYYY-MM' })),
        }),
        response: { 200: CallingPlan, ...errorResponses },
      },
    },
    async (req) => {
      const currency = req.params.currency.toUpperCase();
      const month = req.query.month as BillingMonth | undefined;
      return callingPlanView(currency, await callingPlanTerms(req.ctx, currency, month));
    },
  );

  app.get(
    '/v1/calling-plans/:currency/versions',
    {
      schema: {
        tags,
        summary: 'Every version of the calling plan of a currency, the earliest first',
        params: CurrencyParams,
        response: { 200: Type.Object({ data: Type.Array(CallingPlan) }), ...errorResponses },
      },
    },
    async (req) => {
      const currency = req.params.currency.toUpperCase();
      const versions = await callingPlanVersions(req.ctx, currency);
      return { data: versions.map((v) => callingPlanView(currency, v)) };
    },
  );

  app.put(
    '/v1/calling-plans/:currency',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Set the calling plan terms of a currency from the first day of a month',
        description:
          'Adds the version starting on `validFrom` (default: the first day of the current month, UTC), or corrects it. A month is priced by the version in force on its first day; a month already invoiced for an account in that currency cannot change (409).',
        params: CurrencyParams,
        body: Type.Composite([
          Type.Omit(CallingPlan, ['currency', 'validFrom']),
          Type.Object({ validFrom: Type.Optional(Type.String({ description: 'YYYY-MM-01' })) }),
        ]),
        response: { 200: CallingPlan, ...errorResponses },
      },
    },
    async (req) => setCallingPlan(req.ctx, req.params.currency, req.body),
  );
}
