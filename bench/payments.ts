// Benchmark of payments through the HTTP API on a PostgreSQL server with the simulated processor.
//
//   npm run bench:payments -- [--accounts 500] [--payments 10000] [--concurrency 16] [--pool 8]
//
// Uses DATABASE_URL when set (a fresh bench_* database is created there and dropped afterwards),
// otherwise starts a throwaway server with scripts/pg-server.sh. Loads N accounts with one invoice
// each (the bill run) and a Visa card, starts the HTTP API on a local port and sends P payment
// requests (POST /v1/accounts/:id/payments, each with its own Idempotency-Key) from C concurrent
// keep-alive connections, spread over the accounts. Verifies that every payment succeeded and that
// each account's ledger balance is its invoice less what was paid. Figures go to stdout; the last
// line of stdout is one JSON object for machines.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { SimulatedClock } from '../src/kernel/index.ts';
import { openRuntime } from '../src/runtime.ts';
import { seedReferenceData } from '../src/setup/reference-data.ts';
import { buildServer } from '../src/http/server.ts';
import { createApiKey } from '../src/modules/access/index.ts';
import { createAccount } from '../src/modules/accounts/index.ts';
import { addInventory, createContract } from '../src/modules/inventory/index.ts';
import { billRun } from '../src/modules/invoicing/index.ts';
import {
  SimulatedProcessor,
  TEST_CARDS,
  addPaymentMethod,
  paymentProcessor,
} from '../src/modules/payments/index.ts';

const USAGE = `Usage: npm run bench:payments -- [options]

Measures payments/s through the HTTP API on PostgreSQL (DATABASE_URL, or a throwaway server it
starts), with the built-in simulated processor.

Options:
  --accounts N     accounts with an invoice to pay (default 500)
  --payments N     payment requests to send (default 10000)
  --concurrency N  requests in flight at once (default 16)
  --pool N         database connections of the API (default 8)
  -h, --help       show this help
`;

interface Options {
  accounts: number;
  payments: number;
  concurrency: number;
  pool: number;
}

function parseOptions(argv: string[]): Options {
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        accounts: { type: 'string', default: '500' },
        payments: { type: 'string', default: '10000' },
        concurrency: { type: 'string', default: '16' },
        pool: { type: 'string', default: '8' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    });
    if (values.help) {
      process.stdout.write(USAGE);
      process.exit(0);
    }
    const int = (name: string, v: string, max: number) => {
      if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > max) {
        throw new Error(`--${name} must be a whole number from 1 to ${max}, got "${v}".`);
      }
      return Number(v);
    };
    return {
      accounts: int('accounts', values.accounts, 100_000),
      payments: int('payments', values.payments, 10_000_000),
      concurrency: int('concurrency', values.concurrency, 1024),
      pool: int('pool', values.pool, 100),
    };
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const log = (m: string) => process.stderr.write(`${m}\n`);

// ---------------------------------------------------------------------------------------------
// The server: DATABASE_URL, or a throwaway one (as bench/bill-run.ts does).

const PG_SERVER = fileURLToPath(new URL('../scripts/pg-server.sh', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function startServer(): Promise<{ url: string; stop(): void }> {
  const dir = mkdtempSync(join(os.tmpdir(), 'tollbooth-bench-'));
  const port = await freePort();
  log(`No DATABASE_URL: starting a throwaway PostgreSQL server on port ${port}…`);
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    try {
      execFileSync('bash', [PG_SERVER, 'stop', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    const out = execFileSync('bash', [PG_SERVER, 'start', dir, String(port)], {
      stdio: ['ignore', 'pipe', 'inherit'],
      encoding: 'utf8',
    });
    const url = out.trim().split('\n').pop() ?? '';
    if (!url.startsWith('postgres://')) throw new Error(`pg-server.sh printed no URL: ${out}`);
    return { url, stop };
  } catch (e) {
    stop();
    throw e;
  }
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function adminQuery(baseUrl: string, text: string): Promise<void> {
  const c = new pg.Client({ connectionString: baseUrl });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

/**
 * CPU seconds used so far by a local PostgreSQL server (postmaster, its live processes and the
 * ones it reaped), read from /proc; undefined when the server is not on this Linux machine.
 */
function serverCpuReader(backendPid: number): (() => number | undefined) | undefined {
  const TICKS_PER_SECOND = 100; // USER_HZ, fixed by the Linux /proc ABI
  const stat = (pid: number | string) => {
    try {
      const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
      // after "pid (comm) ": state ppid … utime(11) stime(12) cutime(13) cstime(14)
      return {
        ppid: Number(f[1]),
        own: Number(f[11]) + Number(f[12]),
        reaped: Number(f[13]) + Number(f[14]),
      };
    } catch {
      return undefined;
    }
  };
  const backend = stat(backendPid);
  if (!backend) return undefined;
  const postmaster = backend.ppid;
  try {
    if (!readFileSync(`/proc/${postmaster}/cmdline`, 'utf8').includes('postgres')) return undefined;
  } catch {
    return undefined;
  }
  return () => {
    const pm = stat(postmaster);
    if (!pm) return undefined;
    let ticks = pm.own + pm.reaped;
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      const p = stat(name);
      if (p?.ppid === postmaster) ticks += p.own;
    }
    return ticks / TICKS_PER_SECOND;
  };
}

// ---------------------------------------------------------------------------------------------

function post(agent: http.Agent, port: number, path: string, key: string, idem: string, body: string) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        headers: {
          authorization: `Bearer ${key}`,
          'idempotency-key': idem,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2));
  const cleanups: (() => unknown)[] = [];
  const cleanup = async () => {
    for (const c of cleanups.reverse()) {
      try {
        await c();
      } catch (e) {
        log(`cleanup: ${(e as Error).message}`);
      }
    }
  };
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));
  try {
    let baseUrl = process.env.DATABASE_URL;
    if (!baseUrl) {
      const server = await startServer();
      cleanups.push(() => server.stop());
      baseUrl = server.url;
    }
    const dbName = `bench_${randomBytes(5).toString('hex')}`;
    await adminQuery(baseUrl, `CREATE DATABASE ${dbName}`);
    cleanups.push(() => adminQuery(baseUrl, `DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`));

    const rt = await openRuntime({
      databaseUrl: withDatabase(baseUrl, dbName),
      simulatedClock: '2026-08-20',
      poolSize: opts.pool,
    });
    cleanups.push(() => rt.close());
    if (!rt.handle.pool) throw new Error('The benchmark needs a PostgreSQL server connection.');
    if (!(rt.clock instanceof SimulatedClock)) throw new Error('Expected a simulated clock.');
    const ctx = rt.ctx('bench');
    await seedReferenceData(ctx);

    const serverVersion = (await rt.handle.pool.query<{ server_version: string }>('SHOW server_version'))
      .rows[0]!.server_version;
    const cpus = os.cpus();
    const machine = {
      cpu: cpus[0]?.model.trim() ?? 'unknown',
      cores: cpus.length,
      memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
      node: process.version,
      postgres: serverVersion,
      platform: `${os.platform()} ${os.release()}`,
    };

    // Accounts with a contract and ten phones, billed on 1 September, each with a Visa card.
    const loadStarted = performance.now();
    const accountIds: string[] = [];
    for (let i = 0; i < opts.accounts; i++) {
      const a = await createAccount(ctx, {
        companyName: `Bench Payer ${i}`,
        entity: 'US',
        address: { line1: `${i} Main St`, city: 'Austin', state: 'TX', postalCode: '78701', country: 'US' },
        invoiceRecipients: [{ email: `ap${i}@payer.example`, primary: true }],
        receiptEmail: `receipts${i}@payer.example`,
      });
      await createContract(ctx, a.id, { signatureDate: '2026-08-01' });
      await addInventory(ctx, a.id, [{ itemCode: 'device.desk-phone', quantity: 10, addedOn: '2026-08-01' }]);
      accountIds.push(a.id);
      if (i % 100 === 99) log(`loading: ${i + 1} / ${opts.accounts} accounts`);
    }
    rt.clock.set(new Date('2026-09-02T00:00:00Z'));
    const run = await billRun(ctx, { month: '2026-09' });
    if (run.invoicesCreated !== opts.accounts)
      throw new Error(`bill run made ${run.invoicesCreated} invoices`);
    const invoices = new Map(
      (
        await rt.handle.db
          .selectFrom('invoices')
          .select(['account_id', 'total'])
          .where('billing_month', '=', '2026-09')
          .execute()
      ).map((r) => [r.account_id, r.total]),
    );
    for (const id of accountIds) {
      await addPaymentMethod(ctx, id, { type: 'card', number: TEST_CARDS.visa, expMonth: 12, expYear: 2030 });
    }
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    // Every account takes its share of the load plus one warm-up payment.
    const perAccount = Math.ceil(opts.payments / opts.accounts) + 1;
    const minTotal = Math.min(...invoices.values());
    const amount = Math.floor(minTotal / perAccount);
    if (amount < 1)
      throw new Error(`Invoices of ${minTotal} cannot take ${perAccount} payments each: use more accounts.`);

    const { key } = await createApiKey(ctx, { name: 'bench', role: 'integration' });
    const app = await buildServer(rt, { logger: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    cleanups.push(() => app.close());
    const port = (app.server.address() as net.AddressInfo).port;
    const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
    cleanups.push(() => agent.destroy());
    const body = JSON.stringify({ amount });

    // Warm-up: JIT, connection pool, prepared plans (not counted).
    for (let i = 0; i < Math.min(50, opts.accounts); i++) {
      const r = await post(agent, port, `/v1/accounts/${accountIds[i]}/payments`, key, `warm-${i}`, body);
      if (r.status !== 201) throw new Error(`warm-up payment: ${r.status} ${r.body}`);
    }
    const paidBefore = new Map<string, number>();
    for (let i = 0; i < Math.min(50, opts.accounts); i++) paidBefore.set(accountIds[i]!, amount);

    const processor = paymentProcessor() as SimulatedProcessor;
    const chargesBefore = processor.totalCharges;
    const latencies: number[] = [];
    const failures: string[] = [];
    let next = 0;
    const pid = (await rt.handle.pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const local = ['127.0.0.1', 'localhost', '[::1]', ''].includes(new URL(baseUrl).hostname);
    const serverCpu = local ? serverCpuReader(pid) : undefined;
    const serverCpuBefore = serverCpu?.();
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    let lastReport = started;
    const worker = async () => {
      for (;;) {
        const i = next++;
        if (i >= opts.payments) return;
        const accountId = accountIds[i % accountIds.length]!;
        const t0 = performance.now();
        const r = await post(agent, port, `/v1/accounts/${accountId}/payments`, key, `bench-${i}`, body);
        const t1 = performance.now();
        latencies.push(t1 - t0);
        if (r.status !== 201) failures.push(`payment ${i}: ${r.status} ${r.body.slice(0, 200)}`);
        if (t1 - lastReport > 2000) {
          lastReport = t1;
          log(
            `payments: ${fmt(latencies.length)} / ${fmt(opts.payments)} (${fmt(latencies.length / ((t1 - started) / 1000))}/s)`,
          );
        }
      }
    };
    await Promise.all(Array.from({ length: opts.concurrency }, worker));
    const wall = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const serverCpuAfter = serverCpu?.();
    const serverCpuSeconds =
      serverCpuBefore !== undefined && serverCpuAfter !== undefined ? serverCpuAfter - serverCpuBefore : null;

    // Verification: every payment succeeded once, and every balance is its invoice less its payments.
    const counts = new Map<string, number>();
    for (let i = 0; i < opts.payments; i++) {
      const id = accountIds[i % accountIds.length]!;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    const ledger = await rt.handle.pool.query<{ account_id: string; balance: string }>(
      'SELECT account_id, sum(amount)::text AS balance FROM ledger_entries GROUP BY account_id',
    );
    for (const r of ledger.rows) {
      const expected =
        invoices.get(r.account_id)! -
        amount * ((counts.get(r.account_id) ?? 0) + (paidBefore.get(r.account_id) ? 1 : 0));
      if (Number(r.balance) !== expected)
        failures.push(`account ${r.account_id}: balance ${r.balance}, expected ${expected}`);
    }
    const succeeded = await rt.handle.pool.query<{ n: string }>(
      "SELECT count(*)::text AS n FROM payments WHERE status = 'succeeded' AND idempotency_key LIKE 'bench-%'",
    );
    if (Number(succeeded.rows[0]!.n) !== opts.payments)
      failures.push(`${succeeded.rows[0]!.n} payments succeeded, expected ${opts.payments}`);
    if (processor.totalCharges - chargesBefore !== opts.payments) {
      failures.push(
        `the processor was asked ${processor.totalCharges - chargesBefore} times for ${opts.payments} payments`,
      );
    }

    const sorted = [...latencies].sort((a, b) => a - b);
    const perSec = opts.payments / wall;
    const p50 = percentile(sorted, 50);
    const p99 = percentile(sorted, 99);
    const nodeCpu = (cpu.user + cpu.system) / 1e6;
    const out = (line = '') => process.stdout.write(`${line}\n`);
    out('Payments benchmark (HTTP API, simulated processor)');
    out(
      `  machine        ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.platform}`,
    );
    out(`  software       Node ${machine.node}, PostgreSQL ${machine.postgres}`);
    out(
      `  data set       ${fmt(opts.accounts)} accounts with an invoice and a card (loaded in ${fmt(loadSeconds, 1)} s)`,
    );
    out(
      `  load           ${fmt(opts.payments)} payments of ${amount} cents, ${opts.concurrency} in flight, API pool ${opts.pool}`,
    );
    out(
      `  throughput     ${fmt(perSec)} payments/s in ${fmt(wall, 2)} s; CPU: Node ${fmt(nodeCpu, 2)} s (load generator included)` +
        (serverCpuSeconds === null ? '' : `, PostgreSQL ${fmt(serverCpuSeconds, 2)} s`),
    );
    out(
      `  latency        p50 ${fmt(p50, 1)} ms, p99 ${fmt(p99, 1)} ms, max ${fmt(sorted[sorted.length - 1] ?? 0, 1)} ms`,
    );
    out(`  verification   ${failures.length === 0 ? 'passed' : `FAILED (${failures.length})`}`);
    for (const f of failures.slice(0, 10)) out(`    - ${f}`);
    out(
      JSON.stringify({
        bench: 'payments',
        accounts: opts.accounts,
        payments: opts.payments,
        concurrency: opts.concurrency,
        seconds: Number(wall.toFixed(3)),
        paymentsPerSec: Math.round(perSec),
        p50Ms: Number(p50.toFixed(2)),
        p99Ms: Number(p99.toFixed(2)),
        nodeCpuSeconds: Number(nodeCpu.toFixed(2)),
        serverCpuSeconds: serverCpuSeconds === null ? null : Number(serverCpuSeconds.toFixed(2)),
        verified: failures.length === 0,
        machine,
      }),
    );
    return failures.length === 0 ? 0 : 1;
  } finally {
    await cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(
      `bench:payments failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
    process.exit(1);
  },
);
