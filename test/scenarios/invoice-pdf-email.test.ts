// RUN-7 with POR-1: the invoice e-mail carries the real invoice PDF. The instance is wired the way
// `serve` and `worker` wire it (src/delivery.ts), the SMTP server runs as a separate process, and
// the clock advance that issues the September invoice also sends it: the attachment that arrives
// is a PDF whose text shows the invoice number and total.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcessByStdio, execFileSync, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { createInterface } from 'node:readline';
import { type TestApi, createTestAccount, invoiceFor, signAndEquip, testApi } from '../support/api.ts';
import { startDocumentDelivery } from '../../src/delivery.ts';
import { type InvoiceDelivery, attachInvoiceDelivery } from '../../src/modules/notifications/index.ts';

let api: TestApi;
let smtp: ChildProcessByStdio<Writable, Readable, null>;
let delivery: InvoiceDelivery;
let accountId: string;
const received: any[] = [];

/** Starts the SMTP server process and resolves with its port. */
function startSmtpProcess(): Promise<number> {
  smtp = spawn(
    process.execPath,
    ['--import', 'tsx', new URL('./smtp-server-process.ts', import.meta.url).pathname],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    smtp.once('exit', (code) => reject(new Error(`the SMTP server process exited (${code})`)));
    createInterface({ input: smtp.stdout }).on('line', (line) => {
      const msg = JSON.parse(line);
      if (typeof msg.port === 'number') resolve(msg.port);
      else received.push(msg);
    });
  });
}

/** Waits until the SMTP process has reported `n` messages (it reports every 20 ms). */
async function receivedCount(n: number): Promise<void> {
  for (let i = 0; i < 250 && received.length < n; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(received.length, n, `the SMTP server process received ${n} message(s)`);
}

before(async () => {
  api = await testApi({ simulatedClock: '2026-08-20T12:00:00Z' });
  const port = await startSmtpProcess();
  delivery = await startDocumentDelivery(api.rt, { smtpUrl: `smtp://127.0.0.1:${port}` });
  const account = await createTestAccount(api, {
    companyName: 'Acme Dental',
    timeZone: 'America/Chicago',
    invoiceRecipients: [{ email: 'ap@acme.example', primary: true }],
  });
  accountId = account.id;
  await signAndEquip(api, accountId, { signatureDate: '2026-08-01' }, [
    { itemCode: 'device.desk-phone', quantity: 3, addedOn: '2026-08-01' },
  ]);
});

after(async () => {
  attachInvoiceDelivery(api.rt, null);
  await delivery.close();
  const exited = new Promise((r) => smtp.once('exit', r));
  smtp.stdin.end();
  await exited;
  await api.close();
});

test('the clock advance issues and e-mails the September invoice with its PDF attached', async () => {
  const moved = await api.post('/v1/clock/advance', { to: '2026-09-01T06:00:00Z' });
  assert.equal(moved.status, 200, JSON.stringify(moved.body));
  assert.equal(moved.body.billRuns.length, 1, 'the bill run ran');
  assert.deepEqual(
    moved.body.deliveries,
    { queued: 1, attempted: 1, sent: 1, retrying: 0, failed: 0, bounced: 0 },
    'the advance reports the e-mail it sent',
  );
  const invoice = await invoiceFor(api, accountId, '2026-09');
  assert.ok(invoice, 'the September invoice');
  await receivedCount(1);
  const mail = received[0];
  assert.deepEqual(mail.to, ['ap@acme.example'], 'to the primary contact');
  assert.equal(mail.invoiceNumber, invoice.number, 'the X-Invoice-Number header');
  assert.equal(mail.attachments.length, 1, 'one attachment');
  const att = mail.attachments[0];
  assert.equal(att.filename, `${invoice.number}.pdf`);
  assert.equal(att.contentType, 'application/pdf');
  const pdf = Buffer.from(att.content, 'base64');
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-', 'the attachment is a PDF');
  const text = execFileSync('pdftotext', ['-q', '-', '-'], { input: pdf }).toString('utf8');
  assert.ok(text.includes(invoice.number), 'the PDF shows the invoice number');
  const total = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(
    invoice.total / 100,
  );
  assert.ok(text.includes(total), `the PDF shows the total ${total}`);
  // RUN-8: sent on 1 September in Chicago, due 15 days later (recorded by the invoicing module).
  assert.equal(invoice.sentOn, '2026-09-01');
  assert.equal(invoice.dueDate, '2026-09-16');
  assert.ok(text.includes('September 16, 2026'), 'the attached PDF shows the due date counted from sending');
});

test('an invoice sent days after its issue date is attached with the due date counted from sending', async () => {
  // No transport for two days (an outage): the one-time invoice of 3 September waits in the queue.
  attachInvoiceDelivery(api.rt, null);
  await api.post('/v1/clock/advance', { to: '2026-09-03T15:00:00Z' });
  const one = await api.post(`/v1/accounts/${accountId}/one-time-charges`, {
    charges: [{ itemCode: 'hw.desk-phone', quantity: 2 }],
  });
  assert.equal(one.status, 201, JSON.stringify(one.body));
  assert.equal(one.body.issueDate, '2026-09-03');
  assert.equal(one.body.dueDate, '2026-09-18', 'provisionally 15 days after the issue date');
  await api.post('/v1/clock/advance', { to: '2026-09-05T15:00:00Z' });
  assert.equal(received.length, 1, 'nothing sent during the outage');

  attachInvoiceDelivery(api.rt, delivery);
  const moved = await api.post('/v1/clock/advance', { to: '2026-09-05T15:05:00Z' });
  assert.equal(moved.body.deliveries.sent, 1, 'sent once the transport is back');
  await receivedCount(2);
  const mail = received[1];
  assert.equal(mail.invoiceNumber, one.body.number);
  const pdf = Buffer.from(mail.attachments[0].content, 'base64');
  const text = execFileSync('pdftotext', ['-q', '-', '-'], { input: pdf }).toString('utf8');
  assert.ok(text.includes(one.body.number), 'the PDF of this invoice');
  const sent = (await api.get(`/v1/invoices/${one.body.id}`)).body;
  assert.equal(sent.sentOn, '2026-09-05');
  assert.equal(sent.dueDate, '2026-09-20', 'RUN-8: 15 days after sending');
  assert.ok(text.includes('September 20, 2026'), 'the attached PDF shows the due date the e-mail gives it');
  assert.ok(!text.includes('September 18, 2026'), 'not the provisional due date');
});
