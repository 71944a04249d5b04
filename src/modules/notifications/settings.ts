import type { Ctx } from '../../context.ts';
import { invalid } from '../../kernel/index.ts';
import { appendEvents } from '../../db/index.ts';
import {
  type DeliverySettings,
  isDeliverySettingKey,
  resolveSettings,
  settingProblem,
} from './domain/policy.ts';
import { lockState, readState, saveSettings } from './repo.ts';

export async function getDeliverySettings(ctx: Ctx): Promise<DeliverySettings> {
  return resolveSettings((await readState(ctx.db)).settings);
}

/** Staff change the throttle or retry rules; unnamed settings keep their values. */
export async function updateDeliverySettings(
  ctx: Ctx,
  patch: Partial<Record<keyof DeliverySettings, number>>,
): Promise<DeliverySettings> {
  for (const [key, value] of Object.entries(patch)) {
    if (!isDeliverySettingKey(key)) throw invalid('unknown_setting', `No delivery setting "${key}".`);
    const problem = settingProblem(key, value as number);
    if (problem) throw invalid('invalid_setting', problem, { field: key });
  }
  return ctx.db.transaction().execute(async (trx) => {
    const state = await lockState(trx);
    const next = { ...resolveSettings(state.settings), ...patch };
    await saveSettings(trx, next);
    await appendEvents(trx, ctx.actor, ctx.clock.now(), [
      { type: 'invoice_delivery.settings_changed', subjectId: 'invoice_delivery', payload: { ...patch } },
    ]);
    return next;
  });
}
