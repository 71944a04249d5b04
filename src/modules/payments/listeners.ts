import type { Ctx } from '../../context.ts';
import type { Db } from '../../db/index.ts';
import type { Account } from '../accounts/index.ts';
import type { AccountBalance } from './ledger.ts';

/**
 * Modules above payments (collections) react to every change of an account's money inside the
 * same transaction — e.g. reactivating a suspended account the moment its past-due balance reaches
 * 0.00 (COL-3) — without payments depending on them.
 */
export type LedgerListener = (
  db: Db,
  ctx: Ctx,
  account: Pick<Account, 'id'> & { status?: string },
  balance: AccountBalance,
) => Promise<void>;

const listeners: LedgerListener[] = [];

export function onLedgerChange(listener: LedgerListener): void {
  if (!listeners.includes(listener)) listeners.push(listener);
}

export async function notifyLedgerChange(
  db: Db,
  ctx: Ctx,
  account: Pick<Account, 'id'> & { status?: string },
  balance: AccountBalance,
) {
  for (const l of listeners) await l(db, ctx, account, balance);
}
