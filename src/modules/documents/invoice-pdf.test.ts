import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { formatMoney, isBillingError } from '../../kernel/index.ts';
import { BILLING_ENTITIES } from '../../setup/reference-data.ts';
import {
  type EntityData,
  type InvoiceDocument,
  brazilianMonthlyInvoice,
  longInvoice,
  mexicanMonthlyInvoice,
  renderInvoicePdf,
  typicalInvoice,
  usMonthlyInvoice,
} from './index.ts';

// pdftotext and pdfinfo come with poppler-utils (installed by CI); elsewhere the tests that read
// the PDF back are skipped rather than failed.
const poppler = (() => {
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const needsPoppler =
  poppler || process.env.CI ? {} : { skip: 'pdftotext not installed (Debian: poppler-utils)' };

const dir = mkdtempSync(join(tmpdir(), 'tollbooth-documents-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function writePdf(pdf: Buffer): string {
  const path = join(dir, `invoice-${++files}.pdf`);
  writeFileSync(path, pdf);
  return path;
}

/** The PDF's text as pdftotext lays it out, with Intl's no-break and thin spaces made plain. */
function pdfText(pdf: Buffer): string {
  const text = execFileSync('pdftotext', ['-layout', writePdf(pdf), '-'], { encoding: 'utf8' });
  return plain(text);
}

const plain = (s: string) => s.replace(/[\u00a0\u202f\u2009]/g, ' ');

function pdfInfo(pdf: Buffer): Record<string, string> {
  const out = execFileSync('pdfinfo', [writePdf(pdf)], { encoding: 'utf8' });
  return Object.fromEntries(
    out
      .split('\n')
      .filter((l) => l.includes(':'))
      .map((l) => [l.slice(0, l.indexOf(':')).trim(), l.slice(l.indexOf(':') + 1).trim()]),
  );
}

const entity = (code: string): EntityData => BILLING_ENTITIES.find((e) => e.code === code)!;

const money = (doc: InvoiceDocument, minor: number) =>
  plain(formatMoney(minor, doc.invoice.currency, doc.invoice.locale));

describe('renderInvoicePdf', () => {
  test(
    'a Mexican invoice in Spanish: number, MXN total, legal name, CLABE, SWIFT, SPEI',
    needsPoppler,
    async () => {
      const doc = mexicanMonthlyInvoice(entity('MX'));
      const pdf = await renderInvoicePdf(doc);
      assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
      const text = pdfText(pdf);
      assert.match(text, /IN60001234567/);
      assert.ok(text.includes(money(doc, doc.total)), `total ${money(doc, doc.total)} in\n${text}`);
      assert.ok(text.includes(money(doc, doc.amountDue)));
      assert.ok(text.includes('GoTo Technologies México S. de R.L. de C.V.'));
      assert.ok(text.includes('072180001234567891'), 'CLABE');
      assert.ok(text.includes('MENOMXMT'), 'SWIFT');
      // the SPEI/TEF reference is the invoice number, printed under its label
      assert.match(text, /REFERENCIA SPEI\/TEF\s+IN60001234567/);
      for (const label of ['FACTURA', 'Cargos por servicio', 'Impuestos', 'IMPORTE A PAGAR', 'Cómo pagar']) {
        assert.ok(text.includes(label), label);
      }
      assert.match(text, /Página 1 de \d/);
      assert.ok(text.includes('1 de septiembre de 2026'), 'issue date in the long Spanish format');
      assert.ok(text.includes('Cuauhtémoc'), 'accents survive the embedded font');
    },
  );

  test(
    'a US invoice in English: check, ACH, fees, taxes and prorated partial charges',
    needsPoppler,
    async () => {
      const doc = usMonthlyInvoice(entity('US'));
      const text = pdfText(await renderInvoicePdf(doc));
      assert.ok(text.includes('Jive Communications Inc.'));
      assert.ok(text.includes('IN10000004172'));
      assert.ok(text.includes(money(doc, doc.total)));
      for (const label of [
        'INVOICE',
        'Service fees',
        'Prorated partial charges',
        'Regulatory fees',
        'Taxes',
      ]) {
        assert.ok(text.includes(label), label);
      }
      assert.ok(text.includes('AMOUNT DUE'));
      assert.ok(text.includes('By check'), 'American English');
      assert.ok(text.includes('102000021'), 'ACH routing number');
      assert.ok(text.includes('Lockbox Services 912345'), 'overnight courier address');
      assert.ok(text.includes('PO-2026-0418'), 'PO number');
      assert.ok(text.includes('Aug 20 – 31, 2026 (11/31 days)'), 'prorated period');
      assert.match(text, /Page 1 of 2/);
      assert.ok(!text.includes('SPEI'), 'no SPEI reference for a US entity');
    },
  );

  test('a Brazilian customer in Portuguese: labels and pt-BR formats', needsPoppler, async () => {
    const doc = brazilianMonthlyInvoice(entity('US'));
    const text = pdfText(await renderInvoicePdf(doc));
    for (const label of ['FATURA', 'Tarifas de serviço', 'VALOR A PAGAR', 'Como pagar', 'Vencimento']) {
      assert.ok(text.includes(label), label);
    }
    assert.ok(text.includes('São Paulo'));
    assert.ok(text.includes(money(doc, doc.total)), money(doc, doc.total));
    assert.ok(money(doc, doc.total).includes(','), 'decimal comma');
    assert.match(text, /Página 1 de \d/);
  });

  test('fr-CA falls back to English labels with Canadian English formats', needsPoppler, async () => {
    const base = typicalInvoice(entity('CA'), 7);
    const doc = { ...base, invoice: { ...base.invoice, locale: 'fr-CA' } };
    const text = pdfText(await renderInvoicePdf(doc));
    assert.ok(text.includes('Service fees'));
    assert.ok(text.includes(plain(formatMoney(doc.total, 'USD', 'en-CA'))));
    assert.ok(text.includes('By cheque'));
  });

  test('120 lines paginate: every line once, headers repeated, page numbers', needsPoppler, async () => {
    const doc = longInvoice(entity('CA'), 120);
    assert.equal(doc.lines.length, 120);
    const pdf = await renderInvoicePdf(doc);
    const text = pdfText(pdf);
    const pages = text.split('\f').filter((p) => p.trim());
    assert.ok(pages.length >= 3, `${pages.length} pages`);
    assert.match(text, new RegExp(`Page 2 of ${pages.length}`));
    assert.match(text, new RegExp(`Page ${pages.length} of ${pages.length}`));
    for (const description of doc.lines.map((l) => l.description)) {
      if (description.startsWith('Ontario HST')) continue;
      const count = text.split(description).length - 1;
      assert.equal(count, 1, `"${description}" printed ${count} times`);
    }
    // column headers on every page that continues the table
    const withTable = pages.filter((p) => /ext\. \d{4}|Local number \+1/.test(p));
    for (const page of withTable) assert.match(page, /DESCRIPTION\s+QTY\s+RATE\s+AMOUNT/);
    assert.ok(text.includes('Service fees (continued)'));
    assert.equal(pdfInfo(pdf).Pages, String(pages.length));
  });

  test('a voided invoice says so on every page, in its language; others do not', needsPoppler, async () => {
    const base = longInvoice(entity('CA'), 120);
    assert.ok(!pdfText(await renderInvoicePdf(base)).includes('VOID'), 'not void: no mark');
    const voided = { ...base, invoice: { ...base.invoice, voided: true } };
    const pdf = await renderInvoicePdf(voided);
    const pages = pdfText(pdf)
      .split('\f')
      .filter((p) => p.trim());
    assert.ok(pages.length >= 3);
    assert.match(pages[0]!, /VOID\s+Nothing on this document is to be paid\./);
    for (const page of pages.slice(1))
      assert.match(page, new RegExp(`${base.invoice.number} · VOID · continued`));
    assert.match(pdfInfo(pdf).Subject!, /\(VOID\)/);
    const mx = mexicanMonthlyInvoice(entity('MX'));
    const es = pdfText(await renderInvoicePdf({ ...mx, invoice: { ...mx.invoice, voided: true } }));
    assert.match(es, /ANULADA\s+No se debe pagar nada de este documento/);
    const br = brazilianMonthlyInvoice(entity('US'));
    const pt = pdfText(await renderInvoicePdf({ ...br, invoice: { ...br.invoice, voided: true } }));
    assert.match(pt, /CANCELADA\s+Nada deste documento deve ser pago/);
  });

  test('a long Spanish invoice says "Página 2"', needsPoppler, async () => {
    const base = longInvoice(entity('MX'), 120);
    const doc = { ...base, invoice: { ...base.invoice, currency: 'MXN', locale: 'es-MX' } };
    const text = pdfText(await renderInvoicePdf(doc));
    assert.match(text, /Página 2 de \d/);
    assert.ok(text.includes('Cargos por servicio (continuación)'));
  });

  test(
    'metadata: title = invoice number, author = legal name, dates from the invoice',
    needsPoppler,
    async () => {
      const doc = mexicanMonthlyInvoice(entity('MX'));
      const info = pdfInfo(await renderInvoicePdf(doc));
      assert.equal(info.Title, 'IN60001234567');
      assert.equal(info.Author, 'GoTo Technologies México S. de R.L. de C.V.');
      assert.match(info.CreationDate ?? '', /2026/);
      assert.match(info['Page size'] ?? '', /612 x 792/, 'Letter for a Mexican entity');
    },
  );

  test('A4 outside the Americas', needsPoppler, async () => {
    const base = brazilianMonthlyInvoice(entity('US'));
    const doc = { ...base, entity: { ...base.entity, country: 'BR' } };
    assert.match(pdfInfo(await renderInvoicePdf(doc))['Page size'] ?? '', /595\.2\d* x 841\.8\d*/);
  });

  test('the legal name valid on the invoice date (ACC-2 rename)', needsPoppler, async () => {
    const before = mexicanMonthlyInvoice(entity('MX'));
    const { documentEntity } = await import('./samples.ts');
    const doc = { ...before, entity: documentEntity(entity('MX'), '2025-06-01') };
    const text = pdfText(await renderInvoicePdf(doc));
    const firstLine = text.split('\n').find((l) => l.trim())!;
    assert.match(firstLine, /^\s*LogMeIn Communications Mexico S\. de R\.L\. de C\.V\./);
    assert.match(text, /LogMeIn Communications Mexico S\. de R\.L\. de C\.V\. · FACTURA IN60001234567/);
  });

  test('deterministic: the same document renders to the same bytes, whatever came before', async () => {
    const us = usMonthlyInvoice(entity('US'));
    const first = await renderInvoicePdf(us);
    await renderInvoicePdf(mexicanMonthlyInvoice(entity('MX')));
    await renderInvoicePdf(longInvoice(entity('CA'), 60));
    const second = await renderInvoicePdf(us);
    assert.ok(first.equals(second), 'byte-identical');
    const other = await renderInvoicePdf({ ...us, invoice: { ...us.invoice, issueDate: '2026-09-02' } });
    assert.ok(!first.equals(other), 'the creation date follows the issue date');
  });

  test('a document that does not add up is refused', async () => {
    const doc = usMonthlyInvoice(entity('US'));
    await assert.rejects(
      renderInvoicePdf({ ...doc, total: doc.total + 1 }),
      (e) => isBillingError(e) && e.code === 'invoice_document_inconsistent',
    );
    await assert.rejects(
      renderInvoicePdf({ ...doc, amountDue: doc.amountDue - 1 }),
      (e) => isBillingError(e) && e.code === 'invoice_document_inconsistent',
    );
  });

  test(
    'a credit note is titled as one and an invoice without lines still renders',
    needsPoppler,
    async () => {
      const base = usMonthlyInvoice(entity('US'));
      const credit: InvoiceDocument = {
        ...base,
        invoice: { ...base.invoice, kind: 'credit_note', billingMonth: null },
        lines: [{ ...base.lines[0]!, lineType: 'one_time', amount: -2495, unitPrice: -2495, quantity: 1 }],
        subtotal: -2495,
        total: -2495,
        previousBalance: 0,
        paymentsAndCredits: 0,
        amountDue: -2495,
      };
      const text = pdfText(await renderInvoicePdf(credit));
      assert.ok(text.includes('CREDIT NOTE'));
      assert.ok(!text.includes('Previous balance'), 'no balance rows without a balance');
      assert.ok(pdfText(await renderInvoicePdf(base)).includes('Previous balance'), 'balance rows with one');
      assert.ok(text.includes(money(credit, -2495)));
      const empty = { ...credit, lines: [], subtotal: 0, total: 0, amountDue: 0 };
      assert.ok(pdfText(await renderInvoicePdf(empty)).includes('How to pay'));
    },
  );
});
