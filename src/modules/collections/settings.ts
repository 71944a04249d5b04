import type { Ctx } from '../../context.ts';
import { invalid } from '../../kernel/index.ts';
import { type CollectionPolicy, resolvePolicy } from './domain/policy.ts';

const KINDS = ['reminder', 'past_due', 'suspension_warning', 'suspension', 'deactivation_warning'];

export async function getCollectionPolicy(ctx: Ctx): Promise<CollectionPolicy> {
  const row = await ctx.db
    .selectFrom('collection_settings')
    .select('settings')
    .where('id', '=', 1)
    .executeTakeFirst();
  return resolvePolicy(row?.settings as Partial<CollectionPolicy> | undefined);
}

/** COL-2: the dunning schedule and the suspension/deactivation days are data staff can change. */
export async function updateCollectionPolicy(
  ctx: Ctx,
  input: Partial<CollectionPolicy>,
): Promise<CollectionPolicy> {
  const next = resolvePolicy({ ...(await getCollectionPolicy(ctx)), ...input });
  if (!Number.isInteger(next.suspendAfterDays) || next.suspendAfterDays < 1) {
    throw invalid('invalid_policy', 'suspendAfterDays must be a whole number of days, at least 1.');
  }
  if (!Number.isInteger(next.deactivateAfterDays) || next.deactivateAfterDays < next.suspendAfterDays) {
    throw invalid(
      'invalid_policy',
      'deactivateAfterDays must be a whole number, not before the suspension day.',
    );
  }
  for (const s of next.schedule) {
    if (!Number.isInteger(s.days) || !KINDS.includes(s.kind)) {
      throw invalid('invalid_policy', `Each dunning step needs whole days and a kind (${KINDS.join(', ')}).`);
    }
  }
  const settings = JSON.stringify(next);
  await ctx.db
    .insertInto('collection_settings')
    .values({ id: 1, settings })
    .onConflict((oc) => oc.column('id').doUpdateSet({ settings }))
    .execute();
  return next;
}
