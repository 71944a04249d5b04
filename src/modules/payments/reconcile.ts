import type { Ctx } from '../../context.ts';
import { dateInZone } from '../../kernel/index.ts';
import { appendEvents } from '../../db/index.ts';
import { getAccount } from '../accounts/index.ts';
import { settleAccount, todayFor } from './ledger.ts';
import { type ChargeRequest, paymentProcessor } from './processor.ts';
import { recordOutcome } from './record-outcome.ts';
import { appendLedgerEntries, lockPaymentAccount } from './repo.ts';

export interface ReconcileResult {
  /** Unknown (timed-out) or stale pending payments whose outcome was settled. */
  reconciled: number;
  /** Bank debits that settled. */
  settled: number;
  /** Bank debits the bank returned: reversed in the ledger, their invoices reopened. */
  returned: number;
}

/** A payment still `pending` this long after it started lost its process before the processor answered. */
export const STALE_PENDING_MS = 5 * 60_000;

/**
 * The payment janitor (PAY-7): asks the processor what became of every payment left `unknown`
 * by a timeout (or `pending` by a crash) and applies the answer once — it never charges again.
 * Then settles bank debits that are due: settled, or returned (PAY-8), which reverses the payment
 * in the ledger and reopens what it paid. Safe to run twice or on several workers.
 */
export async function reconcilePayments(
  ctx: Ctx,
  opts: { accountIds?: string[] } = {},
): Promise<ReconcileResult> {
  const processor = paymentProcessor();
  const now = ctx.clock.now();
  const result: ReconcileResult = { reconciled: 0, settled: 0, returned: 0 };
  let q = ctx.db
    .selectFrom('payments as p')
    .innerJoin('payment_methods as m', 'm.id', 'p.payment_method_id')
    .select([
      'p.id',
      'p.account_id',
      'p.status',
      'p.amount',
      'p.currency',
      'p.method_type',
      'p.created_at',
      'm.token',
    ])
    .where((eb) =>
      eb.or([
        eb('p.status', '=', 'unknown'),
        eb.and([
          eb('p.status', '=', 'pending'),
          eb('p.created_at', '<', new Date(now.getTime() - STALE_PENDING_MS)),
        ]),
        eb('p.status', '=', 'processing'),
      ]),
    )
    .orderBy('p.created_at');
  if (opts.accountIds) q = q.where('p.account_id', 'in', opts.accountIds.length ? opts.accountIds : ['']);
  for (const p of await q.execute()) {
    const req: ChargeRequest = {
      paymentId: p.id,
      token: p.token,
      amount: p.amount,
      currency: p.currency,
      methodType: p.method_type as ChargeRequest['methodType'],
      at: p.created_at,
    };
    if (p.status !== 'processing') {
      const outcome = await processor.lookup(req);
      await recordOutcome(
        ctx,
        p.id,
        outcome ?? {
          outcome: 'abandoned',
          message: 'The processor never received the payment; nothing was charged.',
        },
      );
      result.reconciled++;
      continue;
    }
    const s = await processor.settlement(req, dateInZone(now, 'UTC'));
    if (s.status === 'pending') continue;
    const account = await getAccount(ctx, p.account_id);
    const done = await ctx.db.transaction().execute(async (trx) => {
      await lockPaymentAccount(trx, account.id, now);
      const cur = await trx
        .selectFrom('payments')
        .select('status')
        .where('id', '=', p.id)
        .executeTakeFirstOrThrow();
      if (cur.status !== 'processing') return false;
      if (s.status === 'settled') {
        await trx.updateTable('payments').set({ status: 'succeeded' }).where('id', '=', p.id).execute();
        await appendEvents(trx, ctx.actor, now, [
          { type: 'payment.settled', subjectId: p.id, accountId: account.id, payload: { amount: p.amount } },
        ]);
        return true;
      }
      const today = todayFor(ctx, account);
      await trx
        .updateTable('payments')
        .set({ status: 'returned', decline_code: s.code, message: s.message })
        .where('id', '=', p.id)
        .execute();
      await appendLedgerEntries(
        trx,
        [
          {
            accountId: account.id,
            currency: p.currency,
            kind: 'payment_return',
            amount: p.amount,
            date: today,
            paymentId: p.id,
            memo: s.message,
          },
        ],
        ctx.actor,
        now,
      );
      await settleAccount(trx, ctx, account, today);
      await appendEvents(trx, ctx.actor, now, [
        {
          type: 'payment.returned',
          subjectId: p.id,
          accountId: account.id,
          payload: { code: s.code, amount: p.amount },
        },
      ]);
      return true;
    });
    if (done) result[s.status === 'settled' ? 'settled' : 'returned']++;
  }
  return result;
}
