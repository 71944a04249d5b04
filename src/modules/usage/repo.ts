import { sql } from 'kysely';
import type { Ctx } from '../../context.ts';
import { type Database, type Db, anyOf, canCopy, copyField, copyInto } from '../../db/index.ts';
import type { CdrAccount, ImportedCall } from './domain/cdr.ts';

// SQL for the usage module's own tables: rate_deck_entries, calling_plans, calls, cdr_imports,
// rated_calls. Accounts are read only to place CDRs (id or number → country and time zone).

export async function findCdrAccounts(ctx: Ctx, keys: readonly string[]): Promise<Map<string, CdrAccount>> {
  const rows = await ctx.db
    .selectFrom('accounts')
    .select(['id', 'number', 'time_zone', 'address'])
    .where((eb) => eb.or([eb('id', '=', anyOf(keys)), eb('number', '=', anyOf(keys))]))
    .execute();
  const found = new Map<string, CdrAccount>();
  for (const r of rows) {
    const account = { id: r.id, country: r.address.country, timeZone: r.time_zone };
    found.set(r.id, account);
    found.set(r.number, account);
  }
  return found;
}

/** Inserts checked calls, skipping ids already stored; returns the rows that went in. */
export async function insertCallChunk(
  db: Db,
  importId: string,
  calls: readonly (ImportedCall & { row: number })[],
): Promise<number[]> {
  const rows = JSON.stringify(
    calls.map((c) => ({
      call_id: c.callId,
      account_id: c.accountId,
      usage_month: c.usageMonth,
      started_at: new Date(c.startedAt).toISOString(),
      duration_seconds: c.durationSeconds,
      direction: c.direction,
      origin: c.origin,
      destination: c.destination,
      origin_device: c.originDevice,
      import_row: c.row,
    })),
  );
  const r = await sql<{ import_row: number }>`
    INSERT INTO calls (call_id, account_id, usage_month, started_at, duration_seconds, direction, origin,
      destination, origin_device, import_id, import_row)
    SELECT call_id, account_id, usage_month, started_at, duration_seconds, direction, origin, destination,
      origin_device, ${importId}, import_row
    FROM json_to_recordset(${rows}::json) AS t(call_id text, account_id text, usage_month text,
      started_at timestamptz, duration_seconds int, direction text, origin text, destination text,
      origin_device text, import_row int)
    ON CONFLICT (call_id) DO NOTHING
    RETURNING import_row`.execute(db);
  return r.rows.map((x) => x.import_row);
}

export async function storedCallOrigins(
  db: Db,
  callIds: readonly string[],
): Promise<Map<string, { importId: string | null; row: number | null }>> {
  const rows = await db
    .selectFrom('calls')
    .select(['call_id', 'import_id', 'import_row'])
    .where('call_id', '=', anyOf(callIds))
    .execute();
  return new Map(rows.map((r) => [r.call_id, { importId: r.import_id, row: r.import_row }]));
}

export async function recordImport(
  ctx: Ctx,
  r: {
    id: string;
    source: string;
    rowsRead: number;
    accepted: number;
    alreadyImported: number;
    rejected: number;
    errors: { row: number; callId: string | null; reason: string }[];
  },
): Promise<void> {
  await ctx.db
    .insertInto('cdr_imports')
    .values({
      id: r.id,
      source: r.source,
      rows_read: r.rowsRead,
      accepted: r.accepted,
      already_imported: r.alreadyImported,
      rejected: r.rejected,
      errors: JSON.stringify(r.errors),
      created_at: ctx.clock.now(),
      created_by: ctx.actor,
    })
    .execute();
}

export async function getImport(ctx: Ctx, id: string) {
  return ctx.db.selectFrom('cdr_imports').selectAll().where('id', '=', id).executeTakeFirst();
}

/** A month's calls of these accounts not yet billed, shaped as the rating kernel reads them. */
export async function unbilledCalls(db: Db, accountIds: readonly string[], beforeMonth: string) {
  // The start travels as epoch milliseconds: parsing a timestamp per row costs more than the query.
  const r = await sql<{
    accountId: string;
    usageMonth: string;
    callId: string;
    startedAt: number;
    durationSeconds: number;
    direction: 'inbound' | 'outbound';
    origin: string;
    destination: string;
    originDevice: string | null;
  }>`
    SELECT c.account_id AS "accountId", c.usage_month AS "usageMonth", c.call_id AS "callId",
      (extract(epoch FROM c.started_at) * 1000)::float8 AS "startedAt", c.duration_seconds AS "durationSeconds",
      c.direction, c.origin, c.destination, c.origin_device AS "originDevice"
    FROM calls c
    WHERE c.account_id = ANY(${accountIds as string[]}::text[]) AND c.usage_month < ${beforeMonth}
      AND NOT EXISTS (SELECT 1 FROM rated_calls r WHERE r.account_id = c.account_id
        AND r.usage_month = c.usage_month AND r.started_at = c.started_at AND r.call_id = c.call_id)`.execute(
    db,
  );
  return r.rows;
}

/** Allowance seconds already drawn per account, month and allowance by billed calls (late CDRs). */
export async function allowanceDrawn(db: Db, pairs: readonly { accountId: string; month: string }[]) {
  if (pairs.length === 0) return [];
  return db
    .selectFrom('rated_calls')
    .select([
      'account_id',
      'usage_month',
      'allowance',
      (eb) => eb.fn.sum<number>('included_seconds').as('seconds'),
    ])
    .where('account_id', '=', anyOf([...new Set(pairs.map((p) => p.accountId))]))
    .where('usage_month', '=', anyOf([...new Set(pairs.map((p) => p.month))]))
    .where('allowance', 'is not', null)
    .groupBy(['account_id', 'usage_month', 'allowance'])
    .execute();
}

/** A rated call as the bill run writes it; its start as epoch milliseconds (cheaper to copy). */
export type RatedCallRow = Omit<Database['rated_calls'], 'started_at'> & { started_ms: number };

/** Rated calls of one invoice, as the bill run stores them. */
export interface RatedCallGroup {
  invoiceId: string;
  calls: readonly Omit<RatedCallRow, 'invoice_id'>[];
}

export async function insertRatedCalls(db: Db, groups: readonly RatedCallGroup[]): Promise<void> {
  if (!groups.some((g) => g.calls.length > 0)) return;
  // On a server the rows stream by COPY (about twice the rate of any INSERT); embedded, as JSON.
  if (await canCopy(db)) {
    await copyInto(
      db,
      `COPY rated_calls (call_id, account_id, usage_month, started_at, invoice_id, billed, call_type, rounding,
        billable_seconds, included_seconds, charged_seconds, rate_per_minute, amount, allowance) FROM STDIN`,
      ratedCallText(groups),
    );
    return;
  }
  const rows = groups.flatMap(({ invoiceId, calls }) => calls.map((c) => ({ ...c, invoice_id: invoiceId })));
  for (let i = 0; i < rows.length; i += 50_000) {
    const json = JSON.stringify(rows.slice(i, i + 50_000));
    await sql`
      INSERT INTO rated_calls (call_id, account_id, usage_month, started_at, invoice_id, billed, call_type,
        rounding, billable_seconds, included_seconds, charged_seconds, rate_per_minute, amount, allowance)
      SELECT call_id, account_id, usage_month, to_timestamp(started_ms / 1000.0), invoice_id, billed, call_type, rounding,
        billable_seconds, included_seconds, charged_seconds, rate_per_minute, amount, allowance
      FROM json_to_recordset(${json}::json) AS t(call_id text, account_id text, usage_month text,
        started_ms float8, invoice_id text, billed boolean, call_type text, rounding text, billable_seconds int,
        included_seconds int, charged_seconds int, rate_per_minute int8, amount int8, allowance text)`.execute(
      db,
    );
  }
}

export interface CallDetailRow {
  call_id: string;
  started_at: Date;
  duration_seconds: number;
  origin: string;
  destination: string;
  billable_seconds: number;
  amount: number;
  rate_per_minute: number;
  call_type: string;
}

/** One page of a month's billed calls in start order, after the keyset `after`. */
export async function callDetailPage(
  db: Db,
  accountId: string,
  month: string,
  after: { startedAt: Date; callId: string } | null,
  limit: number,
): Promise<CallDetailRow[]> {
  let q = db
    .selectFrom('rated_calls as r')
    .innerJoin('calls as c', 'c.call_id', 'r.call_id')
    .select([
      'r.call_id',
      'r.started_at',
      'c.duration_seconds',
      'c.origin',
      'c.destination',
      'r.billable_seconds',
      'r.amount',
      'r.rate_per_minute',
      'r.call_type',
    ])
    .where('r.account_id', '=', accountId)
    .where('r.usage_month', '=', month)
    .where('r.billed', '=', true);
  if (after) {
    q = q.where((eb) =>
      eb.or([
        eb('r.started_at', '>', after.startedAt),
        eb.and([eb('r.started_at', '=', after.startedAt), eb('r.call_id', '>', after.callId)]),
      ]),
    );
  }
  return q.orderBy('r.started_at').orderBy('r.call_id').limit(limit).execute();
}

function* ratedCallText(groups: readonly RatedCallGroup[]): Generator<string> {
  let text = '';
  let n = 0;
  for (const { invoiceId, calls } of groups) {
    for (const r of calls) {
      text +=
        `${copyField(r.call_id)}\t${r.account_id}\t${r.usage_month}\t${isoInstant(r.started_ms)}\t` +
        `${invoiceId}\t${r.billed ? 't' : 'f'}\t${r.call_type}\t${r.rounding}\t${r.billable_seconds}\t` +
        `${r.included_seconds}\t${r.charged_seconds}\t${r.rate_per_minute}\t${r.amount}\t${copyField(r.allowance)}\n`;
      if (++n === 5_000) {
        yield text;
        text = '';
        n = 0;
      }
    }
  }
  if (text !== '') yield text;
}

const DAY_MS = 86_400_000;
let isoDay = NaN;
let isoDayPrefix = '';
const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);

/**
 * Epoch milliseconds as Date#toISOString writes them (2026-01-05T16:00:00.000Z), without a Date
 * per call: the date part is kept for the last day seen, and calls come in day order.
 */
export function isoInstant(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  if (day !== isoDay) {
    const d = new Date(day * DAY_MS);
    if (Number.isNaN(d.getTime()) || d.getUTCFullYear() < 0 || d.getUTCFullYear() > 9999)
      return new Date(ms).toISOString();
    isoDayPrefix = d.toISOString().slice(0, 11);
    isoDay = day;
  }
  let rest = ms - day * DAY_MS;
  if (!Number.isInteger(rest)) return new Date(ms).toISOString();
  const milli = rest % 1000;
  rest = (rest - milli) / 1000;
  const second = rest % 60;
  rest = (rest - second) / 60;
  const minute = rest % 60;
  const hour = (rest - minute) / 60;
  return `${isoDayPrefix}${pad2(hour)}:${pad2(minute)}:${pad2(second)}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}
