import { formatDecimal } from '../../kernel/index.ts';
import { documentFormats, rateDecimal } from './i18n.ts';
import {
  type InvoiceDocument,
  type InvoiceDocumentLine,
  documentSummary,
  isFeeOrTaxLine,
  lineSections,
} from './view.ts';

/**
 * The invoice as CSV (RFC 4180: CRLF line ends, fields with a comma, quote or line break quoted,
 * quotes doubled): a header row, one `line` record per invoice line in the same sections and order
 * as the PDF, then `summary` records. Amounts are plain decimals in the invoice currency (19.99),
 * dates ISO calendar dates; the summary descriptions, and the line descriptions Tollbooth writes itself
 * (usage lines, late calls: kernel LINE_TEXT), are in the account's language; catalog names, deck
 * descriptions, fee and tax names are data, as stored.
 *
 * Quantities and prices are exact: a usage line's quantity is billed seconds (quantity_unit
 * 'second') and its price is per minute (price_unit 'minute', up to 6 decimals). The summary's
 * payments_and_credits is negative, so previous_balance + payments_and_credits + total =
 * amount_due. A voided invoice (RUN-12) ends with a `summary` record of line_type `voided` and no
 * amount; a reissue's two invoices name each other in a record `replaces` / `replaced_by`.
 */
export const INVOICE_CSV_COLUMNS = [
  'record',
  'invoice_number',
  'line_type',
  'item_code',
  'description',
  'period_start',
  'period_end',
  'prorate_days',
  'period_days',
  'quantity',
  'quantity_unit',
  'unit_price',
  'price_unit',
  'amount',
  'currency',
] as const;

type Row = Record<(typeof INVOICE_CSV_COLUMNS)[number], string>;

const NEEDS_QUOTES = /[",\r\n]/;
/** A spreadsheet would run a cell starting like this as a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Free text is defused against formula injection; numbers are written as they are. */
const text = (value: string) => (FORMULA_START.test(value) ? `'${value}` : value);

const capitalised = (label: string, locale: string) => {
  const lower = label.toLocaleLowerCase(locale);
  return lower.charAt(0).toLocaleUpperCase(locale) + lower.slice(1);
};

export function renderInvoiceCsv(doc: InvoiceDocument): string {
  const summary = documentSummary(doc);
  const { number, currency, locale } = doc.invoice;
  const formats = documentFormats(locale, currency);
  const labels = formats.labels;
  const empty: Row = Object.fromEntries(INVOICE_CSV_COLUMNS.map((c) => [c, ''])) as Row;

  const lineRow = (l: InvoiceDocumentLine): Row => {
    const usage = l.ratePerMinute != null;
    return {
      ...empty,
      record: 'line',
      invoice_number: number,
      line_type: l.lineType,
      item_code: l.itemCode ?? '',
      description: text(formats.line(l.description, isFeeOrTaxLine(l))),
      period_start: l.periodStart ?? '',
      period_end: l.periodEnd ?? '',
      prorate_days: l.prorateDays === null ? '' : String(l.prorateDays),
      period_days: l.periodDays === null ? '' : String(l.periodDays),
      quantity: String(l.quantity),
      quantity_unit: usage ? 'second' : 'each',
      unit_price: usage ? rateDecimal(l.ratePerMinute!, currency) : formatDecimal(l.unitPrice, currency),
      price_unit: usage ? 'minute' : 'each',
      amount: formatDecimal(l.amount, currency),
      currency,
    };
  };
  const summaryRow = (type: string, label: string, amount: number): Row => ({
    ...empty,
    record: 'summary',
    invoice_number: number,
    line_type: type,
    description: text(capitalised(label, locale)),
    amount: formatDecimal(amount, currency),
    currency,
  });

  const rows: Row[] = lineSections(doc.lines).flatMap((s) => s.lines.map(lineRow));
  rows.push(
    summaryRow('subtotal', labels.subtotal, summary.subtotal),
    summaryRow('regulatory_fees', labels.regulatoryFees, summary.fees),
    summaryRow('taxes', labels.taxes, summary.taxes),
    summaryRow('total', labels.total, summary.total),
    summaryRow('previous_balance', labels.previousBalance, summary.previousBalance),
    summaryRow('payments_and_credits', labels.paymentsAndCredits, -summary.paymentsAndCredits),
    summaryRow('amount_due', labels.amountDue, summary.amountDue),
  );
  // RUN-12: a voided document says so in a last summary record (no amount: nothing to pay).
  if (doc.invoice.voided) {
    rows.push({ ...summaryRow('voided', labels.voidedNote, 0), amount: '' });
  }
  // A reissue's two documents name each other (no amount; the number as it is).
  const naming = (type: string, label: string, other: string): Row => ({
    ...summaryRow(type, label, 0),
    description: text(`${capitalised(label, locale)} ${other}`),
    amount: '',
  });
  if (doc.invoice.replaces) rows.push(naming('replaces', labels.replaces, doc.invoice.replaces));
  if (doc.invoice.replacedBy) rows.push(naming('replaced_by', labels.replacedBy, doc.invoice.replacedBy));

  const out = [INVOICE_CSV_COLUMNS.join(',')];
  for (const row of rows) out.push(INVOICE_CSV_COLUMNS.map((c) => csvField(row[c])).join(','));
  return out.join('\r\n') + '\r\n';
}
