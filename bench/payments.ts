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
import http from 'node:http';
import type net from 'node:net';
import { parseArgs } from 'node:util';
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
import {
  Cleanups,
  benchDatabase,
  fmt,
  machineInfo,
  out,
  printMachine,
  printResult,
  runBench,
  serverCpuStopwatch,
  wholeNumber,
  exitWithUsage,
} from './support.ts';

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
    if (values.help) exitWithUsage(USAGE);
    return {
      accounts: wholeNumber('accounts', values.accounts, 100_000),
      payments: wholeNumber('payments', values.payments, 10_000_000),
      concurrency: wholeNumber('concurrency', values.concurrency, 1024),
      pool: wholeNumber('pool', values.pool, 100),
    };
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
}

const log = (m: string) => process.stderr.write(`${m}\n`);

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
  const cleanups = new Cleanups();
  try {
    const db = await benchDatabase(cleanups);
    const rt = await openRuntime({
      databaseUrl: db.url,
      simulatedClock: '2026-08-20',
      poolSize: opts.pool,
    });
    cleanups.add(() => rt.close());
    if (!rt.handle.pool) throw new Error('The benchmark needs a PostgreSQL server connection.');
    if (!(rt.clock instanceof SimulatedClock)) throw new Error('Expected a simulated clock.');
    const ctx = rt.ctx('bench');
    await seedReferenceData(ctx);
    const machine = await machineInfo(rt.handle.pool);

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
    cleanups.add(() => app.close());
    const port = (app.server.address() as net.AddressInfo).port;
    const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
    cleanups.add(() => agent.destroy());
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
    const serverCpu = await serverCpuStopwatch(rt.handle.pool, db.baseUrl);
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
    const serverCpuSeconds = serverCpu();

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
    out('Payments benchmark (HTTP API, simulated processor)');
    printMachine(machine);
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
    printResult({
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
    });
    return failures.length === 0 ? 0 : 1;
  } finally {
    await cleanups.run();
  }
}

runBench('payments', main);
