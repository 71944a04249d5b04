import type { Ctx } from '../../context.ts';
import { canCopy, copyField, copyInto } from '../../db/index.ts';
import { newId, ownCopy } from '../../kernel/index.ts';
import { type ArrivalContext, type ArrivalRating, ArrivalTotals, type MonthSums } from './domain/arrival.ts';
import { type CdrAccount, type ImportedCall, type RawCdr, checkCdr, monthInZoneCache } from './domain/cdr.ts';
import { type ArrivalRater, arrivalRater } from './rating-context.ts';
import {
  findCdrAccounts,
  insertCallChunk,
  insertUsageTotals,
  isoInstant,
  nextCallBatch,
  recordImport,
  storedCallOrigins,
} from './repo.ts';

/**
 * USG-1: CDR import from a CSV file or an API batch. Every good row goes in; every bad row is
 * reported with its row number and reason. A call id already stored by an earlier import is
 * skipped (idempotent); the same call id twice in one import is reported on its later row.
 */
export interface ImportError {
  /** CSV: the file's line number (the header is row 1). API: the item's index + 1. */
  row: number;
  callId: string | null;
  reason: string;
}

export interface ImportReport {
  importId: string;
  rowsRead: number;
  accepted: number;
  alreadyImported: number;
  rejected: number;
  /** Sorted by row. */
  errors: ImportError[];
}

export type CdrRow = { row: number; raw: RawCdr } | { row: number; error: string; callId?: string | null };

export interface ImportOptions {
  source: string;
  onProgress?: (p: { rowsRead: number; accepted: number; rejected: number }) => void;
  /** Rows checked and written per step. */
  chunkSize?: number;
}

/** Errors kept on the import record (the full list is in the report and the CLI's error file). */
const STORED_ERRORS = 10_000;

/** Rows one by one or in batches (a CSV reader yields a batch per block read). */
export type CdrRows = AsyncIterable<CdrRow | readonly CdrRow[]> | Iterable<CdrRow | readonly CdrRow[]>;

/**
 * Imports CDRs: each good row is checked, rated on arrival (domain/arrival.ts) and stored with its
 * rating in one write; the month's sums per charge go to `usage_totals` in the same transaction,
 * so the bill run prices from sums and never reads the calls back. One import is one transaction:
 * a crash leaves nothing half-imported, and importing the file again skips what is stored.
 *
 * `rows` may be a function that opens the rows afresh (a file): then, on a server, the rows stream
 * by one COPY, and only if a call id turns out to be stored already (a file imported twice, an id
 * repeated in the file) is the import run again row-set by row-set, skipping those ids.
 */
export async function importCdrs(
  ctx: Ctx,
  rows: CdrRows | (() => CdrRows),
  opts: ImportOptions,
): Promise<ImportReport> {
  const open = typeof rows === 'function' ? rows : Array.isArray(rows) ? () => rows : null;
  const importId = newId('imp', ctx.clock.now());
  let report: ImportReport | null = null;
  if (open !== null && (await canCopy(ctx.db))) {
    try {
      report = await runImport(ctx, importId, primed(open()), opts, 'copy');
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
    }
  }
  report ??= await runImport(ctx, importId, primed(open !== null ? open() : (rows as CdrRows)), opts, 'skip');
  opts.onProgress?.({ rowsRead: report.rowsRead, accepted: report.accepted, rejected: report.rejected });
  return report;
}

/**
 * Starts reading at once: a stream that fails to open (a missing file) then fails the import
 * instead of emitting its error before anyone listens.
 */
function primed(rows: CdrRows): CdrRows {
  if (!(Symbol.asyncIterator in rows)) return rows;
  const it = rows[Symbol.asyncIterator]();
  const first = it.next();
  first.catch(() => {});
  return {
    async *[Symbol.asyncIterator]() {
      let next = first;
      let done = false;
      try {
        for (;;) {
          const r = await next;
          if (r.done) {
            done = true;
            return;
          }
          yield r.value;
          next = it.next();
        }
      } finally {
        // Given up early (a COPY refused): the source (a file) is closed now, not when collected.
        if (!done) await it.return?.();
      }
    },
  };
}

const isUniqueViolation = (e: unknown) => (e as { code?: string })?.code === '23505';

type Mode = 'copy' | 'skip';

async function runImport(
  ctx: Ctx,
  importId: string,
  rows: CdrRows,
  opts: ImportOptions,
  mode: Mode,
): Promise<ImportReport> {
  const chunkSize = opts.chunkSize ?? 2_000;
  const report: ImportReport = {
    importId,
    rowsRead: 0,
    accepted: 0,
    alreadyImported: 0,
    rejected: 0,
    errors: [],
  };
  await ctx.db.transaction().execute(async (trx) => {
    const batch = await nextCallBatch(trx);
    // Lookups go through another connection while this one streams the COPY.
    const lookup: Ctx = mode === 'copy' ? ctx : { ...ctx, db: trx };
    const rater = arrivalRater(lookup);
    const accounts = new Map<string, ImportAccount | null>();
    const monthOf = monthInZoneCache();
    const totals = new ArrivalTotals();
    async function* checkedChunks(): AsyncGenerator<RatedImport[]> {
      let chunk: CdrRow[] = [];
      const flush = async () => {
        const good = await checkChunk(lookup, chunk, accounts, monthOf, report, rater, totals);
        chunk = [];
        return good;
      };
      for await (const item of rows) {
        const many: readonly CdrRow[] = Array.isArray(item) ? item : [item as CdrRow];
        for (const row of many) {
          chunk.push(row);
          report.rowsRead++;
          if (chunk.length >= chunkSize) yield await flush();
        }
      }
      if (chunk.length > 0) yield await flush();
    }
    if (mode === 'copy') {
      const progress = opts.onProgress;
      await copyInto(
        trx,
        `COPY calls (${CALL_COLUMNS.join(', ')}) FROM STDIN`,
        (async function* () {
          for await (const good of checkedChunks()) {
            for (const c of good) c.sums.add(c.rating);
            report.accepted += good.length;
            progress?.({
              rowsRead: report.rowsRead,
              accepted: report.accepted,
              rejected: report.errors.length,
            });
            if (good.length > 0) yield callText(good, batch);
          }
        })(),
      );
    } else {
      for await (const good of checkedChunks()) {
        if (good.length > 0) {
          const inserted = new Set(await insertCallChunk(trx, batch, good));
          report.accepted += inserted.size;
          const conflicts: RatedImport[] = [];
          for (const c of good) {
            if (inserted.has(c.row)) c.sums.add(c.rating);
            else conflicts.push(c);
          }
          if (conflicts.length > 0) {
            const stored = await storedCallOrigins(trx, [...new Set(conflicts.map((c) => c.callId))]);
            settleConflicts(conflicts, stored, batch, report);
          }
        }
        opts.onProgress?.({
          rowsRead: report.rowsRead,
          accepted: report.accepted,
          rejected: report.errors.length,
        });
      }
    }
    await insertUsageTotals(trx, batch, totals.rows());
    report.errors.sort((a, b) => a.row - b.row);
    report.rejected = report.errors.length;
    await recordImport(
      { ...ctx, db: trx },
      {
        id: importId,
        source: opts.source,
        rowsRead: report.rowsRead,
        accepted: report.accepted,
        alreadyImported: report.alreadyImported,
        rejected: report.rejected,
        errors: report.errors.slice(0, STORED_ERRORS),
        batch,
      },
    );
  });
  return report;
}

/** A checked call with its rating on arrival, and the sums of its account-month. */
export type RatedImport = ImportedCall & { rating: ArrivalRating; sums: MonthSums };

/**
 * An account as the import keeps it: found once by id or number, with its rating context and
 * sums per usage month, so a row costs one lookup of its account key and nothing keyed by strings
 * built per row.
 */
interface ImportAccount extends CdrAccount {
  months: Map<string, ImportMonth>;
}

interface ImportMonth {
  cx: ArrivalContext | string;
  sums: MonthSums;
}

async function checkChunk(
  ctx: Ctx,
  chunk: readonly CdrRow[],
  accounts: Map<string, ImportAccount | null>,
  monthOf: (instant: number, timeZone: string) => string,
  report: ImportReport,
  rater: ArrivalRater,
  totals: ArrivalTotals,
): Promise<RatedImport[]> {
  const good: RatedImport[] = [];
  let current: ImportAccount | undefined;
  const accountOf = () => current;
  const check = (r: { row: number; raw: RawCdr }, account: ImportAccount | undefined) => {
    current = account;
    const result = checkCdr(r.raw, accountOf, monthOf);
    if (!result.ok) {
      report.errors.push({ row: r.row, callId: r.raw.callId?.trim() || null, reason: result.reason });
      return;
    }
    const call = result.call as RatedImport;
    call.row = r.row;
    const a = account!;
    let month = a.months.get(call.usageMonth);
    if (month === undefined) {
      month = {
        cx: rater.contextOf(a.id, call.usageMonth),
        sums: totals.month(a.id, call.usageMonth, rater.fingerprintOf(a.id, call.usageMonth)),
      };
      a.months.set(call.usageMonth, month);
    }
    call.rating = rater.rateIn(month.cx, call);
    call.sums = month.sums;
    good.push(call);
  };
  // Rows of accounts not seen yet wait while those accounts are read, all at once.
  let waiting: { row: number; raw: RawCdr }[] | null = null;
  for (const r of chunk) {
    if (!('raw' in r)) {
      report.errors.push({ row: r.row, callId: r.callId ?? null, reason: r.error });
      continue;
    }
    const key = (r.raw.account ?? '').trim();
    const account = accounts.get(key);
    if (account === undefined && key !== '') (waiting ??= []).push(r);
    else check(r, account ?? undefined);
  }
  if (waiting !== null) {
    const keys = [...new Set(waiting.map((r) => (r.raw.account ?? '').trim()))];
    const found = await findCdrAccounts(ctx, keys);
    const kept = new Map<CdrAccount, ImportAccount>();
    for (const key of keys) {
      const a = found.get(key);
      let account: ImportAccount | null = null;
      if (a) {
        account = kept.get(a) ?? { ...a, months: new Map() };
        kept.set(a, account);
      }
      // Keyed by strings of its own, not by a slice of the file's text (see ownCopy).
      accounts.set(ownCopy(key), account);
    }
    await rater.load(
      ctx.db,
      [...kept.values()].map((a) => a.id),
    );
    for (const r of waiting) check(r, accounts.get((r.raw.account ?? '').trim()) ?? undefined);
    // Rows go on in file order: of two rows with one call id, the earlier one is kept.
    good.sort((a, b) => a.row - b.row);
  }
  return good;
}

/** Calls whose id was stored already: by this import (a duplicate row) or an earlier one (skipped). */
function settleConflicts(
  conflicts: readonly { row: number; callId: string }[],
  stored: ReadonlyMap<string, { batch: number; row: number | null }>,
  batch: number,
  report: ImportReport,
) {
  for (const c of conflicts) {
    const first = stored.get(c.callId);
    if (first && first.batch === batch) {
      report.errors.push({
        row: c.row,
        callId: c.callId,
        reason: `duplicate call_id: the same id is on row ${first.row}`,
      });
    } else report.alreadyImported++;
  }
}

/** The `calls` columns an import writes (the batch is the import transaction's sequence value). */
const CALL_COLUMNS = [
  'call_id',
  'account_id',
  'usage_month',
  'started_at',
  'duration_seconds',
  'direction',
  'origin',
  'destination',
  'origin_device',
  'import_row',
  'call_type',
  'rounding',
  'billable_seconds',
  'allowance',
  'rate_prefix',
  'rate_from',
  'rate_per_minute',
  'unrated_reason',
  'batch',
] as const;

/**
 * COPY text of rated calls. Numbers are E.164 or extension digits and call ids printable ASCII
 * (checkCdr): only a backslash in an id, and the free-text device, can need escaping.
 */
function callText(calls: readonly RatedImport[], batch: number): string {
  const tail = `\t${batch}\n`;
  let text = '';
  for (const c of calls) {
    const r = c.rating;
    const rate = r.rate;
    text +=
      `${c.callId.includes('\\') ? copyField(c.callId) : c.callId}\t${c.accountId}\t${c.usageMonth}\t${isoInstant(c.startedAt)}\t${c.durationSeconds}\t` +
      `${c.direction}\t${c.origin}\t${c.destination}\t${copyField(c.originDevice)}\t` +
      `${c.row}\t${r.callType ?? '\\N'}\t${r.rounding ?? '\\N'}\t${r.billableSeconds}\t` +
      `${copyField(r.allowance)}\t${rate === null ? '\\N\t\\N\t\\N' : `${rate.prefix}\t${rate.validFrom}\t${rate.ratePerMinute}`}\t` +
      `${r.unratedReason ?? '\\N'}${tail}`;
  }
  return text;
}
