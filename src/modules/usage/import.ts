import type { Ctx } from '../../context.ts';
import {
  ByteText,
  type CopyRows,
  type Db,
  INT8_OID,
  PG_EPOCH_MS,
  arrayHeader,
  bytesAt,
  canCopy,
  copyBinaryInto,
  fieldAt,
  grown,
  kept,
  int32At,
  int64At,
  int64Of,
  withImportSlot,
} from '../../db/index.ts';
import { newId, ownCopy } from '../../kernel/index.ts';
import {
  type ArrivalContext,
  type ArrivalRating,
  type ArrivalTotal,
  ArrivalTotals,
  type MonthSums,
} from './domain/arrival.ts';
import {
  type CdrAccount,
  type ImportedCall,
  type RawCdr,
  checkCdr,
  monthInZoneCache,
  trimmed,
} from './domain/cdr.ts';
import type { Direction } from './domain/classify.ts';
import { type ArrivalRater, arrivalRater } from './rating-context.ts';
import {
  type CallClassRow,
  type RatingAccountRow,
  billableOf,
  classRow,
  findCdrAccounts,
  insertCallChunk,
  insertCallClasses,
  insertCallSets,
  insertUsageTotals,
  nextCallBatch,
  recordImport,
  SET_ID_SEPARATOR,
  type StoredCall,
  storedCallsById,
  usageTotalsCopy,
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
  /** Parts of the file checked and rated side by side (worker threads); 1 when read in one. */
  parts: number;
}

export type CdrRow = { row: number; raw: RawCdr } | { row: number; error: string; callId?: string | null };

export interface ImportOptions {
  source: string;
  onProgress?: (p: { rowsRead: number; accepted: number; rejected: number }) => void;
  /** Rows checked and written per step. */
  chunkSize?: number;
  /** Calls per stretch, after which their call sets are made and written (default 250,000). */
  stretch?: number;
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
  if (open !== null) {
    const report = await importByCopy(
      ctx,
      (checker, batch, progress) => copyPieces(checker, primed(open()), batch, progress),
      opts,
    );
    if (report !== null) return report;
  }
  return importSkippingStored(ctx, open !== null ? open() : (rows as CdrRows), opts);
}

/** What a COPY import writes, from its checker: calls and call sets, piece by piece. */
export type CopySource = (
  checker: RowChecker,
  batch: number,
  progress: () => void,
) => AsyncIterable<CopyPiece>;

/**
 * An import streamed by COPY (on a server). Null when the database cannot COPY, or when a call id
 * turned out to be stored already (nothing is left of the attempt): then import skipping stored ids.
 */
export async function importByCopy(
  ctx: Ctx,
  source: CopySource,
  opts: ImportOptions,
): Promise<ImportReport | null> {
  if (!(await canCopy(ctx.db))) return null;
  try {
    // The COPY holds the transaction's connection while lookups take another from the pool.
    const report = await withImportSlot(ctx.db, () =>
      runImport(ctx, newId('imp', ctx.clock.now()), { copy: source }, opts),
    );
    return finalProgress(report, opts);
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    return null;
  }
}

/** Imports row-set by row-set, skipping stored call ids (after a COPY refused a duplicate). */
export async function importSkippingStored(
  ctx: Ctx,
  rows: CdrRows,
  opts: ImportOptions,
): Promise<ImportReport> {
  return finalProgress(
    await runImport(ctx, newId('imp', ctx.clock.now()), { skip: primed(rows) }, opts),
    opts,
  );
}

const finalProgress = (report: ImportReport, opts: ImportOptions) => {
  opts.onProgress?.({ rowsRead: report.rowsRead, accepted: report.accepted, rejected: report.rejected });
  return report;
};

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

export const isUniqueViolation = (e: unknown) => (e as { code?: string })?.code === '23505';

export const emptyReport = (importId: string): ImportReport => ({
  importId,
  rowsRead: 0,
  accepted: 0,
  alreadyImported: 0,
  rejected: 0,
  errors: [],
  parts: 1,
});

async function runImport(
  ctx: Ctx,
  importId: string,
  input: { copy: CopySource } | { skip: CdrRows },
  opts: ImportOptions,
): Promise<ImportReport> {
  const report = emptyReport(importId);
  const progress = () =>
    opts.onProgress?.({
      rowsRead: report.rowsRead,
      accepted: report.accepted,
      rejected: report.errors.length,
    });
  await ctx.db.transaction().execute(async (trx) => {
    const batch = await nextCallBatch(trx);
    // Lookups go through another connection while this one streams the COPY.
    const checker = new RowChecker(
      'copy' in input ? ctx : { ...ctx, db: trx },
      report,
      opts.chunkSize,
      opts.stretch,
    );
    // The sums as COPY rows, made as soon as the last row is rated (see followedBy).
    let totals: CopyRows | null = null;
    if ('copy' in input) {
      const pieces = input.copy(checker, batch, progress);
      await writePieces(
        trx,
        batch,
        followedBy(pieces, () => (totals = usageTotalsCopy(batch, checker.totals.rows()))),
      );
    } else {
      for await (const good of checker.chunks(input.skip)) {
        if (good.length > 0) {
          const inserted = new Set(
            await insertCallChunk(trx, batch, good, (c) =>
              checker.classes.of(c.accountId, c.usageMonth, c.direction, c.rating),
            ),
          );
          report.accepted += inserted.size;
          const conflicts: RatedImport[] = [];
          const stored: RatedImport[] = [];
          for (const c of good) {
            if (inserted.has(c.row)) {
              c.sums.add(c.rating);
              stored.push(c);
            } else conflicts.push(c);
          }
          await insertCallSets(trx, stored);
          if (conflicts.length > 0) {
            const first = await storedCallsById(trx, [...new Set(conflicts.map((c) => c.callId))]);
            settleConflicts(conflicts, first, batch, report);
          }
        }
        progress();
      }
    }
    await finishImport(
      { ...ctx, db: trx },
      report,
      batch,
      totals ?? checker.totals.rows(),
      checker.classes.fresh(),
      opts.source,
    );
  });
  return report;
}

/** Writes what every import writes last: its sums, its call classes, and its record (errors sorted by row). */
export async function finishImport(
  trx: Ctx,
  report: ImportReport,
  batch: number,
  totals: readonly ArrivalTotal[] | CopyRows,
  classes: readonly CallClassRow[],
  source: string,
): Promise<void> {
  await insertUsageTotals(trx.db, batch, totals);
  await insertCallClasses(trx.db, batch, classes);
  report.errors.sort((a, b) => a.row - b.row);
  report.rejected = report.errors.length;
  await recordImport(trx, {
    id: report.importId,
    source,
    rowsRead: report.rowsRead,
    accepted: report.accepted,
    alreadyImported: report.alreadyImported,
    rejected: report.rejected,
    errors: report.errors.slice(0, STORED_ERRORS),
    batch,
  });
}

/**
 * What an import keeps while it checks and rates rows: accounts found so far, their rating
 * contexts, the sums and the call sets. Rows go in chunks: a chunk's unknown accounts are looked
 * up together (through `lookup`).
 */
export class RowChecker {
  readonly rater: ArrivalRater;
  readonly accounts = new Map<string, ImportAccount | null>();
  readonly monthOf = monthInZoneCache();
  readonly totals = new ArrivalTotals();
  readonly sets = new CallSets();

  constructor(
    readonly lookup: Ctx,
    readonly report: ImportReport,
    readonly chunkSize = 2_000,
    /** Calls per stretch (see SET_STRETCH). */
    readonly stretch = SET_STRETCH,
    /** The classes of its calls (a worker numbers its part's apart from the others'). */
    readonly classes = new CallClasses(),
  ) {
    this.rater = arrivalRater(lookup);
  }

  /** Good rows checked: added to their month's sums and call sets, and counted. */
  accept(good: readonly RatedImport[]): void {
    for (const c of good) {
      c.sums.add(c.rating);
      this.sets.add(c);
    }
    this.report.accepted += good.length;
  }

  /**
   * At the end of a stretch: its call sets, and the call classes made since the last stretch, as a
   * piece to write (none when there are neither). Classes go as they are made, while the import
   * runs, not all at its end (most are made in its first stretch). `into`: where to write the sets
   * (its memory written again), and `done`, told with the piece, once their bytes are taken.
   */
  *stretchPieces(into?: ByteText, done?: () => void): Generator<CopyPiece> {
    const sets = this.sets.flush(into);
    const classes = this.classes.fresh();
    if (sets.length > 0 || classes.length > 0) yield done ? { sets, classes, done } : { sets, classes };
    else done?.();
  }

  /** Whether the calls listed since the last call sets make a stretch (time to make the sets). */
  stretchDone(): boolean {
    return this.sets.size >= this.stretch;
  }

  async *chunks(rows: CdrRows): AsyncGenerator<RatedImport[]> {
    let chunk: CdrRow[] = [];
    for await (const item of rows) {
      const many: readonly CdrRow[] = Array.isArray(item) ? item : [item as CdrRow];
      for (const row of many) {
        chunk.push(row);
        this.report.rowsRead++;
        if (chunk.length >= this.chunkSize) {
          yield await checkChunk(this, chunk);
          chunk = [];
        }
      }
    }
    if (chunk.length > 0) yield await checkChunk(this, chunk);
  }
}

/**
 * A COPY import's output, piece by piece: calls as binary COPY rows, and a stretch's call sets.
 * `done`, when given, is called once the connection has taken the piece's bytes (calls, or sets):
 * their memory may be written again. `fast`: the bytes reader wrote the rows from the file's bytes
 * (import-bytes.ts).
 */
export type CopyPiece =
  | { calls: Uint8Array; done?: () => void; fast?: true }
  | { sets: Uint8Array; classes: readonly CallClassRow[]; done?: () => void };

/** Checks, rates and sums the rows; yields them as binary COPY rows, and each stretch's call sets. */
export async function* copyPieces(
  checker: RowChecker,
  rows: CdrRows,
  batch: number,
  progress?: () => void,
): AsyncGenerator<CopyPiece> {
  for await (const good of checker.chunks(rows)) {
    checker.accept(good);
    progress?.();
    if (good.length > 0) yield { calls: callRows(good, batch, checker.classes) };
    if (checker.stretchDone()) yield* checker.stretchPieces();
  }
  yield* checker.stretchPieces();
}

/**
 * Streams the calls into `calls` by COPY on the transaction's connection, each stretch's call sets
 * into `call_sets` after its calls (a COPY of the calls, then one of their sets, and so on). The
 * pieces are made ahead (PiecesAhead) while the connection writes: rating goes on while the
 * server stores a stretch's sets, so neither waits on the other at the switch, and no stretch's
 * sets are held past it.
 */
export async function writePieces(trx: Db, batch: number, pieces: AsyncIterable<CopyPiece>): Promise<void> {
  const ahead = new PiecesAhead(pieces);
  try {
    // What to tell, in order, when the connection has taken each piece of calls.
    const taken: ((() => void) | undefined)[] = [];
    for (let more = true; more;) {
      more = false;
      const sets: Uint8Array[] = [];
      const setsTaken: ((() => void) | undefined)[] = [];
      const classes: CallClassRow[] = [];
      await copyBinaryInto(
        trx,
        CALLS_COPY,
        (async function* () {
          for (let piece = await ahead.next(); piece !== null; piece = await ahead.next()) {
            if ('sets' in piece) {
              if (piece.sets.length > 0) {
                sets.push(piece.sets);
                setsTaken.push(piece.done);
              } else piece.done?.();
              for (const k of piece.classes) classes.push(k);
              more = true;
              return;
            }
            taken.push(piece.done);
            yield piece.calls;
          }
        })(),
        () => taken.shift()?.(),
      );
      if (sets.length > 0) await copyBinaryInto(trx, SETS_COPY, sets, () => setsTaken.shift()?.());
      await insertCallClasses(trx, batch, classes);
    }
  } finally {
    await ahead.close();
  }
}

/**
 * The pieces, then `last()` once the last is made. Made ahead of the connection (PiecesAhead), the
 * last piece is made while the server still takes up to PIECES_AHEAD bytes queued before it: what
 * `last` makes then (an import's sums as COPY rows: 0.3–0.6 s for 100,000 of them) is made while
 * this thread would only wait.
 */
async function* followedBy<T>(pieces: AsyncIterable<T>, last: () => void): AsyncGenerator<T> {
  yield* pieces;
  last();
}

/** Bytes of pieces made ahead of the connection at most. */
const PIECES_AHEAD = 16 << 20;

/**
 * Pieces made ahead of whoever takes them, up to `limit` bytes: the maker is pulled on as soon as
 * there is room, whether a COPY is taking pieces at that moment or not. A failure of the maker is
 * thrown to the taker; closing stops the maker (its generator is returned: a file it reads is
 * closed).
 */
export class PiecesAhead {
  readonly #queue: CopyPiece[] = [];
  #bytes = 0;
  #ended = false;
  #failure: { error: unknown } | null = null;
  #closed = false;
  #taker: (() => void) | null = null;
  #maker: (() => void) | null = null;
  readonly #making: Promise<void>;

  constructor(
    pieces: AsyncIterable<CopyPiece>,
    readonly limit = PIECES_AHEAD,
  ) {
    this.#making = this.#make(pieces);
  }

  async #make(pieces: AsyncIterable<CopyPiece>): Promise<void> {
    try {
      for await (const piece of pieces) {
        this.#queue.push(piece);
        this.#bytes += bytesOf(piece);
        this.#wake();
        while (this.#bytes > this.limit && !this.#closed)
          await new Promise<void>((resolve) => (this.#maker = resolve));
        if (this.#closed) return;
      }
    } catch (error) {
      this.#failure = { error };
    } finally {
      this.#ended = true;
      this.#wake();
    }
  }

  /** The taker waiting for a piece (or the end), woken. */
  #wake() {
    const taker = this.#taker;
    this.#taker = null;
    taker?.();
  }

  /** The maker waiting for room (or the close), woken. */
  #resume() {
    const maker = this.#maker;
    this.#maker = null;
    maker?.();
  }

  /** The next piece, or null after the last. */
  async next(): Promise<CopyPiece | null> {
    while (this.#queue.length === 0) {
      if (this.#failure !== null) throw this.#failure.error;
      if (this.#ended) return null;
      await new Promise<void>((resolve) => (this.#taker = resolve));
    }
    const piece = this.#queue.shift()!;
    this.#bytes -= bytesOf(piece);
    this.#resume();
    return piece;
  }

  /** Stops the maker and waits for it to stop. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#resume();
    await this.#making;
  }
}

const bytesOf = (piece: CopyPiece) => ('sets' in piece ? piece.sets.length : piece.calls.length);

/** A checked call with its rating on arrival, and the sums of its account-month. */
export type RatedImport = ImportedCall & {
  rating: ArrivalRating;
  sums: MonthSums;
  /** Its account-month's number in the import's call sets. */
  set: number;
};

/**
 * An account as the import keeps it: found once by id or number, with its rating context and
 * sums per usage month, so a row costs one lookup of its account key and nothing keyed by strings
 * built per row.
 */
export interface ImportAccount extends CdrAccount {
  months: Map<string, ImportMonth>;
  /** The month its last call fell in (most accounts' calls are of one month). */
  last: ImportMonth | null;
  /** Its position among the accounts a file read as bytes met (import-bytes.ts); -1 until met there. */
  fast: number;
}

export interface ImportMonth {
  month: string;
  cx: ArrivalContext | string;
  sums: MonthSums;
  set: number;
  /**
   * For the bytes reader, the classes (CallClasses) of its calls by their sum's position
   * (MonthSums.add) times two, plus one for inbound calls.
   */
  classes: number[];
  /** Those of its calls not summed (unrated, or before the billing start), by why. */
  unsummedClasses?: Map<string, number>;
}

/** The import's state of an account's usage month, made when its first call comes. */
export function importMonth(checker: RowChecker, a: ImportAccount, usageMonth: string): ImportMonth {
  let month = a.last !== null && a.last.month === usageMonth ? a.last : a.months.get(usageMonth);
  if (month === undefined) {
    const { rater, totals, sets } = checker;
    const sums = totals.month(a.id, usageMonth, rater.fingerprintOf(a.id, usageMonth));
    month = {
      month: usageMonth,
      cx: rater.contextOf(a.id, usageMonth),
      sums,
      set: sets.number(sums),
      classes: [],
    };
    a.months.set(usageMonth, month);
  }
  a.last = month;
  return month;
}

/**
 * Checks and rates a chunk of rows: rows of accounts not met yet wait while those accounts are
 * read, all at once. Returns the good rows, rated, in row order; bad ones go to the report.
 */
export async function checkChunk(checker: RowChecker, chunk: readonly CdrRow[]): Promise<RatedImport[]> {
  const { accounts, monthOf, report, rater } = checker;
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
    const month = importMonth(checker, account!, call.usageMonth);
    call.rating = rater.rateIn(month.cx, call);
    call.sums = month.sums;
    call.set = month.set;
    good.push(call);
  };
  // Rows of accounts not seen yet wait while those accounts are read, all at once.
  let waiting: { row: number; raw: RawCdr }[] | null = null;
  for (const r of chunk) {
    if (!('raw' in r)) {
      report.errors.push({ row: r.row, callId: r.callId ?? null, reason: r.error });
      continue;
    }
    const key = trimmed(r.raw.account ?? '');
    const account = accounts.get(key);
    if (account === undefined && key !== '') (waiting ??= []).push(r);
    else check(r, account ?? undefined);
  }
  if (waiting !== null) {
    await meetAccounts(checker, new Set(waiting.map((r) => trimmed(r.raw.account ?? ''))));
    for (const r of waiting) check(r, accounts.get(trimmed(r.raw.account ?? '')) ?? undefined);
    // Rows go on in file order: of two rows with one call id, the earlier one is kept.
    good.sort((a, b) => a.row - b.row);
  }
  return good;
}

/**
 * Reads the accounts rows name by these keys (trimmed, none met yet), all at once, with what
 * rating their calls needs: each key is then met (checker.accounts: its account, or null for no
 * account of that id or number).
 */
export async function meetAccounts(checker: RowChecker, keys: ReadonlySet<string>): Promise<void> {
  const { lookup: ctx, accounts, rater } = checker;
  const found = await findCdrAccounts(ctx, [...keys]);
  const kept = new Map<RatingAccountRow, ImportAccount>();
  for (const key of keys) {
    const a = found.get(key);
    let account: ImportAccount | null = null;
    if (a) {
      account = kept.get(a) ?? {
        ...a,
        country: shared(a.country),
        timeZone: shared(a.timeZone),
        months: new Map(),
        last: null,
        fast: -1,
      };
      kept.set(a, account);
    }
    // Keyed by strings of its own, not by a slice of the file's text (see ownCopy).
    accounts.set(ownCopy(key), account);
  }
  // The accounts found are not read again: only their inventory and contract.
  const met = [...kept.keys()];
  await rater.load(
    ctx.db,
    met.map((a) => a.id),
    { accounts: met },
  );
}

/**
 * One string object per time zone or country: the caches a row goes through (its zone's months,
 * its country's numbers) compare it with the last one by identity before they look further.
 */
const sharedStrings = new Map<string, string>();
function shared(s: string): string {
  let one = sharedStrings.get(s);
  if (one === undefined) sharedStrings.set(s, (one = s));
  return one;
}

/**
 * Calls whose id was stored already: by this import (a duplicate row), or by an earlier one —
 * skipped when it is the same call sent again (a retried import never bills a call twice), and
 * reported when the row says something else of it (another account, start, length, number or
 * device): the stored call stays as it was billed or will be, and nothing about the row goes
 * unseen.
 */
function settleConflicts(
  conflicts: readonly RatedImport[],
  stored: ReadonlyMap<string, StoredCall>,
  batch: number,
  report: ImportReport,
) {
  for (const c of conflicts) {
    const first = stored.get(c.callId);
    if (first?.batch === batch) {
      report.errors.push({
        row: c.row,
        callId: c.callId,
        reason: `duplicate call_id: the same id is on row ${first.row}`,
      });
      continue;
    }
    const differs = first ? differences(first, c) : [];
    if (first === undefined || differs.length === 0) {
      report.alreadyImported++;
      continue;
    }
    const where = [
      first.importId && `by ${first.importId}`,
      first.row !== null && `from its row ${first.row}`,
    ]
      .filter(Boolean)
      .join(' ');
    report.errors.push({
      row: c.row,
      callId: c.callId,
      reason:
        `call_id already imported${where ? ` (${where})` : ''} with another ${differs.join(', ')}: ` +
        'the stored call is kept; a corrected call needs an id of its own',
    });
  }
}

/** What a row says differently of a call stored under its id (the CDR columns that differ). */
function differences(stored: StoredCall, c: RatedImport): string[] {
  const out: string[] = [];
  if (stored.accountId !== c.accountId) out.push('account');
  if (stored.startedAt !== c.startedAt) out.push('start_time');
  if (stored.durationSeconds !== c.durationSeconds) out.push('end_time');
  if (stored.direction !== c.direction) out.push('direction');
  if (stored.origin !== c.origin) out.push('origin');
  if (stored.destination !== c.destination) out.push('destination');
  if (stored.originDevice !== c.originDevice) out.push('origin_device');
  return out;
}

/**
 * The `calls` columns an import writes (the batch is the import transaction's sequence value,
 * the class one of CallClasses').
 */
export const CALL_COLUMNS = [
  'call_id',
  'started_at',
  'duration_seconds',
  'origin',
  'destination',
  'origin_device',
  'import_row',
  'billable_seconds',
  'batch',
  'class',
] as const;
const CALLS_COPY = `COPY calls (${CALL_COLUMNS.join(', ')}) FROM STDIN (FORMAT binary)`;

/**
 * Rated calls as binary COPY rows (CALL_COLUMNS): each field is its length and its bytes, so
 * nothing is escaped here and the server parses no number, instant or date text (at 10M calls its
 * CPU went from 19.8 s to 16.1 s against the same rows as COPY text).
 */
export function callRows(calls: readonly RatedImport[], batch: number, classes: CallClasses): Uint8Array {
  const out = new ByteText(160 * calls.length + 64);
  const batchBytes = batchField(batch);
  for (const c of calls) {
    const id = Buffer.from(c.callId, 'utf8');
    const device = c.originDevice;
    const texts = Buffer.from(c.origin + c.destination + (device ?? ''), 'utf8');
    const originTo = Buffer.byteLength(c.origin, 'utf8');
    const destinationTo = originTo + Buffer.byteLength(c.destination, 'utf8');
    ONE_INSTANT[0] = c.startedAt;
    callRow(
      out,
      id,
      0,
      id.length,
      ONE_INSTANT,
      0,
      c.durationSeconds,
      texts,
      0,
      originTo,
      originTo,
      destinationTo,
      device === null ? -1 : destinationTo,
      texts.length,
      c.row,
      billableOf(c.rating) ?? -1,
      batchBytes,
      classes.of(c.accountId, c.usageMonth, c.direction, c.rating),
    );
  }
  return out.done();
}

/**
 * One rated call as a binary COPY row, in the order of CALL_COLUMNS: the one writer of a stored
 * call, whichever way its row was read (callRows, and the bytes reader with its id and texts as
 * bytes). Text fields are UTF-8 bytes: id[idFrom, idTo) is the call id; the origin, destination
 * and device are texts[originFrom, originTo), texts[destinationFrom, destinationTo) and
 * texts[deviceFrom, deviceTo), `deviceFrom` < 0 for no device (the bytes reader keeps every
 * number's and device's text in one buffer and writes its rows from there). Billable seconds are
 * < 0 while the call waits for a rating (NULL); `batch` is batchField's; `cls` the call's class.
 * Its start instant is instants[instant]: read where it is kept, not passed (an instant is no
 * small integer: passing one to a function not inlined makes a heap object per row).
 */
export function callRow(
  out: ByteText,
  id: Uint8Array,
  idFrom: number,
  idTo: number,
  instants: Float64Array,
  instant: number,
  durationSeconds: number,
  texts: Uint8Array,
  originFrom: number,
  originTo: number,
  destinationFrom: number,
  destinationTo: number,
  deviceFrom: number,
  deviceTo: number,
  row: number,
  billableSeconds: number,
  batch: Uint8Array,
  cls: number,
): void {
  // Written in place: one check for room, then bytes (a tenth less CPU for the bytes reader than
  // a ByteText call per field).
  const texted = originTo - originFrom + (destinationTo - destinationFrom) + (deviceTo - deviceFrom);
  const b = out.room(ROW_BYTES + (idTo - idFrom) + texted);
  let at = out.length;
  b[at++] = 0;
  b[at++] = CALL_COLUMNS.length;
  at = fieldAt(b, at, id, idFrom, idTo);
  at = int32At(b, at, 8);
  at = int64Of(b, at, instants, instant, 1000, PG_EPOCH_MS); // timestamptz: microseconds since 2000
  at = int32At(b, at, 4);
  at = int32At(b, at, durationSeconds);
  at = fieldAt(b, at, texts, originFrom, originTo);
  at = fieldAt(b, at, texts, destinationFrom, destinationTo);
  at = deviceFrom < 0 ? int32At(b, at, -1) : fieldAt(b, at, texts, deviceFrom, deviceTo);
  at = int32At(b, at, 4);
  at = int32At(b, at, row);
  at = billableSeconds < 0 ? int32At(b, at, -1) : int32At(b, int32At(b, at, 4), billableSeconds);
  for (let i = 0; i < batch.length; i++) b[at++] = batch[i]!;
  at = int32At(b, at, 8);
  out.moveTo(int64At(b, at, cls));
}

/** One instant, for callRow and CallSets.addBytes when it is not kept in an array already. */
const ONE_INSTANT = new Float64Array(1);

/** Bytes of a call's row besides its id's and texts' (field count, lengths, ints, batch, class). */
const ROW_BYTES = 2 + 4 + 12 + 8 + 4 + 4 + 4 + 8 + 8 + 12 + 12;

/** A call's batch as a binary COPY field (the same for every row of an import: made once). */
export function batchField(batch: number): Uint8Array {
  const out = new ByteText(12);
  out.int8Field(batch);
  return out.done();
}

/**
 * The call classes an import numbers in its batch: one per account-month and rating (but for the
 * billable seconds) met, so a stored call names its class instead of carrying nine columns.
 * Numbers go first, first + step, …: each worker thread of an import numbers its part's classes
 * from a first of its own, so no two parts give one number. Written by finishImport.
 */
export class CallClasses {
  /**
   * Each rating met (but for the billable seconds), once: its key text to its number among them,
   * and by that number, the rating itself. Ten thousand accounts make a hundred thousand
   * classes from a few dozen ratings.
   */
  readonly #ratings = new Map<string, number>();
  readonly #ratingList: ArrivalRating[] = [];
  /** Each account-month and direction met, by account, then month: its number (times 2, +1 inbound). */
  readonly #months = new Map<string, Map<string, number>>();
  #monthCount = 0;
  /** Class numbers by account-month-direction and rating: at (its number × RATINGS_MAX + the rating's). */
  readonly #numbers = new Map<number, number>();
  /**
   * The classes made since the last fresh(), as flat lists (objects are made when they are handed
   * out): made mostly in an import's first seconds and kept until their stretch is written, rows
   * of their own would be a hundred thousand objects for the garbage collector to copy.
   */
  #fresh: number[] = [];
  #freshAccounts: string[] = [];
  #freshMonths: string[] = [];
  #next: number;

  constructor(
    first = 1,
    readonly step = 1,
  ) {
    if (!Number.isSafeInteger(first) || first < 1 || !Number.isSafeInteger(step) || step < 1)
      throw new Error(`bad class numbering: from ${first} by ${step}`);
    this.#next = first;
  }

  /** The number of the class of calls of this account-month going this way rated so, made when first met. */
  of(accountId: string, usageMonth: string, direction: Direction, r: ArrivalRating): number {
    let months = this.#months.get(accountId);
    if (months === undefined) this.#months.set(accountId, (months = new Map()));
    let month = months.get(usageMonth);
    if (month === undefined) months.set(usageMonth, (month = 2 * this.#monthCount++));
    const monthWay = month + (direction === 'inbound' ? 1 : 0);
    // Each field by its length and text (a null as '-'): no two ratings make one key.
    const rate = r.rate;
    const key =
      keyPart(r.callType) +
      keyPart(r.rounding) +
      keyPart(r.allowance) +
      (rate === null
        ? '-'
        : keyPart(rate.prefix) + keyPart(rate.validFrom) + keyPart(String(rate.ratePerMinute))) +
      keyPart(r.unratedReason);
    let rating = this.#ratings.get(key);
    if (rating === undefined) {
      rating = this.#ratingList.length;
      if (rating === RATINGS_MAX) throw new Error(`more than ${RATINGS_MAX} ratings in one import`);
      this.#ratings.set(key, rating);
      this.#ratingList.push({ ...r, billableSeconds: 0 });
    }
    const at = monthWay * RATINGS_MAX + rating;
    let n = this.#numbers.get(at);
    if (n === undefined) {
      n = this.#next;
      this.#next += this.step;
      this.#numbers.set(at, n);
      this.#fresh.push(n, monthWay, rating);
      this.#freshAccounts.push(accountId);
      this.#freshMonths.push(usageMonth);
    }
    return n;
  }

  /** The rows made since the last call (each handed out once: to be written). */
  fresh(): CallClassRow[] {
    const made = this.#fresh;
    const accounts = this.#freshAccounts;
    const months = this.#freshMonths;
    this.#fresh = [];
    this.#freshAccounts = [];
    this.#freshMonths = [];
    const rows: CallClassRow[] = [];
    for (let i = 0; i < accounts.length; i++) {
      const direction = (made[3 * i + 1]! & 1) === 1 ? 'inbound' : 'outbound';
      rows.push(
        classRow(made[3 * i]!, accounts[i]!, months[i]!, direction, this.#ratingList[made[3 * i + 2]!]!),
      );
    }
    return rows;
  }
}

/**
 * Distinct ratings an import can tell apart in its class numbering (a deck's entries, by call type,
 * allowance and reason): keys of account-month-direction × rating stay below 2^53 for 4 billion
 * account-months.
 */
const RATINGS_MAX = 1 << 21;

const keyPart = (s: string | null): string => (s === null ? '-' : `${s.length}:${s}`);

/** Calls per stretch: the call sets of a stretch are made after it (see CallSets, writePieces). */
const SET_STRETCH = 250_000;
/** Calls per call set at most. */
const SET_SIZE = 1_000;

/**
 * The call sets of a stretch of calls, as rows of a binary COPY (see SETS_COPY): per
 * account-month, the ids of its calls (one text, a space between) and their start instants (an
 * array). Binary, the server reads the instants by their lengths instead of parsing array text,
 * and takes the ids as they come (as an array, it would read each id as an element of its own:
 * twice the work for the whole set, migration 013). Calls are noted in flat arrays (an id's
 * characters in one byte buffer), not as objects kept per call, and grouped into sets when the
 * stretch ends: memory is bounded by the stretch and nothing that lives that long weighs on the
 * garbage collector.
 */
export class CallSets {
  /** The import's account-months, by number. */
  #months: MonthSums[] = [];
  #n = 0;
  #set = new Int32Array(1024);
  #ms = new Float64Array(1024);
  /** Where each id's characters end in #chars. */
  #end = new Int32Array(1024);
  #chars = new Uint8Array(1 << 16);
  #used = 0;
  /** flush's working arrays, kept from one stretch to the next. */
  readonly #work: Record<FlushArray, Int32Array> = {
    seen: NONE,
    firstRow: NONE,
    rowOf: NONE,
    rowCalls: NONE,
    rowIdBytes: NONE,
    idStart: NONE,
    idAt: NONE,
    msAt: NONE,
  };

  /** Calls listed since the last flush. */
  get size(): number {
    return this.#n;
  }

  /** A number for an account-month, once per import. */
  number(sums: MonthSums): number {
    return this.#months.push(sums) - 1;
  }

  add(c: RatedImport): void {
    // Ids are printable ASCII (checkCdr): a byte a character.
    const id = Buffer.from(c.callId, 'latin1');
    ONE_INSTANT[0] = c.startedAt;
    this.addBytes(id, 0, id.length, c.set, ONE_INSTANT, 0);
  }

  /**
   * A call by its id's bytes b[start, end) (printable ASCII), its set and its start instant
   * (instants[instant]: see callRow).
   */
  addBytes(
    b: Uint8Array,
    start: number,
    end: number,
    set: number,
    instants: Float64Array,
    instant: number,
  ): void {
    const i = this.#n++;
    if (i === this.#set.length) {
      this.#set = grown(this.#set, i * 2);
      this.#ms = grown(this.#ms, i * 2);
      this.#end = grown(this.#end, i * 2);
    }
    const n = end - start;
    if (this.#used + n > this.#chars.length) this.#chars = grown(this.#chars, 2 * (this.#used + n));
    let at = this.#used;
    const chars = this.#chars;
    for (let k = start; k < end; k++) chars[at++] = b[k]!;
    this.#used = at;
    this.#set[i] = set;
    this.#ms[i] = instants[instant]!;
    this.#end[i] = at;
  }

  /**
   * The stretch's sets as binary COPY rows (empty when none), and a fresh start. Each set's calls
   * in the order they came, SET_SIZE to a row. Calls are read in the order they came and written
   * where their row wants them (reads in order, writes scattered: the processor does not wait on
   * writes as it would on reads gathered from all over the stretch). Written into `into` when
   * given (emptied first: the caller hands its memory out again once the bytes are taken),
   * otherwise into memory of their own. The working arrays are kept from one stretch to the next:
   * made anew, a stretch's few MiB of them would count toward what prompts the garbage collector.
   */
  flush(into?: ByteText): Uint8Array {
    const n = this.#n;
    const sets = this.#months.length;
    const setOf = this.#set;
    const ends = this.#end;
    // Each call's row: its set's calls are cut into rows of SET_SIZE, in the order they came.
    const seen = this.#zeros('seen', sets);
    for (let i = 0; i < n; i++) seen[setOf[i]!]!++;
    const firstRow = this.#zeros('firstRow', sets + 1);
    for (let k = 0; k < sets; k++) firstRow[k + 1] = firstRow[k]! + Math.ceil(seen[k]! / SET_SIZE);
    const rows = firstRow[sets]!;
    const rowOf = this.#zeros('rowOf', n);
    const rowCalls = this.#zeros('rowCalls', rows);
    const rowIdBytes = this.#zeros('rowIdBytes', rows);
    seen.fill(0, 0, sets);
    for (let i = 0; i < n; i++) {
      const k = setOf[i]!;
      const row = firstRow[k]! + Math.floor(seen[k]! / SET_SIZE);
      seen[k]!++;
      rowOf[i] = row;
      rowCalls[row]!++;
      rowIdBytes[row]! += ends[i]! - (i === 0 ? 0 : ends[i - 1]!);
    }
    // The rows' headers, and room for their ids and instants (where each row's next goes).
    const idStart = this.#zeros('idStart', rows);
    const idAt = this.#zeros('idAt', rows);
    const msAt = this.#zeros('msAt', rows);
    const size = this.#used + 16 * n + 128 * rows;
    const out = into === undefined ? new ByteText(size) : into.reset();
    out.room(size);
    for (let k = 0; k < sets; k++) {
      const month = this.#months[k]!;
      const account = Buffer.from(month.accountId, 'utf8');
      for (let row = firstRow[k]!; row < firstRow[k + 1]!; row++) {
        const count = rowCalls[row]!;
        const idBytes = rowIdBytes[row]!;
        out.int16(4);
        out.field(account, 0, account.length);
        out.text(month.usageMonth);
        // call_ids: the ids, a space between (ids are ASCII: a byte a character).
        const text = idBytes + count - 1;
        out.int32(text);
        idStart[row] = idAt[row] = out.length;
        out.room(text);
        out.moveTo(out.length + text);
        // started_ms: int8[].
        arrayHeader(out, 20 + 12 * count, INT8_OID, count);
        msAt[row] = out.length;
        out.room(12 * count);
        out.moveTo(out.length + 12 * count);
      }
    }
    const b = out.room(0);
    const chars = this.#chars;
    const ms = this.#ms;
    for (let i = 0; i < n; i++) {
      const row = rowOf[i]!;
      let at = idAt[row]!;
      if (at !== idStart[row]) b[at++] = SEPARATOR;
      idAt[row] = bytesAt(b, at, chars, i === 0 ? 0 : ends[i - 1]!, ends[i]!);
      msAt[row] = int64Of(b, int32At(b, msAt[row]!, 8), ms, i);
    }
    this.#n = 0;
    this.#used = 0;
    return out.done();
  }

  /** flush's working array of that name, its first n entries zero. */
  #zeros(name: FlushArray, n: number): Int32Array {
    return (this.#work[name] = kept(this.#work[name], n, true));
  }
}

/** What CallSets.flush's working arrays hold (per set, per call, per row). */
type FlushArray = 'seen' | 'firstRow' | 'rowOf' | 'rowCalls' | 'rowIdBytes' | 'idStart' | 'idAt' | 'msAt';
const NONE = new Int32Array(0);

/** SET_ID_SEPARATOR as the byte CallSets.flush writes. */
const SEPARATOR = SET_ID_SEPARATOR.charCodeAt(0);

/** Writes call sets (CallSets.flush rows, in any number of pieces) as one binary COPY. */
export const SETS_COPY =
  'COPY call_sets (account_id, usage_month, call_ids, started_ms) FROM STDIN (FORMAT binary)';
