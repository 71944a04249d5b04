// Benchmark of call rating on a PostgreSQL server: CDR import + rating, end to end.
//
//   npm run bench:rating -- [--calls 10000000] [--calls-per-account 1000]
//
// Uses DATABASE_URL when set (a fresh bench_* database is created there and dropped afterwards),
// otherwise starts a throwaway server with scripts/pg-server.sh. Generates N CDRs as a CSV file
// (streamed: memory does not grow with N), imports it the way `tollbooth cdr import` does (each call
// checked, normalised, classified and rated on arrival, and streamed by one COPY into `calls` with
// its rating; the sums per account, month and charge in the same transaction), then runs the
// February bill run, which prices each account's January from those sums (usage lines on the
// invoices). End to end is both. In the same run it measures the rating kernel alone in memory
// (rating on arrival, summing, pricing), the raw COPY speed of the same file into a bare table (read
// before and after the end-to-end run, the database vacuumed in between: the ratio is to their
// mean), and
// the server alone storing the import's rows again from files (what end to end would be if Node
// took no time), and checks the result (every call rated, sums equal to the calls, one account's
// call details adding up to its usage lines). Figures go to stdout; the last line of stdout is one
// JSON object for machines. `npm run bench:rating` caps the V8 heap
// at 512 MiB: every stage streams or works in fixed-size batches, so 10 million calls fit as 200,000 do.
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
  fmt,
  machineInfo,
  out,
  peakRssSampler,
  printMachine,
  printResult,
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
    `Rating kernel alone: ${fmt(kernel.calls)} calls in memory in ${fmt(kernel.seconds, 3)} s: ${fmt(kernelCallsPerSec)} calls/s`,
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

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2));
  const accounts = Math.max(1, Math.ceil(opts.calls / opts.callsPerAccount));
  if (opts.kernelOnly) return kernelOnly(opts, accounts);
  const cleanups = new Cleanups();
  // Sampled from the start: the peak may come at any stage, import and rating included.
  const rss = peakRssSampler();
  cleanups.add(() => rss.stop());

  try {
    const db = await benchDatabase(cleanups);
    const rt = await openRuntime({ databaseUrl: db.url, simulatedClock: START_CLOCK });
    cleanups.add(() => rt.close());
    const pool = rt.handle.pool;
    if (!pool) throw new Error('The benchmark needs a PostgreSQL server connection.');
    if (!(rt.clock instanceof SimulatedClock)) throw new Error('Expected a simulated clock.');
    await seedReferenceData(rt.ctx('bench'));
    await seedDemoDecks(rt.ctx('bench'));

    const machine = await machineInfo(pool);
    out('Rating benchmark');
    printMachine(machine);

    const dir = mkdtempSync(join(os.tmpdir(), 'tollbooth-rating-'));
    cleanups.add(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'cdrs.csv');
    // The kernel alone first, in memory (its sample is freed before the database work starts).
    const kernel = kernelRate(opts.calls, accounts, opts.numberPool);
    const kernelCallsPerSec = kernel.calls / kernel.seconds;
    await loadAccounts(rt, accounts);
    await writeCsv(file, opts.calls, accounts, opts.numberPool);
    const fileMb = statSync(file).size / 2 ** 20;
    out(
      `  data set       ${fmt(opts.calls)} CDRs (${fmt(fileMb, 1)} MiB CSV), ${fmt(accounts)} accounts, numbers from pools of ${fmt(opts.numberPool)} per kind`,
    );

    // The raw COPY baseline is read before the end-to-end run and again after it: the machine's
    // pace drifts over minutes (readings a run apart have differed by half), so the ratio is taken
    // against the mean of the two, and both are printed.
    const copyBefore = await rawCopy(pool, file);

    // End to end: import (rated on arrival, one COPY), then the bill run pricing the sums.
    const serverCpu = await serverCpuStopwatch(pool, db.baseUrl);
    const cpuBefore = process.cpuUsage();
    const t0 = performance.now();
    const report = await importCdrFile(rt.ctx('bench'), file, {
      source: 'bench',
      databaseUrl: db.url,
      workers: opts.workers,
      onProgress: (p) => {
        const s = seconds(t0);
        progress.update(`import: ${fmt(p.rowsRead)} rows (${fmt(p.rowsRead / Math.max(s, 0.001))} rows/s)`);
      },
    });
    const importSeconds = seconds(t0);
    const importCpu = process.cpuUsage(cpuBefore);
    const nodeCpuSeconds = (importCpu.user + importCpu.system) / 1e6;
    const serverCpuSeconds = serverCpu();
    progress.done();
    const importPeakMb = Math.round(rss.peak / 2 ** 20);
    const heap = process.memoryUsage();
    process.stderr.write(
      `memory after import: rss ${Math.round(heap.rss / 2 ** 20)} MiB, heap used ${Math.round(heap.heapUsed / 2 ** 20)} MiB, heap total ${Math.round(heap.heapTotal / 2 ** 20)} MiB, external ${Math.round(heap.external / 2 ** 20)} MiB\n`,
    );
    const imported = await verifyImport(pool, report.accepted, opts.calls);
    const stored = await storedSize(pool, report.accepted);
    rt.clock.set(new Date(BILL_RUN_AT));
    const billServerCpu = await serverCpuStopwatch(pool, db.baseUrl);
    const billCpuBefore = process.cpuUsage();
    const t1 = performance.now();
    const run = await billRun(rt.ctx('bench'), {
      month: INVOICE_MONTH,
      batchSize: opts.batchSize,
      concurrency: opts.concurrency,
      onProgress: ({ done, total }) => progress.update(`bill run: ${fmt(done)} / ${fmt(total)} accounts`),
    });
    const rateSeconds = seconds(t1);
    const billCpu = process.cpuUsage(billCpuBefore);
    const billNodeCpuSeconds = (billCpu.user + billCpu.system) / 1e6;
    const billServerCpuSeconds = billServerCpu();
    progress.done();
    const ratingPeakMb = Math.round(rss.peak / 2 ** 20);
    const endToEnd = importSeconds + rateSeconds;
    const callsPerSec = opts.calls / endToEnd;

    const check = {
      rated: imported.rated,
      failures: [...imported.failures, ...(await verifyBilling(rt, run.invoicesCreated, accounts))],
    };
    if (run.failures.length > 0)
      check.failures.push(`bill run failures, e.g. ${JSON.stringify(run.failures[0])}`);

    // The server's autovacuum takes up the import's tables within a minute of their change, ten
    // million rows at once (seen running for 15 s and more after a bill run): left alone, it may
    // run through the raw COPY read after the run, reading it low and the ratio high. They are
    // vacuumed now, untimed, so the second reading and the server-alone one see a quiet server.
    progress.update('vacuuming the tables the run wrote (not timed)');
    const v0 = performance.now();
    await pool.query('VACUUM (ANALYZE)');
    const vacuumSeconds = seconds(v0);
    progress.done();
    const copyAfter = await rawCopy(pool, file);
    const copyReadings = [copyBefore, copyAfter].map((c) => c.rows / c.seconds);
    const copyRowsPerSec = (copyReadings[0]! + copyReadings[1]!) / 2;
    progress.update("server alone: storing the import's rows again");
    const alone = await serverAlone(pool, dir, db.baseUrl);
    const aloneSeconds = alone.seconds;
    progress.done();
    // End to end if the import stored its rows at the server-alone pace (Node taking no time).
    const aloneRatio = opts.calls / (aloneSeconds + rateSeconds) / copyRowsPerSec;
    const peakRssMb = Math.round(Math.max(rss.peak, process.memoryUsage().rss) / 2 ** 20);

    out(
      `  import + rate  ${fmt(report.accepted)} calls checked, rated and stored in ${fmt(importSeconds, 2)} s: ${fmt(opts.calls / importSeconds)} calls/s`,
    );
    out(
      `                 CPU: Node ${fmt(nodeCpuSeconds, 2)} s (all its threads; ${fmt(importCpu.system / 1e6, 2)} s of it in the kernel)` +
        (serverCpuSeconds === null ? '' : `, PostgreSQL ${fmt(serverCpuSeconds, 2)} s`) +
        ` (wall ${fmt(importSeconds, 2)} s)`,
    );
    out(
      `  bill run       ${fmt(check.rated)} rated calls priced onto ${fmt(run.invoicesCreated)} invoices in ${fmt(rateSeconds, 2)} s: ${fmt(opts.calls / rateSeconds)} calls/s`,
    );
    out(
      `                 CPU: Node ${fmt(billNodeCpuSeconds, 2)} s` +
        (billServerCpuSeconds === null ? '' : `, PostgreSQL ${fmt(billServerCpuSeconds, 2)} s`) +
        ` (wall ${fmt(rateSeconds, 2)} s)`,
    );
    out(
      `  stored         ${fmt(stored.perCall)} bytes per call on disk (row ${fmt(stored.row)}, call-id key ${fmt(stored.key)}, call sets ${fmt(stored.sets)}, classes ${fmt(stored.classes)})`,
    );
    out(`  end to end     ${fmt(endToEnd, 2)} s: ${fmt(callsPerSec)} calls/s`);
    out(
      `  kernel alone   ${fmt(kernel.calls)} calls in memory in ${fmt(kernel.seconds, 3)} s: ${fmt(kernelCallsPerSec)} calls/s`,
    );
    out(
      `  raw COPY       ${fmt(copyAfter.rows)} rows of the same file into a bare table: ${fmt(copyReadings[0]!)} rows/s before the run (${fmt(copyBefore.seconds, 2)} s), ${fmt(copyReadings[1]!)} after (${fmt(copyAfter.seconds, 2)} s), mean ${fmt(copyRowsPerSec)} rows/s`,
    );
    out(
      `  vacuum         ${fmt(vacuumSeconds, 2)} s (not timed: the tables the run wrote, before the second raw COPY)`,
    );
    out(
      `  ratio          end to end at ${fmt((100 * callsPerSec) / copyRowsPerSec, 1)}% of the raw COPY rate` +
        ` (${copyReadings.map((c) => `${fmt((100 * callsPerSec) / c, 1)}%`).join(' / ')} of each reading)`,
    );
    out(
      `  server alone   the import's rows (calls, call sets, classes) stored again from files in ${fmt(aloneSeconds, 2)} s` +
        (alone.serverCpuSeconds === null ? '' : ` (PostgreSQL CPU ${fmt(alone.serverCpuSeconds, 2)} s)`) +
        `: at that pace, with the bill run, end to end would be at ${fmt(100 * aloneRatio, 1)}% of raw COPY`,
    );
    out(
      `  peak memory    ${fmt(peakRssMb)} MiB RSS (after import ${fmt(importPeakMb)}, after the bill run ${fmt(ratingPeakMb)})`,
    );
    out(`  verification   ${check.failures.length === 0 ? 'passed' : 'FAILED'}`);
    for (const f of check.failures) out(`    - ${f}`);
    printResult({
      bench: 'rating',
      calls: opts.calls,
      accounts,
      numberPool: opts.numberPool,
      callsPerSec: Math.round(callsPerSec),
      importCallsPerSec: Math.round(opts.calls / importSeconds),
      billRunCallsPerSec: Math.round(opts.calls / rateSeconds),
      billRunNodeCpuSeconds: Number(billNodeCpuSeconds.toFixed(2)),
      billRunServerCpuSeconds: billServerCpuSeconds === null ? null : Number(billServerCpuSeconds.toFixed(2)),
      importNodeCpuSeconds: Number(nodeCpuSeconds.toFixed(2)),
      importNodeSystemCpuSeconds: Number((importCpu.system / 1e6).toFixed(2)),
      importServerCpuSeconds: serverCpuSeconds === null ? null : Number(serverCpuSeconds.toFixed(2)),
      storedBytesPerCall: stored.perCall,
      kernelCallsPerSec: Math.round(kernelCallsPerSec),
      copyRowsPerSec: Math.round(copyRowsPerSec),
      copyRowsPerSecReadings: copyReadings.map((c) => Math.round(c)),
      ratioToCopy: Number((callsPerSec / copyRowsPerSec).toFixed(4)),
      vacuumSeconds: Number(vacuumSeconds.toFixed(2)),
      serverAloneSeconds: Number(aloneSeconds.toFixed(3)),
      serverAloneCpuSeconds:
        alone.serverCpuSeconds === null ? null : Number(alone.serverCpuSeconds.toFixed(2)),
      serverAloneRatioToCopy: Number(aloneRatio.toFixed(4)),
      peakRssMb,
      seconds: Number(endToEnd.toFixed(3)),
      verified: check.failures.length === 0,
      machine,
    });
    return check.failures.length === 0 ? 0 : 1;
  } finally {
    await cleanups.run();
  }
}

runBench('rating', main, () => progress.done());
