// One part of a CDR file imported on a worker thread (import-file.ts): its rows are checked, rated
// and summed here, with lookups through a connection of the worker's own, and handed to the
// importing thread as COPY text, which writes them in its transaction. The worker holds no
// transaction: it reads accounts, inventory and decks, and writes nothing.
import { parentPort, workerData } from 'node:worker_threads';
import { connect } from '../../db/connection.ts';
import { SimulatedClock } from '../../kernel/index.ts';
import { fileCopyPieces } from './import-bytes.ts';
import type { PartJob, PartMessage } from './import-file.ts';
import { CallClasses, RowChecker, emptyReport } from './import.ts';

const job = workerData as PartJob;
const port = parentPort!;
// Pieces handed over and not yet taken: at most `job.window` (the importer acks each it takes).
let credits = job.window;
let wake: (() => void) | null = null;
port.on('message', () => {
  credits++;
  wake?.();
  wake = null;
});
const post = (m: PartMessage, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

const handle = await connect({ databaseUrl: job.databaseUrl, poolSize: 2 });
try {
  // Nothing here reads the clock; the context still carries the import's instant and actor.
  const ctx = { db: handle.db, clock: new SimulatedClock(new Date(job.now)), actor: job.actor };
  const report = emptyReport(job.importId);
  const classes = new CallClasses(job.part + 1, job.parts);
  const checker = new RowChecker(ctx, report, job.chunkSize, job.stretch, classes);
  let bytesRead = 0;
  const file = { path: job.path, start: job.start, end: job.end, onRead: (n: number) => (bytesRead += n) };
  const part = { header: job.header, linesBefore: job.linesBefore };
  for await (const piece of fileCopyPieces(checker, file, job.batch, part)) {
    while (credits === 0) await new Promise<void>((resolve) => (wake = resolve));
    credits--;
    const sets = 'sets' in piece;
    const bytes = sets ? piece.sets : piece.calls;
    post(
      {
        kind: sets ? 'sets' : 'calls',
        bytes,
        classes: sets ? piece.classes : [],
        rowsRead: report.rowsRead,
        accepted: report.accepted,
        rejected: report.errors.length,
        bytesRead,
      },
      [bytes.buffer as ArrayBuffer],
    );
  }
  post({ kind: 'done', report, totals: checker.totals.rows(), classes: classes.fresh() });
} catch (e) {
  post({
    kind: 'failed',
    message: e instanceof Error ? e.message : String(e),
    code: (e as { code?: string } | null)?.code,
  });
} finally {
  await handle.close();
  port.close();
}
