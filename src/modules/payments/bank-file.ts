import { createHash } from 'node:crypto';
import type { Ctx } from '../../context.ts';
import { isBillingError } from '../../kernel/index.ts';
import { getAccount } from '../accounts/index.ts';
import { getInvoice } from '../invoicing/index.ts';
import { parseBankFile } from './domain/bank-file.ts';
import { recordOfflinePayment } from './offline.ts';

export interface BankFileResult {
  matched: { line: number; invoiceNumber: string; accountId: string; paymentId: string; amount: number }[];
  /** Already imported (same bank reference, or the same line): recorded once. */
  duplicates: { line: number; paymentId: string }[];
  unmatched: { line: number; reference: string; amount: number | null; reason: string }[];
}

/**
 * PAY-1: imports a bank file. A line whose reference holds an invoice number of the same currency
 * becomes a transfer payment against that invoice; everything else is listed as unmatched, with
 * the reason, for staff to record by hand. Importing a file twice records each line once.
 */
export async function importBankFile(ctx: Ctx, csv: string): Promise<BankFileResult> {
  const { lines, errors } = parseBankFile(csv);
  const result: BankFileResult = {
    matched: [],
    duplicates: [],
    unmatched: errors.map((e) => ({ line: e.line, reference: e.text, amount: null, reason: e.reason })),
  };
  for (const l of lines) {
    const miss = (reason: string) =>
      result.unmatched.push({ line: l.line, reference: l.reference, amount: l.amount, reason });
    if (!l.invoiceNumber) {
      miss('no invoice number in the reference');
      continue;
    }
    if (l.amount <= 0) {
      miss('not an incoming amount');
      continue;
    }
    let invoice;
    try {
      invoice = await getInvoice(ctx, l.invoiceNumber);
    } catch (e) {
      if (isBillingError(e) && e.code === 'invoice_not_found') {
        miss(`no invoice ${l.invoiceNumber}`);
        continue;
      }
      throw e;
    }
    if (invoice.currency !== l.currency) {
      miss(`invoice ${invoice.number} is in ${invoice.currency}, the transfer in ${l.currency}`);
      continue;
    }
    const identity = l.bankReference
      ? `bank:${l.bankReference}`
      : `bank:${createHash('sha256').update(`${l.date}|${l.amount}|${l.currency}|${l.reference}`).digest('hex').slice(0, 32)}`;
    const account = await getAccount(ctx, invoice.accountId);
    let p;
    try {
      p = await recordOfflinePayment(
        ctx,
        account.id,
        {
          method: 'transfer',
          amount: l.amount,
          reference: l.reference,
          receivedOn: l.date,
          invoiceIds: [invoice.id],
          externalRef: identity,
          source: 'bank_file',
        },
        account,
      );
    } catch (e) {
      if (!isBillingError(e)) throw e;
      miss(e.message);
      continue;
    }
    if (p.replayed) result.duplicates.push({ line: l.line, paymentId: p.id });
    else
      result.matched.push({
        line: l.line,
        invoiceNumber: invoice.number,
        accountId: account.id,
        paymentId: p.id,
        amount: l.amount,
      });
  }
  return result;
}
