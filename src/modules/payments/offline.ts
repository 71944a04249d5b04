import type { Ctx } from '../../context.ts';
import { conflict, invalid, newId, notFound, parseDate } from '../../kernel/index.ts';
import { appendEvents } from '../../db/index.ts';
import { type Account, getAccount } from '../accounts/index.ts';
import { settleAccount, todayFor } from './ledger.ts';
import { type Payment, toPayment } from './payment.ts';
import { receiptEvent } from './record-outcome.ts';
import { appendLedgerEntries, loadLedger, lockPaymentAccount, syncInvoiceEntries } from './repo.ts';

export interface OfflinePaymentInput {
  method: 'cheque' | 'transfer';
  amount: number;
  /** Cheque number or transfer reference (SPEI/TEF: the invoice number). */
  reference?: string | undefined;
  receivedOn?: string | undefined;
  invoiceIds?: string[] | undefined;
  /** A bank-file line's own identity: importing the same line twice records it once. */
  externalRef?: string | undefined;
  source?: 'offline' | 'bank_file';
}

/**
 * PAY-1: staff record a cheque or a bank transfer. It is money already received: the payment is
 * succeeded at once, and more than is due becomes account credit (COL-1).
 */
export async function recordOfflinePayment(
  ctx: Ctx,
  accountId: string,
  input: OfflinePaymentInput,
  known?: Account,
): Promise<Payment & { replayed: boolean }> {
  const account = known ?? (await getAccount(ctx, accountId));
  if (input.method !== 'cheque' && input.method !== 'transfer') {
    throw invalid('invalid_method', 'An offline payment is a cheque or a transfer.');
  }
  if (!Number.isSafeInteger(input.amount) || input.amount <= 0) {
    throw invalid('invalid_amount', 'amount must be a positive whole number of minor units (cents).');
  }
  const now = ctx.clock.now();
  const today = todayFor(ctx, account);
  const receivedOn = input.receivedOn ? parseDate(input.receivedOn, 'receivedOn') : today;
  if (receivedOn > today) throw invalid('future_date', 'A payment cannot be received in the future.');
  return ctx.db.transaction().execute(async (trx) => {
    await lockPaymentAccount(trx, account.id, now);
    if (input.externalRef) {
      const seen = await trx
        .selectFrom('payments')
        .selectAll()
        .where('external_ref', '=', input.externalRef)
        .executeTakeFirst();
      if (seen) {
        if (seen.account_id !== account.id)
          throw conflict('reference_used', `Reference ${input.externalRef} was recorded on another account.`);
        return { ...toPayment(seen), replayed: true };
      }
    }
    await syncInvoiceEntries(trx, [account.id], now, today);
    let targets: string[] = [];
    if (input.invoiceIds?.length) {
      const rows = await loadLedger(trx, account.id);
      targets = input.invoiceIds.map((k) => {
        const r = rows.find((x) => x.kind === 'invoice' && (x.invoiceId === k || x.invoiceNumber === k));
        if (!r) throw notFound('invoice_not_found', `No invoice ${k} on account ${account.number}.`);
        return r.invoiceId!;
      });
    }
    const id = newId('pay', now);
    const row = await trx
      .insertInto('payments')
      .values({
        id,
        account_id: account.id,
        currency: account.currency,
        amount: input.amount,
        method_type: input.method,
        payment_method_id: null,
        source: input.source ?? 'offline',
        status: 'succeeded',
        targets: JSON.stringify(targets),
        idempotency_key: null,
        external_ref: input.externalRef ?? null,
        processor_ref: input.reference ?? null,
        decline_code: null,
        message: input.reference ? `${input.method} ${input.reference}` : null,
        received_on: receivedOn,
        settles_on: null,
        created_at: now,
        decided_at: now,
        actor: ctx.actor,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendLedgerEntries(
      trx,
      [
        {
          accountId: account.id,
          currency: account.currency,
          kind: 'payment',
          amount: -input.amount,
          date: receivedOn,
          paymentId: id,
          targets,
          memo: row.message,
        },
      ],
      ctx.actor,
      now,
    );
    await settleAccount(trx, ctx, account, today);
    await appendEvents(trx, ctx.actor, now, [
      {
        type: 'payment.succeeded',
        subjectId: id,
        accountId: account.id,
        payload: { amount: input.amount, method: input.method },
      },
      receiptEvent(account, row),
    ]);
    return { ...toPayment(row), replayed: false };
  });
}
