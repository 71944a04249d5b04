import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type InvoiceEmailInput, formatCalendarDate, invoiceEmail } from './invoice-email.ts';

const base: InvoiceEmailInput = {
  invoiceNumber: 'IN10000000042',
  kind: 'monthly',
  issueDate: '2026-09-01',
  billingMonth: '2026-09',
  total: 123450,
  currency: 'USD',
  dueDate: '2026-09-16',
  poNumber: 'PO-77',
  legalName: 'Jive Communications Inc.',
  billingEmail: 'billing@tollbooth.example',
  accountNumber: '100001',
  companyName: 'Acme <Dental> & Sons',
  locale: 'en-US',
  recipients: [
    { email: 'ap@acme.example', name: 'Accounts Payable' },
    { email: 'cfo@acme.example' },
    { email: 'books@acme.example' },
  ],
  attachmentNames: ['IN10000000042.pdf'],
};

test('ACC-3: the primary billing contact is the addressee, the other recipients are copied', () => {
  const m = invoiceEmail(base);
  assert.deepEqual(m.to, [{ email: 'ap@acme.example', name: 'Accounts Payable' }]);
  assert.deepEqual(
    m.cc.map((a) => a.email),
    ['cfo@acme.example', 'books@acme.example'],
  );
  assert.deepEqual(m.from, { email: 'billing@tollbooth.example', name: 'Jive Communications Inc.' });
  assert.equal(m.headers?.['X-Invoice-Number'], 'IN10000000042');
});

test('subject with number and total; both bodies with the amount due and the due date', () => {
  const m = invoiceEmail(base);
  assert.equal(m.subject, 'Invoice IN10000000042 from Jive Communications Inc.: $1,234.50');
  for (const body of [m.text, m.html]) {
    assert.ok(body.includes('$1,234.50'));
    assert.ok(body.includes('September 16, 2026'));
    assert.ok(body.includes('September 2026'));
    assert.ok(body.includes('PO-77'));
    assert.ok(body.includes('IN10000000042.pdf'));
  }
  assert.match(m.text, /Amount due\s+\$1,234\.50/);
  // The HTML escapes what customers typed.
  assert.ok(m.html.includes('Acme &lt;Dental&gt; &amp; Sons'));
  assert.ok(!m.html.includes('<Dental>'));
});

test("the account's language: Spanish for es-MX, Portuguese for pt-BR, English otherwise", () => {
  const es = invoiceEmail({
    ...base,
    locale: 'es-MX',
    currency: 'MXN',
    legalName: 'GoTo Technologies México',
  });
  assert.equal(es.subject, 'Factura IN10000000042 de GoTo Technologies México: $1,234.50');
  assert.ok(es.text.includes('16 de septiembre de 2026'));
  const pt = invoiceEmail({ ...base, locale: 'pt-BR', currency: 'BRL' });
  assert.match(pt.subject, /^Fatura IN10000000042 de Jive Communications Inc\.: R\$\s1\.234,50$/);
  assert.ok(pt.text.includes('Vencimento'));
  // No French wording yet: English, with amounts and dates as written in Canada.
  const ca = invoiceEmail({ ...base, locale: 'fr-CA' });
  assert.equal(ca.subject, 'Invoice IN10000000042 from Jive Communications Inc.: US$1,234.50');
  assert.ok(ca.text.includes('September 16, 2026'));
});

test('a calendar date is never shifted by a time zone', () => {
  assert.equal(formatCalendarDate('2026-03-01', 'en-US'), 'March 1, 2026');
  assert.equal(formatCalendarDate('2028-02-29', 'en-US'), 'February 29, 2028');
});

test('an invoice without a recipient is refused', () => {
  assert.throws(() => invoiceEmail({ ...base, recipients: [] }), /no recipient/);
});
