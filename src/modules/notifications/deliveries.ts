import type { Ctx } from '../../context.ts';
import { conflict, invalid, newId } from '../../kernel/index.ts';
import { appendEvents } from '../../db/index.ts';
import { getAccount } from '../accounts/index.ts';
import { getInvoice } from '../invoicing/index.ts';
import { recipientsOf } from './queue.ts';
import {
  type AttemptRow,
  type DeliveryRow,
  attemptsOf,
  deliveryOf,
  insertAttempts,
  insertDeliveries,
  lockState,
} from './repo.ts';

export interface DeliveryAttempt {
  attempt: number;
  attemptedAt: string;
  outcome: AttemptRow['outcome'];
  smtpResponse: string | null;
  detail: string | null;
  retryAt: string | null;
  actor: string;
}

export interface Delivery {
  id: string;
  invoiceId: string;
  invoiceNumber: string;
  accountId: string;
  status: DeliveryRow['status'];
  /** Primary billing contact first (To), the others in Cc. */
  recipients: { email: string; name: string | null }[];
  attempts: number;
  notBefore: string;
  leaseUntil: string | null;
  sentAt: string | null;
  lastError: string | null;
  /** The throttle window (billing month) and slot of a monthly invoice. */
  windowMonth: string | null;
  slot: number | null;
  resends: number;
  createdAt: string;
}

export interface InvoiceDeliveries {
  invoiceId: string;
  invoiceNumber: string;
  delivery: Delivery | null;
  attempts: DeliveryAttempt[];
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

const toDelivery = (r: DeliveryRow): Delivery => ({
  id: r.id,
  // Read by invoice: an invoice's delivery always has both (a notice's has neither).
  invoiceId: r.invoice_id!,
  invoiceNumber: r.invoice_number!,
  accountId: r.account_id,
  status: r.status,
  recipients: r.recipients as Delivery['recipients'],
  attempts: r.attempts,
  notBefore: iso(r.not_before)!,
  leaseUntil: iso(r.lease_until),
  sentAt: iso(r.sent_at),
  lastError: r.last_error,
  windowMonth: r.window_month,
  slot: r.slot,
  resends: r.resends,
  createdAt: iso(r.created_at)!,
});

const toAttempt = (a: AttemptRow): DeliveryAttempt => ({
  attempt: a.attempt,
  attemptedAt: iso(a.attempted_at)!,
  outcome: a.outcome,
  smtpResponse: a.smtp_response,
  detail: a.detail,
  retryAt: iso(a.retry_at),
  actor: a.actor,
});

/** An invoice's e-mail delivery and every attempt, oldest first. */
export async function getInvoiceDeliveries(ctx: Ctx, invoiceIdOrNumber: string): Promise<InvoiceDeliveries> {
  const invoice = await getInvoice(ctx, invoiceIdOrNumber);
  const row = await deliveryOf(ctx.db, invoice.id);
  return {
    invoiceId: invoice.id,
    invoiceNumber: invoice.number,
    delivery: row ? toDelivery(row) : null,
    attempts: row ? (await attemptsOf(ctx.db, row.id)).map(toAttempt) : [],
  };
}

/**
 * Sends an invoice again, now, to the account's current recipients (they may have changed since).
 * The due date stays the one set by the first send (RUN-8). A delivery being sent right now is
 * left alone; an invoice never queued (issued before delivery existed) gets its delivery here.
 */
export async function resendInvoice(ctx: Ctx, invoiceIdOrNumber: string): Promise<InvoiceDeliveries> {
  const invoice = await getInvoice(ctx, invoiceIdOrNumber);
  if (invoice.status === 'void') {
    throw invalid('invoice_void', `Invoice ${invoice.number} is void and is not sent to the customer.`);
  }
  const account = await getAccount(ctx, invoice.accountId);
  const recipients = recipientsOf(account);
  if (recipients.length === 0) {
    throw invalid('no_recipients', `Account ${account.number} has no invoice recipient to send to.`);
  }
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    await lockState(trx); // takes turns with queueing: one delivery per invoice
    let row = await deliveryOf(trx, invoice.id);
    if (row?.status === 'sending' && row.lease_until && new Date(row.lease_until) > now) {
      throw conflict(
        'delivery_in_progress',
        `Invoice ${invoice.number} is being sent right now; look at its deliveries in a minute.`,
      );
    }
    if (!row) {
      await insertDeliveries(trx, [
        {
          id: newId('dlv', now),
          invoice_id: invoice.id,
          account_id: account.id,
          invoice_number: invoice.number,
          invoice_kind: invoice.kind,
          recipients,
          not_before: now,
          window_month: null,
          slot: null,
          created_at: now,
        },
      ]);
      row = (await deliveryOf(trx, invoice.id))!;
    } else {
      await trx
        .updateTable('deliveries')
        .set({
          status: 'queued',
          not_before: now,
          attempts: 0,
          resends: row.resends + 1,
          recipients: JSON.stringify(recipients),
          lease_until: null,
          lease_token: null,
          last_error: null,
        })
        .where('id', '=', row.id)
        .execute();
    }
    await insertAttempts(trx, [
      {
        delivery_id: row.id,
        attempt: 0,
        attempted_at: now,
        outcome: 'queued',
        smtp_response: null,
        detail: `resend requested by ${ctx.actor} (to ${recipients.map((r) => r.email).join(', ')})`,
        retry_at: now,
        actor: ctx.actor,
      },
    ]);
    await appendEvents(trx, ctx.actor, now, [
      {
        type: 'invoice.delivery_requeued',
        subjectId: invoice.id,
        accountId: account.id,
        payload: { deliveryId: row.id, number: invoice.number, recipients: recipients.map((r) => r.email) },
      },
    ]);
  });
  return getInvoiceDeliveries(ctx, invoice.id);
}
