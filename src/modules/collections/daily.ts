import { sql } from 'kysely';
import type { Ctx } from '../../context.ts';
import { appendEvents } from '../../db/index.ts';
import { getAccount } from '../accounts/index.ts';
import { reconcilePayments, runAutopay, todayFor } from '../payments/index.ts';
import { noticesDue, statusDecision } from './domain/policy.ts';
import { getCollectionPolicy } from './settings.ts';
import { applyStatusChange, settleUnderLock } from './status.ts';

export interface CollectionsRunResult {
  accounts: number;
  notices: number;
  suspended: number;
  reactivated: number;
  deactivated: number;
  autopay: { attempted: number; succeeded: number; failed: number };
  reconciled: { reconciled: number; settled: number; returned: number };
}

/**
 * The daily collections check (COL-2..4), for the accounts of some time zones (on a simulated
 * clock it runs at 00:00 in each zone) or all: the payment janitor, autopay on the 10th (PAY-6),
 * then per account its balance, the dunning notices due (recorded as events for the mail queue,
 * with the address), suspension at N days past due and reactivation at 0.00. Idempotent: notices
 * are keyed, autopay once a month, status changes only when the status differs.
 */
export async function runCollections(
  ctx: Ctx,
  opts: { timeZones?: string[] } = {},
): Promise<CollectionsRunResult> {
  const reconciled = await reconcilePayments(ctx);
  const autopay = await runAutopay(ctx, opts);
  const policy = await getCollectionPolicy(ctx);
  const result: CollectionsRunResult = {
    accounts: 0,
    notices: 0,
    suspended: 0,
    reactivated: 0,
    deactivated: 0,
    autopay,
    reconciled,
  };
  const r = await sql<{ id: string }>`
    SELECT a.id FROM accounts a
    WHERE a.status IN ('active', 'suspended', 'deactivated')
      ${opts.timeZones ? sql`AND a.time_zone = ANY(${opts.timeZones}::text[])` : sql``}
      AND (EXISTS (SELECT 1 FROM invoices i WHERE i.account_id = a.id)
        OR EXISTS (SELECT 1 FROM ledger_entries l WHERE l.account_id = a.id))
    ORDER BY a.id`.execute(ctx.db);
  for (const { id } of r.rows) {
    result.accounts++;
    const account = await getAccount(ctx, id);
    const now = ctx.clock.now();
    const today = todayFor(ctx, account);
    await ctx.db.transaction().execute(async (trx) => {
      // Settling runs the ledger listeners too (reactivation at 0.00).
      const { balance, status } = await settleUnderLock(trx, ctx, account);
      if (account.status === 'suspended' && status === 'active') result.reactivated++;
      const sent = await trx
        .selectFrom('collection_notices')
        .select('notice_key')
        .where('account_id', '=', account.id)
        .execute();
      const notices =
        status === 'cancelled'
          ? []
          : noticesDue(
              balance.openInvoices.filter((i) => i.dueDate).map((i) => ({ ...i, dueDate: i.dueDate! })),
              today,
              policy,
              new Set(sent.map((s) => s.notice_key)),
            );
      // Notices go to the primary billing contact (ACC-3); the e-mail copies the other recipients.
      const dueDates = new Map(balance.openInvoices.map((i) => [i.invoiceId, i.dueDate]));
      const to = account.invoiceRecipients.find((x) => x.primary)?.email ?? null;
      if (notices.length) {
        await trx
          .insertInto('collection_notices')
          .values(
            notices.map((n) => ({
              account_id: account.id,
              notice_key: n.key,
              invoice_id: n.invoiceId,
              kind: n.kind,
              days_past_due: n.daysPastDue,
              amount: n.amount,
              sent_to: to,
              sent_at: now,
            })),
          )
          .onConflict((oc) => oc.columns(['account_id', 'notice_key']).doNothing())
          .execute();
        await appendEvents(
          trx,
          ctx.actor,
          now,
          notices.map((n) => ({
            type: 'collections.notice',
            subjectId: n.invoiceId,
            accountId: account.id,
            payload: {
              kind: n.kind,
              to,
              invoiceNumber: n.number,
              daysPastDue: n.daysPastDue,
              amount: n.amount,
              currency: balance.currency,
              dueDate: dueDates.get(n.invoiceId) ?? null,
            },
          })),
        );
        result.notices += notices.length;
      }
      const decision = statusDecision(
        { status, pastDue: balance.pastDue, oldestPastDueDays: balance.oldestPastDueDays },
        policy,
      );
      if (!decision || decision === 'reactivate') return;
      const changed = await applyStatusChange(trx, ctx, account.id, {
        to: decision === 'suspend' ? 'suspended' : 'deactivated',
        reason:
          decision === 'suspend'
            ? `${balance.oldestPastDueDays} days past due (suspension at ${policy.suspendAfterDays})`
            : `${balance.oldestPastDueDays} days past due (deactivation after ${policy.deactivateAfterDays})`,
        daysPastDue: balance.oldestPastDueDays,
        pastDue: balance.pastDue,
      });
      if (changed) result[decision === 'suspend' ? 'suspended' : 'deactivated']++;
    });
  }
  return result;
}
