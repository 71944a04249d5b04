import { parseDate, parseMoney } from '../../../kernel/index.ts';

/**
 * PAY-1: a bank statement export (CSV) of incoming transfers. The SPEI/TEF (or transfer)
 * reference carries the invoice number; that is how a line finds its invoice.
 *
 *   date,amount,currency,reference,bank_reference
 *   2026-09-12,1234.56,MXN,SPEI IN30000000042,8846120
 */
export interface BankLine {
  line: number;
  date: string;
  amount: number;
  currency: string;
  reference: string;
  bankReference: string;
  invoiceNumber: string | null;
}

export interface BankLineError {
  line: number;
  text: string;
  reason: string;
}

/** One CSV record: commas, double quotes around fields that hold them, "" for a quote. */
export function splitCsvLine(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out.map((s) => s.trim());
}

const INVOICE_NUMBER = /\bIN\d{11}\b/i;

export function parseBankFile(csv: string): { lines: BankLine[]; errors: BankLineError[] } {
  const rows = csv.split(/\r?\n/);
  const lines: BankLine[] = [];
  const errors: BankLineError[] = [];
  const header = splitCsvLine(rows[0] ?? '').map((h) => h.toLowerCase().replace(/\s+/g, '_'));
  const col = (name: string) => header.indexOf(name);
  const need = ['date', 'amount', 'currency', 'reference'];
  const missing = need.filter((n) => col(n) < 0);
  if (missing.length) {
    return {
      lines,
      errors: [{ line: 1, text: rows[0] ?? '', reason: `missing column(s): ${missing.join(', ')}` }],
    };
  }
  for (let i = 1; i < rows.length; i++) {
    const text = rows[i]!;
    if (!text.trim()) continue;
    const f = splitCsvLine(text);
    try {
      const currency = (f[col('currency')] ?? '').toUpperCase();
      const reference = f[col('reference')] ?? '';
      const m = INVOICE_NUMBER.exec(reference);
      lines.push({
        line: i + 1,
        date: parseDate(f[col('date')] ?? '', 'date'),
        amount: parseMoney(f[col('amount')] ?? '', currency),
        currency,
        reference,
        bankReference: col('bank_reference') >= 0 ? (f[col('bank_reference')] ?? '') : '',
        invoiceNumber: m ? m[0].toUpperCase() : null,
      });
    } catch (e) {
      errors.push({ line: i + 1, text, reason: (e as Error).message });
    }
  }
  return { lines, errors };
}
