import type { Ctx } from '../../context.ts';
import { type Db, appendEvents } from '../../db/index.ts';

export type ServiceState = 'active' | 'suspended' | 'deactivated';

/**
 * COL-3/COL-4: an account's services follow its collection status — suspended with it, active
 * again when it is reactivated. Removed services keep their last state. In the caller's
 * transaction; returns how many services changed.
 */
export async function setServiceState(
  db: Db,
  ctx: Ctx,
  accountId: string,
  state: ServiceState,
): Promise<number> {
  const r = await db
    .updateTable('inventory_items')
    .set({ service_state: state })
    .where('account_id', '=', accountId)
    .where('removed_on', 'is', null)
    .where('service_state', '<>', state)
    .executeTakeFirst();
  const changed = Number(r.numUpdatedRows);
  if (changed > 0) {
    await appendEvents(db, ctx.actor, ctx.clock.now(), [
      { type: `services.${state}`, subjectId: accountId, accountId, payload: { services: changed } },
    ]);
  }
  return changed;
}
