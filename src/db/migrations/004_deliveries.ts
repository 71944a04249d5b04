import { type Kysely, sql } from 'kysely';

// Invoice e-mail delivery (RUN-7, RUN-8, ACC-3), owned by the notifications module: one delivery per
// invoice, an append-only log of its attempts, the per-month throttle windows and the queue's own
// state (where it has read the event outbox up to, and its settings as data).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE deliveries (
      id text PRIMARY KEY,
      invoice_id text NOT NULL UNIQUE REFERENCES invoices(id),
      account_id text NOT NULL REFERENCES accounts(id),
      invoice_number text NOT NULL,
      invoice_kind text NOT NULL,
      recipients jsonb NOT NULL CHECK (jsonb_array_length(recipients) BETWEEN 1 AND 5),
      status text NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'bounced')),
      attempts int NOT NULL DEFAULT 0,
      not_before timestamptz NOT NULL,
      lease_until timestamptz,
      lease_token text,
      sent_at timestamptz,
      last_error text,
      window_month text,
      slot bigint,
      resends int NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL,
      CHECK (status <> 'sending' OR (lease_until IS NOT NULL AND lease_token IS NOT NULL))
    );
    CREATE INDEX deliveries_queued ON deliveries(not_before) WHERE status = 'queued';
    CREATE INDEX deliveries_leased ON deliveries(lease_until) WHERE status = 'sending';
    CREATE UNIQUE INDEX deliveries_window_slot ON deliveries(window_month, slot) WHERE slot IS NOT NULL;

    CREATE TABLE delivery_attempts (
      id bigserial PRIMARY KEY,
      delivery_id text NOT NULL REFERENCES deliveries(id),
      attempt int NOT NULL,
      attempted_at timestamptz NOT NULL,
      outcome text NOT NULL CHECK (outcome IN ('queued', 'sent', 'failed', 'bounced')),
      smtp_response text,
      detail text,
      retry_at timestamptz,
      actor text NOT NULL
    );
    CREATE INDEX delivery_attempts_delivery ON delivery_attempts(delivery_id, id);

    CREATE FUNCTION refuse_delivery_attempt_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'delivery attempts are append-only (delivery %)', OLD.delivery_id USING ERRCODE = 'P0001';
    END $$;
    CREATE TRIGGER delivery_attempts_append_only BEFORE UPDATE OR DELETE ON delivery_attempts
      FOR EACH ROW EXECUTE FUNCTION refuse_delivery_attempt_change();

    -- RUN-7 throttle: a month's monthly invoices take consecutive slots (gapless, reserved in the
    -- queueing transaction like invoice numbers); next_at is the instant the next slot opens.
    CREATE TABLE delivery_windows (
      month text PRIMARY KEY,
      slots_taken bigint NOT NULL,
      next_at timestamptz NOT NULL
    );

    -- One row. Invoices announced after first_event_id are e-mailed (older ones predate delivery);
    -- cursor_event_id is how far the queue has read the outbox; settings are the throttle and
    -- retry rules, as data.
    CREATE TABLE delivery_state (
      id smallint PRIMARY KEY CHECK (id = 1),
      first_event_id bigint NOT NULL,
      cursor_event_id bigint NOT NULL,
      settings jsonb NOT NULL
    );
    INSERT INTO delivery_state (id, first_event_id, cursor_event_id, settings)
    SELECT 1, coalesce(max(id), 0), coalesce(max(id), 0),
      '{"perMinute": 2, "windowLastDay": 5, "maxAttempts": 12, "maxBackoffMinutes": 360, "catchUpDays": 30}'
    FROM events;
  `.execute(db);
}
