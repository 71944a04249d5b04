import { createWriteStream, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { basename, join } from 'node:path';
import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import { formatMoney, isBillingError, parseMonth } from './kernel/index.ts';
import { openRuntime, parseInstant, simulatedClockFromEnv, type Runtime } from './runtime.ts';
import {
  advanceClock,
  startCollectionsScheduler,
  startDeliveryScheduler,
  startRealClockScheduler,
} from './scheduler.ts';
import { buildServer } from './http/server.ts';
import {
  billRun,
  getInvoice,
  invoiceCsv,
  invoicePdf,
  listInvoices,
  reissueInvoice,
  voidInvoice,
} from './modules/invoicing/index.ts';
import { getAccount } from './modules/accounts/index.ts';
import { createApiKey, listApiKeys, STAFF_ROLES, type StaffRole } from './modules/access/index.ts';
import { loadDemo } from './demo/index.ts';
import {
  callDetailsCsv,
  callDetailsJson,
  callDetailsOf,
  checkDetailsFormat,
  exportRateDeck,
  importCdrFile,
  importRateDeck,
} from './modules/usage/index.ts';
import { startDocumentDelivery } from './delivery.ts';
import { accountBalance, importBankFile } from './modules/payments/index.ts';
import { runCollections } from './modules/collections/index.ts';
import { LANGUAGES } from './modules/documents/index.ts';

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

/** A command given wrong arguments: said in one line, exit code 2 (as commander does). */
class UsageError extends Error {}
const usageError = (message: string) => new UsageError(message);

interface GlobalOpts {
  dataDir: string;
  databaseUrl?: string;
  simulatedClock?: string;
  smtpUrl?: string;
}

/**
 * Invoice e-mail (RUN-7) with the invoice PDF attached: the SMTP server given, or the embedded
 * sink (SMTP_SINK_PORT, default any).
 */
async function startDelivery(rt: Runtime) {
  return startDocumentDelivery(rt, {
    smtpUrl: program.opts<GlobalOpts>().smtpUrl,
    sinkPort: process.env.SMTP_SINK_PORT ? Number(process.env.SMTP_SINK_PORT) : 0,
  });
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
    // Autopay, the payment janitor and collections: on a simulated clock they run as it advances.
    const stopCollections =
      rt.clock.kind === 'real'
        ? startCollectionsScheduler(rt, 15 * 60_000, (m) => console.log(m))
        : async () => {};
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
      await stopCollections();
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
    const stopCollections = startCollectionsScheduler(rt, 15 * 60_000, (m) => console.log(m));
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
      await stopCollections();
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
      throw usageError('--batch-size must be a positive whole number');
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

const cdr = program.command('cdr').description('call detail records (USG-1)');
cdr
  .command('import <file>')
  .description('import a CDR CSV file: good rows go in, bad rows are reported by row number')
  .option('--errors <file>', 'where to write the rejected rows as CSV (default: <file>.errors.csv)')
  .option(
    '--workers <n>',
    'worker threads that check and rate a large file (256 MiB and up) side by side on a PostgreSQL server (1 = this thread: as fast on two cores, half the memory)',
    '1',
  )
  .addHelpText(
    'after',
    '\nColumns (header row, any order): call_id, account (id or number), origin, destination,\n' +
      'start_time, end_time (ISO 8601, UTC unless an offset is given), direction (inbound|outbound),\n' +
      'origin_device (optional). A call id already imported is skipped, so a file can be imported again.',
  )
  .action((file: string, opts: { errors?: string; workers: string }) => {
    if (!existsSync(file)) throw usageError(`no such file: ${file}`);
    const workers = Number(opts.workers);
    if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
      throw usageError(`--workers must be a whole number from 1 to 64, got "${opts.workers}"`);
    }
    return withRuntime(async (rt) => {
      const size = statSync(file).size;
      const bar = new cliProgress.SingleBar(
        {
          format:
            'CDR import [{bar}] {percentage}% | {rows} rows | {accepted} accepted | {rejected} rejected',
          stream: process.stderr,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(size, 0, { rows: 0, accepted: 0, rejected: 0 });
      const t0 = performance.now();
      // On a server, a large file is checked and rated by worker threads side by side.
      const r = await importCdrFile(rt.ctx('cli'), file, {
        source: `file:${basename(file)}`,
        databaseUrl: program.opts<GlobalOpts>().databaseUrl,
        workers,
        onProgress: (p) =>
          bar.update(Math.min(p.bytesRead, size), {
            rows: p.rowsRead,
            accepted: p.accepted,
            rejected: p.rejected,
          }),
      });
      bar.update(size, { rows: r.rowsRead, accepted: r.accepted, rejected: r.rejected });
      bar.stop();
      const secs = (performance.now() - t0) / 1000;
      console.log(
        `CDR import ${r.importId} finished in ${secs.toFixed(1)} s` +
          (r.parts > 1 ? ` (${r.parts} parts checked and rated side by side)` : ''),
      );
      console.log(`  rows read          ${r.rowsRead}`);
      console.log(`  imported           ${r.accepted}`);
      console.log(`  already imported   ${r.alreadyImported}`);
      console.log(`  rejected           ${r.rejected}`);
      const errorsFile = opts.errors ?? `${file}.errors.csv`;
      if (r.errors.length === 0 && existsSync(errorsFile)) {
        // An earlier import's list of rejected rows would read as this one's.
        rmSync(errorsFile);
        console.log(`  no row rejected: the earlier ${errorsFile} is removed`);
      }
      if (r.rowsRead === 0) {
        console.error(
          size === 0
            ? `${file} is empty: a CDR file starts with a header line (call_id,account,origin,…) and holds a row per call.`
            : `${file} holds no CDR rows: nothing after its header line.`,
        );
        process.exitCode = 2;
      }
      if (r.errors.length > 0) {
        const q = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
        writeFileSync(
          errorsFile,
          'row,call_id,reason\n' +
            r.errors.map((e) => `${e.row},${q(e.callId ?? '')},${q(e.reason)}\n`).join(''),
        );
        for (const e of r.errors.slice(0, 10)) console.log(`    row ${e.row}: ${e.reason}`);
        if (r.errors.length > 10) console.log(`    … ${r.errors.length - 10} more`);
        console.log(`  every rejected row: ${errorsFile}`);
        process.exitCode = 2;
      }
    });
  });

cdr
  .command('details <account>')
  .description("print an account's billed call details for a usage month (USG-5), streamed")
  .requiredOption('--month <yyyy-mm>', 'the usage month, e.g. 2026-01 (billed on the next month’s invoice)')
  .option('--format <csv|json>', 'csv (the SPEC columns) or json', 'csv')
  .option('--out <file>', 'write to a file instead of standard output')
  .action((account: string, opts: { month: string; format: string; out?: string }) =>
    withRuntime(async (rt) => {
      const format = checkDetailsFormat(opts.format);
      const details = await callDetailsOf(rt.ctx('cli'), account, opts.month);
      const chunks =
        format === 'csv'
          ? callDetailsCsv(details.pages)
          : callDetailsJson(
              { accountId: details.account.id, month: details.month, currency: details.account.currency },
              details.pages,
            );
      const out = opts.out ? createWriteStream(opts.out) : process.stdout;
      await pipeline(Readable.from(chunks), out, { end: opts.out !== undefined });
      if (opts.out)
        console.error(`call details of ${details.account.id} for ${details.month} written to ${opts.out}`);
    }),
  );

const deck = program.command('rate-deck').description('rate decks per currency (CAT-3), as CSV');
deck
  .command('import <file>')
  .description('add or replace rate-deck entries from CSV')
  .requiredOption('--currency <code>', 'the deck currency, e.g. USD')
  .addHelpText(
    'after',
    '\nColumns: prefix, description, call_type (international|premium_domestic|toll_free_inbound),\n' +
      'rate_per_minute (decimal), rounding (nearest-minute|br-mobile-6s|per-second|up-minute),\n' +
      'valid_from, valid_to (empty while current).',
  )
  .action((file: string, opts: { currency: string }) =>
    withRuntime(async (rt) => {
      const r = await importRateDeck(rt.ctx('cli'), opts.currency, readFileSync(file, 'utf8'));
      console.log(`${r.currency} deck: ${r.imported} entries imported, ${r.errors.length} rejected`);
      for (const e of r.errors) console.log(`  line ${e.line}: ${e.reason}`);
      if (r.errors.length > 0) process.exitCode = 2;
    }),
  );
deck
  .command('export')
  .description('print a currency deck as CSV')
  .requiredOption('--currency <code>', 'the deck currency, e.g. USD')
  .action((opts: { currency: string }) =>
    withRuntime(async (rt) => {
      process.stdout.write(await exportRateDeck(rt.ctx('cli'), opts.currency));
    }),
  );

const payments = program.command('payments').description('payments, the ledger and collections (PAY, COL)');
payments
  .command('import-bank-file <file>')
  .description('match the transfers of a bank file (CSV) to invoices by the invoice number in the reference')
  .addHelpText(
    'after',
    '\nColumns: date, amount (decimal), currency, reference (holds the invoice number, e.g. SPEI IN30000000042),\n' +
      'bank_reference (optional; a line already imported is not recorded again).',
  )
  .action((file: string) =>
    withRuntime(async (rt) => {
      const r = await importBankFile(rt.ctx('cli'), readFileSync(file, 'utf8'));
      console.log(
        `${r.matched.length} matched, ${r.duplicates.length} already imported, ${r.unmatched.length} unmatched`,
      );
      for (const m of r.matched)
        console.log(`  line ${m.line}: ${m.invoiceNumber} paid ${m.amount} (${m.paymentId})`);
      for (const u of r.unmatched) console.log(`  line ${u.line}: not matched: ${u.reason}`);
      if (r.unmatched.length > 0) process.exitCode = 2;
    }),
  );
payments
  .command('balance <account>')
  .description("an account's balance, past-due balance, credit and aging buckets (COL-1)")
  .action((account: string) =>
    withRuntime(async (rt) => {
      const b = await accountBalance(rt.ctx('cli'), account);
      const m = (n: number) => formatMoney(n, b.currency);
      console.log(
        `balance ${m(b.balance)}  due ${m(b.balanceDue)}  past due ${m(b.pastDue)}  credit ${m(b.credit)}`,
      );
      console.log(
        `aging   current ${m(b.aging.current)}  1–30 ${m(b.aging.days1to30)}  31–60 ${m(b.aging.days31to60)}  61+ ${m(b.aging.days61plus)}`,
      );
      for (const i of b.openInvoices)
        console.log(`  ${i.number}  due ${i.dueDate}  open ${m(i.open)}  ${i.daysPastDue} days past due`);
    }),
  );
payments
  .command('collections')
  .description('run the daily check now: payment janitor, autopay (10th), notices, suspension, reactivation')
  .action(() =>
    withRuntime(async (rt) => {
      const r = await runCollections(rt.ctx('cli'));
      console.log(
        `${r.accounts} accounts: ${r.notices} notices, ${r.suspended} suspended, ${r.reactivated} reactivated, ` +
          `${r.deactivated} deactivated; autopay ${r.autopay.attempted} (${r.autopay.failed} failed); ` +
          `janitor ${r.reconciled.reconciled} confirmed, ${r.reconciled.settled} settled, ${r.reconciled.returned} returned`,
      );
    }),
  );

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
      for (const b of r.rentalRuns.filter((x) => x.invoicesCreated > 0))
        console.log(`${b.at}  rental run ${b.month} (${b.timeZone}): ${b.invoicesCreated} invoices`);
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
invoices
  .command('pdf <invoice>')
  .description('write an invoice (number or id) as a PDF, or as CSV with --csv')
  .option('--out <file>', 'file to write (default: <invoice number>.pdf or .csv; "-" for stdout)')
  .option('--csv', 'the lines and totals as CSV instead of the PDF')
  .addOption(
    new Option('--lang <lang>', "print in this language instead of the account's").choices(LANGUAGES),
  )
  .action((id: string, opts: { out?: string; csv?: boolean; lang?: string }) =>
    withRuntime(async (rt) => {
      const ctx = rt.ctx('cli');
      const file = opts.csv
        ? await invoiceCsv(ctx, id, { lang: opts.lang })
        : await invoicePdf(ctx, id, { lang: opts.lang });
      if (opts.out === '-') {
        process.stdout.write(file.content);
        return;
      }
      const out = opts.out ?? file.filename;
      writeFileSync(out, file.content);
      const inv = file.document.invoice;
      console.error(
        `${inv.number} (${money(file.document.total, inv.currency)}, ${inv.locale}) written to ${out}`,
      );
    }),
  );

invoices
  .command('void <invoice>')
  .description(
    'void an unpaid invoice issued in error (RUN-12); with --reissue, a monthly one, and bill its month again now',
  )
  .requiredOption('--reason <text>', 'why (kept with the invoice’s history)')
  .option('--reissue', 'bill the month again at once, with what is in force now; the calls it billed too')
  .action((id: string, opts: { reason: string; reissue?: boolean }) =>
    withRuntime(async (rt) => {
      const ctx = rt.ctx('cli');
      if (!opts.reissue) {
        const voided = await voidInvoice(ctx, id, opts.reason);
        console.log(`${voided.number} voided (${money(voided.total, voided.currency)} no longer due)`);
        return;
      }
      const r = await reissueInvoice(ctx, id, opts.reason);
      console.log(`${r.voided.number} voided to be reissued`);
      if (r.replacement) {
        const n = r.replacement;
        console.log(
          `replaced by ${n.number} (${money(n.total, n.currency)}, billing month ${n.billingMonth})`,
        );
      } else {
        console.log(`not reissued yet: ${r.pending?.message ?? 'see the bill run'}`);
      }
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
  if (e instanceof UsageError) {
    console.error(`error: ${e.message}`);
    process.exit(2);
  }
  if (isBillingError(e)) {
    console.error(`error: ${e.message} (${e.code})`);
  } else {
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  }
  process.exit(1);
});
