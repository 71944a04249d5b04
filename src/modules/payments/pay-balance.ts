import type { Ctx } from '../../context.ts';
import { conflict, invalid, newId, notFound, sum } from '../../kernel/index.ts';
import { sql } from 'kysely';
import { type Account, getAccount } from '../accounts/index.ts';
import { retryAllowedAt } from './domain/lockout.ts';
import { balanceFrom, todayFor } from './ledger.ts';
import { type Payment, toPayment } from './payment.ts';
import { type ChargeRequest, ProcessorTimeout, paymentProcessor } from './processor.ts';
import { recordOutcome } from './record-outcome.ts';
import { loadLedger, lockPaymentAccount, paymentGuards, syncInvoiceEntries } from './repo.ts';

export interface PayBalanceInput {
  /** Minor units; default: the whole balance due (or of the chosen invoices). */
  amount?: number | undefined;
  /** Pay these invoices (ids or numbers) first; default oldest first. */
  invoiceIds?: string[] | undefined;
  /** Default: the account's default method. */
  paymentMethodId?: string | undefined;
  /** PAY-7: the same key never charges twice; its first result is returned again. */
  idempotencyKey?: string | undefined;
  source?: 'online' | 'autopay';
}

/**
 * PAY-4: pays the balance, in full or in part, by card or bank account through the processor.
 *
 * 1. Under the account's payment lock: the idempotency key (a known key returns its payment),
 *    the one-hour lockout after a decline (PAY-5), what is due less what other payments in flight
 *    have reserved (so concurrent payments never collect more than is owed), and a `pending`
 *    payment row — committed before the processor is called.
 * 2. The processor, with the payment id as its idempotency key.
 * 3. The outcome, applied once (record-outcome.ts). A timeout leaves the payment `unknown`; the
 *    janitor (reconcile.ts) asks the processor what happened instead of charging again.
 */
export async function payBalance(ctx: Ctx, accountId: string, input: PayBalanceInput = {}): Promise<Payment> {
  const account = await getAccount(ctx, accountId);
  const started = await startPayment(ctx, account, input);
  if (started.replay) return started.payment;
  const { request } = started;
  let outcome;
  try {
    outcome = await paymentProcessor().charge(request);
  } catch (e) {
    if (!(e instanceof ProcessorTimeout)) throw e;
    outcome = { outcome: 'timeout' as const };
  }
  return recordOutcome(ctx, request.paymentId, outcome, account);
}

type Started = { replay: true; payment: Payment } | { replay: false; request: ChargeRequest };

async function startPayment(ctx: Ctx, account: Account, input: PayBalanceInput): Promise<Started> {
  const now = ctx.clock.now();
  const today = todayFor(ctx, account);
  return ctx.db.transaction().execute(async (trx): Promise<Started> => {
    const pa = await lockPaymentAccount(trx, account.id, now);
    const methodId = input.paymentMethodId ?? pa.default_method_id;
    const guards = await paymentGuards(trx, account.id, input.idempotencyKey ?? null, methodId);
    if (guards.seen) {
      const seen = await trx
        .selectFrom('payments')
        .selectAll()
        .where('id', '=', guards.seen)
        .executeTakeFirstOrThrow();
      return { replay: true, payment: toPayment(seen) };
    }
    const retryAt = retryAllowedAt(guards.lastDecline, now);
    if (retryAt) {
      throw invalid(
        'payment_retry_locked',
        `A declined payment can be resubmitted one hour after the decline: try again at ${retryAt.toISOString()}.`,
        { retryAt: retryAt.toISOString() },
      );
    }
    let rows = guards.ledger;
    if (guards.unsynced) {
      await syncInvoiceEntries(trx, [account.id], now, today);
      rows = await loadLedger(trx, account.id);
    }
    const { balance, position } = balanceFrom(account, rows, today);
    let targets: string[] = [];
    let open = balance.balanceDue;
    if (input.invoiceIds?.length) {
      const byKey = new Map(
        rows
          .filter((r) => r.kind === 'invoice')
          .flatMap((r) => [[r.invoiceId!, r] as const, [r.invoiceNumber!, r] as const]),
      );
      targets = input.invoiceIds.map((k) => {
        const r = byKey.get(k);
        if (!r) throw notFound('invoice_not_found', `No invoice ${k} on account ${account.number}.`);
        return r.invoiceId!;
      });
      targets = [...new Set(targets)];
      open = Math.min(open, sum(targets.map((id) => position.invoiceOpen.get(id) ?? 0)));
    }
    const available = open - guards.reserved;
    if (available <= 0) {
      throw conflict(
        'nothing_to_pay',
        guards.reserved > 0 && open > 0
          ? 'A payment for what is due is already in progress; nothing more can be charged now.'
          : 'Nothing is due: the balance (or the chosen invoices) is already paid.',
        { balanceDue: balance.balanceDue, inProgress: guards.reserved },
      );
    }
    const amount = input.amount ?? available;
    if (!Number.isSafeInteger(amount) || amount <= 0) {
      throw invalid('invalid_amount', 'amount must be a positive whole number of minor units (cents).');
    }
    if (amount > available) {
      throw invalid(
        'amount_exceeds_balance',
        `The amount ${amount} is more than the ${available} that is due (in minor units); pay at most that.`,
        { available },
      );
    }
    if (!methodId) {
      throw invalid('no_payment_method', 'The account has no default payment method: add one or choose one.');
    }
    const method = guards.method;
    if (!method) throw notFound('payment_method_not_found', `No payment method ${methodId} on this account.`);
    const id = newId('pay', now);
    const source = input.source ?? 'online';
    // The pending payment and its event in one call (the hot path of every payment).
    const row = JSON.stringify({
      id,
      account_id: account.id,
      currency: account.currency,
      amount,
      method_type: method.type,
      payment_method_id: method.id,
      source,
      targets,
      idempotency_key: input.idempotencyKey ?? null,
      received_on: today,
    });
    await sql`SELECT start_payment(${row}::json, ${ctx.actor}, ${now.toISOString()}::timestamptz)`.execute(
      trx,
    );
    return {
      replay: false,
      request: {
        paymentId: id,
        token: method.token,
        amount,
        currency: account.currency,
        methodType: method.type,
        at: now,
      },
    };
  });
}
