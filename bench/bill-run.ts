// Benchmark of the monthly bill run on a PostgreSQL server.
//
//   npm run bench:bill-run -- [--accounts 10000] [--batch-size 500] [--profile]
//
// Uses DATABASE_URL when set (a fresh bench_* database is created there and dropped afterwards),
// otherwise starts a throwaway server with scripts/pg-server.sh. Loads N accounts with COPY, runs
// the September 2026 bill run, verifies the invoices, and compares the invoice write rate with a
// baseline: COPY of the same number of rows into bare tables. Figures go to stdout; the last line
// of stdout is one JSON object for machines.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { SimulatedClock } from '../src/kernel/index.ts';
import { openRuntime, type Runtime } from '../src/runtime.ts';
import { seedReferenceData } from '../src/setup/reference-data.ts';
import { billRun } from '../src/modules/invoicing/index.ts';
import {
  Cleanups,
  benchDatabase,
  fmt,
  machineInfo,
  out,
  printMachine,
  printResult,
  progressLine,
  runBench,
  seconds,
  serverCpuStopwatch,
  wholeNumber,
  exitWithUsage,
} from './support.ts';

const MONTH = '2026-09';
const START_CLOCK = '2026-08-15';
const BILL_RUN_AT = '2026-09-02T00:00:00Z';
const SIGNED_ON = '2026-06-10';
const DESK_PHONES = 10;
const LOCAL_NUMBERS = 3;
// Every invoice carries (at least) one line per service, devices and numbers, both for the full
// month; later invoice stages (fees, taxes) may add lines of their own.
const SERVICE_LINES = 2;

const USAGE = `Usage: npm run bench:bill-run -- [options]

Measures the monthly bill run on PostgreSQL (DATABASE_URL, or a throwaway server it starts).

Options:
  --accounts N     accounts to bill (default 10000)
  --batch-size N   accounts per bill-run transaction (default 500)
  --concurrency N  batches in flight at once, each on its own connection (default 2)
  --profile        also time every SQL statement the bill run sends, grouped by statement
  -h, --help       show this help
`;

interface Options {
  accounts: number;
  batchSize: number;
  concurrency: number;
  profile: boolean;
}

function parseOptions(argv: string[]): Options {
  try {
    return readOptions(argv);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
}

function readOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      accounts: { type: 'string', default: '10000' },
      'batch-size': { type: 'string', default: '500' },
      concurrency: { type: 'string', default: '2' },
      profile: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) exitWithUsage(USAGE);
  return {
    accounts: wholeNumber('accounts', values.accounts, 9_999_999),
    batchSize: wholeNumber('batch-size', values['batch-size'], 100_000),
    concurrency: wholeNumber('concurrency', values.concurrency, 16),
    profile: values.profile,
  };
}

// Progress on stderr; figures go to stdout.
const progress = progressLine(2000);
const pad = (n: number, width = 6) => String(n).padStart(width, '0');

// ---------------------------------------------------------------------------------------------
// Loading: COPY in text format, generated in chunks.

/** COPY text-format field: backslash, tab, newline and carriage return escaped; null as \N. */
function copyField(v: string | number | boolean | null): string {
  if (v === null) return '\\N';
  const s = String(v);
  return /[\\\t\n\r]/.test(s)
    ? s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
    : s;
}

async function copyRows(
  pool: pg.Pool,
  table: string,
  columns: readonly string[],
  count: number,
  row: (i: number) => (string | number | boolean | null)[],
  onRows: (n: number) => void,
): Promise<void> {
  const client = await pool.connect();
  try {
    const CHUNK = 2000;
    async function* chunks() {
      for (let start = 0; start < count; start += CHUNK) {
        let text = '';
        const end = Math.min(count, start + CHUNK);
        for (let i = start; i < end; i++) text += row(i).map(copyField).join('\t') + '\n';
        yield text;
        onRows(end - start);
      }
    }
    await pipeline(
      Readable.from(chunks()),
      client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`)),
    );
  } finally {
    client.release();
  }
}

interface EntityRow {
  id: string;
  code: string;
  currency: string;
  locale: string;
}

/** Where the accounts are: entity code, share of accounts, and the time zones of its customers. */
const GEOGRAPHY = [
  {
    code: 'US',
    share: 0.6,
    states: ['CO', 'NY', 'IL', 'CA', 'AZ', 'AK', 'HI', 'UT'],
    zones: [
      'America/Denver',
      'America/New_York',
      'America/Chicago',
      'America/Los_Angeles',
      'America/Phoenix',
      'America/Anchorage',
      'Pacific/Honolulu',
      'America/Denver',
    ],
  },
  {
    code: 'CA',
    share: 0.25,
    states: ['ON', 'BC', 'AB', 'MB', 'NS', 'NL'],
    zones: [
      'America/Toronto',
      'America/Vancouver',
      'America/Edmonton',
      'America/Winnipeg',
      'America/Halifax',
      'America/St_Johns',
    ],
  },
  {
    code: 'MX',
    share: 0.15,
    states: ['CMX', 'NLE', 'ROO', 'BCN', 'SON'],
    zones: [
      'America/Mexico_City',
      'America/Monterrey',
      'America/Cancun',
      'America/Tijuana',
      'America/Hermosillo',
    ],
  },
];

/** Deterministic spread: account i goes to an entity by the shares above, then a zone in turn. */
function placeAccount(i: number) {
  const x = ((i * 7919) % 1000) / 1000;
  let acc = 0;
  for (const g of GEOGRAPHY) {
    acc += g.share;
    if (x < acc) {
      const k = Math.floor(i / 3) % g.zones.length;
      return { code: g.code, zone: g.zones[k]!, state: g.states[k % g.states.length]! };
    }
  }
  const g = GEOGRAPHY[0]!;
  return { code: g.code, zone: g.zones[0]!, state: g.states[0]! };
}

async function loadAccounts(rt: Runtime, n: number): Promise<Map<string, number>> {
  const pool = rt.handle.pool!;
  const entities = new Map(
    (await pool.query<EntityRow>('SELECT id, code, currency, locale FROM billing_entities')).rows.map((e) => [
      e.code,
      e,
    ]),
  );
  const accId = (i: number) => `acc_bench_${pad(i + 1)}`;
  const created = '2026-06-10T15:00:00Z';
  const placed = Array.from({ length: n }, (_, i) => placeAccount(i));
  const perEntity = new Map<string, number>();
  for (const p of placed) {
    const e = entities.get(p.code);
    if (!e) throw new Error(`Reference data has no billing entity ${p.code}.`);
    perEntity.set(e.id, (perEntity.get(e.id) ?? 0) + 1);
  }

  const total = n * 6; // accounts, 2 contacts, contract, 2 inventory items
  let loaded = 0;
  const started = performance.now();
  const onRows = (k: number) => {
    loaded += k;
    const s = seconds(started);
    progress.update(
      `loading: ${fmt(loaded)} / ${fmt(total)} rows (${fmt(loaded / Math.max(s, 0.001))} rows/s)`,
    );
  };

  await copyRows(
    pool,
    'accounts',
    [
      'id',
      'number',
      'company_name',
      'entity_id',
      'currency',
      'time_zone',
      'locale',
      'type',
      'tax_status',
      'status',
      'address',
      'po_number',
      'created_at',
    ],
    n,
    (i) => {
      const p = placed[i]!;
      const e = entities.get(p.code)!;
      const address = JSON.stringify({
        line1: `${100 + (i % 9000)} Main Street`,
        city: 'Springfield',
        state: p.state,
        postalCode: String(10000 + (i % 89999)),
        country: p.code,
      });
      return [
        accId(i),
        String(900_000_001 + i),
        `Bench Customer ${pad(i + 1)} ${i % 5 === 0 ? 'Inc.' : 'LLC'}`,
        e.id,
        e.currency,
        p.zone,
        e.locale,
        i % 10 === 0 ? 'corporate' : 'online',
        i % 50 === 0 ? 'exempt' : 'taxable',
        'active',
        address,
        i % 10 === 0 ? `PO-${pad(i + 1)}` : null,
        created,
      ];
    },
    onRows,
  );

  // The rest only depends on accounts: load the three tables at once on separate connections.
  await Promise.all([
    copyRows(
      pool,
      'account_contacts',
      ['account_id', 'role', 'position', 'email', 'name', 'is_primary'],
      n * 2,
      (j) => {
        const i = j >> 1;
        const invoice = (j & 1) === 0;
        return [
          accId(i),
          invoice ? 'invoice' : 'receipt',
          0,
          `${invoice ? 'ap' : 'receipts'}+${i + 1}@customer.example`,
          invoice ? `Accounts Payable ${i + 1}` : null,
          invoice,
        ];
      },
      onRows,
    ),
    copyRows(
      pool,
      'contracts',
      [
        'id',
        'account_id',
        'signature_date',
        'free_months',
        'billing_start_date',
        'term_months',
        'commitments',
        'created_at',
      ],
      n,
      (i) => [
        `con_bench_${pad(i + 1)}`,
        accId(i),
        SIGNED_ON,
        0,
        SIGNED_ON,
        i % 4 === 0 ? null : 36,
        '{}',
        created,
      ],
      onRows,
    ),
    copyRows(
      pool,
      'inventory_items',
      ['id', 'account_id', 'item_code', 'quantity', 'added_on', 'removed_on', 'attributes', 'created_at'],
      n * 2,
      (j) => {
        const i = j >> 1;
        const phones = (j & 1) === 0;
        return [
          `inv_item_bench_${pad(i + 1)}_${phones ? 'd' : 'n'}`,
          accId(i),
          phones ? 'device.desk-phone' : 'number.local',
          phones ? DESK_PHONES : LOCAL_NUMBERS,
          SIGNED_ON,
          null,
          '{}',
          created,
        ];
      },
      onRows,
    ),
  ]);
  // Numbers assigned by the application come after the imported ones.
  await pool.query(`SELECT setval('account_numbers', $1)`, [900_000_001 + n]);
  await pool.query('ANALYZE');
  const s = seconds(started);
  progress.done(`loading: ${fmt(total)} rows in ${fmt(s, 2)} s (${fmt(total / s)} rows/s)`);
  return perEntity;
}

// ---------------------------------------------------------------------------------------------
// Optional statement profile: wraps pg's Client#query to time every statement it runs.

interface StatementStats {
  count: number;
  ms: number;
  rows: number;
}

function installProfiler(): { stats: Map<string, StatementStats>; reset(): void } {
  const stats = new Map<string, StatementStats>();
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  const label = (text: string) =>
    text
      .replace(/\s+/g, ' ')
      .replace(/\$\d+/g, '?')
      .replace(/\(\s*\?(?:\s*,\s*\?)+\s*\)/g, '(…)')
      .trim()
      .slice(0, 110);
  proto.query = function (this: unknown, ...args: unknown[]) {
    const first = args[0];
    const text =
      typeof first === 'string'
        ? first
        : first && typeof (first as { text?: unknown }).text === 'string'
          ? (first as { text: string }).text
          : null;
    const t0 = performance.now();
    const result = original.apply(this, args);
    if (text === null || !(result instanceof Promise)) return result;
    return result.then((r: { rowCount?: number | null }) => {
      const key = label(text);
      const s = stats.get(key) ?? { count: 0, ms: 0, rows: 0 };
      s.count++;
      s.ms += performance.now() - t0;
      s.rows += r?.rowCount ?? 0;
      stats.set(key, s);
      return r;
    });
  };
  return { stats, reset: () => stats.clear() };
}

// ---------------------------------------------------------------------------------------------
// Baseline: COPY of as many invoice and line rows into bare tables (no index, no constraint).

async function baseline(rt: Runtime, invoices: number, lines: number) {
  const pool = rt.handle.pool!;
  // Created and committed before the COPY: with wal_level=minimal, COPY into a table created in
  // the same transaction would skip WAL, which the bill run's inserts never do.
  await pool.query(`
    DROP TABLE IF EXISTS bench_invoices, bench_invoice_lines;
    CREATE TABLE bench_invoices AS SELECT * FROM invoices WITH NO DATA;
    CREATE TABLE bench_invoice_lines AS SELECT * FROM invoice_lines WITH NO DATA;`);

  // Rows shaped like the bill run's, generated before the clock starts.
  const invoiceCsv: string[] = [];
  const lineCsv: string[] = [];
  const CHUNK = 2000;
  const created = new Date(BILL_RUN_AT).toISOString();
  for (let start = 0; start < invoices; start += CHUNK) {
    let inv = '';
    let lin = '';
    for (let i = start; i < Math.min(invoices, start + CHUNK); i++) {
      const id = `inv_01bench${pad(i + 1, 8)}${randomBytes(4).toString('hex')}`;
      const total = 26150;
      inv +=
        `${id},IN${pad(10_000_000_001 + i, 11)},ent_bench,acc_bench_${pad(i + 1)},monthly,${MONTH},` +
        `run_bench,2026-09-01,,2026-09-16,USD,${total},${total},to_pay,,"Jive Communications Inc.",${created},` +
        'false,\n'; // reissue: no; replaces: none (empty is NULL in CSV)
      // As many line rows in all as the bill run wrote, spread evenly over the invoices.
      const linesOfThis = Math.floor(((i + 1) * lines) / invoices) - Math.floor((i * lines) / invoices);
      for (let k = 0; k < linesOfThis; k++) {
        const phones = k % 2 === 0;
        lin +=
          `${id},${k},${phones ? 'service_fee' : 'standard_numbers'},` +
          `${phones ? 'Desk phone service' : 'Local number'},${phones ? 'device.desk-phone' : 'number.local'},` +
          `${phones ? DESK_PHONES : LOCAL_NUMBERS},${phones ? 2495 : 400},2026-09-01,2026-09-30,,,` +
          `${phones ? 24950 : 1200},\n`; // rate_per_minute: none (empty is NULL in CSV)
      }
    }
    invoiceCsv.push(inv);
    lineCsv.push(lin);
  }

  // Best of three: a COPY of a few tens of thousands of rows takes tens of milliseconds, so a
  // single timing is at the mercy of anything else running on the machine.
  const ROUNDS = 3;
  const rows = invoices + lines;
  let best = Infinity;
  const client = await pool.connect();
  try {
    for (let round = 0; round < ROUNDS; round++) {
      // Emptied in its own transaction: a COPY right after a TRUNCATE in the same transaction
      // would skip WAL under wal_level=minimal, which the bill run's inserts never do.
      await client.query('TRUNCATE bench_invoices, bench_invoice_lines');
      const started = performance.now();
      await pipeline(
        Readable.from(invoiceCsv),
        client.query(copyFrom('COPY bench_invoices FROM STDIN (FORMAT csv)')),
      );
      await pipeline(
        Readable.from(lineCsv),
        client.query(copyFrom('COPY bench_invoice_lines FROM STDIN (FORMAT csv)')),
      );
      best = Math.min(best, seconds(started));
    }
    return { seconds: best, rows, rowsPerSec: rows / best };
  } finally {
    client.release();
    await pool.query('DROP TABLE IF EXISTS bench_invoices, bench_invoice_lines');
  }
}

// ---------------------------------------------------------------------------------------------
// Verification.

async function verify(rt: Runtime, n: number, perEntity: Map<string, number>) {
  const pool = rt.handle.pool!;
  const failures: string[] = [];
  const one = async <T>(text: string): Promise<T> => (await pool.query(text)).rows[0] as T;

  const inv = await one<{ n: number }>(
    `SELECT count(*)::int AS n FROM invoices WHERE billing_month = '${MONTH}' AND kind = 'monthly'`,
  );
  if (inv.n !== n) failures.push(`invoices: ${inv.n}, expected ${n}`);

  const lines = await one<{ n: number }>(`SELECT count(*)::int AS n FROM invoice_lines`);
  if (lines.n < n * SERVICE_LINES)
    failures.push(`invoice lines: ${lines.n}, expected at least ${n * SERVICE_LINES}`);
  const services = await one<{ bad: number }>(`
    SELECT count(*)::int AS bad FROM invoices i
      LEFT JOIN (SELECT invoice_id,
                        count(*) FILTER (WHERE item_code = 'device.desk-phone' AND quantity = ${DESK_PHONES}) AS phones,
                        count(*) FILTER (WHERE item_code = 'number.local' AND quantity = ${LOCAL_NUMBERS}) AS numbers
                 FROM invoice_lines GROUP BY invoice_id) l ON l.invoice_id = i.id
     WHERE l.phones IS DISTINCT FROM 1 OR l.numbers IS DISTINCT FROM 1`);
  if (services.bad !== 0) {
    failures.push(`${services.bad} invoice(s) without exactly one desk-phone line and one local-number line`);
  }

  const sums = await one<{ totals: string | null; lines: string | null; bad: number }>(`
    SELECT (SELECT sum(total) FROM invoices)::text AS totals,
           (SELECT sum(amount) FROM invoice_lines)::text AS lines,
           (SELECT count(*)::int FROM invoices i
              LEFT JOIN (SELECT invoice_id, sum(amount) AS amount FROM invoice_lines GROUP BY invoice_id) l
                ON l.invoice_id = i.id
             WHERE i.total <> coalesce(l.amount, 0)) AS bad`);
  if (sums.totals !== sums.lines) failures.push(`sum of totals ${sums.totals} ≠ sum of lines ${sums.lines}`);
  if (sums.bad !== 0) failures.push(`${sums.bad} invoice(s) whose total is not the sum of their lines`);

  const numbering = (
    await pool.query<{ entity_id: string; n: number; lo: string; hi: string; distinct_n: number }>(`
      SELECT entity_id, count(*)::int AS n, count(DISTINCT number)::int AS distinct_n,
             min(substr(number, 3)::bigint)::text AS lo, max(substr(number, 3)::bigint)::text AS hi
      FROM invoices GROUP BY entity_id ORDER BY entity_id`)
  ).rows;
  for (const r of numbering) {
    const span = Number(BigInt(r.hi) - BigInt(r.lo) + 1n);
    if (span !== r.n || r.distinct_n !== r.n) {
      failures.push(`numbers of ${r.entity_id} not gapless: ${r.n} invoices over ${span} numbers`);
    }
    if (r.n !== (perEntity.get(r.entity_id) ?? 0)) {
      failures.push(`${r.entity_id}: ${r.n} invoices, expected ${perEntity.get(r.entity_id) ?? 0}`);
    }
  }

  const run = await one<{ status: string; invoices_created: number } | undefined>(
    `SELECT status, invoices_created FROM bill_runs WHERE month = '${MONTH}'`,
  );
  if (run?.status !== 'completed' || run.invoices_created !== n) {
    failures.push(`bill run record: ${JSON.stringify(run)}`);
  }
  return { failures, invoices: inv.n, lines: lines.n };
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2));
  const cleanups = new Cleanups();
  try {
    const db = await benchDatabase(cleanups);
    const rt = await openRuntime({ databaseUrl: db.url, simulatedClock: START_CLOCK });
    cleanups.add(() => rt.close());
    if (!rt.handle.pool) throw new Error('The benchmark needs a PostgreSQL server connection.');
    if (!(rt.clock instanceof SimulatedClock)) throw new Error('Expected a simulated clock.');
    await seedReferenceData(rt.ctx('bench'));
    const machine = await machineInfo(rt.handle.pool);

    const loadStarted = performance.now();
    const perEntity = await loadAccounts(rt, opts.accounts);
    const loadSeconds = seconds(loadStarted);

    rt.clock.set(new Date(BILL_RUN_AT));
    const profiler = opts.profile ? installProfiler() : undefined;
    const serverCpu = await serverCpuStopwatch(rt.handle.pool, db.baseUrl);
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const result = await billRun(rt.ctx('bench'), {
      month: MONTH,
      batchSize: opts.batchSize,
      concurrency: opts.concurrency,
      onProgress: ({ done, total, invoices }) => {
        const s = seconds(started);
        progress.update(
          `bill run: ${fmt(done)} / ${fmt(total)} accounts, ${fmt(invoices)} invoices (${fmt(done / Math.max(s, 0.001))} accounts/s)`,
        );
      },
    });
    const billSeconds = seconds(started);
    const cpu = process.cpuUsage(cpuBefore);
    const serverCpuSeconds = serverCpu();
    progress.done();
    const statementStats = profiler ? [...profiler.stats.entries()] : [];

    const check = await verify(rt, opts.accounts, perEntity);
    if (result.invoicesCreated !== opts.accounts) {
      check.failures.push(`billRun reported ${result.invoicesCreated} invoices, expected ${opts.accounts}`);
    }
    if (result.failures.length > 0) {
      check.failures.push(
        `billRun reported ${result.failures.length} failure(s), e.g. ${JSON.stringify(result.failures[0])}`,
      );
    }

    const base = await baseline(rt, check.invoices, check.lines);
    const invoiceRows = check.invoices + check.lines;
    const accountsPerSec = opts.accounts / billSeconds;
    const invoiceRowsPerSec = invoiceRows / billSeconds;
    const ratio = invoiceRowsPerSec / base.rowsPerSec;
    const nodeCpuSeconds = (cpu.user + cpu.system) / 1e6;

    out('Bill-run benchmark');
    printMachine(machine);
    out(
      `  data set       ${fmt(opts.accounts)} accounts (loaded in ${fmt(loadSeconds, 2)} s), batch size ${opts.batchSize}, concurrency ${opts.concurrency}`,
    );
    out(
      `  bill run       ${fmt(check.invoices)} invoices, ${fmt(check.lines)} lines in ${fmt(billSeconds, 3)} s`,
    );
    out(`                 ${fmt(accountsPerSec)} accounts/s, ${fmt(invoiceRowsPerSec)} invoice+line rows/s`);
    out(
      `                 CPU: Node ${fmt(nodeCpuSeconds, 2)} s` +
        (serverCpuSeconds === null ? '' : `, PostgreSQL ${fmt(serverCpuSeconds, 2)} s`) +
        ` (wall ${fmt(billSeconds, 2)} s)`,
    );
    out(
      `  baseline       COPY of ${fmt(base.rows)} rows into bare tables in ${fmt(base.seconds, 3)} s: ${fmt(base.rowsPerSec)} rows/s`,
    );
    out(`  ratio          bill run writes at ${fmt(100 * ratio, 1)}% of the baseline rate`);
    if (statementStats.length > 0) {
      const totalMs = statementStats.reduce((a, [, s]) => a + s.ms, 0);
      out(`  statements     ${fmt(totalMs / 1000, 3)} s waiting on the database (round trips included):`);
      for (const [text, s] of statementStats.sort((a, b) => b[1].ms - a[1].ms)) {
        out(
          `    ${fmt(s.ms).padStart(7)} ms ${String(s.count).padStart(5)}× ${fmt(s.rows).padStart(8)} rows  ${text}`,
        );
      }
    }
    out(`  verification   ${check.failures.length === 0 ? 'passed' : 'FAILED'}`);
    for (const f of check.failures) out(`    - ${f}`);
    printResult({
      bench: 'bill-run',
      accounts: opts.accounts,
      batchSize: opts.batchSize,
      concurrency: opts.concurrency,
      invoices: check.invoices,
      lines: check.lines,
      seconds: Number(billSeconds.toFixed(3)),
      accountsPerSec: Math.round(accountsPerSec),
      invoiceRowsPerSec: Math.round(invoiceRowsPerSec),
      baselineRowsPerSec: Math.round(base.rowsPerSec),
      ratio: Number(ratio.toFixed(4)),
      loadSeconds: Number(loadSeconds.toFixed(3)),
      nodeCpuSeconds: Number(nodeCpuSeconds.toFixed(3)),
      serverCpuSeconds: serverCpuSeconds === null ? null : Number(serverCpuSeconds.toFixed(2)),
      verified: check.failures.length === 0,
      machine,
    });
    return check.failures.length === 0 ? 0 : 1;
  } finally {
    await cleanups.run();
  }
}

runBench('bill-run', main, () => progress.done());
