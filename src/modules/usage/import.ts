import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import { once } from 'node:events';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Ctx } from '../../context.ts';
import { newId } from '../../kernel/index.ts';
import {
  type CdrAccount,
  type ImportedCall,
  type RawCdr,
  cdrColumns,
  checkCdr,
  monthInZoneCache,
  rawCdrFromFields,
  splitCsvLine,
} from './domain/cdr.ts';
import { findCdrAccounts, insertCallChunk, isoInstant, recordImport, storedCallOrigins } from './repo.ts';

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
  /** A server's pool: rows then travel by COPY through a staging table (the fast path). */
  pool?: pg.Pool | undefined;
  onProgress?: (p: { rowsRead: number; accepted: number; rejected: number }) => void;
  /** Rows checked and written per step. */
  chunkSize?: number;
}

/** Errors kept on the import record (the full list is in the report and the CLI's error file). */
const STORED_ERRORS = 10_000;

/** Rows one by one or in batches (a CSV reader yields a batch per block read). */
export type CdrRows = AsyncIterable<CdrRow | readonly CdrRow[]> | Iterable<CdrRow | readonly CdrRow[]>;

export async function importCdrs(ctx: Ctx, rows: CdrRows, opts: ImportOptions): Promise<ImportReport> {
  const importId = newId('imp', ctx.clock.now());
  const chunkSize = opts.chunkSize ?? 10_000;
  const monthOf = monthInZoneCache();
  const accounts = new Map<string, CdrAccount | null>();
  const report: ImportReport = {
    importId,
    rowsRead: 0,
    accepted: 0,
    alreadyImported: 0,
    rejected: 0,
    errors: [],
  };
  const sink = opts.pool ? await copySink(opts.pool, importId) : tableSink(ctx, importId);
  try {
    let chunk: CdrRow[] = [];
    const flush = async () => {
      const good = await checkChunk(ctx, chunk, accounts, monthOf, report);
      await sink.write(good, report);
      chunk = [];
      opts.onProgress?.({ rowsRead: report.rowsRead, accepted: report.accepted, rejected: report.rejected });
    };
    for await (const item of rows) {
      const batch: readonly CdrRow[] = Array.isArray(item) ? item : [item as CdrRow];
      for (const row of batch) {
        chunk.push(row);
        report.rowsRead++;
        if (chunk.length >= chunkSize) await flush();
      }
    }
    if (chunk.length > 0) await flush();
    await sink.finish(report);
  } finally {
    await sink.close();
  }
  report.errors.sort((a, b) => a.row - b.row);
  report.rejected = report.errors.length;
  opts.onProgress?.({ rowsRead: report.rowsRead, accepted: report.accepted, rejected: report.rejected });
  await recordImport(ctx, {
    id: importId,
    source: opts.source,
    rowsRead: report.rowsRead,
    accepted: report.accepted,
    alreadyImported: report.alreadyImported,
    rejected: report.rejected,
    errors: report.errors.slice(0, STORED_ERRORS),
  });
  return report;
}

type Checked = ImportedCall;

async function checkChunk(
  ctx: Ctx,
  chunk: readonly CdrRow[],
  accounts: Map<string, CdrAccount | null>,
  monthOf: (instant: number, timeZone: string) => string,
  report: ImportReport,
): Promise<Checked[]> {
  const unknown = new Set<string>();
  for (const r of chunk) {
    if ('raw' in r) {
      const key = (r.raw.account ?? '').trim();
      if (key !== '' && !accounts.has(key)) unknown.add(key);
    }
  }
  if (unknown.size > 0) {
    const found = await findCdrAccounts(ctx, [...unknown]);
    for (const key of unknown) accounts.set(key, found.get(key) ?? null);
  }
  const accountOf = (key: string) => accounts.get(key) ?? undefined;
  const good: Checked[] = [];
  for (const r of chunk) {
    if (!('raw' in r)) {
      report.errors.push({ row: r.row, callId: r.callId ?? null, reason: r.error });
      continue;
    }
    const result = checkCdr(r.raw, accountOf, monthOf);
    if (result.ok) {
      result.call.row = r.row;
      good.push(result.call);
    } else report.errors.push({ row: r.row, callId: r.raw.callId?.trim() || null, reason: result.reason });
  }
  return good;
}

interface Sink {
  write(calls: readonly Checked[], report: ImportReport): Promise<void>;
  finish(report: ImportReport): Promise<void>;
  close(): Promise<void>;
}

/** Calls whose id was stored already: by this import (a duplicate row) or an earlier one (skipped). */
function settleConflicts(
  conflicts: readonly { row: number; callId: string }[],
  stored: ReadonlyMap<string, { importId: string | null; row: number | null }>,
  importId: string,
  report: ImportReport,
) {
  for (const c of conflicts) {
    const first = stored.get(c.callId);
    if (first && first.importId === importId) {
      report.errors.push({
        row: c.row,
        callId: c.callId,
        reason: `duplicate call_id: the same id is on row ${first.row}`,
      });
    } else report.alreadyImported++;
  }
}

/** Any database: each chunk is one INSERT … ON CONFLICT DO NOTHING. */
function tableSink(ctx: Ctx, importId: string): Sink {
  return {
    async write(calls, report) {
      if (calls.length === 0) return;
      const inserted = new Set(await insertCallChunk(ctx.db, importId, calls));
      report.accepted += inserted.size;
      const conflicts = calls.filter((c) => !inserted.has(c.row));
      if (conflicts.length === 0) return;
      const stored = await storedCallOrigins(ctx.db, [...new Set(conflicts.map((c) => c.callId))]);
      settleConflicts(conflicts, stored, importId, report);
    },
    finish: async () => {},
    close: async () => {},
  };
}

/** COPY text format: tab-separated, backslash escapes, \N for null. */
const copyText = (s: string | null) =>
  s === null ? '\\N' : /[\t\n\r\\]/.test(s) ? s.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]!) : s;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * A server: the rows stream by COPY into a temporary staging table on one connection, then move
 * into `calls` with one set-wise INSERT; duplicates are found set-wise too, and only if any. The
 * staging table is read in the order it was written, so the earlier of two rows with one id wins.
 */
async function copySink(pool: pg.Pool, importId: string): Promise<Sink> {
  const client = await pool.connect();
  await client.query(`CREATE TEMP TABLE IF NOT EXISTS cdr_staging (
      row int, call_id text, account_id text, usage_month text, started_at timestamptz,
      duration_seconds int, direction text, origin text, destination text, origin_device text)`);
  await client.query('TRUNCATE cdr_staging');
  const copy = client.query(copyFrom('COPY cdr_staging FROM STDIN'));
  const done = new Promise<void>((resolve, reject) => {
    copy.on('finish', resolve);
    copy.on('error', reject);
  });
  let staged = 0;
  let ended = false;
  return {
    async write(calls) {
      if (calls.length === 0) return;
      let text = '';
      for (const c of calls) {
        text += `${c.row}\t${copyText(c.callId)}\t${c.accountId}\t${c.usageMonth}\t${isoInstant(c.startedAt)}\t${c.durationSeconds}\t${c.direction}\t${copyText(c.origin)}\t${copyText(c.destination)}\t${copyText(c.originDevice)}\n`;
      }
      staged += calls.length;
      if (!copy.write(text)) await once(copy, 'drain');
    },
    async finish(report) {
      copy.end();
      ended = true;
      await done;
      const inserted = await client.query(
        `INSERT INTO calls (call_id, account_id, usage_month, started_at, duration_seconds, direction, origin,
           destination, origin_device, import_id, import_row)
         SELECT call_id, account_id, usage_month, started_at, duration_seconds, direction, origin, destination,
           origin_device, $1, row FROM cdr_staging
         ON CONFLICT (call_id) DO NOTHING`,
        [importId],
      );
      report.accepted += inserted.rowCount ?? 0;
      if ((inserted.rowCount ?? 0) === staged) return;
      const conflicts = await client.query<{
        row: number;
        call_id: string;
        import_id: string | null;
        import_row: number | null;
      }>(
        `SELECT s.row, s.call_id, c.import_id, c.import_row FROM cdr_staging s JOIN calls c USING (call_id)
         WHERE c.import_id IS DISTINCT FROM $1 OR c.import_row <> s.row`,
        [importId],
      );
      settleConflicts(
        conflicts.rows.map((r) => ({ row: r.row, callId: r.call_id })),
        new Map(conflicts.rows.map((r) => [r.call_id, { importId: r.import_id, row: r.import_row }])),
        importId,
        report,
      );
    },
    async close() {
      if (!ended) {
        copy.end();
        await done.catch(() => {});
      }
      await client.query('DROP TABLE IF EXISTS cdr_staging').catch(() => {});
      client.release();
    },
  };
}

/**
 * Rows of a CDR CSV file, streamed a block at a time (memory stays flat whatever the file size):
 * one batch of rows per block read, each with its line number.
 */
export async function* csvCdrRows(input: Readable): AsyncGenerator<CdrRow[]> {
  const decoder = new StringDecoder('utf8');
  let line = 0;
  let rest = '';
  let col: Exclude<ReturnType<typeof cdrColumns>, string[]> | null = null;
  let refused = false;
  const parse = (texts: readonly string[]): CdrRow[] => {
    const rows: CdrRow[] = [];
    for (let text of texts) {
      line++;
      if (refused) continue;
      if (text.endsWith('\r')) text = text.slice(0, -1);
      if (text.trim() === '') continue;
      const fields = splitCsvLine(text);
      if (col === null) {
        const header = fields === null ? ['?'] : cdrColumns(fields);
        if (Array.isArray(header)) {
          rows.push({ row: line, error: `not a CDR header: missing column(s) ${header.join(', ')}` });
          refused = true;
        } else col = header;
        continue;
      }
      if (fields === null) rows.push({ row: line, error: 'a quoted field is not closed' });
      else rows.push({ row: line, raw: rawCdrFromFields(fields, col) });
    }
    return rows;
  };
  for await (const block of input) {
    const text = rest + (typeof block === 'string' ? block : decoder.write(block as Buffer));
    const lines = text.split('\n');
    rest = lines.pop()!;
    const rows = parse(lines);
    if (rows.length > 0) yield rows;
    if (refused) return;
  }
  const tail = parse([rest + decoder.end()]);
  if (tail.length > 0) yield tail;
}
