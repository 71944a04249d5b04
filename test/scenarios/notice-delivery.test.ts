// PAY-4, PAY-6, COL-2, ACC-3: receipts, failed-autopay notices and dunning notices are e-mailed
// through the invoice-delivery queue, over real SMTP, on a simulated clock (New York accounts).
// The autopay decline on the 10th mails the invoice recipients; the card payment that follows
// mails its receipt to the single receipt address only; an unpaid invoice's reminder (5 days
// before it is due) mails the invoice recipients; a notice waits out an SMTP outage like an
// invoice; re-reading the whole outbox queues and sends nothing twice.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_CARDS } from '../../src/modules/payments/index.ts';
import {
  type InvoiceDelivery,
  attachInvoiceDelivery,
  deliverInvoices,
  queueInvoiceDeliveries,
  startInvoiceDelivery,
} from '../../src/modules/notifications/index.ts';
import { type TestApi, createTestAccount, invoiceFor, signAndEquip, testApi } from '../support/api.ts';
import { type ReceivedMail, TestSmtpServer } from './smtp-test-server.ts';

let api: TestApi;
let smtp: TestSmtpServer;
let delivery: InvoiceDelivery;
const ids = {} as Record<'payer' | 'late', string>;
let keyN = 0;

const advance = async (to: string) => {
  const r = await api.post('/v1/clock/advance', { to });
  assert.equal(r.status, 200, `advance to ${to}: ${JSON.stringify(r.body)}`);
  return r.body;
};
const card = async (accountId: string, number: string) => {
  const r = await api.post(`/v1/accounts/${accountId}/payment-methods`, {
    type: 'card',
    number,
    expMonth: 12,
    expYear: 2030,
    makeDefault: true,
  });
  assert.equal(r.status, 201, `card ${number}: ${JSON.stringify(r.body)}`);
  return r.body;
};
const dollars = (cents: number) =>
  `$${(cents / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const mailsSince = (n: number): ReceivedMail[] => smtp.received.slice(n);
const noticeDeliveries = (accountId: string) =>
  api.rt.handle.db
    .selectFrom('deliveries')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('kind', '<>', 'invoice')
    .orderBy('created_at')
    .orderBy('id')
    .execute();

before(async () => {
  api = await testApi({ simulatedClock: '2026-08-15T00:00:00Z' });
  smtp = new TestSmtpServer();
  await smtp.start();
  delivery = await startInvoiceDelivery({ clock: api.rt.clock, smtpUrl: smtp.url });
  attachInvoiceDelivery(api.rt, delivery);
  for (const name of ['payer', 'late'] as const) {
    ids[name] = (
      await createTestAccount(api, {
        companyName: name === 'payer' ? 'Hudson Yards Dental' : 'Bowery Bagels',
        timeZone: 'America/New_York',
        invoiceRecipients: [
          { email: `cfo@${name}.example`, primary: false },
          { email: `ap@${name}.example`, name: 'Accounts Payable', primary: true },
        ],
        ...(name === 'payer' ? { receiptEmail: 'receipts@payer.example' } : {}),
      })
    ).id;
    await signAndEquip(api, ids[name], { signatureDate: '2026-08-15' }, [
      { itemCode: 'device.desk-phone', quantity: 2, addedOn: '2026-08-15' },
    ]);
  }
});

after(async () => {
  attachInvoiceDelivery(api.rt, null);
  await delivery.close();
  await smtp.stop();
  await api.close();
});

test('PAY-6: a declined autopay charge is e-mailed to the invoice recipients (primary To, others Cc)', async () => {
  await card(ids.payer, TEST_CARDS.genericDecline);
  const on = await api.put(`/v1/accounts/${ids.payer}/autopay`, { enabled: true });
  assert.equal(on.status, 200, JSON.stringify(on.body));
  await advance('2026-09-01T12:00:00Z');
  assert.equal(smtp.received.length, 2, 'the two September invoices were e-mailed');
  const inv = await invoiceFor(api, ids.payer, '2026-09');
  assert.ok(inv, 'invoice issued on the 1st');

  const before = smtp.received.length;
  await advance('2026-09-10T04:00:00Z'); // 00:00 New York: autopay runs and is declined
  const mails = mailsSince(before);
  assert.equal(mails.length, 1, `one e-mail: ${JSON.stringify(mails.map((m) => m.subject))}`);
  const mail = mails[0]!;
  assert.deepEqual(mail.to, ['ap@payer.example'], 'primary billing contact in To');
  assert.deepEqual(mail.cc, ['cfo@payer.example'], 'the other recipient in Cc');
  assert.deepEqual(
    mail.envelopeTo.sort(),
    ['ap@payer.example', 'cfo@payer.example'],
    'not the receipt address',
  );
  assert.equal(
    mail.subject,
    `Automatic payment failed: ${dollars(inv.total)} to Jive Communications Inc.`,
    mail.subject,
  );
  for (const body of [mail.text, mail.html]) {
    assert.ok(body.includes(dollars(inv.total)), `amount in ${body}`);
    assert.ok(body.includes(inv.number), `invoice number in ${body}`);
    assert.ok(body.includes('declined the charge'), `why it failed in ${body}`);
    // PAY-5: retry one hour after the decline, told in the account's time zone.
    assert.ok(body.includes('September 10, 2026 at 1:00'), `retry time in ${body}`);
  }
  assert.equal(mail.invoiceNumber, '', 'not an invoice e-mail');
  const [d] = await noticeDeliveries(ids.payer);
  assert.ok(d, 'a notice delivery exists');
  assert.deepEqual(
    [d.kind, d.status, d.attempts, d.invoice_id, d.window_month],
    ['autopay_failed', 'sent', 1, null, null],
    'sent at once, not throttled, not tied to one invoice',
  );
});

test('PAY-4, ACC-3: a card payment e-mails its receipt to the receipt address only, with the amount', async () => {
  const inv = await invoiceFor(api, ids.payer, '2026-09');
  await card(ids.payer, TEST_CARDS.visa);
  await advance('2026-09-10T05:01:00Z');
  const paid = await api.post(`/v1/accounts/${ids.payer}/payments`, {}, { 'idempotency-key': `k${++keyN}` });
  assert.equal(paid.status, 201, JSON.stringify(paid.body));
  assert.equal(paid.body.amount, inv.total, 'paid in full');

  const before = smtp.received.length;
  const run = await deliverInvoices(api.rt.ctx('test'), delivery);
  assert.equal(run.queue.notices, 1, `the receipt was queued: ${JSON.stringify(run.queue)}`);
  assert.equal(run.dispatch?.sent, 1, `and sent at once: ${JSON.stringify(run.dispatch)}`);
  const mails = mailsSince(before);
  assert.equal(mails.length, 1, 'one receipt');
  const mail = mails[0]!;
  assert.deepEqual(mail.envelopeTo, ['receipts@payer.example'], 'only the receipt address receives it');
  assert.deepEqual([mail.to, mail.cc], [['receipts@payer.example'], []], 'To the receipt address, no Cc');
  assert.equal(
    mail.subject,
    `Payment receipt from Jive Communications Inc.: ${dollars(inv.total)}`,
    mail.subject,
  );
  for (const body of [mail.text, mail.html]) {
    assert.ok(body.includes(dollars(inv.total)), `amount in ${body}`);
    assert.ok(body.includes(paid.body.id), `payment id in ${body}`);
    assert.ok(body.includes('September 10, 2026'), `payment date in ${body}`);
  }
  const receipt = (await noticeDeliveries(ids.payer)).find((x) => x.kind === 'receipt');
  assert.ok(receipt, 'a receipt delivery');
  assert.equal(receipt.status, 'sent', 'the receipt delivery is sent');
  const attempts = await api.rt.handle.db
    .selectFrom('delivery_attempts')
    .selectAll()
    .where('delivery_id', '=', receipt.id)
    .execute();
  assert.deepEqual(
    attempts.map((a) => a.outcome),
    ['sent'],
    'the attempt is recorded',
  );
  assert.match(attempts[0]!.smtp_response ?? '', /^250/, 'with the SMTP answer');
});

test('COL-2: the reminder before the due date is e-mailed to the invoice recipients', async () => {
  const inv = await invoiceFor(api, ids.late, '2026-09');
  assert.equal(inv.dueDate, '2026-09-16', 'due 15 days after sending');
  const before = smtp.received.length;
  await advance('2026-09-11T04:00:00Z'); // 00:00 New York, 5 days before it is due
  const mails = mailsSince(before);
  assert.equal(mails.length, 1, `one reminder: ${JSON.stringify(mails.map((m) => m.subject))}`);
  const mail = mails[0]!;
  assert.deepEqual([mail.to, mail.cc], [['ap@late.example'], ['cfo@late.example']], 'To primary, Cc other');
  assert.equal(
    mail.subject,
    `Reminder: invoice ${inv.number} from Jive Communications Inc. is due soon`,
    mail.subject,
  );
  for (const body of [mail.text, mail.html]) {
    assert.ok(body.includes(dollars(inv.total)), `amount in ${body}`);
    assert.ok(body.includes('September 16, 2026'), `due date in ${body}`);
  }
  const [d] = await noticeDeliveries(ids.late);
  assert.deepEqual([d?.kind, d?.status], ['dunning_notice', 'sent'], 'a sent dunning delivery');
});

test('a notice waits out an SMTP outage and is retried like an invoice', async () => {
  await smtp.stop();
  await card(ids.late, TEST_CARDS.mastercard);
  const paid = await api.post(
    `/v1/accounts/${ids.late}/payments`,
    { amount: 100 },
    { 'idempotency-key': `k${++keyN}` },
  );
  assert.equal(paid.status, 201, JSON.stringify(paid.body));
  const run = await deliverInvoices(api.rt.ctx('test'), delivery);
  assert.deepEqual(
    [run.queue.notices, run.dispatch?.retrying],
    [1, 1],
    `queued, refused, retried later: ${JSON.stringify(run)}`,
  );
  const before = smtp.received.length;
  await smtp.start();
  await advance('2026-09-11T05:00:00Z');
  const mails = mailsSince(before);
  assert.equal(mails.length, 1, 'sent once the server is back');
  assert.deepEqual(mails[0]!.envelopeTo, ['ap@late.example'], 'no receipt address: the primary contact');
  assert.ok(mails[0]!.text.includes('$1.00'), mails[0]!.text);
  const receipt = (await noticeDeliveries(ids.late)).find((x) => x.kind === 'receipt');
  assert.deepEqual([receipt?.status, receipt?.attempts], ['sent', 2], 'sent on the second attempt');
});

test('re-reading the whole outbox queues and sends nothing twice', async () => {
  const mails = smtp.received.length;
  const count = async () =>
    Number(
      (
        await api.rt.handle.db
          .selectFrom('deliveries')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const deliveries = await count();
  for (let i = 0; i < 2; i++) {
    const q = await queueInvoiceDeliveries(api.rt.ctx('test'), { sweep: true });
    assert.deepEqual([q.queued, q.notices], [0, 0], `sweep ${i + 1} queues nothing: ${JSON.stringify(q)}`);
  }
  // Even from the very start of the outbox (the cursor wound back), nothing is queued again.
  await api.rt.handle.db.updateTable('delivery_state').set({ cursor_event_id: 0 }).execute();
  const q = await queueInvoiceDeliveries(api.rt.ctx('test'));
  assert.equal(q.queued, 0, `nothing queued again: ${JSON.stringify(q)}`);
  const run = await deliverInvoices(api.rt.ctx('test'), delivery, { sweep: true });
  assert.equal(run.dispatch?.attempted, 0, 'nothing to send');
  await advance('2026-09-12T05:00:00Z');
  assert.equal(await count(), deliveries, 'no new delivery');
  assert.equal(smtp.received.length, mails, 'no e-mail sent twice');
});
