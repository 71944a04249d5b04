// POR-1/POR-3: real invoices, issued by the bill run on a simulated clock, downloaded as PDF and
// CSV through the API. The PDF's text (pdftotext) carries the invoice number, the total in the
// account's locale and the entity's remittance details; the CSV's lines add up to the total.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { type TestApi, createTestAccount, invoiceFor, signAndEquip, testApi } from '../support/api.ts';

let api: TestApi;
let us: any;
let mx: any;

/** The PDF's text as pdftotext extracts it (reading order, no layout). */
const pdfText = (pdf: Buffer) => execFileSync('pdftotext', ['-q', '-', '-'], { input: pdf }).toString('utf8');

const download = async (url: string) => {
  const r = await api.app.inject({ url, headers: { authorization: `Bearer ${api.key}` } });
  return { status: r.statusCode, type: String(r.headers['content-type']), body: r.rawPayload };
};

/** RFC 4180 rows (quoted fields may hold commas and doubled quotes). */
function csvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n') {
      row.push(field.replace(/\r$/, ''));
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field || row.length) rows.push([...row, field]);
  return rows;
}

before(async () => {
  api = await testApi({ simulatedClock: '2026-08-20T12:00:00Z' });
  const usAccount = await createTestAccount(api, {
    companyName: 'Acme Dental Group, LLC',
    address: { line1: '1200 Pearl St', city: 'Boulder', state: 'CO', postalCode: '80302', country: 'US' },
    poNumber: 'PO-2026-0418',
  });
  await signAndEquip(api, usAccount.id, { signatureDate: '2026-08-01' }, [
    { itemCode: 'device.desk-phone', quantity: 12, addedOn: '2026-08-01' },
    { itemCode: 'number.local', quantity: 5, addedOn: '2026-08-01' },
  ]);
  const mxAccount = await createTestAccount(api, {
    companyName: 'Consultoría Álvarez y Asociados, S.C.',
    entity: 'MX',
    address: {
      line1: 'Av. Vallarta 6503',
      city: 'Zapopan',
      state: 'JAL',
      postalCode: '45010',
      country: 'MX',
    },
  });
  await signAndEquip(api, mxAccount.id, { signatureDate: '2026-08-01' }, [
    { itemCode: 'device.desk-phone', quantity: 7, addedOn: '2026-08-01' },
  ]);
  const moved = await api.post('/v1/clock/advance', { to: '2026-09-02T12:00:00Z' });
  assert.equal(moved.status, 200, JSON.stringify(moved.body));
  us = await invoiceFor(api, usAccount.id, '2026-09');
  mx = await invoiceFor(api, mxAccount.id, '2026-09');
  assert.ok(us && mx, 'the September bill run issued both invoices');
});

after(() => api.close());

test('the US invoice PDF: number, total as en-US shows it, PO number and every way to pay', async () => {
  const r = await download(`/v1/invoices/${us.id}.pdf`);
  assert.equal(r.status, 200, r.body.toString());
  assert.equal(r.type, 'application/pdf');
  assert.equal(r.body.subarray(0, 5).toString(), '%PDF-', 'a PDF file');
  const text = pdfText(r.body);
  const total = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(us.total / 100);
  assert.ok(us.total > 12 * 2495, `the invoice has charges (${us.total})`);
  for (const expected of [
    us.number,
    total,
    'INVOICE',
    'Jive Communications Inc.',
    'Acme Dental Group, LLC',
    'Boulder, CO 80302',
    'PO-2026-0418',
    'September 1, 2026',
    // cheque lockbox and courier address, ACH, wire
    'PO Box 912345',
    'Lockbox Services 912345',
    '102000021',
    '4470012398',
    'FMBKUS44',
  ]) {
    assert.ok(text.includes(expected), `the PDF text shows "${expected}"`);
  }
  // The same invoice by number gives the same document.
  const byNumber = await download(`/v1/invoices/${us.number}.pdf`);
  assert.deepEqual(byNumber.body, r.body, 'by number and by id: the same bytes');
});

test('the Mexican invoice PDF is in Spanish, money in es-MX, with CLABE, SWIFT and the SPEI reference', async () => {
  const r = await download(`/v1/invoices/${mx.number}.pdf`);
  assert.equal(r.status, 200, r.body.toString());
  const text = pdfText(r.body);
  assert.equal(mx.currency, 'MXN');
  const total = new Intl.NumberFormat('es-MX', { style: 'currency', currency: 'MXN' }).format(mx.total / 100);
  for (const expected of [
    mx.number,
    total,
    'FACTURA',
    'GoTo Technologies México S. de R.L. de C.V.',
    'Consultoría Álvarez y Asociados, S.C.',
    '1 de septiembre de 2026',
    'Banco Mercantil del Norte',
    '072180001234567891',
    'MENOMXMT',
    'Apartado Postal 118',
  ]) {
    assert.ok(text.includes(expected), `the PDF text shows "${expected}"`);
  }
  assert.match(
    text,
    new RegExp(`REFERENCIA SPEI/TEF\\s+${mx.number}`),
    'the SPEI reference to quote is the invoice number',
  );
  assert.ok(!text.includes('Invoice date'), 'no English labels');
});

test('?lang= prints another language; an unknown language or invoice is refused with the error body', async () => {
  const es = pdfText((await download(`/v1/invoices/${us.id}.pdf?lang=es`)).body);
  assert.ok(es.includes('FACTURA') && es.includes(us.number), 'the US invoice in Spanish');
  const pt = pdfText((await download(`/v1/invoices/${mx.id}.pdf?lang=pt`)).body);
  assert.ok(pt.includes('FATURA') && pt.includes(mx.number), 'the MX invoice in Portuguese');

  const bad = await api.get(`/v1/invoices/${us.id}.pdf?lang=de`);
  assert.equal(bad.status, 400, JSON.stringify(bad.body));
  assert.equal(bad.body.code, 'invalid_request');
  for (const url of ['/v1/invoices/IN99999999999.pdf', '/v1/invoices/inv_nope.csv']) {
    const missing = await api.get(url);
    assert.equal(missing.status, 404, url);
    assert.deepEqual(Object.keys(missing.body).sort(), ['code', 'details', 'message'], url);
    assert.equal(missing.body.code, 'invoice_not_found', url);
  }
  const anonymous = await api.app.inject({ url: `/v1/invoices/${us.id}.pdf` });
  assert.equal(anonymous.statusCode, 401, 'documents need an API key');
});

test('the CSV: one row per invoice line, and the lines add up to the total', async () => {
  for (const inv of [us, mx]) {
    const r = await download(`/v1/invoices/${inv.id}.csv`);
    assert.equal(r.status, 200);
    assert.match(r.type, /^text\/csv/);
    const [header, ...rows] = csvRows(r.body.toString('utf8'));
    const col = (name: string) => header!.indexOf(name);
    assert.ok(col('amount') >= 0 && col('record') >= 0, 'amount and record columns');
    const lines = rows.filter((row) => row[col('record')] === 'line');
    assert.equal(lines.length, inv.lines.length, `${inv.number}: every line`);
    assert.ok(
      lines.every((l) => l[col('invoice_number')] === inv.number),
      'each row names the invoice',
    );
    // Decimal amounts summed in minor units (no floating point).
    const cents = (s: string) => {
      const m = /^(-?)(\d+)\.(\d{2})$/.exec(s);
      assert.ok(m, `"${s}" is a 2-decimal amount`);
      return (m[1] ? -1 : 1) * (Number(m[2]) * 100 + Number(m[3]));
    };
    const sum = lines.reduce((acc, l) => acc + cents(l[col('amount')]!), 0);
    assert.equal(sum, inv.total, `${inv.number}: the lines sum to the total`);
    const totalRow = rows.find(
      (row) => row[col('record')] === 'summary' && row[col('line_type')] === 'total',
    );
    assert.ok(totalRow, 'a total summary row');
    assert.equal(cents(totalRow[col('amount')]!), inv.total, 'the summary total');
  }
});
