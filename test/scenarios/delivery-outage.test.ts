// RUN-7 under failure: the mail server refuses connections for hours in the middle of the batch.
// Every delivery is retried with exponential backoff (1, 2, 4 … minutes) and, once the server is
// back, each invoice arrives exactly once — none lost, none twice. A worker that dies mid-send
// leaves its claim to expire and the delivery is taken over.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { type TestRuntime, testRuntime } from '../support/runtime.ts';
import { seedReferenceData } from '../../src/setup/reference-data.ts';
import { SimulatedClock } from '../../src/kernel/index.ts';
import { advanceClock } from '../../src/scheduler.ts';
import { invoiceOneTimeCharges } from '../../src/modules/invoicing/index.ts';
import {
  type InvoiceDelivery,
  type MailTransport,
  attachInvoiceDelivery,
  deliverInvoices,
  dispatchDue,
  getInvoiceDeliveries,
  startInvoiceDelivery,
  updateDeliverySettings,
} from '../../src/modules/notifications/index.ts';
import { TestSmtpServer } from './smtp-test-server.ts';

const ACCOUNTS = 300;
let rt: TestRuntime;
let smtp: TestSmtpServer;
let delivery: InvoiceDelivery;

const advance = (to: string) => advanceClock(rt, new Date(to), 'test');

async function deliveryStatuses() {
  const rows = await rt.handle.db
    .selectFrom('deliveries')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

function assertEachInvoiceOnce(expected: number) {
  const numbers = smtp.received.map((m) => m.invoiceNumber);
  assert.equal(numbers.length, expected, 'messages received');
  assert.equal(new Set(numbers).size, expected, 'no invoice received twice');
}

before(async () => {
  rt = await testRuntime({ simulatedClock: '2026-09-30T12:00:00Z' });
  // On a server, two workers leave several pooled connections; at the end the pool's end()
  // resolves before their sockets have closed, and dropping the test database then ends them
  // with an error that no query is left to receive.
  rt.handle.pool?.on('connect', (client) => client.on('error', () => {}));
  const ctx = rt.ctx('test');
  await seedReferenceData(ctx);
  await sql`
    INSERT INTO accounts (id, number, company_name, entity_id, currency, time_zone, locale, type, tax_status,
      status, address, po_number, created_at)
    SELECT 'acc_out_' || lpad(i::text, 4, '0'), (800000 + i)::text, 'Customer ' || i, e.id, e.currency,
      'America/Chicago', e.locale, 'online', 'taxable', 'active', '{"country": "US", "state": "TX"}'::jsonb,
      NULL, '2026-06-01T00:00:00Z'
    FROM generate_series(1, ${ACCOUNTS}::int) i CROSS JOIN billing_entities e WHERE e.code = 'US';
    `.execute(rt.handle.db);
  await sql`
    INSERT INTO account_contacts (account_id, role, position, email, name, is_primary)
    SELECT id, 'invoice', 0, 'ap@' || number || '.example', NULL, true FROM accounts;
    INSERT INTO account_contacts (account_id, role, position, email, name, is_primary)
    SELECT id, 'receipt', 0, 'ap@' || number || '.example', NULL, false FROM accounts;
    INSERT INTO contracts (id, account_id, signature_date, free_months, billing_start_date, term_months,
      commitments, created_at)
    SELECT 'con_' || substr(id, 5), id, '2026-06-01', 0, '2026-06-01', NULL, '{}', '2026-06-01T00:00:00Z'
    FROM accounts;
    INSERT INTO inventory_items (id, account_id, item_code, quantity, added_on, removed_on, attributes, created_at)
    SELECT 'inv_' || substr(id, 5), id, 'device.desk-phone', 1, '2026-06-01', NULL, '{}', '2026-06-01T00:00:00Z'
    FROM accounts;
  `.execute(rt.handle.db);
  // 10 a minute: the 300 October e-mails are spread over the first half hour.
  await updateDeliverySettings(ctx, { perMinute: 10 });
  smtp = new TestSmtpServer();
  await smtp.start();
  delivery = await startInvoiceDelivery({ clock: rt.clock, smtpUrl: smtp.url });
  attachInvoiceDelivery(rt, delivery);
});

after(async () => {
  attachInvoiceDelivery(rt, null);
  await delivery.close();
  await smtp.stop();
  await rt.close();
});

test('the mail server is down for three hours: retried with backoff, then every invoice arrives exactly once', async () => {
  // 00:00 in Chicago on 1 October: the bill run, and the first slot goes out at once.
  const first = await advance('2026-10-01T05:00:00Z');
  assert.equal(first.billRuns[0]?.invoicesCreated, ACCOUNTS);
  assert.equal(first.deliveries.queued, ACCOUNTS);
  assert.equal(smtp.received.length, 1);

  await smtp.stop(); // connections refused from now on
  const down = await advance('2026-10-01T08:00:00Z');
  assert.equal(smtp.received.length, 1, 'nothing arrives while the server is down');
  assert.equal(down.deliveries.sent, 0);
  assert.ok(down.deliveries.retrying >= (ACCOUNTS - 1) * 4, `${down.deliveries.retrying} retries`);
  assert.deepEqual(await deliveryStatuses(), { sent: 1, queued: ACCOUNTS - 1 });

  // Each failure is recorded with the refused connection, and the waits double: 1, 2, 4 … minutes.
  const invoice = await rt.handle.db
    .selectFrom('deliveries')
    .select('invoice_id')
    .where('status', '=', 'queued')
    .orderBy('slot', 'desc')
    .executeTakeFirstOrThrow();
  const log = await getInvoiceDeliveries(rt.ctx('test'), invoice.invoice_id!);
  assert.ok(log.attempts.length >= 4);
  log.attempts.forEach((a, i) => {
    assert.equal(a.outcome, 'queued');
    assert.equal(a.attempt, i + 1);
    assert.match(a.detail ?? '', /ECONNREFUSED|connect/i);
    const waited = (Date.parse(a.retryAt!) - Date.parse(a.attemptedAt)) / 60_000;
    assert.equal(waited, 2 ** i, `wait after attempt ${i + 1}`);
  });
  assert.equal(log.delivery?.attempts, log.attempts.length);
  assert.match(log.delivery?.lastError ?? '', /ECONNREFUSED|connect/i);

  await smtp.start(); // back, on the same port
  const back = await advance('2026-10-01T20:00:00Z');
  assert.equal(back.deliveries.sent, ACCOUNTS - 1);
  assertEachInvoiceOnce(ACCOUNTS);
  assert.deepEqual(await deliveryStatuses(), { sent: ACCOUNTS });
  const invoices = await rt.handle.db
    .selectFrom('invoices')
    .select(['number', 'sent_on', 'due_date'])
    .where('billing_month', '=', '2026-10')
    .execute();
  assert.equal(invoices.length, ACCOUNTS);
  assert.deepEqual(
    new Set(invoices.map((i) => i.number)),
    new Set(smtp.received.map((m) => m.invoiceNumber)),
  );
  assert.ok(invoices.every((i) => i.sent_on === '2026-10-01' && i.due_date === '2026-10-16'));
});

test('a worker that dies mid-send: its claims expire and another worker delivers each invoice once', async () => {
  const ctx = rt.ctx('test');
  const accounts = await rt.handle.db.selectFrom('accounts').select('id').orderBy('id').limit(20).execute();
  for (const a of accounts)
    await invoiceOneTimeCharges(ctx, a.id, [{ itemCode: 'hw.desk-phone', quantity: 1 }]);
  await advance('2026-10-01T20:00:30Z'); // queued (one-time invoices are due at once) and sent
  const before = smtp.received.length;
  assert.equal(before, ACCOUNTS + 20);

  // Twenty more, and a worker that claims them and then hangs forever mid-send.
  for (const a of accounts)
    await invoiceOneTimeCharges(ctx, a.id, [{ itemCode: 'install.onsite', quantity: 1 }]);
  attachInvoiceDelivery(rt, null);
  await advance('2026-10-01T20:01:00Z'); // queue only
  const hung: MailTransport = { send: () => new Promise(() => {}) };
  void dispatchDue(rt.ctx('dead-worker'), hung, { batchSize: 50 });
  for (let i = 0; i < 100 && (await deliveryStatuses()).sending !== 20; i++)
    await new Promise((r) => setTimeout(r, 20));
  assert.equal((await deliveryStatuses()).sending, 20, 'the dead worker holds 20 claims');

  attachInvoiceDelivery(rt, delivery);
  await advance('2026-10-01T20:03:00Z');
  assert.equal(smtp.received.length, before, 'claims still valid: nobody else sends them');
  await advance('2026-10-01T20:30:00Z');
  assertEachInvoiceOnce(ACCOUNTS + 40);
  assert.equal((await deliveryStatuses()).sent, ACCOUNTS + 40);

  const last = await rt.handle.db
    .selectFrom('deliveries')
    .select('invoice_id')
    .orderBy('created_at', 'desc')
    .executeTakeFirstOrThrow();
  const log = await getInvoiceDeliveries(ctx, last.invoice_id!);
  assert.deepEqual(
    log.attempts.map((a) => a.outcome),
    ['queued', 'sent'],
  );
  assert.match(log.attempts[0]!.detail!, /never finished/);
});

test('two workers queueing and sending at once: each invoice is queued once and arrives once', async () => {
  const ctx = rt.ctx('test');
  const accounts = await rt.handle.db.selectFrom('accounts').select('id').orderBy('id').limit(40).execute();
  for (const a of accounts)
    await invoiceOneTimeCharges(ctx, a.id, [{ itemCode: 'hw.desk-phone', quantity: 3 }]);
  const before = smtp.received.length;
  const [a, b] = await Promise.all([
    deliverInvoices(rt.ctx('worker-a'), delivery, { sweep: true }),
    deliverInvoices(rt.ctx('worker-b'), delivery),
  ]);
  assert.equal(a.queue.queued + b.queue.queued, 40);
  assert.equal(a.dispatch!.sent + b.dispatch!.sent, 40);
  assert.equal(smtp.received.length, before + 40);
  assertEachInvoiceOnce(ACCOUNTS + 80);
});

test('a slow server: a message not started while its claim has time left is handed back, not sent twice', async () => {
  const ctx = rt.ctx('test');
  const accounts = await rt.handle.db.selectFrom('accounts').select('id').orderBy('id').limit(6).execute();
  for (const a of accounts)
    await invoiceOneTimeCharges(ctx, a.id, [{ itemCode: 'install.onsite', quantity: 2 }]);
  attachInvoiceDelivery(rt, null);
  await advance(rt.clock.now().toISOString()); // queue only
  attachInvoiceDelivery(rt, delivery);
  // Each message takes four and a half (simulated) minutes of a five-minute claim.
  assert.ok(rt.clock instanceof SimulatedClock);
  const clock = rt.clock;
  const slow: MailTransport = {
    send: async (m) => {
      const r = await delivery.transport.send(m);
      clock.set(new Date(clock.now().getTime() + 270_000));
      return r;
    },
  };
  const before = smtp.received.length;
  const r = await dispatchDue(rt.ctx('slow-worker'), slow, { batchSize: 3, concurrency: 1 });
  assert.equal(r.sent, 6);
  assert.equal(r.attempted, 6);
  assert.equal(r.leasesExpired, 0);
  assert.ok(r.released >= 4, `${r.released} handed back`);
  assert.equal(smtp.received.length, before + 6);
  assertEachInvoiceOnce(ACCOUNTS + 86);
  const rows = await rt.handle.db
    .selectFrom('deliveries')
    .select(['status', 'attempts'])
    .orderBy('created_at', 'desc')
    .limit(6)
    .execute();
  assert.ok(rows.every((x) => x.status === 'sent' && x.attempts === 1));
});
