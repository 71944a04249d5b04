// RUN-7, RUN-8, ACC-3: the invoice e-mail, end to end over real SMTP. The monthly invoice goes to
// the primary billing contact with the other recipients in copy and the attachments of the hook;
// sending sets the invoice's sent date and its due date 15 days later. Resend, bounce, a
// temporary refusal that moves the due date past midnight, and the embedded sink's mailbox.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { type TestApi, createTestAccount, signAndEquip, testApi } from '../support/api.ts';
import {
  type InvoiceDelivery,
  attachInvoiceDelivery,
  startInvoiceDelivery,
} from '../../src/modules/notifications/index.ts';
import { TestSmtpServer } from './smtp-test-server.ts';

let api: TestApi;
let smtp: TestSmtpServer;
let delivery: InvoiceDelivery;
let accountId: string;
let invoice: any;

const advance = async (to: string) => {
  const r = await api.post('/v1/clock/advance', { to });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
};

// The hook the PDF renderer plugs into: here a stand-in PDF and a CSV.
const attachments = async (invoiceId: string) => [
  { filename: 'invoice.pdf', content: Buffer.from(`%PDF-1.7 ${invoiceId}`), contentType: 'application/pdf' },
  { filename: 'invoice.csv', content: Buffer.from('line,amount\n'), contentType: 'text/csv' },
];

before(async () => {
  api = await testApi({ simulatedClock: '2026-08-20T12:00:00Z' });
  smtp = new TestSmtpServer();
  await smtp.start();
  delivery = await startInvoiceDelivery({ clock: api.rt.clock, smtpUrl: smtp.url, attachments });
  attachInvoiceDelivery(api.rt, delivery);
  const account = await createTestAccount(api, {
    companyName: 'Acme Dental',
    timeZone: 'America/Chicago',
    invoiceRecipients: [
      { email: 'cfo@acme.example', primary: false },
      { email: 'ap@acme.example', name: 'Accounts Payable', primary: true },
      { email: 'books@acme.example', primary: false },
    ],
  });
  accountId = account.id;
  await signAndEquip(api, accountId, { signatureDate: '2026-08-01' }, [
    { itemCode: 'device.desk-phone', quantity: 3, addedOn: '2026-08-01' },
  ]);
});

after(async () => {
  attachInvoiceDelivery(api.rt, null);
  await delivery.close();
  await smtp.stop();
  await api.close();
});

test('the September invoice is e-mailed at 00:00 on the 1st (Chicago): To primary, Cc the others, attachments from the hook', async () => {
  const moved = await advance('2026-09-01T06:00:00Z');
  assert.equal(moved.billRuns.length, 1);
  const list = await api.get(`/v1/invoices?account=${accountId}&month=2026-09`);
  invoice = list.body.data[0];
  assert.ok(invoice, 'the bill run issued the September invoice');

  assert.equal(smtp.received.length, 1);
  const mail = smtp.received[0]!;
  assert.deepEqual(mail.to, ['ap@acme.example']);
  assert.deepEqual(mail.cc.sort(), ['books@acme.example', 'cfo@acme.example']);
  assert.deepEqual(mail.envelopeTo.sort(), ['ap@acme.example', 'books@acme.example', 'cfo@acme.example']);
  assert.equal(mail.invoiceNumber, invoice.number);
  assert.match(mail.subject, new RegExp(`^Invoice ${invoice.number} from Jive Communications Inc\\.: \\$`));
  const total = `$${(invoice.total / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}`;
  assert.ok(mail.subject.endsWith(total), `${mail.subject} ends with ${total}`);
  assert.match(mail.from, /billing@tollbooth\.example/);
  // Plain text and HTML both carry the amount due and the due date.
  for (const body of [mail.text, mail.html]) {
    assert.ok(body.includes(total), 'amount due');
    assert.ok(body.includes('September 16, 2026'), 'due date');
  }
  assert.deepEqual(
    mail.attachments.map((a) => [a.filename, a.contentType]),
    [
      ['invoice.pdf', 'application/pdf'],
      ['invoice.csv', 'text/csv'],
    ],
  );
  assert.equal(mail.attachments[0]!.content.toString(), `%PDF-1.7 ${invoice.id}`);

  // RUN-8: sent on 1 September (account time zone), due 15 days after.
  const after = (await api.get(`/v1/invoices/${invoice.id}`)).body;
  assert.equal(after.sentOn, '2026-09-01');
  assert.equal(after.dueDate, '2026-09-16');

  const d = await api.get(`/v1/invoices/${invoice.number}/deliveries`);
  assert.equal(d.status, 200);
  assert.equal(d.body.delivery.status, 'sent');
  assert.equal(d.body.delivery.sentAt, '2026-09-01T05:00:00.000Z');
  assert.equal(d.body.delivery.notBefore, '2026-09-01T05:00:00.000Z', 'slot 0 opens at 00:00 Chicago');
  assert.equal(d.body.delivery.windowMonth, '2026-09');
  assert.equal(d.body.delivery.slot, 0);
  assert.deepEqual(
    d.body.delivery.recipients.map((r: any) => r.email),
    ['ap@acme.example', 'cfo@acme.example', 'books@acme.example'],
  );
  assert.equal(d.body.attempts.length, 1);
  assert.equal(d.body.attempts[0].outcome, 'sent');
  assert.match(d.body.attempts[0].smtpResponse, /^250/);
});

test('resend sends the invoice again once (Idempotency-Key) and never moves the due date', async () => {
  await advance('2026-09-03T12:00:00Z');
  const headers = { 'idempotency-key': 'resend-sept-1' };
  const r = await api.post(`/v1/invoices/${invoice.id}/resend`, {}, headers);
  assert.equal(r.status, 202, JSON.stringify(r.body));
  assert.equal(r.body.delivery.status, 'queued');
  const replay = await api.post(`/v1/invoices/${invoice.id}/resend`, {}, headers);
  assert.equal(replay.status, 202);
  assert.equal(replay.headers['idempotent-replayed'], 'true');

  await advance('2026-09-03T12:01:00Z');
  assert.equal(smtp.received.length, 2, 'one more e-mail, not two');
  assert.equal(smtp.received[1]!.invoiceNumber, invoice.number);
  assert.notEqual(smtp.received[1]!.messageId, smtp.received[0]!.messageId);
  const inv = (await api.get(`/v1/invoices/${invoice.id}`)).body;
  assert.equal(inv.sentOn, '2026-09-01');
  assert.equal(inv.dueDate, '2026-09-16');
  const d = (await api.get(`/v1/invoices/${invoice.id}/deliveries`)).body;
  assert.equal(d.delivery.resends, 1);
  assert.deepEqual(
    d.attempts.map((a: any) => a.outcome),
    ['sent', 'queued', 'sent'],
  );
  assert.match(d.attempts[1].detail, /resend requested/);
});

test('a permanent refusal (550) bounces at once; nothing is retried', async () => {
  smtp.rcptRule = (a) => (a === 'nobody@gone.example' ? { code: 550, message: '5.1.1 No such user' } : null);
  const gone = await createTestAccount(api, {
    companyName: 'Gone Ltd',
    invoiceRecipients: [{ email: 'nobody@gone.example', primary: true }],
  });
  const one = await api.post(`/v1/accounts/${gone.id}/one-time-charges`, {
    charges: [{ itemCode: 'hw.desk-phone', quantity: 1 }],
  });
  assert.equal(one.status, 201, JSON.stringify(one.body));
  await advance('2026-09-03T14:00:00Z');
  const d = (await api.get(`/v1/invoices/${one.body.id}/deliveries`)).body;
  assert.equal(d.delivery.status, 'bounced');
  assert.equal(d.attempts.length, 1);
  assert.equal(d.attempts[0].outcome, 'bounced');
  assert.match(d.attempts[0].smtpResponse, /^550/);
  const inv = (await api.get(`/v1/invoices/${one.body.id}`)).body;
  assert.equal(inv.sentOn, null, 'a bounced invoice was not sent');
});

test('a temporary refusal (451) is retried; sent after midnight, the due date counts from the day it went out', async () => {
  let refusals = 0;
  smtp.rcptRule = (a) =>
    a === 'ap@slow.example' && refusals++ === 0 ? { code: 451, message: '4.7.1 Try again later' } : null;
  const slow = await createTestAccount(api, {
    companyName: 'Slow Mail Inc',
    timeZone: 'America/Chicago',
    invoiceRecipients: [{ email: 'ap@slow.example', primary: true }],
  });
  // 23:59 on 9 September in Chicago: a hardware purchase is invoiced that day (RUN-10).
  await advance('2026-09-10T04:59:00Z');
  const one = await api.post(`/v1/accounts/${slow.id}/one-time-charges`, {
    charges: [{ itemCode: 'hw.desk-phone', quantity: 2 }],
  });
  assert.equal(one.body.issueDate, '2026-09-09');
  const before = smtp.received.length;
  await advance('2026-09-10T05:30:00Z');
  const d = (await api.get(`/v1/invoices/${one.body.id}/deliveries`)).body;
  assert.deepEqual(
    d.attempts.map((a: any) => a.outcome),
    ['queued', 'sent'],
  );
  assert.equal(d.attempts[0].attemptedAt, '2026-09-10T04:59:00.000Z');
  assert.equal(d.attempts[0].retryAt, '2026-09-10T05:00:00.000Z', 'first retry after 1 minute');
  assert.match(d.attempts[0].smtpResponse, /^451/);
  assert.equal(smtp.received.length, before + 1);
  const inv = (await api.get(`/v1/invoices/${one.body.id}`)).body;
  assert.equal(inv.sentOn, '2026-09-10');
  assert.equal(inv.dueDate, '2026-09-25', 'RUN-8: 15 days after sending, not after issuing');
});

test('the mailbox: 404 without the embedded sink; with it, every caught e-mail is listed and readable', async () => {
  assert.equal((await api.app.inject({ url: '/dev/mailbox' })).statusCode, 404);
  assert.equal((await api.app.inject({ url: '/dev/mailbox.json' })).statusCode, 404);

  const withSink = await startInvoiceDelivery({ clock: api.rt.clock, attachments });
  attachInvoiceDelivery(api.rt, withSink);
  try {
    assert.ok(withSink.sink);
    const r = await api.post(`/v1/invoices/${invoice.id}/resend`);
    assert.equal(r.status, 202);
    await advance('2026-09-10T05:31:00Z');
    const json = await api.app.inject({ url: '/dev/mailbox.json' });
    assert.equal(json.statusCode, 200);
    const box = json.json();
    assert.equal(box.messages.length, 1);
    const m = box.messages[0];
    assert.deepEqual(m.to, ['ap@acme.example']);
    assert.deepEqual(m.cc, ['cfo@acme.example', 'books@acme.example']);
    assert.equal(m.invoiceNumber, invoice.number);
    assert.equal(m.receivedAt, '2026-09-10T05:30:00.000Z', 'sent when due, stamped by the instance clock');
    assert.deepEqual(
      m.attachments.map((a: any) => a.filename),
      ['invoice.pdf', 'invoice.csv'],
    );

    const page = await api.app.inject({ url: '/dev/mailbox' });
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-type']), /text\/html/);
    assert.ok(page.body.includes(invoice.number));
    assert.ok(page.body.includes('invoice.pdf'));
    const one = await api.app.inject({ url: `/dev/mailbox/${m.id}` });
    assert.equal(one.statusCode, 200);
    assert.ok(one.body.includes('September 16, 2026'));
    assert.equal((await api.app.inject({ url: '/dev/mailbox/999' })).statusCode, 404);
  } finally {
    attachInvoiceDelivery(api.rt, delivery);
    await withSink.close();
  }
});
