import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import { formatMoney, isBillingError, parseMonth } from './kernel/index.ts';
import { openRuntime, parseInstant, simulatedClockFromEnv, type Runtime } from './runtime.ts';
import { advanceClock, startDeliveryScheduler, startRealClockScheduler } from './scheduler.ts';
import { buildServer } from './http/server.ts';
import { billRun, getInvoice, listInvoices } from './modules/invoicing/index.ts';
import { getAccount } from './modules/accounts/index.ts';
import { createApiKey, listApiKeys, STAFF_ROLES, type StaffRole } from './modules/access/index.ts';
import { loadDemo } from './demo/index.ts';
import { attachInvoiceDelivery, startInvoiceDelivery } from './modules/notifications/index.ts';

const program = new Command();
program
  .name('tollbooth')
  .description('Tollbooth: billing for cloud-communications providers')
  .addOption(
    new Option('--data-dir <dir>', 'embedded database directory').env('TOLLBOOTH_DATA').default('./data'),
  )
  .addOption(
    new Option('--database-url <url>', 'use a PostgreSQL server instead of the embedded database').env(
      'DATABASE_URL',
    ),
  )
  .addOption(
    new Option('--simulated-clock <date>', 'run on a simulated clock starting at this date (test clock)'),
  )
  .addOption(
    new Option(
      '--smtp-url <url>',
      'send invoice e-mails through this SMTP server (smtp://user:pass@host:587); default: the embedded sink',
    ).env('SMTP_URL'),
  )
  .showHelpAfterError();

interface GlobalOpts {
  dataDir: string;
  databaseUrl?: string;
  simulatedClock?: string;
  smtpUrl?: string;
}

/** Invoice e-mail (RUN-7): the SMTP server given, or the embedded sink (SMTP_SINK_PORT, default any). */
async function startDelivery(rt: Runtime) {
  const delivery = await startInvoiceDelivery({
    clock: rt.clock,
    smtpUrl: program.opts<GlobalOpts>().smtpUrl,
    sinkPort: process.env.SMTP_SINK_PORT ? Number(process.env.SMTP_SINK_PORT) : 0,
  });
  attachInvoiceDelivery(rt, delivery);
  return delivery;
}

async function open(): Promise<Runtime> {
  const g = program.opts<GlobalOpts>();
  return openRuntime({
    databaseUrl: g.databaseUrl,
    dataDir: g.dataDir,
    simulatedClock: g.simulatedClock ?? simulatedClockFromEnv(process.env),
  });
}

async function withRuntime(fn: (rt: Runtime) => Promise<void>): Promise<void> {
  const rt = await open();
  try {
    await fn(rt);
  } finally {
    await rt.close();
  }
}

const money = (minor: number, currency: string) => formatMoney(minor, currency, 'en-US');
const demoKeyFile = () => join(program.opts<GlobalOpts>().dataDir, 'demo-api-key.txt');

program
  .command('serve')
  .description('start the HTTP API (and the scheduler) on PORT (default 3000)')
  .option('-p, --port <port>', 'port to listen on', process.env.PORT ?? '3000')
  .option('--host <host>', 'address to listen on', process.env.HOST ?? '127.0.0.1')
  .option('--demo-if-empty', 'load the demo data into an empty instance first')
  .action(async (opts: { port: string; host: string; demoIfEmpty?: boolean }) => {
    const rt = await open();
    const ctx = rt.ctx('cli');
    const empty = !(await rt.handle.db.selectFrom('accounts').select('id').limit(1).executeTakeFirst());
    if (opts.demoIfEmpty && empty) {
      console.log('Loading demo data into a fresh instance…');
      const s = await loadDemo(rt, { log: (m) => console.log(`  ${m}`) });
      console.log(
        `Demo loaded: ${s.accounts} accounts, ${s.invoices} invoices over ${s.months.length} months.`,
      );
    }
    let key: string | undefined;
    if ((await listApiKeys(ctx)).length === 0) {
      key = (await createApiKey(ctx, { name: 'demo admin', role: 'admin' })).key;
      if (rt.handle.kind === 'embedded') writeFileSync(demoKeyFile(), `${key}\n`, { mode: 0o600 });
    } else if (rt.handle.kind === 'embedded' && existsSync(demoKeyFile())) {
      key = readFileSync(demoKeyFile(), 'utf8').trim();
    }
    const delivery = await startDelivery(rt);
    const app = await buildServer(rt, { logger: false });
    const stopScheduler =
      rt.clock.kind === 'real' ? startRealClockScheduler(rt, 60_000, (m) => console.log(m)) : () => {};
    const stopDeliveries = startDeliveryScheduler(rt, delivery, 15_000, (m) => console.log(m));
    await app.listen({ port: Number(opts.port), host: opts.host });
    const base = `http://${opts.host === '0.0.0.0' ? 'localhost' : opts.host}:${opts.port}`;
    console.log(
      `\nTollbooth is running (${rt.handle.kind} database, ${rt.clock.kind} clock at ${rt.clock.now().toISOString()})`,
    );
    console.log(`  API            ${base}/v1`);
    console.log(`  API reference  ${base}/docs`);
    console.log(`  OpenAPI        ${base}/openapi.json`);
    console.log(`  Health         ${base}/health     Metrics ${base}/metrics`);
    if (delivery.sink)
      console.log(`  Mailbox        ${base}/dev/mailbox  (invoice e-mails caught by the embedded SMTP sink)`);
    else console.log(`  E-mail         ${delivery.transport.description}`);
    if (key)
      console.log(
        `  Demo API key   ${key}\n  Try: curl -H "Authorization: Bearer ${key}" ${base}/v1/invoices`,
      );
    const shutdown = async () => {
      stopScheduler();
      await stopDeliveries();
      await app.close();
      await delivery.close();
      await rt.close();
      process.exit(0);
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });

program
  .command('worker')
  .description(
    'run scheduled billing (bill runs on the 1st) without the HTTP API; start several to share the work',
  )
  .option('--interval <seconds>', 'how often to look for due work', '60')
  .action(async (opts: { interval: string }) => {
    const rt = await open();
    if (rt.clock.kind !== 'real') {
      console.error(
        'error: a simulated clock moves only when told (tollbooth clock advance); a worker is for the real clock.',
      );
      process.exit(1);
    }
    const stop = startRealClockScheduler(rt, Number(opts.interval) * 1000, (m) => console.log(m));
    // Without an SMTP server the e-mails are left to `serve`, whose sink has the mailbox page.
    const delivery = program.opts<GlobalOpts>().smtpUrl ? await startDelivery(rt) : null;
    const stopDeliveries = delivery
      ? startDeliveryScheduler(rt, delivery, 15_000, (m) => console.log(m))
      : async () => {};
    console.log(`Worker running (${rt.handle.kind} database); checking every ${opts.interval} s.`);
    console.log(
      delivery
        ? `Invoice e-mails through ${delivery.transport.description}.`
        : 'Invoice e-mails: none from this worker (no --smtp-url / SMTP_URL); serve sends them.',
    );
    const shutdown = async () => {
      stop();
      await stopDeliveries();
      await delivery?.close();
      await rt.close();
      process.exit(0);
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });

program
  .command('migrate')
  .description('create or upgrade the database schema')
  .action(() =>
    withRuntime(async (rt) => {
      console.log(`Schema is up to date (${rt.handle.kind} database).`);
    }),
  );

program
  .command('demo')
  .description('load the demo entities, catalog, accounts and months of invoices')
  .action(() =>
    withRuntime(async (rt) => {
      const s = await loadDemo(rt, { log: (m) => console.log(m) });
      console.log(`Demo loaded: ${s.accounts} accounts, ${s.invoices} invoices (${s.months.join(', ')}).`);
    }),
  );

program
  .command('bill-run')
  .description("issue a month's invoices to every due account (safe to repeat or resume)")
  .requiredOption('--month <month>', 'billing month, e.g. 2026-08')
  .option('--batch-size <n>', 'accounts per transaction', '500')
  .option(
    '--concurrency <n>',
    'batches in flight at once (a PostgreSQL server; the embedded database has one connection)',
    '2',
  )
  .action((opts: { month: string; batchSize: string; concurrency: string }) => {
    const month = parseMonth(opts.month);
    const batchSize = Number(opts.batchSize);
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new Error('--batch-size must be a positive whole number');
    return withRuntime(async (rt) => {
      const bar = new cliProgress.SingleBar(
        {
          format: `Bill run ${month} [{bar}] {value}/{total} accounts | {invoices} invoices | {eta_formatted} left`,
          stream: process.stderr,
        },
        cliProgress.Presets.shades_classic,
      );
      let started = false;
      const t0 = performance.now();
      const r = await billRun(rt.ctx('cli'), {
        month,
        batchSize,
        concurrency: Number(opts.concurrency) || 1,
        onProgress: (p) => {
          if (!started) {
            bar.start(p.total, 0, { invoices: 0 });
            started = true;
          }
          bar.setTotal(p.total);
          bar.update(p.done, { invoices: p.invoices });
        },
      });
      bar.stop();
      const secs = (performance.now() - t0) / 1000;
      console.log(`Bill run ${month} (${r.runId}) finished in ${secs.toFixed(1)} s`);
      console.log(`  invoices created   ${r.invoicesCreated}`);
      console.log(`  nothing to bill    ${r.nothingToBill}`);
      for (const [cur, total] of Object.entries(r.totals))
        console.log(`  billed ${cur}        ${money(total, cur)}`);
      if (r.failures.length) {
        console.log(`  failed accounts    ${r.failures.length}`);
        for (const f of r.failures.slice(0, 20)) console.log(`    ${f.accountId}: ${f.message}`);
        process.exitCode = 2;
      }
    });
  });

const clock = program.command('clock').description('show or move the instance clock');
clock
  .command('show')
  .description('print the instance time and clock kind')
  .action(() =>
    withRuntime(async (rt) => console.log(`${rt.clock.now().toISOString()} (${rt.clock.kind} clock)`)),
  );
clock
  .command('advance')
  .description('move a simulated clock forward, running scheduled bill runs on the way')
  .requiredOption('--to <time>', 'a date (2026-09-01) or ISO instant')
  .action((opts: { to: string }) =>
    withRuntime(async (rt) => {
      const r = await advanceClock(rt, parseInstant(opts.to, '--to'), 'cli');
      for (const b of r.billRuns)
        console.log(`${b.at}  bill run ${b.month} (${b.timeZone}): ${b.invoicesCreated} invoices`);
      console.log(`Clock moved from ${r.from} to ${r.to}.`);
    }),
  );

const invoices = program.command('invoices').description('list and show invoices');
invoices
  .command('list')
  .description('list invoices')
  .option('--account <id>', 'account id or number')
  .option('--month <month>', 'billing month, e.g. 2026-08')
  .option('--limit <n>', 'how many', '50')
  .action((opts: { account?: string; month?: string; limit: string }) =>
    withRuntime(async (rt) => {
      const ctx = rt.ctx('cli');
      const accountId = opts.account ? (await getAccount(ctx, opts.account)).id : undefined;
      const page = await listInvoices(ctx, { accountId, month: opts.month, limit: Number(opts.limit) });
      console.log(
        [
          'number'.padEnd(14),
          'issued'.padEnd(10),
          'month'.padEnd(7),
          'status'.padEnd(7),
          'total'.padStart(14),
          'account',
        ].join('  '),
      );
      for (const i of page.data) {
        console.log(
          [
            i.number.padEnd(14),
            i.issueDate,
            (i.billingMonth ?? '').padEnd(7),
            i.status.padEnd(7),
            money(i.total, i.currency).padStart(14),
            i.accountId,
          ].join('  '),
        );
      }
      if (page.nextCursor) console.log(`… more: --limit ${Number(opts.limit) * 2}`);
    }),
  );
invoices
  .command('show <id>')
  .description('show an invoice with its lines (id or number)')
  .action((id: string) =>
    withRuntime(async (rt) => {
      const inv = await getInvoice(rt.ctx('cli'), id);
      console.log(
        `${inv.number}  ${inv.legalName}  issued ${inv.issueDate}  due ${inv.dueDate}  ${inv.status}`,
      );
      for (const l of inv.lines ?? []) {
        const period = l.prorateDays
          ? ` ${l.periodStart}…${l.periodEnd} (${l.prorateDays}/${l.periodDays} days)`
          : '';
        console.log(
          `  ${l.lineType.padEnd(17)} ${l.description.padEnd(34)} ${String(l.quantity).padStart(5)} × ${money(l.unitPrice, inv.currency).padStart(10)}${period.padEnd(40)} ${money(l.amount, inv.currency).padStart(12)}`,
        );
      }
      console.log(`  ${'total'.padEnd(110)} ${money(inv.total, inv.currency).padStart(12)}`);
    }),
  );

const keys = program.command('api-keys').description('manage API keys');
keys
  .command('create')
  .description('create an API key and print it once')
  .requiredOption('--name <name>', 'who uses it')
  .option('--role <role>', `one of ${STAFF_ROLES.join(', ')}`, 'agent')
  .action((opts: { name: string; role: string }) =>
    withRuntime(async (rt) => {
      const r = await createApiKey(rt.ctx('cli'), { name: opts.name, role: opts.role as StaffRole });
      console.log(r.key);
    }),
  );

program.parseAsync(process.argv).catch((e: unknown) => {
  if (isBillingError(e)) {
    console.error(`error: ${e.message} (${e.code})`);
  } else {
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  }
  process.exit(1);
});
