import { randomUUID } from 'node:crypto';
import type { Ctx } from '../../context.ts';
import { type CalendarDate, addDays, dateInZone } from '../../kernel/index.ts';
import { type DomainEvent, appendEvents } from '../../db/index.ts';
import {
  type Account,
  type BillingEntity,
  getAccounts,
  getBillingEntity,
  legalNameOn,
} from '../accounts/index.ts';
import { type Invoice, getInvoice, recordInvoiceSent } from '../invoicing/index.ts';
import {
  type MailAddress,
  type MailAttachment,
  type MailMessage,
  invoiceEmail,
} from './domain/invoice-email.ts';
import { type NoticeKind, type NoticePayload, noticeEmail } from './domain/notice-email.ts';
import {
  type DeliverySettings,
  type SmtpFailure,
  classifySmtpFailure,
  retryDelayMs,
} from './domain/policy.ts';
import {
  type ClaimedRow,
  type DeliveryOutcome,
  type NewAttempt,
  claimDue,
  finishDelivery,
  insertAttempts,
  releaseClaims,
} from './repo.ts';
import { getDeliverySettings } from './settings.ts';
import type { MailTransport } from './transport.ts';

/**
 * Files to attach to an invoice's e-mail (the PDF, the CSV). The default attaches nothing; the
 * composition root plugs the document renderers in here. `sending` is the sent date and due date
 * this message gives the invoice (RUN-8), so the attached document shows the dates it will have.
 */
export type InvoiceAttachments = (
  invoiceId: string,
  sending: { sentOn: CalendarDate; dueDate: CalendarDate },
) => Promise<MailAttachment[]>;

export const noAttachments: InvoiceAttachments = async () => [];

export interface DispatchOptions {
  attachments?: InvoiceAttachments;
  /** Sender for every invoice; default: the billing entity's billing e-mail and legal name. */
  from?: MailAddress;
  /** Deliveries claimed per transaction. Default 25. */
  batchSize?: number;
  /** Stop after this many attempts in one call (the next call goes on). Default 2000. */
  maxMessages?: number;
  /** How long a claim stays valid; a worker that dies mid-send loses it after this. Default 300. */
  leaseSeconds?: number;
  /** Messages in flight at once. Default 4. */
  concurrency?: number;
}

export interface DispatchResult {
  attempted: number;
  sent: number;
  /** Failed for now (connection refused, timeout, 4xx): queued again with backoff. */
  retrying: number;
  /** Given up after the last attempt. */
  failed: number;
  /** Permanently rejected by the receiving server (5xx). */
  bounced: number;
  /** Claims left by a worker that stopped mid-send and were taken over. */
  leasesExpired: number;
  /** Claimed but not started before the claim ran short: handed back, uncounted. */
  released: number;
}

type Attempt =
  | {
      kind: 'sent';
      response: string;
      accepted: string[];
      rejected: string[];
      /** What sending gives an invoice (RUN-8); null for a notice. */
      invoice: { sentOn: CalendarDate; dueDate: CalendarDate } | null;
    }
  | { kind: 'failure'; failure: SmtpFailure }
  | { kind: 'refused'; reason: string };

/**
 * Sends every due invoice e-mail: claims a batch (FOR UPDATE SKIP LOCKED) under a lease and
 * commits before any network I/O, sends one message per invoice to all its recipients, then
 * records the attempt — sent (and the invoice's sent date and due date, RUN-8), retried with
 * exponential backoff, failed after the last attempt, or bounced. A worker that dies mid-send
 * leaves its lease to expire and the delivery is taken over: nothing is lost.
 */
export async function dispatchDue(
  ctx: Ctx,
  transport: MailTransport,
  opts: DispatchOptions = {},
): Promise<DispatchResult> {
  const settings = await getDeliverySettings(ctx);
  const result: DispatchResult = {
    attempted: 0,
    sent: 0,
    retrying: 0,
    failed: 0,
    bounced: 0,
    leasesExpired: 0,
    released: 0,
  };
  const entities = new Map<string, Promise<BillingEntity>>();
  const entityOf = (id: string) => {
    let e = entities.get(id);
    if (!e) entities.set(id, (e = getBillingEntity(ctx, id)));
    return e;
  };
  const maxMessages = opts.maxMessages ?? 2000;
  const leaseMs = (opts.leaseSeconds ?? 300) * 1000;
  while (result.attempted < maxMessages) {
    const now = ctx.clock.now();
    const token = randomUUID();
    const leaseUntil = new Date(now.getTime() + leaseMs);
    // A message is started only while the claim has time left for it: once the claim runs out
    // another worker may take the delivery, and both would send it.
    const startBefore = leaseUntil.getTime() - Math.min(60_000, leaseMs / 2);
    const claimed = await ctx.db.transaction().execute((trx) =>
      claimDue(trx, {
        now,
        leaseUntil,
        token,
        limit: Math.min(opts.batchSize ?? 25, maxMessages - result.attempted),
      }),
    );
    if (claimed.length === 0) break;
    const accounts = new Map(
      (await getAccounts(ctx, [...new Set(claimed.map((c) => c.account_id))])).map((a) => [a.id, a]),
    );
    // A sent e-mail is recorded at once (the shorter the gap, the smaller the chance that a crash
    // sends it twice); failures of the batch are recorded together after it.
    const unsent: Recorded[] = [];
    const count = (status: DeliveryOutcome['status']) => {
      if (status === 'sent') result.sent++;
      else if (status === 'queued') result.retrying++;
      else if (status === 'bounced') result.bounced++;
      else result.failed++;
    };
    const released: string[] = [];
    await eachConcurrently(claimed, opts.concurrency ?? 4, async (row) => {
      const account = accounts.get(row.account_id)!;
      if (row.previous_status === 'sending') {
        result.leasesExpired++;
        if (await takeOverExpiredLease(ctx, row, token, settings)) {
          result.failed++;
          return;
        }
      }
      if (ctx.clock.now().getTime() >= startBefore) {
        released.push(row.id); // not started: handed back for the next claim
        return;
      }
      result.attempted++;
      const attempt = await attemptDelivery(ctx, transport, opts, row, account, entityOf);
      const recorded = outcomeOf(ctx, row, token, attempt, settings);
      count(recorded.outcome.status);
      if (attempt.kind === 'sent') await writeOutcomes(ctx, [recorded]);
      else unsent.push(recorded);
    });
    await writeOutcomes(ctx, unsent);
    if (released.length > 0) await releaseClaims(ctx.db, released, token);
    result.released += released.length;
  }
  return result;
}

async function eachConcurrently<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
}

/**
 * The previous holder of this claim never reported (it stopped mid-send): that attempt is
 * recorded as lost, and the delivery gives up if it was the last one allowed. True when it did.
 */
async function takeOverExpiredLease(ctx: Ctx, row: ClaimedRow, token: string, settings: DeliverySettings) {
  const lost = row.attempts - 1;
  const now = ctx.clock.now();
  const giveUp = lost >= settings.maxAttempts;
  const detail = `attempt ${lost} never finished: its claim expired at ${row.previous_lease_until?.toISOString() ?? '?'}`;
  await ctx.db.transaction().execute(async (trx) => {
    await insertAttempts(trx, [
      {
        delivery_id: row.id,
        attempt: lost,
        attempted_at: now,
        outcome: giveUp ? 'failed' : 'queued',
        smtp_response: null,
        detail: giveUp ? `${detail}; giving up after ${lost} attempts` : `${detail}; retrying now`,
        retry_at: giveUp ? null : now,
        actor: ctx.actor,
      },
    ]);
    if (giveUp) {
      await finishDelivery(trx, row.id, token, { status: 'failed', lastError: detail });
      await appendEvents(trx, ctx.actor, now, [
        deliveryEvent('invoice.delivery_failed', row, { error: detail }),
      ]);
    }
  });
  return giveUp;
}

async function attemptDelivery(
  ctx: Ctx,
  transport: MailTransport,
  opts: DispatchOptions,
  row: ClaimedRow,
  account: Account,
  entityOf: (id: string) => Promise<BillingEntity>,
): Promise<Attempt> {
  if (row.kind !== 'invoice') return attemptNotice(ctx, transport, opts, row, account, entityOf);
  let invoice: Invoice;
  let entity: BillingEntity;
  let attachments: MailAttachment[];
  // RUN-8: due 15 days (the entity's rule) after the day it is sent, in the account's time zone.
  const sentOn = dateInZone(ctx.clock.now(), account.timeZone);
  let dueDate: CalendarDate;
  try {
    invoice = await getInvoice(ctx, row.invoice_id!);
    if (invoice.status === 'void') return { kind: 'refused', reason: `invoice ${invoice.number} is void` };
    entity = await entityOf(invoice.entityId);
    dueDate = invoice.sentOn ? invoice.dueDate : addDays(sentOn, entity.rules.dueDays ?? 15);
    attachments = await (opts.attachments ?? noAttachments)(invoice.id, {
      sentOn: invoice.sentOn ?? sentOn,
      dueDate,
    });
  } catch (e) {
    const message = `could not prepare the e-mail: ${(e as Error).message}`;
    return { kind: 'failure', failure: { kind: 'transient', response: null, message } };
  }
  const recipients = row.recipients as { email: string; name: string | null }[];
  const composed = invoiceEmail({
    invoiceNumber: invoice.number,
    kind: invoice.kind,
    issueDate: invoice.issueDate,
    billingMonth: invoice.billingMonth,
    total: invoice.total,
    currency: invoice.currency,
    dueDate,
    poNumber: invoice.poNumber,
    legalName: invoice.legalName,
    billingEmail: entity.billingEmail,
    accountNumber: account.number,
    companyName: account.companyName,
    locale: account.locale,
    recipients,
    attachmentNames: attachments.map((a) => a.filename),
  });
  return send(transport, opts, row, entity, { ...composed, attachments }, { sentOn, dueDate });
}

/** Sends a composed message under the delivery's stable Message-ID and classifies the outcome. */
async function send(
  transport: MailTransport,
  opts: DispatchOptions,
  row: ClaimedRow,
  entity: BillingEntity,
  composed: Omit<MailMessage, 'messageId'>,
  invoice: { sentOn: CalendarDate; dueDate: CalendarDate } | null,
): Promise<Attempt> {
  const domain = entity.billingEmail.split('@')[1] ?? 'tollbooth.invalid';
  try {
    const sent = await transport.send({
      ...composed,
      from: opts.from ?? composed.from,
      replyTo: opts.from ? composed.from : undefined,
      // Stable across retries of one delivery, new for a resend: a receiving system can drop
      // the copy a crash mid-send would produce, never a copy staff asked for.
      messageId: `<${row.id}.${row.resends}@${domain}>`,
    });
    return {
      kind: 'sent',
      response: sent.response,
      accepted: sent.accepted,
      rejected: sent.rejected ?? [],
      invoice,
    };
  } catch (e) {
    return { kind: 'failure', failure: classifySmtpFailure(e) };
  }
}

/** A receipt, dunning notice or failed-autopay notice: composed from what its delivery keeps. */
async function attemptNotice(
  ctx: Ctx,
  transport: MailTransport,
  opts: DispatchOptions,
  row: ClaimedRow,
  account: Account,
  entityOf: (id: string) => Promise<BillingEntity>,
): Promise<Attempt> {
  let entity: BillingEntity;
  let composed: Omit<MailMessage, 'attachments' | 'messageId'>;
  try {
    entity = await entityOf(account.entityId);
    composed = noticeEmail({
      kind: row.kind as NoticeKind,
      payload: row.payload as unknown as NoticePayload,
      legalName: legalNameOn(entity, dateInZone(ctx.clock.now(), account.timeZone)),
      billingEmail: entity.billingEmail,
      accountNumber: account.number,
      companyName: account.companyName,
      locale: account.locale,
      timeZone: account.timeZone,
      recipients: row.recipients as { email: string; name: string | null }[],
    });
  } catch (e) {
    const message = `could not prepare the e-mail: ${(e as Error).message}`;
    return { kind: 'failure', failure: { kind: 'transient', response: null, message } };
  }
  return send(transport, opts, row, entity, { ...composed, attachments: [] }, null);
}

/** `invoice.sent`, `invoice.delivery_failed`, …; a notice's events say `notice.` instead. */
function deliveryEvent(type: string, row: ClaimedRow, payload: Record<string, unknown>): DomainEvent {
  if (row.kind !== 'invoice') {
    return {
      type: type.replace(/^invoice\./, 'notice.'),
      subjectId: row.id,
      accountId: row.account_id,
      payload: {
        deliveryId: row.id,
        kind: row.kind,
        eventId: row.event_id,
        attempt: row.attempts,
        ...payload,
      },
    };
  }
  return {
    type,
    subjectId: row.invoice_id!,
    accountId: row.account_id,
    payload: { deliveryId: row.id, number: row.invoice_number, attempt: row.attempts, ...payload },
  };
}

interface Recorded {
  row: ClaimedRow;
  token: string;
  outcome: DeliveryOutcome;
  log: NewAttempt;
  event: DomainEvent;
  sent: { sentOn: CalendarDate; dueDate: CalendarDate } | null;
}

/** What an attempt changes: the delivery's new status, the attempt's log row and its event. */
function outcomeOf(
  ctx: Ctx,
  row: ClaimedRow,
  token: string,
  attempt: Attempt,
  settings: DeliverySettings,
): Recorded {
  const now = ctx.clock.now();
  let outcome: DeliveryOutcome;
  let log: NewAttempt;
  let event: DomainEvent;
  const base = { delivery_id: row.id, attempt: row.attempts, attempted_at: now, actor: ctx.actor };
  if (attempt.kind === 'sent') {
    const detail = [
      `accepted: ${attempt.accepted.join(', ') || 'none'}`,
      ...(attempt.rejected.length ? [`rejected: ${attempt.rejected.join(', ')}`] : []),
    ].join('; ');
    outcome = { status: 'sent', sentAt: now, lastError: null };
    log = { ...base, outcome: 'sent', smtp_response: attempt.response, detail, retry_at: null };
    event = deliveryEvent('invoice.sent', row, {
      ...(attempt.invoice ?? {}),
      accepted: attempt.accepted,
      rejected: attempt.rejected,
    });
  } else if (attempt.kind === 'refused') {
    outcome = { status: 'failed', lastError: attempt.reason };
    log = {
      ...base,
      outcome: 'failed',
      smtp_response: null,
      detail: `not sent: ${attempt.reason}`,
      retry_at: null,
    };
    event = deliveryEvent('invoice.delivery_failed', row, { error: attempt.reason });
  } else if (attempt.failure.kind === 'permanent') {
    const error = attempt.failure.response ?? attempt.failure.message;
    outcome = { status: 'bounced', lastError: error };
    log = {
      ...base,
      outcome: 'bounced',
      smtp_response: attempt.failure.response,
      detail: attempt.failure.message,
      retry_at: null,
    };
    event = deliveryEvent('invoice.delivery_bounced', row, { error });
  } else if (row.attempts >= settings.maxAttempts) {
    const error = attempt.failure.message;
    outcome = { status: 'failed', lastError: error };
    log = {
      ...base,
      outcome: 'failed',
      smtp_response: attempt.failure.response,
      detail: `${error}; giving up after ${row.attempts} attempts`,
      retry_at: null,
    };
    event = deliveryEvent('invoice.delivery_failed', row, { error });
  } else {
    const retryAt = new Date(now.getTime() + retryDelayMs(row.attempts, settings.maxBackoffMinutes));
    outcome = { status: 'queued', notBefore: retryAt, lastError: attempt.failure.message };
    log = {
      ...base,
      outcome: 'queued',
      smtp_response: attempt.failure.response,
      detail: `${attempt.failure.message}; retrying at ${retryAt.toISOString()}`,
      retry_at: retryAt,
    };
    event = deliveryEvent('invoice.delivery_deferred', row, { error: attempt.failure.message, retryAt });
  }
  const sent = attempt.kind === 'sent' ? attempt.invoice : null;
  return { row, token, outcome, log, event, sent };
}

/** Records attempts and their outcomes in one transaction. */
async function writeOutcomes(ctx: Ctx, list: Recorded[]): Promise<void> {
  if (list.length === 0) return;
  await ctx.db.transaction().execute(async (trx) => {
    const events: DomainEvent[] = [];
    const logs: NewAttempt[] = [];
    for (const r of list) {
      const held = await finishDelivery(trx, r.row.id, r.token, r.outcome);
      logs.push(
        held
          ? r.log
          : { ...r.log, detail: `${r.log.detail ?? ''} (the claim had expired and was taken over)` },
      );
      if (r.sent && r.row.invoice_id)
        await recordInvoiceSent(trx, r.row.invoice_id, r.sent.sentOn, r.sent.dueDate);
      if (held) events.push(r.event);
    }
    await insertAttempts(trx, logs);
    await appendEvents(trx, ctx.actor, ctx.clock.now(), events);
  });
}
