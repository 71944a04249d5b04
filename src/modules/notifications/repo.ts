import { type Selectable, sql } from 'kysely';
import { type Database, type Db, anyOf } from '../../db/index.ts';
import type { WindowCursor } from './domain/policy.ts';

// SQL for the notifications module's own tables: deliveries, delivery_attempts, delivery_windows,
// delivery_state — plus the reads of the event outbox that tell it about new invoices and about
// the receipts and notices to e-mail.

export type DeliveryRow = Selectable<Database['deliveries']>;
export type AttemptRow = Selectable<Database['delivery_attempts']>;
export type DeliveryStatus = DeliveryRow['status'];
export type AttemptOutcome = AttemptRow['outcome'];

export interface StateRow {
  first_event_id: number;
  cursor_event_id: number;
  /** Notices announced after this event are e-mailed (older ones predate notice delivery). */
  notice_first_event_id: number;
  settings: Record<string, unknown>;
}

/**
 * The queue's state row, locked until the caller's transaction ends: queueing on several workers
 * at once takes turns here, so an invoice is queued once and the throttle slots stay gapless.
 */
export async function lockState(db: Db): Promise<StateRow> {
  const r = await sql<StateRow>`
    SELECT first_event_id, cursor_event_id, notice_first_event_id, settings
    FROM delivery_state WHERE id = 1 FOR UPDATE`.execute(db);
  return r.rows[0]!;
}

export async function readState(db: Db): Promise<StateRow> {
  const row = await db
    .selectFrom('delivery_state')
    .select(['first_event_id', 'cursor_event_id', 'notice_first_event_id', 'settings'])
    .where('id', '=', 1)
    .executeTakeFirstOrThrow();
  return { ...row, settings: row.settings as Record<string, unknown> };
}

export async function saveCursor(db: Db, cursor: number): Promise<void> {
  await db
    .updateTable('delivery_state')
    .set({ cursor_event_id: sql<number>`greatest(cursor_event_id, ${cursor}::int8)` })
    .where('id', '=', 1)
    .execute();
}

export async function saveSettings(db: Db, settings: Record<string, unknown>): Promise<void> {
  await db
    .updateTable('delivery_state')
    .set({ settings: JSON.stringify(settings) })
    .where('id', '=', 1)
    .execute();
}

/** The newest event id visible now. */
export async function eventHead(db: Db): Promise<number> {
  const r = await sql<{ head: number }>`SELECT coalesce(max(id), 0)::int8 AS head FROM events`.execute(db);
  return r.rows[0]!.head;
}

export interface IssuedInvoiceEvent {
  id: number;
  invoice_id: string;
  account_id: string;
  payload: { number?: string; kind?: string; month?: string | null; replaces?: string };
  /**
   * The month whose sending window (RUN-7) the invoice goes out in: a monthly invoice's month,
   * unless it replaces a voided one (RUN-12: a correction, due at once). null: due at once.
   */
  window_month: string | null;
}

/**
 * 'invoice.issued' events in (after, head] whose invoice has no delivery yet and is not void
 * (voided before it was queued: never sent), oldest first. An invoice whose window ended before
 * `staleBefore` (a date) is history, not news.
 */
export async function undeliveredInvoiceEvents(
  db: Db,
  p: { after: number; head: number; windowEndSuffix: string; staleBefore: string; limit: number },
): Promise<IssuedInvoiceEvent[]> {
  const r = await sql<IssuedInvoiceEvent>`
    SELECT e.id, e.subject_id AS invoice_id, e.account_id, e.payload, w.window_month
    FROM events e
      CROSS JOIN LATERAL (SELECT CASE WHEN e.payload->>'kind' = 'monthly' AND e.payload->>'replaces' IS NULL
        THEN e.payload->>'month' END AS window_month) w
    WHERE e.id > ${p.after} AND e.id <= ${p.head} AND e.type = 'invoice.issued'
      AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.invoice_id = e.subject_id)
      AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.id = e.subject_id AND i.status = 'void')
      AND coalesce(w.window_month || ${p.windowEndSuffix}, '9999-12-31') >= ${p.staleBefore}
    ORDER BY e.id
    LIMIT ${p.limit}`.execute(db);
  return r.rows;
}

/** The events that become notice e-mails, and the kind of delivery each one becomes. */
export const NOTICE_EVENTS = {
  'payment.receipt': 'receipt',
  'collections.notice': 'dunning_notice',
  'autopay.failed': 'autopay_failed',
} as const;

export interface NoticeEvent {
  id: number;
  type: keyof typeof NOTICE_EVENTS;
  subject_id: string;
  account_id: string;
  payload: Record<string, unknown>;
}

/** Notice events in (after, head] with no delivery yet, oldest first. */
export async function undeliveredNoticeEvents(
  db: Db,
  p: { after: number; head: number; limit: number },
): Promise<NoticeEvent[]> {
  const r = await sql<NoticeEvent>`
    SELECT e.id::int8 AS id, e.type, e.subject_id, e.account_id, e.payload
    FROM events e
    WHERE e.id > ${p.after} AND e.id <= ${p.head} AND e.type = ANY(${Object.keys(NOTICE_EVENTS)}::text[])
      AND e.account_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id)
    ORDER BY e.id
    LIMIT ${p.limit}`.execute(db);
  return r.rows.map((row) => ({ ...row, id: Number(row.id) }));
}

/** A month's throttle window, created on first use and locked until the transaction ends. */
export async function lockWindow(db: Db, month: string, now: Date): Promise<WindowCursor> {
  await db
    .insertInto('delivery_windows')
    .values({ month, slots_taken: 0, next_at: now })
    .onConflict((oc) => oc.column('month').doNothing())
    .execute();
  const r = await sql<{ slots_taken: number; next_at: Date }>`
    SELECT slots_taken, next_at FROM delivery_windows WHERE month = ${month} FOR UPDATE`.execute(db);
  const row = r.rows[0]!;
  return { slotsTaken: row.slots_taken, nextAt: new Date(row.next_at) };
}

export async function saveWindow(db: Db, month: string, cursor: WindowCursor): Promise<void> {
  await db
    .updateTable('delivery_windows')
    .set({ slots_taken: cursor.slotsTaken, next_at: cursor.nextAt })
    .where('month', '=', month)
    .execute();
}

export interface NewDelivery {
  id: string;
  /** Default 'invoice'; a notice has no invoice and is keyed by its event. */
  kind?: DeliveryRow['kind'];
  invoice_id: string | null;
  account_id: string;
  invoice_number: string | null;
  invoice_kind: string | null;
  event_id?: number | null;
  payload?: object | null;
  recipients: { email: string; name: string | null }[];
  not_before: Date;
  window_month: string | null;
  slot: number | null;
  created_at: Date;
}

/**
 * One statement whatever the batch size (rows travel as one JSON document). A row whose invoice
 * (or, for a notice, whose event) already has a delivery is skipped.
 */
export async function insertDeliveries(db: Db, rows: readonly NewDelivery[]): Promise<number> {
  if (rows.length === 0) return 0;
  const r = await sql`
    INSERT INTO deliveries (id, kind, invoice_id, account_id, invoice_number, invoice_kind, event_id, payload,
      recipients, status, attempts, not_before, window_month, slot, resends, created_at)
    SELECT id, coalesce(kind, 'invoice'), invoice_id, account_id, invoice_number, invoice_kind, event_id,
      payload, recipients, 'queued', 0, not_before, window_month, slot, 0, created_at
    FROM json_to_recordset(${JSON.stringify(rows)}::json) AS t(id text, kind text, invoice_id text,
      account_id text, invoice_number text, invoice_kind text, event_id int8, payload jsonb, recipients jsonb,
      not_before timestamptz, window_month text, slot int8, created_at timestamptz)
    ON CONFLICT DO NOTHING`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

export type ClaimedRow = DeliveryRow & { previous_status: DeliveryStatus; previous_lease_until: Date | null };

/**
 * Claims up to `limit` due deliveries — queued and due, or left 'sending' by a worker whose lease
 * ran out — marks them 'sending' under a lease and counts the attempt. Rows another worker holds
 * are skipped.
 */
export async function claimDue(
  db: Db,
  p: { now: Date; leaseUntil: Date; token: string; limit: number },
): Promise<ClaimedRow[]> {
  const now = p.now.toISOString();
  const r = await sql<ClaimedRow>`
    WITH due AS (
      SELECT id, status, lease_until FROM deliveries
      WHERE (status = 'queued' AND not_before <= ${now}::timestamptz)
         OR (status = 'sending' AND lease_until <= ${now}::timestamptz)
      ORDER BY not_before, id
      LIMIT ${p.limit}
      FOR UPDATE SKIP LOCKED
    )
    UPDATE deliveries d
    SET status = 'sending', attempts = d.attempts + 1, lease_until = ${p.leaseUntil.toISOString()}::timestamptz,
      lease_token = ${p.token}
    FROM due WHERE d.id = due.id
    RETURNING d.*, due.status AS previous_status, due.lease_until AS previous_lease_until`.execute(db);
  return r.rows
    .map((row) => ({
      ...row,
      not_before: new Date(row.not_before),
      previous_lease_until: row.previous_lease_until ? new Date(row.previous_lease_until) : null,
    }))
    .sort((a, b) => a.not_before.getTime() - b.not_before.getTime() || (a.id < b.id ? -1 : 1));
}

export interface DeliveryOutcome {
  status: Exclude<DeliveryStatus, 'sending'>;
  notBefore?: Date;
  sentAt?: Date;
  lastError: string | null;
}

/** Ends a lease with the attempt's outcome; false when the lease was lost to another worker. */
export async function finishDelivery(
  db: Db,
  id: string,
  token: string,
  o: DeliveryOutcome,
): Promise<boolean> {
  const r = await db
    .updateTable('deliveries')
    .set({
      status: o.status,
      lease_until: null,
      lease_token: null,
      last_error: o.lastError,
      ...(o.notBefore ? { not_before: o.notBefore } : {}),
      ...(o.sentAt ? { sent_at: o.sentAt } : {}),
    })
    .where('id', '=', id)
    .where('lease_token', '=', token)
    .where('status', '=', 'sending')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Hands claimed deliveries that were never started back to the queue, uncounted. */
export async function releaseClaims(db: Db, ids: readonly string[], token: string): Promise<void> {
  await db
    .updateTable('deliveries')
    .set({
      status: 'queued',
      attempts: sql<number>`attempts - 1`,
      lease_until: null,
      lease_token: null,
    })
    .where('id', '=', anyOf(ids))
    .where('lease_token', '=', token)
    .execute();
}

export interface NewAttempt {
  delivery_id: string;
  attempt: number;
  attempted_at: Date;
  outcome: AttemptOutcome;
  smtp_response: string | null;
  detail: string | null;
  retry_at: Date | null;
  actor: string;
}

export async function insertAttempts(db: Db, rows: readonly NewAttempt[]): Promise<void> {
  if (rows.length === 0) return;
  await db.insertInto('delivery_attempts').values(rows).execute();
}

export async function deliveryOf(db: Db, invoiceId: string): Promise<DeliveryRow | undefined> {
  return db.selectFrom('deliveries').selectAll().where('invoice_id', '=', invoiceId).executeTakeFirst();
}

export async function attemptsOf(db: Db, deliveryId: string): Promise<AttemptRow[]> {
  return db
    .selectFrom('delivery_attempts')
    .selectAll()
    .where('delivery_id', '=', deliveryId)
    .orderBy('id')
    .execute();
}

/** When the next delivery comes due: the earliest queued not_before or lease expiry. */
export async function nextDueAt(db: Db): Promise<Date | null> {
  const r = await sql<{ at: Date | null }>`
    SELECT least(
      (SELECT min(not_before) FROM deliveries WHERE status = 'queued'),
      (SELECT min(lease_until) FROM deliveries WHERE status = 'sending')) AS at`.execute(db);
  const at = r.rows[0]?.at;
  return at ? new Date(at) : null;
}
