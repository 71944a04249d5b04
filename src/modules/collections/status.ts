import type { Ctx } from '../../context.ts';
import type { Db } from '../../db/index.ts';
import {
  type Account,
  type AccountStatus,
  changeAccountStatus,
  currentAccountStatus,
} from '../accounts/index.ts';
import {
  type AccountBalance,
  lockPaymentAccount,
  settleAccount,
  syncInvoiceEntries,
  todayFor,
} from '../payments/index.ts';
import { setServiceState } from '../inventory/index.ts';

export interface StatusChange {
  to: 'active' | 'suspended' | 'deactivated';
  reason: string;
  daysPastDue?: number | null;
  pastDue?: number | null;
  proof?: string | null;
}

/**
 * COL-3/COL-4: moves the account and its services together (the inventory marks them suspended,
 * deactivated or active again) and records the change, in the caller's transaction — which holds
 * the account's payment lock, so a payment and a suspension never cross.
 */
export async function applyStatusChange(
  db: Db,
  ctx: Ctx,
  accountId: string,
  change: StatusChange,
): Promise<AccountStatus | null> {
  const from = await changeAccountStatus(db, ctx, accountId, change.to, {
    reason: change.reason,
    daysPastDue: change.daysPastDue ?? null,
    pastDue: change.pastDue ?? null,
  });
  if (from === null) return null;
  await setServiceState(db, ctx, accountId, change.to);
  await db
    .insertInto('account_status_changes')
    .values({
      account_id: accountId,
      from_status: from,
      to_status: change.to,
      reason: change.reason,
      days_past_due: change.daysPastDue ?? null,
      past_due: change.pastDue ?? null,
      proof: change.proof ?? null,
      actor: ctx.actor,
      occurred_at: ctx.clock.now(),
    })
    .execute();
  return from;
}

/**
 * Takes the account's payment lock in the caller's transaction, brings its invoices into the
 * ledger and settles it (which runs the ledger listeners, e.g. reactivation at 0.00); returns the
 * balance and the status the account has after that.
 */
export async function settleUnderLock(
  db: Db,
  ctx: Ctx,
  account: Account,
): Promise<{ balance: AccountBalance; status: AccountStatus }> {
  const now = ctx.clock.now();
  const today = todayFor(ctx, account);
  await lockPaymentAccount(db, account.id, now);
  await syncInvoiceEntries(db, [account.id], now, today);
  const balance = await settleAccount(db, ctx, account, today);
  return { balance, status: await currentAccountStatus(db, account.id) };
}
