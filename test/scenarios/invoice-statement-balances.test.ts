// POR-1/COL-1: an invoice document's previous balance and payments come from the ledger. On a
// simulated clock: September's invoice is issued, a cheque pays part of it, October's invoice is
// issued; October's CSV and PDF show September's total as the previous balance, the cheque as a
// payment and an amount due that is the account's balance right after October was issued.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { type TestApi, createTestAccount, invoiceFor, signAndEquip, testApi } from '../support/api.ts';

let api: TestApi;
let accountId: string;
let september: any;
let october: any;
let balanceAfterOctober: any;
const CHEQUE = 4_321;

const pdfText = (pdf: Buffer) => execFileSync('pdftotext', ['-q', '-', '-'], { input: pdf }).toString('utf8');
const usd = (cents: number) =>
  new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(cents / 100);
const download = async (url: string) => {
  const r = await api.app.inject({ url, headers: { authorization: `Bearer ${api.key}` } });
  assert.equal(r.statusCode, 200, `${url}: ${r.body}`);
  return r.rawPayload;
};
const advance = async (to: string) => {
  const r = await api.post('/v1/clock/advance', { to });
  assert.equal(r.status, 200, `advance to ${to}: ${JSON.stringify(r.body)}`);
};

/** The CSV's summary rows as { line_type: amount in minor units } (no quoted commas in these). */
async function csvSummary(invoiceId: string): Promise<Record<string, number>> {
  const [header, ...rows] = (await download(`/v1/invoices/${invoiceId}.csv`))
    .toString('utf8')
    .trim()
    .split(/\r\n/)
    .map((l) => l.split(','));
  const col = (name: string) => header!.indexOf(name);
  assert.ok(col('record') >= 0 && col('line_type') >= 0 && col('amount') >= 0, 'summary columns');
  const out: Record<string, number> = {};
  for (const row of rows) {
    if (row[col('record')] !== 'summary') continue;
    const m = /^(-?)(\d+)\.(\d{2})$/.exec(row[col('amount')]!);
    assert.ok(m, `"${row[col('amount')]}" is a 2-decimal amount`);
    out[row[col('line_type')]!] = (m[1] ? -1 : 1) * (Number(m[2]) * 100 + Number(m[3]));
  }
  return out;
}

before(async () => {
  api = await testApi({ simulatedClock: '2026-08-20T12:00:00Z' });
  accountId = (
    await createTestAccount(api, {
      companyName: 'Larimer Square Optometry',
      address: { line1: '1430 Larimer St', city: 'Denver', state: 'CO', postalCode: '80202', country: 'US' },
    })
  ).id;
  await signAndEquip(api, accountId, { signatureDate: '2026-08-01' }, [
    { itemCode: 'device.desk-phone', quantity: 4, addedOn: '2026-08-01' },
  ]);
  await advance('2026-09-02T12:00:00Z');
  september = await invoiceFor(api, accountId, '2026-09');
  assert.ok(september, 'the September bill run issued the invoice');
  assert.ok(september.total > CHEQUE, `the cheque pays only part of ${september.total}`);

  await advance('2026-09-15T12:00:00Z');
  const cheque = await api.post(`/v1/accounts/${accountId}/payments/offline`, {
    method: 'cheque',
    amount: CHEQUE,
    reference: '2207',
  });
  assert.equal(cheque.status, 201, JSON.stringify(cheque.body));

  await advance('2026-10-02T12:00:00Z');
  october = await invoiceFor(api, accountId, '2026-10');
  assert.ok(october, 'the October bill run issued the invoice');
  balanceAfterOctober = (await api.get(`/v1/accounts/${accountId}/balance`)).body;
});

after(() => api.close());

test('the first invoice has nothing before it: amount due is its total', async () => {
  const s = await csvSummary(september.id);
  assert.equal(s.previous_balance, 0, 'no previous balance');
  assert.equal(s.payments_and_credits, 0, 'no payments before it');
  assert.equal(s.amount_due, september.total, 'amount due is the total');
  const text = pdfText(await download(`/v1/invoices/${september.id}.pdf`));
  assert.ok(!text.includes('Previous balance'), 'the PDF hides the rows when both are 0');
});

test("October's CSV: previous balance is September's total, the cheque is a payment", async () => {
  const s = await csvSummary(october.id);
  assert.equal(s.total, october.total, 'the total row');
  assert.equal(s.previous_balance, september.total, "previous balance is September's total");
  assert.equal(s.payments_and_credits, -CHEQUE, 'the cheque, as money in (negative on the CSV)');
  const due = september.total - CHEQUE + october.total;
  assert.equal(s.amount_due, due, 'amount due = previous − payments + total');
  assert.equal(balanceAfterOctober.balance, due, "amount due is the account's balance after October");
});

test("October's PDF shows the previous balance, the payment and the amount due", async () => {
  const text = pdfText(await download(`/v1/invoices/${october.number}.pdf`));
  for (const expected of [
    'Previous balance',
    usd(september.total),
    'Payments and credits received',
    usd(CHEQUE),
    usd(september.total - CHEQUE + october.total),
  ]) {
    assert.ok(text.includes(expected), `the PDF text shows "${expected}"`);
  }
});
