import { sql } from 'kysely';
import type { Ctx } from '../../context.ts';
import { invalid, newId } from '../../kernel/index.ts';
import { type Db, appendEvents } from '../../db/index.ts';
import type { Account } from '../accounts/index.ts';
import { type AccountBalance, settleAccount, todayFor } from './ledger.ts';
import { appendLedgerEntries, lockPaymentAccount, syncInvoiceEntries } from './repo.ts';

export interface CreditNote {
  id: string;
  number: string;
  accountId: string;
  invoiceId: string;
  amount: number;
  currency: string;
  reason: string;
  issueDate: string;
}

/**
 * DSP-2: a credit note against an invoice, in the caller's transaction: a numbered document
 * (CN-<entity>-<8 digits>, gapless per entity like invoice numbers) and a ledger credit that pays
 * the invoice first and reduces the balance; beyond what is open it is account credit.
 */
export async function issueCreditNote(
  db: Db,
  ctx: Ctx,
  account: Account,
  input: { invoiceId: string; amount: number; reason: string },
): Promise<{ creditNote: CreditNote; balance: AccountBalance }> {
  if (!Number.isSafeInteger(input.amount) || input.amount <= 0) {
    throw invalid('invalid_amount', 'A credit note is for a positive amount in minor units.');
  }
  const now = ctx.clock.now();
  const today = todayFor(ctx, account);
  await lockPaymentAccount(db, account.id, now);
  await syncInvoiceEntries(db, [account.id], now, today);
  const seq = await sql<{ next_value: number }>`
    INSERT INTO credit_note_sequences (entity_id, next_value) VALUES (${account.entityId}, 2)
    ON CONFLICT (entity_id) DO UPDATE SET next_value = credit_note_sequences.next_value + 1
    RETURNING next_value`.execute(db);
  const number = `CN-${account.entityCode}-${String(seq.rows[0]!.next_value - 1).padStart(8, '0')}`;
  const id = newId('cn', now);
  await db
    .insertInto('credit_notes')
    .values({
      id,
      number,
      account_id: account.id,
      invoice_id: input.invoiceId,
      currency: account.currency,
      amount: input.amount,
      reason: input.reason,
      issue_date: today,
      created_at: now,
      actor: ctx.actor,
    })
    .execute();
  await appendLedgerEntries(
    db,
    [
      {
        accountId: account.id,
        currency: account.currency,
        kind: 'credit_note',
        amount: -input.amount,
        date: today,
        invoiceId: input.invoiceId,
        documentId: id,
        memo: `credit note ${number}: ${input.reason}`,
      },
    ],
    ctx.actor,
    now,
  );
  const balance = await settleAccount(db, ctx, account, today);
  await appendEvents(db, ctx.actor, now, [
    {
      type: 'credit_note.issued',
      subjectId: id,
      accountId: account.id,
      payload: { number, invoiceId: input.invoiceId, amount: input.amount },
    },
  ]);
  return {
    creditNote: {
      id,
      number,
      accountId: account.id,
      invoiceId: input.invoiceId,
      amount: input.amount,
      currency: account.currency,
      reason: input.reason,
      issueDate: today,
    },
    balance,
  };
}
