import type { Ctx } from '../../context.ts';
import { conflict, invalid } from '../../kernel/index.ts';
import { getAccount } from '../accounts/index.ts';
import { deactivationAllowed } from './domain/policy.ts';
import { getCollectionPolicy } from './settings.ts';
import { applyStatusChange, settleUnderLock } from './status.ts';

/**
 * COL-4: staff deactivate an account for non-payment — only when something is more than 60 days
 * (the policy's deactivateAfterDays) past due.
 */
export async function deactivateAccount(ctx: Ctx, accountId: string, input: { reason?: string } = {}) {
  const account = await getAccount(ctx, accountId);
  const policy = await getCollectionPolicy(ctx);
  return ctx.db.transaction().execute(async (trx) => {
    const { balance: b, status } = await settleUnderLock(trx, ctx, account);
    if (status === 'deactivated')
      throw conflict('already_deactivated', `Account ${account.number} is already deactivated.`);
    if (status === 'cancelled')
      throw conflict('account_cancelled', `Account ${account.number} is cancelled.`);
    if (
      !deactivationAllowed({ status, pastDue: b.pastDue, oldestPastDueDays: b.oldestPastDueDays }, policy)
    ) {
      throw invalid(
        'deactivation_not_allowed',
        `An account can be deactivated for non-payment only when an invoice is more than ${policy.deactivateAfterDays} days past due; ` +
          `the oldest past-due item of ${account.number} is ${b.oldestPastDueDays} days past due.`,
        { oldestPastDueDays: b.oldestPastDueDays, pastDue: b.pastDue },
      );
    }
    await applyStatusChange(trx, ctx, account.id, {
      to: 'deactivated',
      reason: input.reason?.trim() || `non-payment: ${b.oldestPastDueDays} days past due`,
      daysPastDue: b.oldestPastDueDays,
      pastDue: b.pastDue,
    });
    return { accountId: account.id, status: 'deactivated' as const, balance: b };
  });
}

/**
 * COL-4: to restore a deactivated account the customer pays in full and sends proof of payment;
 * staff reactivate it. Refused while anything is owed or without the proof.
 */
export async function reactivateAccount(ctx: Ctx, accountId: string, input: { proof: string }) {
  const account = await getAccount(ctx, accountId);
  if (!input.proof?.trim()) {
    throw invalid(
      'proof_required',
      'Record the proof of payment the customer sent (e.g. transfer receipt number).',
    );
  }
  return ctx.db.transaction().execute(async (trx) => {
    const { balance: b, status } = await settleUnderLock(trx, ctx, account);
    if (status !== 'deactivated' && status !== 'suspended') {
      throw conflict(
        'not_deactivated',
        `Account ${account.number} is ${status}; only a deactivated or suspended account is reactivated.`,
      );
    }
    if (b.balanceDue > 0) {
      throw invalid(
        'balance_not_paid',
        `Account ${account.number} still owes ${b.balanceDue} (minor units): it is reactivated after full payment.`,
        { balanceDue: b.balanceDue },
      );
    }
    await applyStatusChange(trx, ctx, account.id, {
      to: 'active',
      reason: 'paid in full; reactivated by staff',
      daysPastDue: 0,
      pastDue: 0,
      proof: input.proof.trim(),
    });
    return { accountId: account.id, status: 'active' as const, balance: b };
  });
}

export async function statusHistory(ctx: Ctx, accountId: string) {
  const account = await getAccount(ctx, accountId);
  const rows = await ctx.db
    .selectFrom('account_status_changes')
    .selectAll()
    .where('account_id', '=', account.id)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    from: r.from_status,
    to: r.to_status,
    reason: r.reason,
    daysPastDue: r.days_past_due,
    pastDue: r.past_due,
    proof: r.proof,
    actor: r.actor,
    at: r.occurred_at.toISOString(),
  }));
}
