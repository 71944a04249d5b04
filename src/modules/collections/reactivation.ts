import type { Ctx } from '../../context.ts';
import type { Db } from '../../db/index.ts';
import { currentAccountStatus } from '../accounts/index.ts';
import type { AccountBalance } from '../payments/index.ts';
import { applyStatusChange } from './status.ts';

/**
 * COL-3: a ledger listener — in the transaction that moved the money, a suspended account whose
 * past-due balance is 0.00 is reactivated with its services. A deactivated one is not: staff
 * reactivate it (COL-4).
 */
export async function reactivateWhenPaid(
  db: Db,
  ctx: Ctx,
  account: { id: string; status?: string },
  balance: AccountBalance,
): Promise<void> {
  if (balance.pastDue > 0) return;
  // An account read as active just before this transaction needs nothing (the hot path of every
  // payment); a status changed in between is caught by the next daily check.
  if (account.status === 'active') return;
  if ((await currentAccountStatus(db, account.id)) !== 'suspended') return;
  await applyStatusChange(db, ctx, account.id, {
    to: 'active',
    reason: 'past-due balance paid (0.00)',
    daysPastDue: 0,
    pastDue: 0,
  });
}
