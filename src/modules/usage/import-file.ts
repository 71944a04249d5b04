import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import type { Ctx } from '../../context.ts';
import { canCopy } from '../../db/index.ts';
import { newId } from '../../kernel/index.ts';
import { csvCdrRows } from './cdr-csv.ts';
import { fileCopyPieces } from './import-bytes.ts';
import type { ArrivalTotal } from './domain/arrival.ts';
import { cdrColumns, splitCsvLine } from './domain/cdr.ts';
import {
  type CopyPiece,
  type ImportOptions,
  type ImportReport,
  emptyReport,
  finishImport,
  importByCopy,
  importSkippingStored,
  isUniqueViolation,
  writePieces,
} from './import.ts';
import { type CallClassRow, nextCallBatch } from './repo.ts';

/**
 * USG-1 for a CSV file. On a server, a large file is cut at line ends into parts that worker
 * threads check and rate side by side (import-worker.ts), while this thread writes what they hand
 * over into `calls` by COPY, in one transaction: one import, one batch, the same report (rows
 * numbered as in the file) as on one thread. Embedded, or for a small file, one thread imports.
 * If a call id is stored already (the file imported twice, an id repeated in it), the import runs
 * again on one thread, skipping stored ids (see importCdrs).
 */
export interface FileImportOptions extends Omit<ImportOptions, 'onProgress'> {
  onProgress?: (p: FileProgress) => void;
  /** The server's URL: the workers connect to it for their lookups. Without it, one thread imports. */
  databaseUrl?: string | undefined;
  /** Worker threads for a large file (default 1: this thread imports). */
  workers?: number;
  /** Files smaller than this (bytes) import on this thread. */
  parallelFrom?: number;
}

export interface FileProgress {
  rowsRead: number;
  accepted: number;
  rejected: number;
  /** Bytes of the file read so far. */
  bytesRead: number;
}

/**
 * A worker costs a few seconds of CPU to start (it loads and compiles the rating code, numbering
 * plan data included) and repeats the lookups of every account it meets: parts pay off only for
 * files of millions of rows, and on two cores not even then (one thread and PostgreSQL keep both
 * busy: see the rating bench).
 */
const PARALLEL_FROM = 256 * 2 ** 20;
/**
 * Pieces (about a MiB of COPY text each) a worker may hand over before the first is taken: more
 * than a block of the file makes, so a worker reads its next block while its last is written.
 */
const WINDOW = 32;

/** What a worker is given (workerData). */
export interface PartJob {
  databaseUrl: string;
  path: string;
  /** Byte range [start, end) of the file: whole lines. */
  start: number;
  end: number;
  header: string;
  linesBefore: number;
  batch: number;
  /** Which part (from 0) of how many: its call classes are numbered part + 1, part + 1 + parts, … */
  part: number;
  parts: number;
  importId: string;
  chunkSize: number | undefined;
  stretch: number | undefined;
  now: string;
  actor: string;
  window: number;
}

/** What a worker says. */
export type PartMessage =
  | {
      kind: 'calls' | 'sets';
      bytes: Uint8Array;
      /** With a stretch's sets, the classes its part made since the last. */
      classes: readonly CallClassRow[];
      rowsRead: number;
      accepted: number;
      rejected: number;
      /** Bytes of its part read so far. */
      bytesRead: number;
    }
  | { kind: 'done'; report: ImportReport; totals: readonly ArrivalTotal[]; classes: readonly CallClassRow[] }
  | { kind: 'failed'; message: string; code: string | undefined };

export async function importCdrFile(ctx: Ctx, path: string, opts: FileImportOptions): Promise<ImportReport> {
  // One thread: the bytes read so far are counted on the stream.
  let bytes = 0;
  const rows = () => {
    bytes = 0;
    const input = createReadStream(path);
    input.on('data', (chunk) => (bytes += chunk.length));
    return csvCdrRows(input);
  };
  const file = { path, onRead: (n: number) => (bytes += n), recycle: true };
  const progress = opts.onProgress;
  const one: ImportOptions = {
    ...opts,
    onProgress: progress && ((p) => progress({ ...p, bytesRead: bytes })),
  };
  const workers = opts.workers ?? 1;
  if (opts.databaseUrl && workers > 1 && (await canCopy(ctx.db))) {
    const parts = await fileParts(path, workers, opts.parallelFrom ?? PARALLEL_FROM);
    if (parts !== null) {
      try {
        return await importInParts(ctx, path, parts, { ...opts, databaseUrl: opts.databaseUrl });
      } catch (e) {
        if (!isUniqueViolation(e)) throw e;
      }
      return importSkippingStored(ctx, rows(), one);
    }
  }
  const report = await importByCopy(
    ctx,
    (checker, batch, progress) => fileCopyPieces(checker, file, batch, undefined, progress),
    one,
  );
  return report ?? importSkippingStored(ctx, rows(), one);
}

interface FileParts {
  header: string;
  /** Byte offsets: part k is [bounds[k], bounds[k + 1]). */
  bounds: number[];
}

/**
 * Where to cut the file: after its header, then at the first line end past each equal share.
 * Null when the file is too small, has no valid header (one thread reports it), or will not cut.
 */
async function fileParts(path: string, parts: number, minBytes: number): Promise<FileParts | null> {
  let fh;
  try {
    fh = await open(path);
  } catch {
    return null; // one thread reports the file it cannot read
  }
  try {
    const size = (await fh.stat()).size;
    if (size < minBytes) return null;
    const probe = Buffer.alloc(1 << 16);
    const lineEnd = async (from: number) => {
      const { bytesRead } = await fh.read(probe, 0, probe.length, from);
      const nl = probe.subarray(0, bytesRead).indexOf(10);
      return nl === -1 ? -1 : from + nl;
    };
    const headerEnd = await lineEnd(0);
    if (headerEnd === -1) return null;
    const header = probe.toString('utf8', 0, headerEnd).replace(/\r$/, '');
    const fields = splitCsvLine(header);
    if (fields === null || Array.isArray(cdrColumns(fields))) return null;
    const bounds = [headerEnd + 1];
    for (let k = 1; k < parts; k++) {
      const end = await lineEnd(Math.floor((size * k) / parts));
      if (end === -1 || end + 1 <= bounds[bounds.length - 1]! || end + 1 >= size) return null;
      bounds.push(end + 1);
    }
    bounds.push(size);
    return { header, bounds };
  } finally {
    await fh.close();
  }
}

/** Line ends in bytes [from, to) of the file. */
async function lineEndsIn(path: string, from: number, to: number): Promise<number> {
  let lines = 0;
  let read = 0;
  for await (const block of createReadStream(path, { start: from, end: to - 1, highWaterMark: 1 << 20 })) {
    const b = block as Buffer;
    for (let i = b.indexOf(10); i !== -1; i = b.indexOf(10, i + 1)) lines++;
    read += b.length;
  }
  if (read !== to - from) throw new Error(`${path} changed while it was being imported`);
  return lines;
}

async function importInParts(
  ctx: Ctx,
  path: string,
  parts: FileParts,
  opts: FileImportOptions & { databaseUrl: string },
): Promise<ImportReport> {
  const report = emptyReport(newId('imp', ctx.clock.now()));
  report.parts = parts.bounds.length - 1;
  await ctx.db.transaction().execute(async (trx) => {
    const batch = await nextCallBatch(trx);
    const job = (k: number, before: number): PartJob => ({
      databaseUrl: opts.databaseUrl,
      path,
      start: parts.bounds[k]!,
      end: parts.bounds[k + 1]!,
      header: parts.header,
      linesBefore: before,
      batch,
      part: k,
      parts: parts.bounds.length - 1,
      importId: report.importId,
      chunkSize: opts.chunkSize,
      stretch: opts.stretch,
      now: ctx.clock.now().toISOString(),
      actor: ctx.actor,
      window: WINDOW,
    });
    const crew = new PartWorkers(parts.bounds.length - 1);
    try {
      // The first part starts after the header line at once; each other once the line ends
      // of the part before it are counted.
      let before = 1;
      crew.start(0, job(0, before));
      for (let k = 1; k < crew.size; k++) {
        before += await lineEndsIn(path, parts.bounds[k - 1]!, parts.bounds[k]!);
        crew.start(k, job(k, before));
      }
      const headerBytes = parts.bounds[0]!;
      await writePieces(
        trx,
        batch,
        crew.pieces((p) => opts.onProgress?.({ ...p, bytesRead: headerBytes + p.bytesRead })),
      );
      // Every part is done: the workers' memory (each kept every account's state) goes first.
      await crew.stop();
      const totals: ArrivalTotal[] = [];
      const classes: CallClassRow[] = [];
      for (const done of crew.results) {
        report.rowsRead += done.report.rowsRead;
        report.accepted += done.report.accepted;
        for (const e of done.report.errors) report.errors.push(e);
        for (const t of done.totals) totals.push(t);
        for (const k of done.classes) classes.push(k);
      }
      await finishImport({ ...ctx, db: trx }, report, batch, totals, classes, opts.source);
    } finally {
      await crew.stop();
    }
  });
  opts.onProgress?.({
    rowsRead: report.rowsRead,
    accepted: report.accepted,
    rejected: report.rejected,
    bytesRead: parts.bounds[parts.bounds.length - 1]!,
  });
  return report;
}

type Event =
  { part: number; m: PartMessage } | { part: number; exit: number } | { part: number; error: Error };

/** The workers of one import, and what they say, in order, as pieces to COPY. */
class PartWorkers {
  readonly #workers: (Worker | undefined)[];
  readonly #events: Event[] = [];
  #wake: (() => void) | null = null;
  readonly results: Extract<PartMessage, { kind: 'done' }>[] = [];

  constructor(readonly size: number) {
    this.#workers = new Array<Worker | undefined>(size);
  }

  #push(e: Event) {
    this.#events.push(e);
    this.#wake?.();
    this.#wake = null;
  }

  start(part: number, job: PartJob) {
    const w = new Worker(new URL('./import-worker-start.mjs', import.meta.url), {
      workerData: job,
      // Rows read as bytes make few objects: a young generation of 64 MiB (the importing
      // thread's is larger: rows of API batches and other rows are objects).
      resourceLimits: { maxYoungGenerationSizeMb: 64 },
    });
    w.on('message', (m: PartMessage) => this.#push({ part, m }));
    w.on('error', (error: Error) => this.#push({ part, error }));
    w.on('exit', (exit: number) => this.#push({ part, exit }));
    this.#workers[part] = w;
  }

  async *pieces(progress: (p: FileProgress) => void): AsyncGenerator<CopyPiece> {
    const zero: FileProgress = { rowsRead: 0, accepted: 0, rejected: 0, bytesRead: 0 };
    const counts = Array.from({ length: this.size }, () => zero);
    let open = this.size;
    while (open > 0) {
      const e = this.#events.shift();
      if (e === undefined) {
        await new Promise<void>((resolve) => (this.#wake = resolve));
        continue;
      }
      const part = e.part;
      if ('error' in e) throw e.error;
      if ('exit' in e) {
        if (this.results[part] === undefined)
          throw new Error(`import worker ${part + 1} stopped (exit code ${e.exit})`);
        continue;
      }
      const m = e.m;
      if (m.kind === 'failed') throw Object.assign(new Error(m.message), { code: m.code });
      if (m.kind === 'done') {
        this.results[part] = m;
        open--;
        continue;
      }
      counts[part] = m;
      progress(
        counts.reduce((s, c) => ({
          rowsRead: s.rowsRead + c.rowsRead,
          accepted: s.accepted + c.accepted,
          rejected: s.rejected + c.rejected,
          bytesRead: s.bytesRead + c.bytesRead,
        })),
      );
      yield m.kind === 'calls' ? { calls: m.bytes } : { sets: m.bytes, classes: m.classes };
      this.#workers[part]!.postMessage(0); // taken: the worker may hand over another
    }
  }

  async stop() {
    await Promise.all(this.#workers.map((w) => w?.terminate()));
  }
}
