import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseMoney, sum } from '../../kernel/index.ts';
import { BILLING_ENTITIES } from '../../setup/reference-data.ts';
import {
  INVOICE_CSV_COLUMNS,
  type EntityData,
  type InvoiceDocument,
  mexicanMonthlyInvoice,
  renderInvoiceCsv,
  usMonthlyInvoice,
  withTotals,
} from './index.ts';

const entity = (code: string): EntityData => BILLING_ENTITIES.find((e) => e.code === code)!;

/** A strict RFC 4180 reader: CRLF records, quoted fields with doubled quotes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (ch === '"') {
        quoted = false;
        i++;
      } else {
        field += ch;
        i++;
      }
    } else if (ch === '"' && field === '') {
      quoted = true;
      i++;
    } else if (ch === ',') {
      row.push(field);
      field = '';
      i++;
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 2;
    } else {
      assert.notEqual(ch, '\n', 'a bare LF outside quotes');
      assert.notEqual(ch, '"', 'a quote inside an unquoted field');
      field += ch;
      i++;
    }
  }
  assert.equal(field, '', 'the last record ends with CRLF');
  return rows;
}

function records(doc: InvoiceDocument) {
  const [header, ...rows] = parseCsv(renderInvoiceCsv(doc));
  assert.deepEqual(header, [...INVOICE_CSV_COLUMNS]);
  for (const r of rows) assert.equal(r.length, INVOICE_CSV_COLUMNS.length);
  return rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i]!])));
}

describe('renderInvoiceCsv', () => {
  test('line amounts sum to the total; summary rows add up', () => {
    const doc = usMonthlyInvoice(entity('US'));
    const rows = records(doc);
    const lines = rows.filter((r) => r.record === 'line');
    assert.equal(lines.length, doc.lines.length);
    const minor = (s: string) => parseMoney(s, 'USD');
    assert.equal(sum(lines.map((r) => minor(r.amount!))), doc.total);
    const summary = Object.fromEntries(
      rows.filter((r) => r.record === 'summary').map((r) => [r.line_type, minor(r.amount!)]),
    );
    assert.deepEqual(Object.keys(summary), [
      'subtotal',
      'regulatory_fees',
      'taxes',
      'total',
      'previous_balance',
      'payments_and_credits',
      'amount_due',
    ]);
    assert.equal(summary.total, doc.total);
    assert.equal(summary.subtotal! + summary.regulatory_fees! + summary.taxes!, summary.total);
    assert.equal(
      summary.previous_balance! + summary.payments_and_credits! + summary.total!,
      summary.amount_due,
    );
    assert.equal(summary.amount_due, doc.amountDue);
    assert.ok(rows.every((r) => r.invoice_number === 'IN10000004172' && r.currency === 'USD'));
  });

  test('plain decimals, ISO dates, proration and exact usage units', () => {
    const rows = records(usMonthlyInvoice(entity('US')));
    const partial = rows.find((r) => r.line_type === 'partial_charges')!;
    assert.deepEqual(
      [partial.period_start, partial.period_end, partial.prorate_days, partial.period_days],
      ['2026-08-20', '2026-08-31', '11', '31'],
    );
    assert.deepEqual([partial.quantity, partial.unit_price, partial.amount], ['2', '24.95', '17.71']);
    const overage = rows.find((r) => r.line_type === 'outbound_overage')!;
    assert.deepEqual(
      [overage.quantity, overage.quantity_unit, overage.unit_price, overage.price_unit, overage.amount],
      ['75000', 'second', '0.02', 'minute', '25.00'],
    );
    const intl = rows.find((r) => r.line_type === 'international')!;
    assert.equal(intl.unit_price, '0.085');
    assert.ok(
      rows.every((r) => !/[$,]/.test(r.amount!)),
      'no symbols or grouping in amounts',
    );
  });

  test('RFC 4180 quoting: commas, quotes and line breaks survive a round trip', () => {
    const base = usMonthlyInvoice(entity('US'));
    const tricky = [
      'Desk phone, "executive" model',
      'Two\r\nlines',
      'Plain; semicolons stay bare',
      '=HYPERLINK("x")',
    ];
    const doc = withTotals({
      ...base,
      lines: tricky.map((description, k) => ({ ...base.lines[0]!, description, amount: 100 + k })),
    });
    const csv = renderInvoiceCsv(doc);
    assert.ok(csv.includes('"Desk phone, ""executive"" model"'));
    assert.ok(csv.includes('"Two\r\nlines"'));
    assert.ok(csv.includes(',Plain; semicolons stay bare,'));
    const descriptions = records(doc)
      .filter((r) => r.record === 'line')
      .map((r) => r.description);
    assert.deepEqual(descriptions, [
      'Desk phone, "executive" model',
      'Two\r\nlines',
      'Plain; semicolons stay bare',
      `'=HYPERLINK("x")`, // a spreadsheet must not run it
    ]);
  });

  test('a voided invoice ends with a voided record without an amount; others do not', () => {
    const doc = usMonthlyInvoice(entity('US'));
    assert.ok(records(doc).every((r) => r.line_type !== 'voided'));
    const rows = records({ ...doc, invoice: { ...doc.invoice, voided: true } });
    const last = rows.at(-1)!;
    assert.deepEqual(
      [last.record, last.line_type, last.description, last.amount],
      ['summary', 'voided', 'Nothing on this document is to be paid.', ''],
    );
    assert.equal(rows.at(-2)!.line_type, 'amount_due');
    assert.equal(rows.length, records(doc).length + 1, 'the lines and summary otherwise unchanged');
  });

  test('MXN in Spanish: summary labels translated, amounts still plain decimals', () => {
    const doc = mexicanMonthlyInvoice(entity('MX'));
    const rows = records(doc);
    const due = rows.find((r) => r.line_type === 'amount_due')!;
    assert.equal(due.description, 'Importe a pagar');
    assert.equal(parseMoney(due.amount!, 'MXN'), doc.amountDue);
    assert.ok(rows.some((r) => r.description === 'IVA 16%' && r.line_type === 'tax'));
    const lines = rows.filter((r) => r.record === 'line');
    assert.equal(sum(lines.map((r) => parseMoney(r.amount!, 'MXN'))), doc.total);
  });

  test("fee and tax rates in the document's language and locale; other descriptions as stored", () => {
    const us = usMonthlyInvoice(entity('US'));
    const described = (locale: string) =>
      records({ ...us, invoice: { ...us.invoice, locale } })
        .filter((r) => r.record === 'line')
        .map((r) => r.description);
    const english = described('en-US');
    assert.deepEqual(
      english,
      us.lines.map((l) => l.description),
    );
    const portuguese = described('pt-BR');
    assert.deepEqual(portuguese.slice(-5), [
      'Regulatory Recovery Fee (RRF) 2,5%',
      'State and Local Regulatory Recovery Fee — Colorado 1,2%',
      'Federal USF recovery 36,2% × 64,9% interestadual',
      'Colorado state sales tax 2,9%',
      'Boulder County sales tax 0,985%',
    ]);
    assert.equal(described('es-ES').at(-1), 'Boulder County sales tax 0,985\u00a0%');
    // Charges' descriptions are catalog data (usage lines Tollbooth writes are translated).
    assert.equal(portuguese[0], english[0]);
  });
});
