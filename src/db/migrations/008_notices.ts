import { type Kysely, sql } from 'kysely';

// Payment receipts (PAY-4, ACC-3), dunning notices (COL-2) and autopay failures (PAY-6) travel
// through the invoice-delivery queue: a delivery has a kind; one that is not an invoice has no
// invoice of its own, is keyed by the event that announced it (queued once however often the
// outbox is read) and carries what its message says in `payload`. Events older than this
// migration are history, not news: notice_first_event_id keeps a sweep from mailing them.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE deliveries
      ADD COLUMN kind text NOT NULL DEFAULT 'invoice'
        CHECK (kind IN ('invoice', 'receipt', 'dunning_notice', 'autopay_failed')),
      ADD COLUMN event_id bigint UNIQUE,
      ADD COLUMN payload jsonb,
      ALTER COLUMN invoice_id DROP NOT NULL,
      ALTER COLUMN invoice_number DROP NOT NULL,
      ALTER COLUMN invoice_kind DROP NOT NULL,
      ADD CONSTRAINT deliveries_kind_fields CHECK (CASE WHEN kind = 'invoice'
        THEN invoice_id IS NOT NULL AND invoice_number IS NOT NULL AND invoice_kind IS NOT NULL
        ELSE invoice_id IS NULL AND event_id IS NOT NULL AND payload IS NOT NULL END);
    ALTER TABLE delivery_state ADD COLUMN notice_first_event_id bigint;
    UPDATE delivery_state SET notice_first_event_id = (SELECT coalesce(max(id), 0) FROM events);
    ALTER TABLE delivery_state ALTER COLUMN notice_first_event_id SET NOT NULL;
  `.execute(db);
}
