// Benchmark of call rating on a PostgreSQL server: CDR import + rating, end to end.
//
//   npm run bench:rating -- [--calls 10000000] [--calls-per-account 1000]
//
// Uses DATABASE_URL when set (fresh bench_* databases are created there and dropped afterwards),
// otherwise starts a throwaway server with scripts/pg-server.sh. Generates N CDRs as a CSV file
// (streamed: memory does not grow with N), imports it the way `tollbooth cdr import` does (each call
// checked, normalised, classified and rated on arrival, and streamed by one COPY into `calls` with
// its rating; the sums per account, month and charge in the same transaction), then runs the
// February bill run, which prices each account's January from those sums (usage lines on the
// invoices). End to end is both. The machine's pace drifts (the same bill run has taken 3.8 s and
// 5.6 s a minute apart), so end to end is run --runs times (default 3), each on a fresh copy of
// the prepared accounts, with the raw COPY speed of the same file into a bare table read before,
// between and after them (the run's tables vacuumed first): each run's ratio is to the mean of the
// readings either side of it, and the figure is the median run's. In the same process it measures
// the rating kernel alone in memory (rating on arrival, summing, pricing) and the server alone
// storing the last import's rows again from files (what end to end would be if Node took no time),
// and checks each run (every call rated, sums equal to the calls, one account's call details adding
// up to its usage lines). Figures go to stdout, every run's among them; the last line of stdout is
// one JSON object for machines. `npm run bench:rating` caps the V8 heap at 512 MiB: every stage
// streams or works in fixed-size batches, so 10 million calls fit as 200,000 do.
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { SimulatedClock } from '../src/kernel/index.ts';
import { openRuntime, type Runtime } from '../src/runtime.ts';
import { seedReferenceData } from '../src/setup/reference-data.ts';
import { billRun } from '../src/modules/invoicing/index.ts';
import { callDetailsOf, importCdrFile, seedDemoDecks } from '../src/modules/usage/index.ts';
import {
  MAX_NUMBER_POOL,
  NUMBER_POOL,
  PHONES,
  SIGNED_ON,
  TIME_ZONE,
  generateCalls,
  kernelRate,
  tollFree,
} from './rating-data.ts';
import {
  Cleanups,
  benchDatabase,
  databaseOn,
  fmt,
  machineInfo,
  mainThreadCpuSeconds,
  out,
  peakRssBytes,
  printMachine,
  printResult,
  resetPeakRss,
  progressLine,
  runBench,
  seconds,
  serverCpuStopwatch,
  wholeNumber,
  exitWithUsage,
} from './support.ts';

const INVOICE_MONTH = '2026-02';
const START_CLOCK = '2026-01-01';
const BILL_RUN_AT = '2026-02-02T00:00:00Z';

const USAGE = `Usage: npm run bench:rating -- [options]

Measures CDR import and rating on PostgreSQL (DATABASE_URL, or a throwaway server it starts).

Options:
  --calls N              CDRs to generate, import and rate (default 10000000)
  --calls-per-account N  calls per account and month (default 1000)
  --batch-size N         accounts per bill-run transaction (default 500)
  --concurrency N        bill-run batches in flight (default 2)
  --workers N            import worker threads (default 1: the main thread imports)
  --runs N               end-to-end runs, each on a fresh copy of the accounts, with a raw COPY
                         reading before, between and after them; the median ratio is the
                         figure (default 3: the machine's pace drifts)
  --number-pool N        distinct numbers per kind of call (default 5000, at most 800000): each
                         number is normalised the first time the import meets it
  --kernel-only          measure only the rating kernel in memory (no database)
  -h, --help             show this help
`;

interface Options {
  kernelOnly: boolean;
  calls: number;
  callsPerAccount: number;
  batchSize: number;
  concurrency: number;
  workers: number;
  numberPool: number;
  runs: number;
}

function parseOptions(argv: string[]): Options {
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        calls: { type: 'string', default: '10000000' },
        'calls-per-account': { type: 'string', default: '1000' },
        'batch-size': { type: 'string', default: '500' },
        concurrency: { type: 'string', default: '2' },
        workers: { type: 'string', default: '1' },
        runs: { type: 'string', default: '3' },
        'number-pool': { type: 'string', default: String(NUMBER_POOL) },
        'kernel-only': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    });
    if (values.help) exitWithUsage(USAGE);
    return {
      kernelOnly: values['kernel-only'],
      calls: wholeNumber('calls', values.calls, 100_000_000),
      callsPerAccount: wholeNumber('calls-per-account', values['calls-per-account'], 10_000_000),
      batchSize: wholeNumber('batch-size', values['batch-size'], 100_000),
      concurrency: wholeNumber('concurrency', values.concurrency, 16),
      workers: wholeNumber('workers', values.workers, 16),
      numberPool: wholeNumber('number-pool', values['number-pool'], MAX_NUMBER_POOL),
      runs: wholeNumber('runs', values.runs, 9),
    };
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
}

// Progress on stderr; figures go to stdout.
const progress = progressLine(5000);
const pad = (n: number, width = 7) => String(n).padStart(width, '0');

// ---- data: accounts by COPY, CDRs as a CSV file -----------------------------------------------

const accountId = (i: number) => `acc_rate_${pad(i + 1)}`;

async function copyText(pool: pg.Pool, sql: string, rows: (emit: (line: string) => void) => void) {
  const client = await pool.connect();
  try {
    const chunks: string[] = [];
    rows((line) => chunks.push(line));
    await pipeline(
      async function* () {
        for (let i = 0; i < chunks.length; i += 2000) yield chunks.slice(i, i + 2000).join('');
      },
      client.query(copyFrom(sql)),
    );
  } finally {
    client.release();
  }
}

async function loadAccounts(rt: Runtime, n: number) {
  const pool = rt.handle.pool!;
  const us = (await pool.query<{ id: string }>(`SELECT id FROM billing_entities WHERE code = 'US'`)).rows[0]!
    .id;
  const created = '2025-12-01T15:00:00Z';
  const address = JSON.stringify({
    line1: '1 Main St',
    city: 'Austin',
    state: 'TX',
    postalCode: '78701',
    country: 'US',
  });
  await copyText(
    pool,
    'COPY accounts (id, number, company_name, entity_id, currency, time_zone, locale, type, tax_status, status, address, created_at) FROM STDIN',
    (emit) => {
      for (let i = 0; i < n; i++) {
        emit(
          `${accountId(i)}\t${800_000_001 + i}\tRating Customer ${i + 1}\t${us}\tUSD\t${TIME_ZONE}\ten-US\tonline\ttaxable\tactive\t${address}\t${created}\n`,
        );
      }
    },
  );
  await copyText(
    pool,
    'COPY account_contacts (account_id, role, position, email, name, is_primary) FROM STDIN',
    (emit) => {
      for (let i = 0; i < n; i++) emit(`${accountId(i)}\tinvoice\t0\tap+${i}@customer.example\t\\N\ttrue\n`);
    },
  );
  await copyText(
    pool,
    'COPY contracts (id, account_id, signature_date, free_months, billing_start_date, term_months, commitments, created_at) FROM STDIN',
    (emit) => {
      for (let i = 0; i < n; i++)
        emit(`con_rate_${pad(i + 1)}\t${accountId(i)}\t${SIGNED_ON}\t0\t${SIGNED_ON}\t\\N\t{}\t${created}\n`);
    },
  );
  const extensions = JSON.stringify({
    extensions: Array.from({ length: PHONES }, (_, k) => String(100 + k)),
  });
  await copyText(
    pool,
    'COPY inventory_items (id, account_id, item_code, quantity, added_on, removed_on, attributes, created_at) FROM STDIN',
    (emit) => {
      for (let i = 0; i < n; i++) {
        emit(
          `inv_rate_${pad(i + 1)}_d\t${accountId(i)}\tdevice.desk-phone\t${PHONES}\t${SIGNED_ON}\t\\N\t${extensions}\t${created}\n`,
        );
        emit(
          `inv_rate_${pad(i + 1)}_t\t${accountId(i)}\tnumber.toll-free\t1\t${SIGNED_ON}\t\\N\t${JSON.stringify({ number: tollFree(i) })}\t${created}\n`,
        );
      }
    },
  );
  await pool.query(`SELECT setval('account_numbers', $1)`, [800_000_001 + n]);
  await pool.query('ANALYZE');
}

async function writeCsv(file: string, total: number, accounts: number, pool: number) {
  const out = createWriteStream(file);
  out.write('call_id,account,origin,destination,start_time,end_time,direction,origin_device\n');
  let text = '';
  let k = 0;
  for (const c of generateCalls(total, accounts, pool)) {
    text += `${c.callId},${accountId(c.account)},${c.origin},${c.destination},${new Date(c.start).toISOString()},${new Date(c.start + c.seconds * 1000).toISOString()},${c.direction},\n`;
    if (++k % 5000 === 0) {
      if (!out.write(text)) await once(out, 'drain');
      text = '';
      if (k % 500_000 === 0) progress.update(`generating: ${fmt(k)} / ${fmt(total)} calls`);
    }
  }
  out.end(text);
  await once(out, 'finish');
  progress.done(`generating: ${fmt(total)} calls`);
}

// ---- baseline: raw COPY of the same file into a bare table -------------------------------------

async function rawCopy(pool: pg.Pool, file: string) {
  await pool.query(`DROP TABLE IF EXISTS bench_raw_cdrs;
    CREATE TABLE bench_raw_cdrs (call_id text, account text, origin text, destination text, start_time text,
      end_time text, direction text, origin_device text)`);
  const client = await pool.connect();
  try {
    const t0 = performance.now();
    await pipeline(
      createReadStream(file, { highWaterMark: 1 << 20 }),
      client.query(copyFrom('COPY bench_raw_cdrs FROM STDIN WITH (FORMAT csv, HEADER true)')),
    );
    const s = seconds(t0);
    const rows = Number((await client.query('SELECT count(*) AS n FROM bench_raw_cdrs')).rows[0].n);
    return { rows, seconds: s };
  } finally {
    await client.query('DROP TABLE IF EXISTS bench_raw_cdrs');
    client.release();
  }
}

// ---- the server alone: the import's own rows stored again, with nothing for the client to do ---

/**
 * What storing the import's rows costs the server by itself: its calls, call sets and classes are copied
 * out (binary) to files, then timed going into tables made LIKE them (keys, checks and storage
 * included) in one transaction, from those files. No row is read, rated or written by the client:
 * the pace of an import whose Node side took no time.
 */
async function serverAlone(pool: pg.Pool, dir: string, baseUrl: string) {
  const tables = [
    ['calls', 'bench_calls_again'],
    ['call_sets', 'bench_call_sets_again'],
    ['call_classes', 'bench_call_classes_again'],
  ] as const;
  const client = await pool.connect();
  try {
    for (const [table, again] of tables) {
      await pipeline(
        client.query(copyTo(`COPY ${table} TO STDOUT (FORMAT binary)`)),
        createWriteStream(join(dir, `${table}.copy`)),
      );
      await client.query(
        `DROP TABLE IF EXISTS ${again}; CREATE TABLE ${again} (LIKE ${table} INCLUDING ALL)`,
      );
    }
    const serverCpu = await serverCpuStopwatch(pool, baseUrl);
    const t0 = performance.now();
    await client.query('BEGIN');
    for (const [table, again] of tables) {
      await pipeline(
        createReadStream(join(dir, `${table}.copy`), { highWaterMark: 1 << 20 }),
        client.query(copyFrom(`COPY ${again} FROM STDIN (FORMAT binary)`)),
      );
    }
    await client.query('COMMIT');
    return { seconds: seconds(t0), serverCpuSeconds: serverCpu() };
  } finally {
    for (const [table, again] of tables) {
      await client.query(`DROP TABLE IF EXISTS ${again}`);
      rmSync(join(dir, `${table}.copy`), { force: true });
    }
    client.release();
  }
}

// ---- verification --------------------------------------------------------------------------------

/** What the stored calls take on disk per call: their rows, their key, their call sets and classes. */
async function storedSize(pool: pg.Pool, calls: number) {
  const r = (
    await pool.query<Record<'row' | 'key' | 'sets' | 'classes', string>>(
      `SELECT pg_table_size('calls') AS row, pg_indexes_size('calls') AS key,
         pg_total_relation_size('call_sets') AS sets, pg_total_relation_size('call_classes') AS classes`,
    )
  ).rows[0]!;
  const per = (v: string) => Math.round(Number(v) / Math.max(calls, 1));
  const row = per(r.row);
  const key = per(r.key);
  const sets = per(r.sets);
  const classes = Number(r.classes) / Math.max(calls, 1);
  return {
    row,
    key,
    sets,
    classes: Number(classes.toFixed(2)),
    perCall: Math.round(row + key + sets + classes),
  };
}

/** After the import: every call stored and rated, and the sums the bill run prices match the calls. */
async function verifyImport(pool: pg.Pool, accepted: number, total: number) {
  const failures: string[] = [];
  if (accepted !== total) failures.push(`imported ${accepted} of ${total} calls`);
  const one = async (text: string) => (await pool.query(text)).rows[0];
  const calls = await one(
    `SELECT count(*) FILTER (WHERE call_type IS NOT NULL AND call_type <> 'before_billing_start')::int8 AS rated,
       count(*) FILTER (WHERE call_type IS NULL)::int8 AS unrated,
       coalesce(sum(billable_seconds) FILTER (WHERE call_type <> 'before_billing_start'), 0)::int8 AS seconds
     FROM calls JOIN call_classes USING (batch, class)`,
  );
  if (Number(calls.unrated) > 0) failures.push(`${calls.unrated} calls could not be rated`);
  const totals = await one(
    `SELECT coalesce(sum(calls), 0)::int8 AS calls, coalesce(sum(billable_seconds), 0)::int8 AS seconds FROM usage_totals`,
  );
  if (Number(totals.seconds) !== Number(calls.seconds) || Number(totals.calls) !== Number(calls.rated)) {
    failures.push(
      `usage totals (${totals.calls} calls, ${totals.seconds} s) differ from the calls (${calls.rated}, ${calls.seconds} s)`,
    );
  }
  return { failures, rated: Number(calls.rated) };
}

/** After the bill run: every account invoiced, its usage billed, and call details that add up. */
async function verifyBilling(rt: Runtime, invoices: number, accounts: number) {
  const pool = rt.handle.pool!;
  const failures: string[] = [];
  if (invoices !== accounts) failures.push(`${invoices} invoices, expected ${accounts}`);
  const one = async (text: string) => (await pool.query(text)).rows[0];
  const cuts = await one(`SELECT count(DISTINCT account_id)::int8 AS n FROM usage_cuts`);
  if (Number(cuts.n) !== accounts) failures.push(`${cuts.n} accounts billed usage, expected ${accounts}`);
  const left = await one(`SELECT count(*)::int8 AS n FROM usage_totals`);
  if (Number(left.n) !== 0) failures.push(`${left.n} usage sums left unbilled`);
  // One account's call details, streamed as the API streams them, add up to its usage lines.
  const sample = accountId(0);
  const details = await callDetailsOf(rt.ctx('bench'), sample, '2026-01');
  let detailCents = 0;
  for await (const page of details.pages()) {
    for (const d of page) detailCents += Math.round(Number(d.totalCost) * 100);
  }
  const lines = await one(
    `SELECT coalesce(sum(l.amount), 0)::int8 AS amount FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
     WHERE i.account_id = '${sample}' AND l.rate_per_minute IS NOT NULL`,
  );
  if (Number(lines.amount) !== detailCents) {
    failures.push(`${sample}: call details sum to ${detailCents}, usage lines to ${lines.amount}`);
  }
  return failures;
}

// ---------------------------------------------------------------------------------------------------

/** The kernel alone: no server, no files; the last line of stdout is still one JSON object. */
function kernelOnly(opts: Options, accounts: number): number {
  const kernel = kernelRate(opts.calls, accounts, opts.numberPool);
  const kernelCallsPerSec = kernel.calls / kernel.seconds;
  out(
    `Rating kernel alone: ${fmt(kernel.calls)} calls in memory (by account, as the import rates them) in ${fmt(kernel.seconds, 3)} s: ${fmt(kernelCallsPerSec)} calls/s`,
  );
  printResult({
    bench: 'rating',
    kernelOnly: true,
    calls: opts.calls,
    accounts,
    kernelCallsPerSec: Math.round(kernelCallsPerSec),
    seconds: Number(kernel.seconds.toFixed(3)),
    node: process.version,
  });
  return 0;
}

/** What one end-to-end run measured (endToEndRun), and the raw COPY rates read just before and after it. */
type RunFigures = Awaited<ReturnType<typeof endToEndRun>> & { copyBefore: number; copyAfter: number };

const endToEndSeconds = (r: RunFigures) => r.importSeconds + r.billSeconds;
/** The run's raw COPY rate: the mean of the readings either side of it. */
const copyRate = (r: RunFigures) => (r.copyBefore + r.copyAfter) / 2;
const ratioOf = (calls: number, r: RunFigures) => calls / endToEndSeconds(r) / copyRate(r);

/**
 * One end-to-end run on `url`, a fresh copy of the prepared database (accounts, decks, nothing
 * imported): the import (rated on arrival, one COPY), then the bill run pricing the sums into
 * invoices, each checked, then its tables vacuumed (untimed) so that the next raw COPY reading
 * meets a quiet server.
 */
async function endToEndRun(
  url: string,
  baseUrl: string,
  file: string,
  opts: Options,
  accounts: number,
  label: string,
) {
  const rt = await openRuntime({ databaseUrl: url, simulatedClock: START_CLOCK });
  try {
    // The run's peak: its import's, then with its bill run (not the bench's own stages before it).
    resetPeakRss();
    const pool = rt.handle.pool!;
    if (!(rt.clock instanceof SimulatedClock)) throw new Error('Expected a simulated clock.');
    const serverCpu = await serverCpuStopwatch(pool, baseUrl);
    const cpuBefore = process.cpuUsage();
    const mainBefore = mainThreadCpuSeconds();
    const t0 = performance.now();
    const report = await importCdrFile(rt.ctx('bench'), file, {
      source: 'bench',
      databaseUrl: url,
      workers: opts.workers,
      onProgress: (p) => {
        const s = seconds(t0);
        progress.update(
          `${label}import: ${fmt(p.rowsRead)} rows (${fmt(p.rowsRead / Math.max(s, 0.001))} rows/s)`,
        );
      },
    });
    const importSeconds = seconds(t0);
    const importNodeCpu = process.cpuUsage(cpuBefore);
    const mainAfter = mainThreadCpuSeconds();
    const importMainThreadCpu =
      mainBefore === undefined || mainAfter === undefined ? null : mainAfter - mainBefore;
    const importServerCpu = serverCpu();
    progress.done();
    const importPeakMb = Math.round(peakRssBytes() / 2 ** 20);
    const heap = process.memoryUsage();
    process.stderr.write(
      `${label}memory after import: rss ${Math.round(heap.rss / 2 ** 20)} MiB, heap used ${Math.round(heap.heapUsed / 2 ** 20)} MiB, heap total ${Math.round(heap.heapTotal / 2 ** 20)} MiB, external ${Math.round(heap.external / 2 ** 20)} MiB\n`,
    );
    const imported = await verifyImport(pool, report.accepted, opts.calls);
    const stored = await storedSize(pool, report.accepted);

    rt.clock.set(new Date(BILL_RUN_AT));
    const billServerCpu = await serverCpuStopwatch(pool, baseUrl);
    const billCpuBefore = process.cpuUsage();
    const t1 = performance.now();
    const run = await billRun(rt.ctx('bench'), {
      month: INVOICE_MONTH,
      batchSize: opts.batchSize,
      concurrency: opts.concurrency,
      onProgress: ({ done, total }) =>
        progress.update(`${label}bill run: ${fmt(done)} / ${fmt(total)} accounts`),
    });
    const billSeconds = seconds(t1);
    const billCpu = process.cpuUsage(billCpuBefore);
    const billServerCpuSeconds = billServerCpu();
    progress.done();
    const billPeakMb = Math.round(peakRssBytes() / 2 ** 20);

    const failures = [...imported.failures, ...(await verifyBilling(rt, run.invoicesCreated, accounts))];
    if (run.failures.length > 0) failures.push(`bill run failures, e.g. ${JSON.stringify(run.failures[0])}`);

    // The server's autovacuum takes up the run's tables within a minute of their change, ten
    // million rows at once (seen running for 15 s and more after a bill run): left alone, it may
    // run through the next raw COPY reading, reading it low. They are vacuumed now, untimed.
    progress.update(`${label}vacuuming the tables the run wrote (not timed)`);
    const v0 = performance.now();
    await pool.query('VACUUM (ANALYZE)');
    const vacuumSeconds = seconds(v0);
    progress.done();
    return {
      importSeconds,
      importNodeCpu,
      importMainThreadCpu,
      importServerCpu,
      billSeconds,
      billNodeCpuSeconds: (billCpu.user + billCpu.system) / 1e6,
      billServerCpuSeconds,
      invoices: run.invoicesCreated,
      rated: imported.rated,
      vacuumSeconds,
      stored,
      importPeakMb,
      billPeakMb,
      failures,
    };
  } finally {
    await rt.close();
  }
}

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2));
  const accounts = Math.max(1, Math.ceil(opts.calls / opts.callsPerAccount));
  if (opts.kernelOnly) return kernelOnly(opts, accounts);
  const cleanups = new Cleanups();

  try {
    // The prepared database (reference data, decks, accounts): each run imports into a copy of it.
    const prepared = await benchDatabase(cleanups);
    const machine = await (async () => {
      const rt = await openRuntime({ databaseUrl: prepared.url, simulatedClock: START_CLOCK });
      try {
        const pool = rt.handle.pool;
        if (!pool) throw new Error('The benchmark needs a PostgreSQL server connection.');
        await seedReferenceData(rt.ctx('bench'));
        await seedDemoDecks(rt.ctx('bench'));
        await loadAccounts(rt, accounts);
        return await machineInfo(pool);
      } finally {
        await rt.close();
      }
    })();
    out('Rating benchmark');
    printMachine(machine);

    const dir = mkdtempSync(join(os.tmpdir(), 'tollbooth-rating-'));
    cleanups.add(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'cdrs.csv');
    // The kernel alone first, in memory (its sample is freed before the database work starts).
    const kernel = kernelRate(opts.calls, accounts, opts.numberPool);
    const kernelCallsPerSec = kernel.calls / kernel.seconds;
    await writeCsv(file, opts.calls, accounts, opts.numberPool);
    const fileMb = statSync(file).size / 2 ** 20;
    out(
      `  data set       ${fmt(opts.calls)} CDRs (${fmt(fileMb, 1)} MiB CSV), ${fmt(accounts)} accounts, numbers from pools of ${fmt(opts.numberPool)} per kind`,
    );

    // The raw COPY baseline goes into a database of its own, read before the first run, between
    // runs and after the last: the machine's pace drifts over minutes (readings a run apart have
    // differed by half), so each run is compared with the readings either side of it.
    const raw = await databaseOn(cleanups, prepared.baseUrl);
    const rawPool = new pg.Pool({ connectionString: raw.url, max: 1 });
    cleanups.add(() => rawPool.end());
    let rawRows = 0;
    const copy = async () => {
      progress.update('raw COPY of the same file into a bare table');
      const { rows, seconds } = await rawCopy(rawPool, file);
      progress.done();
      rawRows = rows;
      return rows / seconds;
    };
    /** Rows per second of each raw COPY reading, in the order read. */
    const copies = [await copy()];
    const runs: RunFigures[] = [];
    let last: Awaited<ReturnType<typeof databaseOn>> | undefined;
    for (let r = 0; r < opts.runs; r++) {
      await last?.drop();
      last = await databaseOn(cleanups, prepared.baseUrl, prepared.name);
      const label = opts.runs > 1 ? `run ${r + 1}/${opts.runs}: ` : '';
      const figures = await endToEndRun(last.url, last.baseUrl, file, opts, accounts, label);
      copies.push(await copy());
      runs.push({ ...figures, copyBefore: copies.at(-2)!, copyAfter: copies.at(-1)! });
    }
    // The headline is the run whose ratio is the median (of an even number, the lower middle one).
    const m = [...runs].sort((a, b) => ratioOf(opts.calls, a) - ratioOf(opts.calls, b))[
      Math.floor((runs.length - 1) / 2)
    ]!;

    progress.update("server alone: storing the import's rows again");
    const lastPool = new pg.Pool({ connectionString: last!.url, max: 2 });
    cleanups.add(() => lastPool.end());
    const alone = await serverAlone(lastPool, dir, prepared.baseUrl);
    progress.done();
    // End to end if the import stored its rows at the server-alone pace (Node taking no time),
    // against the raw COPY reading taken just before it.
    const aloneRatio = opts.calls / (alone.seconds + runs.at(-1)!.billSeconds) / copies.at(-1)!;
    const peakRssMb = Math.max(...runs.map((r) => r.billPeakMb));

    const importNodeCpuSeconds = (m.importNodeCpu.user + m.importNodeCpu.system) / 1e6;
    const callsPerSec = opts.calls / endToEndSeconds(m);
    const ratio = ratioOf(opts.calls, m);
    const pct = (x: number) => `${fmt(100 * x, 1)}%`;
    const which = runs.length > 1 ? ` (run ${runs.indexOf(m) + 1} of ${runs.length}: the median ratio)` : '';
    out(
      `  import + rate  ${fmt(opts.calls)} calls checked, rated and stored in ${fmt(m.importSeconds, 2)} s: ${fmt(opts.calls / m.importSeconds)} calls/s${which}`,
    );
    out(
      `                 CPU: Node ${fmt(importNodeCpuSeconds, 2)} s (all its threads${m.importMainThreadCpu === null ? '' : `, ${fmt(m.importMainThreadCpu, 2)} s of it on the main thread`}; ${fmt(m.importNodeCpu.system / 1e6, 2)} s in the kernel)` +
        (m.importServerCpu === null ? '' : `, PostgreSQL ${fmt(m.importServerCpu, 2)} s`) +
        ` (wall ${fmt(m.importSeconds, 2)} s)`,
    );
    out(
      `  bill run       ${fmt(m.rated)} rated calls priced onto ${fmt(m.invoices)} invoices in ${fmt(m.billSeconds, 2)} s: ${fmt(opts.calls / m.billSeconds)} calls/s`,
    );
    out(
      `                 CPU: Node ${fmt(m.billNodeCpuSeconds, 2)} s` +
        (m.billServerCpuSeconds === null ? '' : `, PostgreSQL ${fmt(m.billServerCpuSeconds, 2)} s`) +
        ` (wall ${fmt(m.billSeconds, 2)} s)`,
    );
    out(
      `  stored         ${fmt(m.stored.perCall)} bytes per call on disk (row ${fmt(m.stored.row)}, call-id key ${fmt(m.stored.key)}, call sets ${fmt(m.stored.sets)}, classes ${fmt(m.stored.classes)})`,
    );
    out(`  end to end     ${fmt(endToEndSeconds(m), 2)} s: ${fmt(callsPerSec)} calls/s`);
    out(
      `  kernel alone   ${fmt(kernel.calls)} calls in memory (by account, as the import rates them) in ${fmt(kernel.seconds, 3)} s: ${fmt(kernelCallsPerSec)} calls/s`,
    );
    out(
      `  raw COPY       ${fmt(rawRows)} rows of the same file into a bare table: ` +
        copies.map((c) => fmt(c)).join(', ') +
        ` rows/s (${runs.length > 1 ? 'before, between and after the runs' : 'before and after the run'}); ${fmt(copyRate(m))} around the run above`,
    );
    out(
      `  vacuum         ${runs.map((r) => `${fmt(r.vacuumSeconds, 2)} s`).join(', ')} (not timed: the tables each run wrote, before the next raw COPY)`,
    );
    if (runs.length > 1) {
      for (const [i, r] of runs.entries()) {
        out(
          `  run ${i + 1}          end to end ${fmt(endToEndSeconds(r), 2)} s (import ${fmt(r.importSeconds, 2)}, bill run ${fmt(r.billSeconds, 2)}): ${fmt(opts.calls / endToEndSeconds(r))} calls/s, ${pct(ratioOf(opts.calls, r))} of the raw COPY rate around it`,
        );
      }
    }
    out(
      `  ratio          end to end at ${pct(ratio)} of the raw COPY rate` +
        (runs.length > 1
          ? ` (the median of ${runs.length} runs; each against the mean of the raw COPY readings either side of it)`
          : ` (${pct(callsPerSec / m.copyBefore)} / ${pct(callsPerSec / m.copyAfter)} of each reading)`),
    );
    out(
      `  server alone   the import's rows (calls, call sets, classes) stored again from files in ${fmt(alone.seconds, 2)} s` +
        (alone.serverCpuSeconds === null ? '' : ` (PostgreSQL CPU ${fmt(alone.serverCpuSeconds, 2)} s)`) +
        `: at that pace, with the bill run, end to end would be at ${pct(aloneRatio)} of the last raw COPY reading`,
    );
    out(
      `  peak memory    ${fmt(peakRssMb)} MiB RSS, the highest of the runs' (an import and its bill run; the first run's import ${fmt(runs[0]!.importPeakMb)}, with its bill run ${fmt(runs[0]!.billPeakMb)})`,
    );
    const failures = runs.flatMap((r, i) =>
      r.failures.map((f) => (runs.length > 1 ? `run ${i + 1}: ${f}` : f)),
    );
    out(`  verification   ${failures.length === 0 ? 'passed' : 'FAILED'}`);
    for (const f of failures) out(`    - ${f}`);
    printResult({
      bench: 'rating',
      calls: opts.calls,
      accounts,
      numberPool: opts.numberPool,
      runs: runs.length,
      callsPerSec: Math.round(callsPerSec),
      importCallsPerSec: Math.round(opts.calls / m.importSeconds),
      billRunCallsPerSec: Math.round(opts.calls / m.billSeconds),
      billRunNodeCpuSeconds: Number(m.billNodeCpuSeconds.toFixed(2)),
      billRunServerCpuSeconds:
        m.billServerCpuSeconds === null ? null : Number(m.billServerCpuSeconds.toFixed(2)),
      importNodeCpuSeconds: Number(importNodeCpuSeconds.toFixed(2)),
      importNodeSystemCpuSeconds: Number((m.importNodeCpu.system / 1e6).toFixed(2)),
      importMainThreadCpuSeconds:
        m.importMainThreadCpu === null ? null : Number(m.importMainThreadCpu.toFixed(2)),
      importServerCpuSeconds: m.importServerCpu === null ? null : Number(m.importServerCpu.toFixed(2)),
      storedBytesPerCall: m.stored.perCall,
      kernelCallsPerSec: Math.round(kernelCallsPerSec),
      copyRowsPerSec: Math.round(copyRate(m)),
      copyRowsPerSecReadings: copies.map((c) => Math.round(c)),
      ratioToCopy: Number(ratio.toFixed(4)),
      ratioToCopyRuns: runs.map((r) => Number(ratioOf(opts.calls, r).toFixed(4))),
      callsPerSecRuns: runs.map((r) => Math.round(opts.calls / endToEndSeconds(r))),
      vacuumSeconds: runs.map((r) => Number(r.vacuumSeconds.toFixed(2))),
      serverAloneSeconds: Number(alone.seconds.toFixed(3)),
      serverAloneCpuSeconds:
        alone.serverCpuSeconds === null ? null : Number(alone.serverCpuSeconds.toFixed(2)),
      serverAloneRatioToCopy: Number(aloneRatio.toFixed(4)),
      peakRssMb,
      seconds: Number(endToEndSeconds(m).toFixed(3)),
      verified: failures.length === 0,
      machine,
    });
    return failures.length === 0 ? 0 : 1;
  } finally {
    await cleanups.run();
  }
}

runBench('rating', main, () => progress.done());
