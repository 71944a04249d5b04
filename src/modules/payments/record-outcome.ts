import type { Ctx } from '../../context.ts';
import { type Db, appendEvents, type DomainEvent } from '../../db/index.ts';
import { type Account, getAccount } from '../accounts/index.ts';
import { RETRY_AFTER_DECLINE_MS } from './domain/lockout.ts';
import { type Payment, type PaymentRow, toPayment } from './payment.ts';
import type { ChargeOutcome } from './processor.ts';
import { appendLedgerEntries } from './repo.ts';
import { settleAccount, todayFor } from './ledger.ts';

/** Where a payment receipt goes (ACC-3): the single receipt address, else the primary contact. */
export const receiptAddressOf = (account: Account): string | null =>
  account.receiptEmail ?? account.invoiceRecipients.find((r) => r.primary)?.email ?? null;

/** The receipt, recorded as an event for the mail queue (what the e-mail says is in the payload). */
export function receiptEvent(account: Account, p: PaymentRow): DomainEvent {
  return {
    type: 'payment.receipt',
    subjectId: p.id,
    accountId: account.id,
    payload: {
      to: receiptAddressOf(account),
      amount: p.amount,
      currency: p.currency,
      invoiceIds: p.targets,
      status: p.status,
      paymentId: p.id,
      receivedOn: p.received_on,
      method: p.method_type,
    },
  };
}

/**
 * Applies what the processor said about a payment, once: a payment already decided is returned
 * as it is (the janitor and a late answer may both get here). Success writes the ledger entry,
 * marks paid invoices Paid and sends the receipt; a decline starts the one-hour lockout (PAY-5);
 * a timeout leaves the payment unknown for the janitor. All in one transaction with its events.
 */
export async function recordOutcome(
  ctx: Ctx,
  paymentId: string,
  outcome: Outcome,
  account?: Account,
): Promise<Payment> {
  let acc = account;
  if (!acc) {
    const head = await ctx.db
      .selectFrom('payments')
      .select('account_id')
      .where('id', '=', paymentId)
      .executeTakeFirstOrThrow();
    acc = await getAccount(ctx, head.account_id);
  }
  return ctx.db.transaction().execute(async (trx) => applyOutcome(trx, ctx, acc!, paymentId, outcome));
}

type Outcome = ChargeOutcome | { outcome: 'timeout' } | { outcome: 'abandoned'; message: string };

function paymentUpdate(outcome: Outcome, now: Date): Partial<PaymentRow> {
  switch (outcome.outcome) {
    case 'succeeded':
    case 'processing':
      return {
        status: outcome.outcome,
        processor_ref: outcome.processorRef,
        settles_on: outcome.outcome === 'processing' ? outcome.settlesOn : null,
        decided_at: now,
      };
    case 'declined':
      return { status: 'declined', decline_code: outcome.code, message: outcome.message, decided_at: now };
    case 'error':
    case 'abandoned':
      return { status: 'failed', message: outcome.message, decided_at: now };
    case 'timeout':
      return { status: 'unknown', message: 'The processor did not answer; the payment is being confirmed.' };
  }
}

/** In the caller's transaction; takes the account's payment lock. */
export async function applyOutcome(
  trx: Db,
  ctx: Ctx,
  account: Account,
  paymentId: string,
  outcome: Outcome,
): Promise<Payment> {
  const now = ctx.clock.now();
  const events: DomainEvent[] = [];
  // Only an undecided payment moves: a late or repeated answer finds it decided and changes nothing.
  // The account's payment lock is taken by the same statement (the CTE runs before the update).
  const updated = await trx
    .with('account_lock', (db) =>
      db.selectFrom('payment_accounts').select('account_id').where('account_id', '=', account.id).forUpdate(),
    )
    .updateTable('payments')
    .where((eb) => eb.exists(eb.selectFrom('account_lock').select('account_id')))
    .set(paymentUpdate(outcome, now))
    .where('id', '=', paymentId)
    .where('status', 'in', ['pending', 'unknown'])
    .returningAll()
    .executeTakeFirst();
  if (!updated) {
    return toPayment(
      await trx.selectFrom('payments').selectAll().where('id', '=', paymentId).executeTakeFirstOrThrow(),
    );
  }
  const p = updated;
  switch (outcome.outcome) {
    case 'succeeded':
    case 'processing': {
      await appendLedgerEntries(
        trx,
        [
          {
            accountId: account.id,
            currency: p.currency,
            kind: 'payment',
            amount: -p.amount,
            date: p.received_on,
            paymentId: p.id,
            targets: p.targets as string[],
            memo: `${p.source} ${p.method_type} payment`,
          },
        ],
        ctx.actor,
        now,
        [
          {
            type: `payment.${outcome.outcome}`,
            subjectId: p.id,
            accountId: account.id,
            payload: { amount: p.amount },
          },
          receiptEvent(account, updated),
        ],
      );
      await settleAccount(trx, ctx, account, todayFor(ctx, account));
      break;
    }
    case 'declined': {
      const retryAt = new Date(now.getTime() + RETRY_AFTER_DECLINE_MS);
      events.push({
        type: 'payment.declined',
        subjectId: p.id,
        accountId: account.id,
        payload: { code: outcome.code, amount: p.amount, source: p.source, retryAt: retryAt.toISOString() },
      });
      break;
    }
    case 'error':
    case 'abandoned':
      events.push({
        type: 'payment.failed',
        subjectId: p.id,
        accountId: account.id,
        payload: { message: outcome.message },
      });
      break;
    case 'timeout':
      events.push({ type: 'payment.unknown', subjectId: p.id, accountId: account.id, payload: {} });
      break;
  }
  await appendEvents(trx, ctx.actor, now, events);
  return toPayment(updated);
}
