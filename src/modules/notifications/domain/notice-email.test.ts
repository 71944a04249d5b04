import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type NoticeEmailInput, noticeEmail } from './notice-email.ts';

const base: Omit<NoticeEmailInput, 'kind' | 'payload'> = {
  legalName: 'Jive Communications Inc.',
  billingEmail: 'billing@tollbooth.example',
  accountNumber: '100001',
  companyName: 'Acme <Dental> & Sons',
  locale: 'en-US',
  timeZone: 'America/New_York',
  recipients: [{ email: 'ap@acme.example', name: 'Accounts Payable' }, { email: 'cfo@acme.example' }],
};

test('PAY-4: the receipt gives the amount, the payment, its date and the invoices paid', () => {
  const m = noticeEmail({
    ...base,
    recipients: [{ email: 'receipts@acme.example' }],
    kind: 'receipt',
    payload: {
      amount: 123450,
      currency: 'USD',
      paymentId: 'pay_1',
      receivedOn: '2026-09-10',
      invoiceNumbers: ['IN10000000042'],
    },
  });
  assert.deepEqual([m.to, m.cc], [[{ email: 'receipts@acme.example' }], []], 'one address, no copy');
  assert.equal(m.subject, 'Payment receipt from Jive Communications Inc.: $1,234.50', m.subject);
  for (const s of ['$1,234.50', 'pay_1', 'September 10, 2026', 'IN10000000042'])
    assert.ok(m.text.includes(s) && m.html.includes(s), `${s} in both bodies`);
  assert.ok(m.html.includes('Acme &lt;Dental&gt; &amp; Sons'), 'HTML escaped');
});

test('COL-2: a past-due notice to the invoice recipients, primary in To, in Spanish for es-MX', () => {
  const m = noticeEmail({
    ...base,
    locale: 'es-MX',
    kind: 'dunning_notice',
    payload: {
      amount: 500000,
      currency: 'MXN',
      invoiceNumbers: ['IN20000000007'],
      step: 'past_due',
      daysPastDue: 15,
      dueDate: '2026-09-16',
    },
  });
  assert.deepEqual(
    [m.to.map((a) => a.email), m.cc.map((a) => a.email)],
    [['ap@acme.example'], ['cfo@acme.example']],
    'primary in To, the other in Cc',
  );
  assert.equal(m.subject, 'Vencida: factura IN20000000007 de Jive Communications Inc.', m.subject);
  assert.ok(m.text.includes('15 días de atraso'), m.text);
  assert.ok(m.text.includes('$5,000.00'), `amount in Mexican format: ${m.text}`);
});

test('PAY-6: the failed autopay notice says when it may be retried, in the account time zone (pt)', () => {
  const m = noticeEmail({
    ...base,
    locale: 'pt-BR',
    kind: 'autopay_failed',
    payload: { amount: 9900, currency: 'USD', retryAt: '2026-09-10T05:00:00.000Z', invoiceNumbers: [] },
  });
  assert.match(
    m.subject,
    /^Falha no pagamento automático: US\$\s?99,00 para Jive Communications Inc\.$/,
    m.subject,
  );
  assert.ok(m.text.includes('01:00'), `retry at 01:00 New York: ${m.text}`);
});

test('PAY-6: the failed autopay notice says why it failed and what to do next', () => {
  const declined = noticeEmail({
    ...base,
    kind: 'autopay_failed',
    payload: {
      amount: 9900,
      currency: 'USD',
      outcome: 'declined',
      invoiceNumbers: ['IN10000000001'],
    },
  });
  assert.ok(declined.text.includes('declined the charge'), `reason: ${declined.text}`);
  assert.ok(declined.text.includes('update your default payment method'), `next step: ${declined.text}`);
  const es = noticeEmail({
    ...base,
    locale: 'es-MX',
    kind: 'autopay_failed',
    payload: { amount: 9900, currency: 'MXN', outcome: 'failed', invoiceNumbers: [] },
  });
  assert.ok(es.text.includes('no se cobró nada'), `motivo: ${es.text}`);
  const unknown = noticeEmail({
    ...base,
    kind: 'autopay_failed',
    payload: { amount: 9900, currency: 'USD', outcome: 'something_new', invoiceNumbers: [] },
  });
  assert.ok(!unknown.text.includes('declined the charge'), `no invented reason: ${unknown.text}`);
  assert.ok(unknown.text.includes('update your default payment method'), `next step: ${unknown.text}`);
});
