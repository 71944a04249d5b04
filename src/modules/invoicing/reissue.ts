import type { Ctx } from '../../context.ts';
import type { BillingMonth } from '../../kernel/index.ts';
import { billRun } from './bill-run.ts';
import { type Invoice, replacementOf, voidInvoice } from './invoices.ts';

export interface Reissue {
  /** The invoice voided, marked to be reissued. */
  voided: Invoice;
  /** Its replacement, issued now; null when the bill run could not issue it (see `pending`). */
  replacement: Invoice | null;
  /** Why there is no replacement yet: the month's next bill run issues it once the cause is gone. */
  pending: { code: string; message: string } | null;
}

/**
 * RUN-12: voids a monthly invoice issued in error and bills its month again at once, with what is
 * in force now (inventory, contract, prices, decks): a new number, the same billing month, and the
 * calls the voided invoice billed rated again and billed by the replacement. The void and the
 * release of its calls commit together; the replacement is the bill run's, for this one account,
 * so it follows every bill-run rule (RUN-9: one monthly invoice in force per account and month).
 * Should the bill run fail or stop before it, the account stays due for the month and any later
 * run of the month issues the replacement.
 */
export async function reissueInvoice(ctx: Ctx, idOrNumber: string, reason: string): Promise<Reissue> {
  const voided = await voidInvoice(ctx, idOrNumber, reason, { reissue: true });
  const run = await billRun(ctx, {
    month: voided.billingMonth as BillingMonth,
    accountIds: [voided.accountId],
  });
  const replacement = await replacementOf(ctx, voided.id);
  if (replacement) return { voided, replacement, pending: null };
  const failure = run.failures[0];
  const pending = failure
    ? { code: failure.code, message: failure.message }
    : {
        code: 'not_due',
        message:
          `Account ${voided.accountId} is not due for ${voided.billingMonth} now (not active or ` +
          'suspended, or no contract billing by then): the next bill run of the month reissues it.',
      };
  return { voided, replacement: null, pending };
}
