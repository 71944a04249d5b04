import type { Selectable } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { Ctx } from '../../context.ts';
import { conflict, dateInZone, invalid, newId, notFound } from '../../kernel/index.ts';
import { appendEvents } from '../../db/index.ts';
import { getAccount } from '../accounts/index.ts';
import { getInvoice } from '../invoicing/index.ts';
import { issueCreditNote } from '../payments/index.ts';
import { lastDisputeDay, withinDisputeWindow } from './domain/window.ts';

export interface Dispute {
  id: string;
  accountId: string;
  invoiceId: string;
  linePosition: number | null;
  amount: number;
  reason: string;
  status: 'open' | 'accepted' | 'rejected';
  /** What staff told the customer (the rejection reason, or the acceptance note). */
  resolution: string | null;
  creditNoteId: string | null;
  openedOn: string;
  lastDay: string;
  resolvedAt: string | null;
}

type Row = Selectable<Database['disputes']>;
const toDispute = (r: Row, issueDate: string): Dispute => ({
  id: r.id,
  accountId: r.account_id,
  invoiceId: r.invoice_id,
  linePosition: r.line_position,
  amount: r.amount,
  reason: r.reason,
  status: r.status,
  resolution: r.resolution,
  creditNoteId: r.credit_note_id,
  openedOn: r.opened_on,
  lastDay: lastDisputeDay(issueDate),
  resolvedAt: r.resolved_at?.toISOString() ?? null,
});

export interface OpenDisputeInput {
  reason: string;
  /** Dispute one line (its position) instead of the whole invoice. */
  linePosition?: number | undefined;
  /** Minor units; default the line's amount, or the invoice total. */
  amount?: number | undefined;
}

/**
 * DSP-1: a customer disputes an invoice, or one of its lines, within 15 days of its issue date
 * (account time zone). Later it is refused, saying until when it could have been.
 */
export async function openDispute(
  ctx: Ctx,
  invoiceIdOrNumber: string,
  input: OpenDisputeInput,
): Promise<Dispute> {
  const invoice = await getInvoice(ctx, invoiceIdOrNumber);
  const account = await getAccount(ctx, invoice.accountId);
  const today = dateInZone(ctx.clock.now(), account.timeZone);
  if (!input.reason?.trim()) throw invalid('reason_required', 'Say what is wrong with the invoice.');
  if (!withinDisputeWindow(invoice.issueDate, today)) {
    throw invalid(
      'dispute_window_closed',
      `Invoice ${invoice.number} was issued on ${invoice.issueDate}: it could be disputed only within 15 days of that date, ` +
        `until ${lastDisputeDay(invoice.issueDate)}. Today is ${today}, so the dispute cannot be opened and no credit can be issued for it.`,
      { issueDate: invoice.issueDate, lastDay: lastDisputeDay(invoice.issueDate), today },
    );
  }
  if (invoice.status === 'void') throw conflict('invoice_void', `Invoice ${invoice.number} is void.`);
  let max = invoice.total;
  if (input.linePosition !== undefined) {
    const line = invoice.lines?.find((l) => l.position === input.linePosition);
    if (!line)
      throw notFound('line_not_found', `Invoice ${invoice.number} has no line ${input.linePosition}.`);
    max = line.amount;
  }
  const amount = input.amount ?? max;
  if (!Number.isSafeInteger(amount) || amount <= 0 || amount > max) {
    throw invalid('invalid_amount', `The disputed amount must be from 1 to ${max} (minor units).`, { max });
  }
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const open = await trx
      .selectFrom('disputes')
      .select('id')
      .where('invoice_id', '=', invoice.id)
      .where('status', '=', 'open')
      .where((eb) =>
        input.linePosition === undefined
          ? eb('line_position', 'is', null)
          : eb('line_position', '=', input.linePosition),
      )
      .executeTakeFirst();
    if (open)
      throw conflict('dispute_already_open', `There is already an open dispute ${open.id} on this invoice.`);
    const row = await trx
      .insertInto('disputes')
      .values({
        id: newId('dsp', now),
        account_id: account.id,
        invoice_id: invoice.id,
        line_position: input.linePosition ?? null,
        amount,
        reason: input.reason.trim(),
        status: 'open',
        resolution: null,
        credit_note_id: null,
        opened_on: today,
        opened_at: now,
        opened_by: ctx.actor,
        resolved_at: null,
        resolved_by: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendEvents(trx, ctx.actor, now, [
      {
        type: 'dispute.opened',
        subjectId: row.id,
        accountId: account.id,
        payload: { invoiceId: invoice.id, amount },
      },
    ]);
    return toDispute(row, invoice.issueDate);
  });
}

/**
 * DSP-2: staff accept (a credit note for the disputed amount, or less, which reduces the balance)
 * or reject with a reason the customer sees.
 */
export async function resolveDispute(
  ctx: Ctx,
  disputeId: string,
  input: { decision: 'accept' | 'reject'; reason?: string | undefined; amount?: number | undefined },
): Promise<Dispute & { creditNoteNumber?: string }> {
  const d = await ctx.db.selectFrom('disputes').selectAll().where('id', '=', disputeId).executeTakeFirst();
  if (!d) throw notFound('dispute_not_found', `No dispute ${disputeId}.`);
  const invoice = await getInvoice(ctx, d.invoice_id);
  const account = await getAccount(ctx, d.account_id);
  if (input.decision === 'reject' && !input.reason?.trim()) {
    throw invalid('reason_required', 'A rejected dispute needs a reason the customer will see.');
  }
  const amount = input.amount ?? d.amount;
  if (input.decision === 'accept' && (!Number.isSafeInteger(amount) || amount <= 0 || amount > d.amount)) {
    throw invalid('invalid_amount', `The credit must be from 1 to the disputed ${d.amount} (minor units).`);
  }
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const cur = await trx
      .selectFrom('disputes')
      .select('status')
      .where('id', '=', d.id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (cur.status !== 'open')
      throw conflict('dispute_resolved', `Dispute ${d.id} is already ${cur.status}.`);
    let creditNoteId: string | null = null;
    let creditNoteNumber: string | undefined;
    if (input.decision === 'accept') {
      const { creditNote } = await issueCreditNote(trx, ctx, account, {
        invoiceId: d.invoice_id,
        amount,
        reason: `dispute ${d.id}: ${d.reason}`,
      });
      creditNoteId = creditNote.id;
      creditNoteNumber = creditNote.number;
    }
    const row = await trx
      .updateTable('disputes')
      .set({
        status: input.decision === 'accept' ? 'accepted' : 'rejected',
        resolution: input.reason?.trim() || (input.decision === 'accept' ? `Credited ${amount}` : null),
        credit_note_id: creditNoteId,
        resolved_at: now,
        resolved_by: ctx.actor,
      })
      .where('id', '=', d.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendEvents(trx, ctx.actor, now, [
      {
        type: input.decision === 'accept' ? 'dispute.accepted' : 'dispute.rejected',
        subjectId: d.id,
        accountId: account.id,
        payload: { reason: row.resolution, creditNoteId, amount: input.decision === 'accept' ? amount : 0 },
      },
    ]);
    return { ...toDispute(row, invoice.issueDate), ...(creditNoteNumber ? { creditNoteNumber } : {}) };
  });
}

export async function listDisputes(ctx: Ctx, accountId: string): Promise<Dispute[]> {
  const account = await getAccount(ctx, accountId);
  const rows = await ctx.db
    .selectFrom('disputes')
    .innerJoin('invoices', 'invoices.id', 'disputes.invoice_id')
    .selectAll('disputes')
    .select('invoices.issue_date')
    .where('disputes.account_id', '=', account.id)
    .orderBy('disputes.opened_at')
    .execute();
  return rows.map((r) => toDispute(r, r.issue_date));
}
