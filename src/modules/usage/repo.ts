import { type Selectable, sql } from 'kysely';
import type { Ctx } from '../../context.ts';
import {
  type ColumnTypes,
  type CopyRows,
  type Database,
  type Db,
  type FixedColumn,
  anyOf,
  copyRows,
  insertColumns,
  insertCopyRows,
} from '../../db/index.ts';
import type { ArrivalRating, ArrivalTotal } from './domain/arrival.ts';
import type { CdrAccount, ImportedCall } from './domain/cdr.ts';
import type { Direction } from './domain/classify.ts';

// SQL for the usage module's own tables: rate_deck_entries, calling_plans, calls, cdr_imports,
// usage_totals, usage_cuts. Accounts are read only to place and rate CDRs (id or number → country,
// currency and time zone).

/** An account as rating reads it: where its calls are placed (CdrAccount) and its currency. */
export type RatingAccountRow = CdrAccount & { currency: string };

/** Of the accounts table, the columns a RatingAccountRow is made of (the address's country only). */
const ratingColumnsOf = (db: Db) =>
  db
    .selectFrom('accounts')
    .select(['id', 'number', 'time_zone', 'currency'])
    .select(sql<string>`address->>'country'`.as('country'));
const toRatingAccount = (r: { id: string; currency: string; time_zone: string; country: string }) => ({
  id: r.id,
  currency: r.currency,
  timeZone: r.time_zone,
  country: r.country,
});

/**
 * The accounts CDR rows name, by id or by number: each key found maps to its account (an account
 * named both ways is one object).
 */
export async function findCdrAccounts(
  ctx: Ctx,
  keys: readonly string[],
): Promise<Map<string, RatingAccountRow>> {
  const rows = await ratingColumnsOf(ctx.db)
    .where((eb) => eb.or([eb('id', '=', anyOf(keys)), eb('number', '=', anyOf(keys))]))
    .execute();
  const found = new Map<string, RatingAccountRow>();
  for (const r of rows) {
    const account = toRatingAccount(r);
    found.set(r.id, account);
    found.set(r.number, account);
  }
  return found;
}

/** A stored call as an import compares a row of the same id with it (settleConflicts). */
export interface StoredCall {
  /** The batch that stored (or last rated) it, the row it came from, the import of that batch. */
  batch: number;
  row: number | null;
  importId: string | null;
  /** Null for a call of the import asking (its classes are written last). */
  accountId: string | null;
  direction: Direction | null;
  startedAt: number;
  durationSeconds: number;
  origin: string;
  destination: string;
  originDevice: string | null;
}

/** The stored calls of these ids, by id. */
export async function storedCallsById(db: Db, callIds: readonly string[]): Promise<Map<string, StoredCall>> {
  const rows = await db
    .selectFrom('calls as c')
    // An import writes its classes last: its own calls have none yet (only their batch and row matter).
    .leftJoin('call_classes as k', (j) => j.onRef('k.batch', '=', 'c.batch').onRef('k.class', '=', 'c.class'))
    .leftJoin('cdr_imports as i', 'i.batch', 'c.batch')
    .select([
      'c.call_id',
      'c.batch',
      'c.import_row',
      'i.id as import_id',
      'k.account_id',
      'k.direction',
      'c.started_at',
      'c.duration_seconds',
      'c.origin',
      'c.destination',
      'c.origin_device',
    ])
    .where('c.call_id', '=', anyOf(callIds))
    .execute();
  return new Map(
    rows.map((r) => [
      r.call_id,
      {
        batch: Number(r.batch),
        row: r.import_row,
        importId: r.import_id,
        accountId: r.account_id,
        direction: r.direction as Direction | null,
        startedAt: new Date(r.started_at).getTime(),
        durationSeconds: r.duration_seconds,
        origin: r.origin,
        destination: r.destination,
        originDevice: r.origin_device,
      },
    ]),
  );
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
    /** The batch its calls were stored under (calls.batch). */
    batch: number;
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
      batch: r.batch,
    })
    .execute();
}

export async function getImport(ctx: Ctx, id: string) {
  return ctx.db.selectFrom('cdr_imports').selectAll().where('id', '=', id).executeTakeFirst();
}

/** What rating needs of accounts: currency, zone and billing country. */
export async function ratingAccounts(db: Db, ids: readonly string[]): Promise<RatingAccountRow[]> {
  const rows = await ratingColumnsOf(db).where('id', '=', anyOf(ids)).execute();
  return rows.map(toRatingAccount);
}

// Imports hold this lock shared while they write; a bill run takes it alone for an instant to
// learn the highest batch every writer has finished with (see usageWatermark).
const BATCH_LOCK = 7_260_101;

/** The batch number of the calling transaction's writes (imports, re-rating). */
export async function nextCallBatch(db: Db): Promise<number> {
  const r = await sql<{ batch: number }>`
    SELECT pg_advisory_xact_lock_shared(${BATCH_LOCK}::int8) IS NULL, nextval('call_batches') AS batch`.execute(
    db,
  );
  return Number(r.rows[0]!.batch);
}

/**
 * The highest batch whose writer has committed or given up: once every transaction holding the
 * lock shared has ended, no batch at or below the sequence's value can still appear.
 */
export async function usageWatermark(db: Db): Promise<number> {
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${BATCH_LOCK}::int8)`.execute(trx);
    const r = await sql<{ last_value: number; is_called: boolean }>`
      SELECT last_value, is_called FROM call_batches`.execute(trx);
    const row = r.rows[0]!;
    return row.is_called ? Number(row.last_value) : 0;
  });
}

/**
 * Inserts rated calls, skipping ids already stored; returns the rows that went in. `classOf`
 * gives each call's class in the batch (its row in call_classes is written by insertCallClasses).
 */
export async function insertCallChunk<C extends ImportedCall & { row: number; rating: ArrivalRating }>(
  db: Db,
  batch: number,
  calls: readonly C[],
  classOf: (call: C) => number,
): Promise<number[]> {
  const rows = JSON.stringify(
    calls.map((c) => ({
      call_id: c.callId,
      started_at: isoInstant(c.startedAt),
      duration_seconds: c.durationSeconds,
      origin: c.origin,
      destination: c.destination,
      origin_device: c.originDevice,
      import_row: c.row,
      billable_seconds: billableOf(c.rating),
      class: classOf(c),
    })),
  );
  const r = await sql<{ import_row: number }>`
    INSERT INTO calls (call_id, started_at, duration_seconds, origin, destination, origin_device, import_row,
      billable_seconds, batch, class)
    SELECT call_id, started_at, duration_seconds, origin, destination, origin_device, import_row, billable_seconds,
      ${batch}, class
    FROM json_to_recordset(${rows}::json) AS t(call_id text, started_at timestamptz, duration_seconds int,
      origin text, destination text, origin_device text, import_row int, billable_seconds int, class int8)
    ON CONFLICT (call_id) DO NOTHING
    RETURNING import_row`.execute(db);
  return r.rows.map((x) => x.import_row);
}

/** A call's billable seconds as stored: none while it waits for a rating. */
export const billableOf = (r: ArrivalRating): number | null =>
  r.callType === null ? null : r.billableSeconds;

/** A call class: what the calls of an account-month rated alike share (call_classes). */
export type CallClassRow = Omit<Database['call_classes'], 'batch'>;

/** The class row of calls of an account-month going this way, rated so. */
export const classRow = (
  cls: number,
  accountId: string,
  usageMonth: string,
  direction: Direction,
  r: ArrivalRating,
): CallClassRow => ({
  class: cls,
  account_id: accountId,
  usage_month: usageMonth,
  direction,
  ...ratingColumns(r),
});

/** A rating as call_classes stores it (but for the billable seconds: they are the call's own). */
const ratingColumns = (r: ArrivalRating) => ({
  call_type: r.callType,
  rounding: r.rounding,
  allowance: r.allowance,
  rate_prefix: r.rate?.prefix ?? null,
  rate_from: r.rate?.validFrom ?? null,
  rate_per_minute: r.rate?.ratePerMinute ?? null,
  unrated_reason: r.unratedReason,
});

/** The classes an import numbered in its batch. */
export async function insertCallClasses(
  db: Db,
  batch: number,
  classes: readonly CallClassRow[],
): Promise<void> {
  await insertColumns(db, 'call_classes', CLASS_COLUMNS, classes, batchColumn(batch));
}

/** The batch column of rows an import (or a re-rating) writes: the same on every row. */
const batchColumn = (batch: number): FixedColumn[] => [{ column: 'batch', type: 'bigint', value: batch }];

const CLASS_COLUMNS: ColumnTypes<CallClassRow> = {
  class: 'bigint',
  account_id: 'text',
  usage_month: 'text',
  direction: 'text',
  call_type: 'text',
  rounding: 'text',
  allowance: 'text',
  rate_prefix: 'text',
  rate_from: 'date',
  rate_per_minute: 'bigint',
  unrated_reason: 'text',
};

/** A usage_totals row (without its batch) from a sum `ArrivalTotals` collected. */
export const totalRow = (t: ArrivalTotal): Omit<Database['usage_totals'], 'batch'> => ({
  account_id: t.accountId,
  usage_month: t.usageMonth,
  call_type: t.callType,
  allowance: t.allowance,
  rate_prefix: t.rate?.prefix ?? null,
  rate_from: t.rate?.validFrom ?? null,
  rate_per_minute: t.rate?.ratePerMinute ?? null,
  calls: t.calls,
  billable_seconds: t.billableSeconds,
  context: t.context,
});

/**
 * The sums one import (batch) adds, as `ArrivalTotals` collected them, or as usageTotalsCopy made
 * them into COPY rows already.
 */
export async function insertUsageTotals(
  db: Db,
  batch: number,
  sums: readonly ArrivalTotal[] | CopyRows,
): Promise<void> {
  if ('statement' in sums) await insertCopyRows(db, sums);
  else await insertColumns(db, 'usage_totals', TOTAL_COLUMNS, sums.map(totalRow), batchColumn(batch));
}

/** The sums insertUsageTotals writes, as a server's COPY rows made now. */
export const usageTotalsCopy = (batch: number, sums: readonly ArrivalTotal[]): CopyRows =>
  copyRows('usage_totals', TOTAL_COLUMNS, sums.map(totalRow), batchColumn(batch));

const TOTAL_COLUMNS: ColumnTypes<ReturnType<typeof totalRow>> = {
  account_id: 'text',
  usage_month: 'text',
  call_type: 'text',
  allowance: 'text',
  rate_prefix: 'text',
  rate_from: 'date',
  rate_per_minute: 'bigint',
  calls: 'int',
  billable_seconds: 'bigint',
  context: 'text',
};

/** Calls (`c`) each with its class (`k`): what a call's account, month and rating are read through. */
export const callsWithClasses = (db: Db) =>
  db
    .selectFrom('calls as c')
    .innerJoin('call_classes as k', (j) =>
      j.onRef('k.batch', '=', 'c.batch').onRef('k.class', '=', 'c.class'),
    );

/** Calls still waiting for a rating, in months before `beforeMonth` (a page by call id). */
export async function waitingCalls(
  db: Db,
  opts: { beforeMonth: string; accountIds?: readonly string[]; afterCallId?: string; limit: number },
) {
  let q = callsWithClasses(db)
    .select([
      'c.call_id',
      'k.account_id',
      'k.usage_month',
      'c.started_at',
      'c.duration_seconds',
      'k.direction',
      'c.origin',
      'c.destination',
      'c.origin_device',
      'k.unrated_reason',
    ])
    .where('c.billable_seconds', 'is', null)
    .where('k.usage_month', '<', opts.beforeMonth);
  if (opts.accountIds) q = q.where('k.account_id', '=', anyOf(opts.accountIds));
  if (opts.afterCallId) q = q.where('c.call_id', '>', opts.afterCallId);
  return q.orderBy('c.call_id').limit(opts.limit).execute();
}

/**
 * Stores new ratings. Calls that were waiting for one move to `batch` (the re-rating's own);
 * calls rated again in a bill run (`batch` null) keep theirs. A call takes a class of its batch
 * and account-month rated alike, made here (numbered from call_class_numbers) when there is none.
 */
export async function updateRatings(
  db: Db,
  batch: number | null,
  calls: readonly { callId: string; rating: ArrivalRating }[],
): Promise<void> {
  for (let i = 0; i < calls.length; i += 5_000) {
    const json = JSON.stringify(
      calls.slice(i, i + 5_000).map((c) => ({
        ...ratingColumns(c.rating),
        call_id: c.callId,
        billable_seconds: billableOf(c.rating),
      })),
    );
    // The calls to rate, with the batch they go to and their account-month.
    const targets = sql`
      SELECT t.*, coalesce(${batch}::int8, c.batch) AS to_batch, k.account_id, k.usage_month, k.direction
      FROM json_to_recordset(${json}::json) AS t(call_id text, call_type text, rounding text,
          billable_seconds int, allowance text, rate_prefix text, rate_from date, rate_per_minute int8,
          unrated_reason text)
        JOIN calls c ON c.call_id = t.call_id ${CLASS_OF_CALL}
      WHERE ${batch}::int8 IS NULL OR c.billable_seconds IS NULL`;
    // One statement: the targets are found once; the classes it makes (made) are not in its
    // snapshot of call_classes, so a call looks for its class among both.
    await sql`
      WITH t AS MATERIALIZED (${targets}),
      made AS (
        INSERT INTO call_classes (batch, class, account_id, usage_month, direction, call_type, rounding, allowance,
          rate_prefix, rate_from, rate_per_minute, unrated_reason)
        SELECT to_batch, nextval('call_class_numbers'), account_id, usage_month, direction, call_type, rounding,
          allowance, rate_prefix, rate_from, rate_per_minute, unrated_reason
        FROM (SELECT DISTINCT to_batch, account_id, usage_month, direction, call_type, rounding, allowance,
            rate_prefix, rate_from, rate_per_minute, unrated_reason FROM t) t
        WHERE NOT EXISTS (SELECT 1 FROM call_classes k WHERE ${ALIKE})
        RETURNING *)
      UPDATE calls c SET batch = n.batch, class = n.class, billable_seconds = t.billable_seconds
      FROM t, LATERAL (
        (SELECT k.batch, k.class FROM call_classes k WHERE ${ALIKE} LIMIT 1)
        UNION ALL
        (SELECT k.batch, k.class FROM made k WHERE ${ALIKE} LIMIT 1)
        LIMIT 1) n
      WHERE c.call_id = t.call_id`.execute(db);
  }
}

/** In raw SQL, a call `c` joined to its class `k` (callsWithClasses is the query builder's). */
const CLASS_OF_CALL = sql`JOIN call_classes k ON k.batch = c.batch AND k.class = c.class`;

/** A class `k` of the batch, account-month and rating of `t` (a call being rated). */
const ALIKE = sql.raw(`k.batch = t.to_batch AND k.account_id = t.account_id AND k.usage_month = t.usage_month
  AND k.direction = t.direction AND k.call_type IS NOT DISTINCT FROM t.call_type AND k.rounding IS NOT DISTINCT FROM t.rounding
  AND k.allowance IS NOT DISTINCT FROM t.allowance AND k.rate_prefix IS NOT DISTINCT FROM t.rate_prefix
  AND k.rate_from IS NOT DISTINCT FROM t.rate_from AND k.rate_per_minute IS NOT DISTINCT FROM t.rate_per_minute
  AND k.unrated_reason IS NOT DISTINCT FROM t.unrated_reason`);

/** A call as a bill run rates it again. */
export type WindowCall = Pick<
  Database['calls'],
  'call_id' | 'started_at' | 'duration_seconds' | 'origin' | 'destination' | 'origin_device'
> &
  Pick<Database['call_classes'], 'direction' | 'call_type'>;

/**
 * What separates a call set's ids in its one text (migration 013): never in an id (printable
 * ASCII without space, see checkCdr).
 */
export const SET_ID_SEPARATOR = ' ';

/** A call set's ids (`s`: the set) as an array, in the order of its instants. */
export const SET_IDS = sql`string_to_array(s.call_ids, ${sql.lit(SET_ID_SEPARATOR)})`;

/** Calls a bill run holds at a time while it rates a month again. */
const WINDOW_PAGE = 10_000;

/**
 * The calls of an account-month stored in a batch window (a bill run rating them again), a page
 * at a time through a cursor: a month of millions of calls is never held at once. In the caller's
 * transaction (the cursor lives in it and sees the calls as they were when it opened, whatever is
 * written while the pages are read); one window at a time per transaction.
 */
export async function* windowCallPages(
  db: Db,
  accountId: string,
  month: string,
  window: { after: number; through: number },
  pageSize = WINDOW_PAGE,
): AsyncGenerator<WindowCall[]> {
  if (!Number.isSafeInteger(pageSize) || pageSize < 1) throw new Error(`bad page size: ${pageSize}`);
  await sql`
    DECLARE window_calls NO SCROLL CURSOR FOR
    SELECT c.call_id, c.started_at, c.duration_seconds, k.direction, c.origin, c.destination, c.origin_device,
      k.call_type
    FROM call_sets s CROSS JOIN unnest(${SET_IDS}) AS u(id) JOIN calls c ON c.call_id = u.id
      ${CLASS_OF_CALL}
    WHERE s.account_id = ${accountId} AND s.usage_month = ${month}
      AND c.batch > ${window.after} AND c.batch <= ${window.through}`.execute(db);
  let open = true;
  try {
    for (;;) {
      const page =
        await sql<WindowCall>`FETCH FORWARD ${sql.raw(String(pageSize))} FROM window_calls`.execute(db);
      if (page.rows.length > 0) yield page.rows;
      if (page.rows.length < pageSize) break;
    }
    open = false;
    await sql`CLOSE window_calls`.execute(db);
  } finally {
    // Left early (the caller stopped or failed): closed when the transaction can still run a
    // statement; a failed transaction drops its cursors when it rolls back.
    if (open) await sql`CLOSE window_calls`.execute(db).catch(() => undefined);
  }
}

/** Unbilled sums of an account-month and charge, with the batch its last cut went up to. */
export type UsageSumRow = Omit<Database['usage_totals'], 'batch'> & { after_batch: number };

/**
 * Unbilled sums of these accounts: months before `beforeMonth`, batches after the month's last
 * cut and up to the watermark. An account's sums come together, its months in order (see
 * monthRuns).
 */
export async function unbilledSums(
  db: Db,
  accountIds: readonly string[],
  beforeMonth: string,
  watermark: number,
): Promise<UsageSumRow[]> {
  const r = await sql<UsageSumRow>`
    WITH cut AS (
      SELECT account_id, usage_month, max(through_batch) AS through FROM usage_cuts
      WHERE account_id = ANY(${accountIds as string[]}::text[]) AND NOT reissued GROUP BY account_id, usage_month)
    SELECT t.account_id, t.usage_month, t.call_type, t.allowance, t.rate_prefix, t.rate_from::text AS rate_from,
      t.rate_per_minute, sum(t.calls)::int8 AS calls, sum(t.billable_seconds)::int8 AS billable_seconds,
      t.context, coalesce(cut.through, -1) AS after_batch
    FROM usage_totals t LEFT JOIN cut ON cut.account_id = t.account_id AND cut.usage_month = t.usage_month
    WHERE t.account_id = ANY(${accountIds as string[]}::text[]) AND t.usage_month < ${beforeMonth}
      AND t.batch > coalesce(cut.through, -1) AND t.batch <= ${watermark}
    GROUP BY t.account_id, t.usage_month, t.call_type, t.allowance, t.rate_prefix, t.rate_from, t.rate_per_minute,
      t.context, cut.through
    ORDER BY t.account_id, t.usage_month`.execute(db);
  return r.rows;
}

/**
 * Sums as unbilledSums returns them (an account's together, its months in order), by account:
 * each account's months, each month's sums. Walked once, with no key made per row; sums out of
 * that order are refused (they would be priced as two months).
 */
export function monthRuns(sums: readonly UsageSumRow[]): Map<string, UsageSumRow[][]> {
  const out = new Map<string, UsageSumRow[][]>();
  let months: UsageSumRow[][] | undefined;
  let run: UsageSumRow[] | undefined;
  for (const s of sums) {
    if (run !== undefined && s.account_id === run[0]!.account_id) {
      const month = run[0]!.usage_month;
      if (s.usage_month === month) {
        run.push(s);
        continue;
      }
      if (s.usage_month < month) throw new Error(`usage sums of ${s.account_id}: months out of order`);
      months!.push((run = [s]));
      continue;
    }
    if (out.has(s.account_id)) throw new Error(`usage sums of ${s.account_id}: not together`);
    out.set(s.account_id, (months = [(run = [s])]));
  }
  return out;
}

/** Allowance each earlier cut of these account-months drew (late calls continue from there). */
export async function cutsOf(db: Db, pairs: readonly { accountId: string; month: string }[]) {
  if (pairs.length === 0) return [];
  return db
    .selectFrom('usage_cuts')
    .selectAll()
    .where('account_id', '=', anyOf([...new Set(pairs.map((p) => p.accountId))]))
    .where('usage_month', '=', anyOf([...new Set(pairs.map((p) => p.month))]))
    .where('reissued', '=', false)
    .orderBy('through_batch')
    .execute();
}

export type UsageCut = Selectable<Database['usage_cuts']>;

/**
 * Records what invoices billed, and drops the sums they billed: `usage_totals` holds only what is
 * still to bill, so a bill run reads a few rows per account however long its history.
 */
export async function insertCuts(db: Db, cuts: readonly Omit<UsageCut, 'reissued'>[]): Promise<void> {
  if (cuts.length === 0) return;
  await insertColumns(
    db,
    'usage_cuts',
    CUT_COLUMNS,
    cuts.map((c) => ({ ...c, low_usage: JSON.stringify(c.low_usage) })),
  );
  const billed = JSON.stringify(
    cuts.map((c) => ({ a: c.account_id, m: c.usage_month, f: c.after_batch, t: c.through_batch })),
  );
  await sql`
    DELETE FROM usage_totals u USING json_to_recordset(${billed}::json) AS c(a text, m text, f int8, t int8)
    WHERE u.account_id = c.a AND u.usage_month = c.m AND u.batch > c.f AND u.batch <= c.t`.execute(db);
}

const CUT_COLUMNS = {
  account_id: 'text',
  usage_month: 'text',
  invoice_id: 'text',
  after_batch: 'bigint',
  through_batch: 'bigint',
  plan_available: 'bigint',
  plan_seconds: 'bigint',
  low_usage: 'jsonb',
  overage_rate: 'bigint',
  low_usage_rate: 'bigint',
} as const;

/** The cuts in force of one account-month, in billing order (call details). */
export async function monthCuts(db: Db, accountId: string, month: string) {
  return db
    .selectFrom('usage_cuts')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('usage_month', '=', month)
    .where('reissued', '=', false)
    .orderBy('through_batch')
    .execute();
}

/**
 * What a sum released by a reissue is marked as having been rated with: never a fingerprint, so
 * the bill run rates the month's calls again with what is in force then (rateChangedMonthsAgain).
 */
export const RELEASED_CONTEXT = 'released';

/** The cuts an invoice made (what it billed, by account-month). */
export async function cutsBilledBy(db: Db, invoiceId: string): Promise<UsageCut[]> {
  return db.selectFrom('usage_cuts').selectAll().where('invoice_id', '=', invoiceId).execute();
}

/** The number of the invoice of a later cut in force of the cut's account-month, if any. */
export async function laterCutInvoice(db: Db, cut: UsageCut): Promise<string | undefined> {
  const later = await db
    .selectFrom('usage_cuts as c')
    .innerJoin('invoices as i', 'i.id', 'c.invoice_id')
    .select('i.number')
    .where('c.account_id', '=', cut.account_id)
    .where('c.usage_month', '=', cut.usage_month)
    .where('c.through_batch', '>', cut.through_batch)
    .where('c.reissued', '=', false)
    .orderBy('c.through_batch')
    .executeTakeFirst();
  return later?.number;
}

/**
 * Takes an invoice's cuts out of what was billed: they stay (what it billed, for the record),
 * marked `reissued`, and the sums they dropped are written back from their calls (a row per
 * charge at the cut's last batch) as rated with RELEASED_CONTEXT.
 */
export async function releaseCuts(db: Db, invoiceId: string, cuts: readonly UsageCut[]): Promise<void> {
  if (cuts.length === 0) return;
  await db.updateTable('usage_cuts').set({ reissued: true }).where('invoice_id', '=', invoiceId).execute();
  for (const cut of cuts) {
    await sql`
      INSERT INTO usage_totals (account_id, usage_month, batch, call_type, allowance, rate_prefix, rate_from,
        rate_per_minute, calls, billable_seconds, context)
      SELECT k.account_id, k.usage_month, ${cut.through_batch}::int8, k.call_type, k.allowance, k.rate_prefix,
        k.rate_from, k.rate_per_minute, count(*)::int, sum(c.billable_seconds)::int8, ${RELEASED_CONTEXT}
      FROM call_sets s CROSS JOIN unnest(${SET_IDS}) AS u(id) JOIN calls c ON c.call_id = u.id
        ${CLASS_OF_CALL}
      WHERE s.account_id = ${cut.account_id} AND s.usage_month = ${cut.usage_month}
        AND c.batch > ${cut.after_batch} AND c.batch <= ${cut.through_batch} AND k.call_type IS NOT NULL
      GROUP BY k.account_id, k.usage_month, k.call_type, k.allowance, k.rate_prefix, k.rate_from,
        k.rate_per_minute`.execute(db);
  }
}

export interface CallDetailRow {
  call_id: string;
  started_at: Date;
  duration_seconds: number;
  origin: string;
  destination: string;
  call_type: string;
  allowance: string | null;
  billable_seconds: number;
  rate_prefix: string | null;
  rate_from: string | null;
  rate_per_minute: number | null;
}

/** Where a page of call details ends: its last call in start order. */
export interface CallDetailKey {
  startedMs: number;
  callId: string;
}

/**
 * The next `limit` calls of an account-month in start order after `after`, as keys (start
 * instant, id), from its call sets: the calls themselves are read by id (callDetailRows).
 */
export async function callDetailKeys(
  db: Db,
  accountId: string,
  month: string,
  after: CallDetailKey | null,
  limit: number,
): Promise<CallDetailKey[]> {
  const keyset =
    after === null ? sql`true` : sql`(u.ms, u.id) > (${after.startedMs}::int8, ${after.callId}::text)`;
  const r = await sql<{ id: string; ms: string | number }>`
    SELECT u.id, u.ms FROM call_sets s CROSS JOIN unnest(${SET_IDS}, s.started_ms) AS u(id, ms)
    WHERE s.account_id = ${accountId} AND s.usage_month = ${month} AND ${keyset}
    ORDER BY u.ms, u.id LIMIT ${limit}`.execute(db);
  return r.rows.map((k) => ({ startedMs: Number(k.ms), callId: k.id }));
}

/** The calls with these ids that a cut billed (any order). */
export async function callDetailRows(
  db: Db,
  ids: readonly string[],
  cut: { after: number; through: number },
): Promise<CallDetailRow[]> {
  if (ids.length === 0) return [];
  const rows = await callsWithClasses(db)
    .select([
      'c.call_id',
      'c.started_at',
      'c.duration_seconds',
      'c.origin',
      'c.destination',
      'k.call_type',
      'k.allowance',
      'c.billable_seconds',
      'k.rate_prefix',
      'k.rate_from',
      'k.rate_per_minute',
    ])
    .where('c.call_id', '=', anyOf(ids))
    .where('c.batch', '>', cut.after)
    .where('c.batch', '<=', cut.through)
    .where('k.call_type', 'is not', null)
    .where('k.call_type', '<>', 'before_billing_start')
    .execute();
  return rows as CallDetailRow[];
}

/** Lists calls stored one by one (not by COPY) in their account-months' call sets. */
export async function insertCallSets(
  db: Db,
  calls: readonly { accountId: string; usageMonth: string; callId: string; startedAt: number }[],
): Promise<void> {
  for (let i = 0; i < calls.length; i += 5_000) {
    const json = JSON.stringify(
      calls.slice(i, i + 5_000).map((c) => [c.accountId, c.usageMonth, c.callId, c.startedAt]),
    );
    await sql`
      INSERT INTO call_sets (account_id, usage_month, call_ids, started_ms)
      SELECT t->>0, t->>1, string_agg(t->>2, ${sql.lit(SET_ID_SEPARATOR)} ORDER BY n), array_agg((t->>3)::int8 ORDER BY n)
      FROM json_array_elements(${json}::json) WITH ORDINALITY AS e(t, n) GROUP BY t->>0, t->>1`.execute(db);
  }
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
