import type { Ctx } from '../../context.ts';
import { invalid } from '../../kernel/index.ts';
import { appendEvents } from '../../db/index.ts';
import { getAccount } from '../accounts/index.ts';
import { type AccountBalance, balanceFrom, settleAccount, todayFor } from './ledger.ts';
import { appendLedgerEntries, loadLedger, lockPaymentAccount, syncInvoiceEntries } from './repo.ts';

type Account = Awaited<ReturnType<typeof getAccount>>;
type Trx = Parameters<typeof loadLedger>[0];

/**
 * A staff entry on an account's ledger (a refund or an adjustment) with its event, in one
 * transaction under the account's payment lock; `check` may refuse it once the ledger is read.
 */
async function postStaffEntry(
  ctx: Ctx,
  account: Account,
  entry: { kind: 'refund' | 'adjustment'; event: string; amount: number; reason: string },
  check: (trx: Trx, today: string) => Promise<void> = async () => {},
): Promise<AccountBalance> {
  const now = ctx.clock.now();
  const today = todayFor(ctx, account);
  return ctx.db.transaction().execute(async (trx) => {
    await lockPaymentAccount(trx, account.id, now);
    await syncInvoiceEntries(trx, [account.id], now, today);
    await check(trx, today);
    await appendLedgerEntries(
      trx,
      [
        {
          accountId: account.id,
          currency: account.currency,
          kind: entry.kind,
          amount: entry.amount,
          date: today,
          memo: entry.reason,
        },
      ],
      ctx.actor,
      now,
    );
    await appendEvents(trx, ctx.actor, now, [
      {
        type: entry.event,
        subjectId: account.id,
        accountId: account.id,
        payload: { amount: entry.amount, reason: entry.reason },
      },
    ]);
    return settleAccount(trx, ctx, account, today);
  });
}

/**
 * Staff pay back account credit (an overpayment): a refund entry in the ledger, never more than
 * the credit there is. Refunds of disputed charges are credit notes (DSP-1), not refunds.
 */
export async function refundCredit(
  ctx: Ctx,
  accountId: string,
  input: { amount: number; reason: string },
): Promise<AccountBalance> {
  const account = await getAccount(ctx, accountId);
  if (!Number.isSafeInteger(input.amount) || input.amount <= 0) {
    throw invalid('invalid_amount', 'amount must be a positive whole number of minor units (cents).');
  }
  if (!input.reason?.trim()) throw invalid('reason_required', 'Say why the credit is refunded.');
  const entry = { kind: 'refund' as const, event: 'credit.refunded', ...input };
  return postStaffEntry(ctx, account, entry, async (trx, today) => {
    const { balance } = balanceFrom(account, await loadLedger(trx, account.id), today);
    if (input.amount > balance.credit) {
      throw invalid(
        'refund_exceeds_credit',
        `Only account credit can be refunded: the account has ${balance.credit} (minor units) of credit.`,
        { credit: balance.credit },
      );
    }
  });
}

/** Staff correct a balance with a signed adjustment (positive: a debit, negative: a credit). */
export async function adjustBalance(
  ctx: Ctx,
  accountId: string,
  input: { amount: number; reason: string },
): Promise<AccountBalance> {
  const account = await getAccount(ctx, accountId);
  if (!Number.isSafeInteger(input.amount) || input.amount === 0) {
    throw invalid('invalid_amount', 'amount must be a non-zero whole number of minor units.');
  }
  if (!input.reason?.trim()) throw invalid('reason_required', 'Say why the balance is adjusted.');
  return postStaffEntry(ctx, account, { kind: 'adjustment', event: 'balance.adjusted', ...input });
}
