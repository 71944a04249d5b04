import type { Ctx } from '../../context.ts';
import { type Db, appendEvents } from '../../db/index.ts';
import type { AccountStatus } from './accounts.ts';

/** The account's status as the caller's transaction sees it now (another may have changed it). */
export async function currentAccountStatus(db: Db, accountId: string): Promise<AccountStatus> {
  const row = await db
    .selectFrom('accounts')
    .select('status')
    .where('id', '=', accountId)
    .executeTakeFirstOrThrow();
  return row.status;
}

/**
 * Moves an account to another status in the caller's transaction (collections: suspension,
 * deactivation, reactivation) and announces it. Returns the status it had, or null when the
 * account was already there (nothing written).
 */
export async function changeAccountStatus(
  db: Db,
  ctx: Ctx,
  accountId: string,
  to: AccountStatus,
  payload: Record<string, unknown>,
): Promise<AccountStatus | null> {
  const row = await db
    .selectFrom('accounts')
    .select('status')
    .where('id', '=', accountId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  if (row.status === to) return null;
  await db.updateTable('accounts').set({ status: to }).where('id', '=', accountId).execute();
  await appendEvents(db, ctx.actor, ctx.clock.now(), [
    {
      type: 'account.status_changed',
      subjectId: accountId,
      accountId,
      payload: { from: row.status, to, ...payload },
    },
  ]);
  return row.status;
}
