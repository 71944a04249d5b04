import { sql } from 'kysely';
import type { Ctx } from '../../context.ts';
import { dateInZone, dateParts, isBillingError, monthOf } from '../../kernel/index.ts';
import { appendEvents } from '../../db/index.ts';
import { getAccount } from '../accounts/index.ts';
import { accountBalance } from './ledger.ts';
import { payBalance } from './pay-balance.ts';
import { receiptAddressOf } from './record-outcome.ts';
import { RETRY_AFTER_DECLINE_MS } from './domain/lockout.ts';

/** PAY-6: autopay charges on the 10th; a run missed while the instance was down catches up until the 12th. */
export const AUTOPAY_DAY = 10;
export const AUTOPAY_CATCH_UP_DAYS = 2;

export interface AutopayResult {
  attempted: number;
  succeeded: number;
  failed: number;
  nothingDue: number;
}

/**
 * PAY-6: on the 10th (account time zone), every account with autopay on is charged its balance
 * due on its default method — once a month: the month is the payment's idempotency key and is
 * recorded per account. A failure is notified (event with the billing contact) and the unpaid
 * balance goes through collections like any other.
 */
export async function runAutopay(ctx: Ctx, opts: { timeZones?: string[] } = {}): Promise<AutopayResult> {
  const now = ctx.clock.now();
  const result: AutopayResult = { attempted: 0, succeeded: 0, failed: 0, nothingDue: 0 };
  const r = await sql<{ account_id: string; time_zone: string }>`
    SELECT pa.account_id, a.time_zone FROM payment_accounts pa JOIN accounts a ON a.id = pa.account_id
    WHERE pa.autopay AND pa.default_method_id IS NOT NULL AND a.status <> 'cancelled'
      ${opts.timeZones ? sql`AND a.time_zone = ANY(${opts.timeZones}::text[])` : sql``}
    ORDER BY pa.account_id`.execute(ctx.db);
  for (const row of r.rows) {
    const today = dateInZone(now, row.time_zone);
    const day = dateParts(today).day;
    if (day < AUTOPAY_DAY || day > AUTOPAY_DAY + AUTOPAY_CATCH_UP_DAYS) continue;
    const month = monthOf(today);
    const done = await ctx.db
      .selectFrom('autopay_runs')
      .select('outcome')
      .where('account_id', '=', row.account_id)
      .where('month', '=', month)
      .executeTakeFirst();
    if (done) continue;
    const balance = await accountBalance(ctx, row.account_id);
    let paymentId: string | null = null;
    let outcome: string;
    if (balance.balanceDue <= 0) {
      outcome = 'nothing_due';
      result.nothingDue++;
    } else {
      result.attempted++;
      try {
        const p = await payBalance(ctx, row.account_id, {
          source: 'autopay',
          idempotencyKey: `autopay:${month}`,
        });
        paymentId = p.id;
        outcome = p.status;
      } catch (e) {
        if (!isBillingError(e)) throw e;
        outcome = e.code;
      }
      if (outcome === 'succeeded' || outcome === 'processing' || outcome === 'unknown') result.succeeded++;
      else result.failed++;
    }
    const account = await getAccount(ctx, row.account_id);
    await ctx.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('autopay_runs')
        .values({ account_id: row.account_id, month, payment_id: paymentId, outcome, created_at: now })
        .onConflict((oc) => oc.columns(['account_id', 'month']).doNothing())
        .returning('account_id')
        .executeTakeFirst();
      if (!inserted || ['succeeded', 'processing', 'unknown', 'nothing_due'].includes(outcome)) return;
      await appendEvents(trx, ctx.actor, now, [
        {
          type: 'autopay.failed',
          subjectId: paymentId ?? row.account_id,
          accountId: row.account_id,
          payload: {
            month,
            outcome,
            amount: balance.balanceDue,
            currency: balance.currency,
            notify: receiptAddressOf(account),
            paymentId,
            invoiceNumbers: balance.openInvoices.map((i) => i.number),
            // PAY-5: a declined charge may be tried again an hour later.
            retryAt:
              outcome === 'declined' ? new Date(now.getTime() + RETRY_AFTER_DECLINE_MS).toISOString() : null,
          },
        },
      ]);
    });
  }
  return result;
}
