import type { Ctx } from '../../context.ts';
import { addDays, dateInZone, newId, startOfDayInZone } from '../../kernel/index.ts';
import { type Db, appendEvents } from '../../db/index.ts';
import { type Account, getAccounts } from '../accounts/index.ts';
import { getInvoice } from '../invoicing/index.ts';
import type { NoticePayload } from './domain/notice-email.ts';
import { type SlotRequest, resolveSettings, reserveSlots } from './domain/policy.ts';
import {
  type IssuedInvoiceEvent,
  type NewDelivery,
  type NoticeEvent,
  NOTICE_EVENTS,
  eventHead,
  insertDeliveries,
  lockState,
  lockWindow,
  saveCursor,
  saveWindow,
  undeliveredInvoiceEvents,
  undeliveredNoticeEvents,
} from './repo.ts';

export interface QueueOptions {
  /**
   * Read the whole outbox since delivery was installed instead of from the cursor: finds an
   * invoice whose transaction committed after a later one had already been read (servers only).
   */
  sweep?: boolean;
  /** Invoices queued per transaction. Default 1000. */
  batchSize?: number;
}

export interface QueueResult {
  /** Deliveries queued: invoices and notices. */
  queued: number;
  /** Of them, notices: payment receipts, dunning notices, failed autopay charges. */
  notices: number;
  /** Monthly invoices given a throttle slot (RUN-7). */
  throttled: number;
  /** Slots that fell after the end of their window: the rate is too low for the batch. */
  beyondWindow: number;
  /** Invoices and notices of accounts without a recipient (left for a later pass). */
  withoutRecipients: number;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** ACC-3: the primary billing contact first, at most five addresses. */
export function recipientsOf(account: Account): { email: string; name: string | null }[] {
  return [...account.invoiceRecipients]
    .sort((a, b) => Number(b.primary) - Number(a.primary))
    .slice(0, 5)
    .map((r) => ({ email: r.email, name: r.name ?? null }));
}

/**
 * Turns every announced invoice ('invoice.issued' in the outbox) that has no delivery yet into a
 * queued delivery, and every receipt, dunning notice and failed autopay charge too (queueNotices). Monthly invoices get consecutive throttle slots spread from 00:00 on their
 * issue date (account time zone) towards the end of the window (RUN-7); every other invoice is
 * due at once. Idempotent and safe on several workers: queueing takes turns on the queue's state
 * row, and an invoice has at most one delivery (unique index).
 */
export async function queueInvoiceDeliveries(ctx: Ctx, opts: QueueOptions = {}): Promise<QueueResult> {
  const batchSize = opts.batchSize ?? 1000;
  const result: QueueResult = { queued: 0, notices: 0, throttled: 0, beyondWindow: 0, withoutRecipients: 0 };
  let after: number | null = null;
  for (;;) {
    const finished: boolean = await ctx.db.transaction().execute(async (trx) => {
      const state = await lockState(trx);
      const settings = resolveSettings(state.settings);
      const now = ctx.clock.now();
      const from: number = after ?? (opts.sweep ? state.first_event_id : state.cursor_event_id);
      const head = await eventHead(trx);
      const events = await undeliveredInvoiceEvents(trx, {
        after: from,
        head,
        windowEndSuffix: `-${pad2(settings.windowLastDay + 1)}`,
        staleBefore: addDays(dateInZone(now, 'UTC'), -settings.catchUpDays),
        limit: batchSize,
      });
      const notices = await undeliveredNoticeEvents(trx, {
        after: Math.max(from, state.notice_first_event_id),
        head,
        limit: batchSize,
      });
      // A full batch of either kind ends this turn at its last event; the next turn goes on.
      let reached = head;
      if (events.length === batchSize) reached = Math.min(reached, events[events.length - 1]!.id);
      if (notices.length === batchSize) reached = Math.min(reached, notices[notices.length - 1]!.id);
      const full = reached < head;
      if (notices.length > 0)
        await queueNotices(
          { ...ctx, db: trx },
          notices.filter((n) => n.id <= reached),
          now,
          result,
        );
      if (events.length > 0)
        await queueBatch(
          { ...ctx, db: trx },
          events.filter((e) => e.id <= reached),
          settings.windowLastDay,
          settings.perMinute,
          now,
          result,
        );
      await saveCursor(trx, reached);
      after = reached;
      return !full;
    });
    if (finished) return result;
  }
}

async function queueBatch(
  ctx: Ctx & { db: Db },
  events: IssuedInvoiceEvent[],
  windowLastDay: number,
  perMinute: number,
  now: Date,
  result: QueueResult,
) {
  const accounts = new Map(
    (await getAccounts(ctx, [...new Set(events.map((e) => e.account_id))])).map((a) => [a.id, a]),
  );
  // RUN-7: from 00:00 on the issue date (the 1st) to the end of the window's last day, in the
  // account's time zone; computed once per month and zone.
  const windows = new Map<string, SlotRequest>();
  const windowOf = (month: string, timeZone: string) => {
    const key = `${month} ${timeZone}`;
    let w = windows.get(key);
    if (!w) {
      w = {
        windowStart: startOfDayInZone(`${month}-01`, timeZone),
        windowEnd: startOfDayInZone(`${month}-${pad2(windowLastDay + 1)}`, timeZone),
      };
      windows.set(key, w);
    }
    return w;
  };
  const rows: NewDelivery[] = [];
  const throttled = new Map<string, { row: NewDelivery; request: SlotRequest }[]>();
  for (const e of events) {
    const account = accounts.get(e.account_id);
    const recipients = account ? recipientsOf(account) : [];
    if (!account || recipients.length === 0) {
      result.withoutRecipients++;
      continue;
    }
    const kind = e.payload.kind ?? 'invoice';
    const month = e.window_month;
    const row: NewDelivery = {
      id: newId('dlv', now),
      invoice_id: e.invoice_id,
      account_id: account.id,
      invoice_number: e.payload.number ?? e.invoice_id,
      invoice_kind: kind,
      recipients,
      not_before: now,
      window_month: month,
      slot: null,
      created_at: now,
    };
    rows.push(row);
    if (month) {
      const list = throttled.get(month) ?? [];
      list.push({ row, request: windowOf(month, account.timeZone) });
      throttled.set(month, list);
    }
  }
  // Months in order, so concurrent queuers (were there any) would lock windows in the same order.
  for (const [month, list] of [...throttled.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const cursor = await lockWindow(ctx.db, month, now);
    const reserved = reserveSlots(
      cursor,
      list.map((x) => x.request),
      perMinute,
      now,
    );
    reserved.slots.forEach((s, i) => {
      const row = list[i]!.row;
      row.slot = s.slot;
      row.not_before = s.notBefore;
      if (s.beyondWindow) result.beyondWindow++;
    });
    await saveWindow(ctx.db, month, reserved.cursor);
    result.throttled += list.length;
  }
  result.queued += await insertDeliveries(ctx.db, rows);
  await appendEvents(
    ctx.db,
    ctx.actor,
    now,
    rows.map((r) => ({
      type: 'invoice.delivery_queued',
      subjectId: r.invoice_id!,
      accountId: r.account_id,
      payload: {
        deliveryId: r.id,
        number: r.invoice_number,
        notBefore: r.not_before.toISOString(),
        recipients: r.recipients.map((x) => x.email),
      },
    })),
  );
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/**
 * Payment receipts, dunning notices and failed autopay charges announced in the outbox become
 * deliveries due at once (never throttled). A receipt goes to the one address its event names
 * (ACC-3: the receipt address); a notice to the invoice recipients, primary first. The delivery
 * keeps what its message says, so a retry sends the same text. One delivery per event.
 */
async function queueNotices(ctx: Ctx & { db: Db }, events: NoticeEvent[], now: Date, result: QueueResult) {
  if (events.length === 0) return;
  const accounts = new Map(
    (await getAccounts(ctx, [...new Set(events.map((e) => e.account_id))])).map((a) => [a.id, a]),
  );
  const numberOf = async (invoiceId: string): Promise<string | null> => {
    try {
      return (await getInvoice(ctx, invoiceId)).number;
    } catch {
      return null;
    }
  };
  const rows: NewDelivery[] = [];
  for (const e of events) {
    const account = accounts.get(e.account_id);
    const kind = NOTICE_EVENTS[e.type];
    const p = e.payload;
    const amount = num(p.amount);
    if (!account || amount === null) continue; // nothing to say: not a notice of this account
    const currency = str(p.currency) ?? account.currency;
    let recipients: { email: string; name: string | null }[];
    let payload: NoticePayload & { subjectId: string };
    if (kind === 'receipt') {
      const to = str(p.to);
      recipients = to ? [{ email: to, name: null }] : [];
      const ids = Array.isArray(p.invoiceIds)
        ? p.invoiceIds.filter((x): x is string => typeof x === 'string')
        : [];
      const numbers = Array.isArray(p.invoiceNumbers)
        ? p.invoiceNumbers.filter((x): x is string => typeof x === 'string')
        : (await Promise.all(ids.map(numberOf))).filter((x): x is string => x !== null);
      payload = {
        subjectId: e.subject_id,
        amount,
        currency,
        paymentId: str(p.paymentId) ?? e.subject_id,
        receivedOn: str(p.receivedOn),
        invoiceNumbers: numbers,
      };
    } else if (kind === 'dunning_notice') {
      recipients = recipientsOf(account);
      const number = str(p.invoiceNumber);
      payload = {
        subjectId: e.subject_id,
        amount,
        currency,
        invoiceNumbers: number ? [number] : [],
        step: str(p.kind),
        daysPastDue: num(p.daysPastDue),
        dueDate: str(p.dueDate),
      };
    } else {
      recipients = recipientsOf(account);
      payload = {
        subjectId: e.subject_id,
        amount,
        currency,
        paymentId: str(p.paymentId),
        month: str(p.month),
        outcome: str(p.outcome),
        retryAt: str(p.retryAt),
        invoiceNumbers: Array.isArray(p.invoiceNumbers)
          ? p.invoiceNumbers.filter((x): x is string => typeof x === 'string')
          : [],
      };
    }
    if (recipients.length === 0) {
      result.withoutRecipients++;
      continue;
    }
    rows.push({
      id: newId('dlv', now),
      kind,
      invoice_id: null,
      account_id: account.id,
      invoice_number: null,
      invoice_kind: null,
      event_id: e.id,
      payload,
      recipients,
      not_before: now,
      window_month: null,
      slot: null,
      created_at: now,
    });
  }
  const queued = await insertDeliveries(ctx.db, rows);
  result.queued += queued;
  result.notices += queued;
  await appendEvents(
    ctx.db,
    ctx.actor,
    now,
    rows.map((r) => ({
      type: 'notice.delivery_queued',
      subjectId: r.id,
      accountId: r.account_id,
      payload: {
        deliveryId: r.id,
        kind: r.kind,
        eventId: r.event_id,
        recipients: r.recipients.map((x) => x.email),
      },
    })),
  );
}
