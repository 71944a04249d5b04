import { type Kysely, sql } from 'kysely';

// Payments, the account ledger, collections and disputes (PAY-1..8, COL-1..4, DSP-1..2).
// The ledger and credit notes are append-only (a trigger refuses changes): corrections are new
// entries. A payment row is a state machine (pending → succeeded / declined / failed / unknown /
// processing → returned); the money it moves is in the ledger, never in the row.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE payment_accounts (
      account_id text PRIMARY KEY REFERENCES accounts(id),
      autopay boolean NOT NULL DEFAULT false,
      default_method_id text,
      updated_at timestamptz NOT NULL
    );

    CREATE TABLE payment_methods (
      id text PRIMARY KEY,
      account_id text NOT NULL REFERENCES accounts(id),
      type text NOT NULL CHECK (type IN ('card', 'us_bank', 'clabe')),
      processor text NOT NULL,
      token text NOT NULL,
      brand text,
      last4 text NOT NULL,
      exp_month int,
      exp_year int,
      holder_name text,
      created_at timestamptz NOT NULL,
      removed_at timestamptz
    );
    CREATE INDEX payment_methods_account ON payment_methods(account_id) WHERE removed_at IS NULL;

    CREATE TABLE payments (
      id text PRIMARY KEY,
      account_id text NOT NULL REFERENCES accounts(id),
      currency text NOT NULL,
      amount bigint NOT NULL CHECK (amount > 0),
      method_type text NOT NULL CHECK (method_type IN ('card', 'us_bank', 'clabe', 'cheque', 'transfer')),
      payment_method_id text REFERENCES payment_methods(id),
      source text NOT NULL CHECK (source IN ('online', 'autopay', 'offline', 'bank_file')),
      status text NOT NULL CHECK (status IN
        ('pending', 'unknown', 'processing', 'succeeded', 'declined', 'failed', 'returned')),
      targets jsonb NOT NULL DEFAULT '[]',
      idempotency_key text,
      external_ref text,
      processor_ref text,
      decline_code text,
      message text,
      received_on date NOT NULL,
      settles_on date,
      created_at timestamptz NOT NULL,
      decided_at timestamptz,
      actor text NOT NULL
    );
    CREATE UNIQUE INDEX payments_idempotency ON payments(account_id, idempotency_key)
      WHERE idempotency_key IS NOT NULL;
    CREATE UNIQUE INDEX payments_external_ref ON payments(external_ref) WHERE external_ref IS NOT NULL;
    CREATE INDEX payments_account ON payments(account_id, created_at);
    CREATE INDEX payments_open ON payments(status) WHERE status IN ('pending', 'unknown', 'processing');
    CREATE INDEX payments_declined ON payments(account_id, decided_at) WHERE status = 'declined';

    -- Everything a new payment is checked against, read under the account's payment lock (see
    -- payments/repo.ts paymentGuards). A function so that its plan is prepared once per connection:
    -- planning this query on every payment cost more than running it.
    CREATE FUNCTION payment_guards(p_account text, p_key text, p_method text) RETURNS json
    LANGUAGE plpgsql STABLE AS $$
    BEGIN
      RETURN json_build_object(
        'seen', (SELECT id FROM payments WHERE account_id = p_account AND idempotency_key = p_key),
        'reserved', coalesce((SELECT sum(amount) FROM payments
          WHERE account_id = p_account AND status IN ('pending', 'unknown')), 0),
        'last_decline', (SELECT max(decided_at) FROM payments WHERE account_id = p_account AND status = 'declined'),
        'unsynced', EXISTS (SELECT 1 FROM invoices i WHERE i.account_id = p_account AND i.kind <> 'credit_note'
            AND NOT EXISTS (SELECT 1 FROM ledger_entries l WHERE l.kind = 'invoice' AND l.invoice_id = i.id))
          OR EXISTS (SELECT 1 FROM invoices i WHERE i.account_id = p_account AND i.status = 'void'
            AND NOT EXISTS (SELECT 1 FROM ledger_entries l WHERE l.kind = 'invoice_void' AND l.invoice_id = i.id)),
        'method', (SELECT json_build_object('id', m.id, 'type', m.type, 'token', m.token) FROM payment_methods m
          WHERE m.id = p_method AND m.account_id = p_account AND m.removed_at IS NULL),
        'ledger', account_ledger(p_account));
    END $$;

    -- An account's ledger as JSON, oldest first, with what each invoice entry needs (a function for
    -- the same reason: its plan is prepared once per connection).
    CREATE FUNCTION account_ledger(p_account text) RETURNS json LANGUAGE plpgsql STABLE AS $$
    BEGIN
      RETURN (SELECT coalesce(json_agg(json_build_object('id', l.id, 'currency', l.currency, 'kind', l.kind,
            'amount', l.amount, 'effective_date', l.effective_date, 'invoice_id', l.invoice_id,
            'payment_id', l.payment_id, 'document_id', l.document_id, 'targets', l.targets, 'memo', l.memo,
            'created_at', l.created_at, 'due_date', i.due_date, 'number', i.number, 'status', i.status,
            'total', i.total, 'issue_date', i.issue_date) ORDER BY l.id), '[]'::json)
        FROM ledger_entries l LEFT JOIN invoices i ON i.id = l.invoice_id WHERE l.account_id = p_account);
    END $$;

    -- Ledger entries and the events announcing them, from JSON arrays, in one call (hot path of
    -- every payment; a function so that its plans are prepared once per connection).
    CREATE FUNCTION append_ledger(p_entries json, p_events json, p_actor text, p_at timestamptz) RETURNS void
    LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO ledger_entries (account_id, currency, kind, amount, effective_date, invoice_id, payment_id,
        document_id, targets, memo, created_at, actor)
      SELECT account_id, currency, kind, amount, effective_date, invoice_id, payment_id, document_id, targets, memo,
        p_at, p_actor
      FROM json_to_recordset(p_entries) AS t(account_id text, currency text, kind text, amount int8,
        effective_date date, invoice_id text, payment_id text, document_id text, targets jsonb, memo text);
      INSERT INTO events (type, subject_id, account_id, payload, actor, occurred_at)
      SELECT type, subject_id, account_id, payload, p_actor, p_at
      FROM json_to_recordset(p_events) AS t(type text, subject_id text, account_id text, payload jsonb);
    END $$;

    -- A pending payment and its event (PAY-4 step 1), from one JSON object.
    CREATE FUNCTION start_payment(p json, p_actor text, p_at timestamptz) RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO payments (id, account_id, currency, amount, method_type, payment_method_id, source, status,
        targets, idempotency_key, received_on, created_at, actor)
      VALUES (p->>'id', p->>'account_id', p->>'currency', (p->>'amount')::int8, p->>'method_type',
        p->>'payment_method_id', p->>'source', 'pending', (p->'targets')::jsonb, p->>'idempotency_key',
        (p->>'received_on')::date, p_at, p_actor);
      INSERT INTO events (type, subject_id, account_id, payload, actor, occurred_at)
      VALUES ('payment.started', p->>'id', p->>'account_id',
        jsonb_build_object('amount', (p->>'amount')::int8, 'source', p->>'source'), p_actor, p_at);
    END $$;

    CREATE TABLE credit_note_sequences (
      entity_id text PRIMARY KEY REFERENCES billing_entities(id),
      next_value bigint NOT NULL
    );
    CREATE TABLE credit_notes (
      id text PRIMARY KEY,
      number text NOT NULL UNIQUE,
      account_id text NOT NULL REFERENCES accounts(id),
      invoice_id text NOT NULL REFERENCES invoices(id),
      currency text NOT NULL,
      amount bigint NOT NULL CHECK (amount > 0),
      reason text NOT NULL,
      issue_date date NOT NULL,
      created_at timestamptz NOT NULL,
      actor text NOT NULL
    );

    CREATE TABLE ledger_entries (
      id bigserial PRIMARY KEY,
      account_id text NOT NULL REFERENCES accounts(id),
      currency text NOT NULL,
      kind text NOT NULL CHECK (kind IN
        ('invoice', 'invoice_void', 'payment', 'payment_return', 'refund', 'credit_note', 'adjustment')),
      amount bigint NOT NULL,
      effective_date date NOT NULL,
      invoice_id text REFERENCES invoices(id),
      payment_id text REFERENCES payments(id),
      document_id text,
      targets jsonb,
      memo text,
      created_at timestamptz NOT NULL,
      actor text NOT NULL
    );
    CREATE INDEX ledger_account ON ledger_entries(account_id, id);
    CREATE UNIQUE INDEX ledger_one_invoice ON ledger_entries(invoice_id) WHERE kind = 'invoice';
    CREATE UNIQUE INDEX ledger_one_void ON ledger_entries(invoice_id) WHERE kind = 'invoice_void';
    CREATE UNIQUE INDEX ledger_one_payment ON ledger_entries(payment_id) WHERE kind = 'payment';
    CREATE UNIQUE INDEX ledger_one_return ON ledger_entries(payment_id) WHERE kind = 'payment_return';

    CREATE FUNCTION refuse_financial_row_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION '% rows are append-only; record a correcting entry instead', TG_TABLE_NAME
        USING ERRCODE = 'P0001';
    END $$;
    CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
      FOR EACH ROW EXECUTE FUNCTION refuse_financial_row_change();
    CREATE TRIGGER credit_notes_append_only BEFORE UPDATE OR DELETE ON credit_notes
      FOR EACH ROW EXECUTE FUNCTION refuse_financial_row_change();

    CREATE TABLE autopay_runs (
      account_id text NOT NULL REFERENCES accounts(id),
      month text NOT NULL,
      payment_id text REFERENCES payments(id),
      outcome text NOT NULL,
      created_at timestamptz NOT NULL,
      PRIMARY KEY (account_id, month)
    );

    -- Collections (COL-2..4): the dunning policy as data, the notices sent, and every status change.
    CREATE TABLE collection_settings (
      id smallint PRIMARY KEY CHECK (id = 1),
      settings jsonb NOT NULL
    );
    CREATE TABLE collection_notices (
      account_id text NOT NULL REFERENCES accounts(id),
      notice_key text NOT NULL,
      invoice_id text REFERENCES invoices(id),
      kind text NOT NULL,
      days_past_due int NOT NULL,
      amount bigint NOT NULL,
      sent_to text,
      sent_at timestamptz NOT NULL,
      PRIMARY KEY (account_id, notice_key)
    );
    CREATE TABLE account_status_changes (
      id bigserial PRIMARY KEY,
      account_id text NOT NULL REFERENCES accounts(id),
      from_status text NOT NULL,
      to_status text NOT NULL,
      reason text NOT NULL,
      days_past_due int,
      past_due bigint,
      proof text,
      actor text NOT NULL,
      occurred_at timestamptz NOT NULL
    );
    CREATE INDEX account_status_changes_account ON account_status_changes(account_id, id);
    CREATE TRIGGER account_status_changes_append_only BEFORE UPDATE OR DELETE ON account_status_changes
      FOR EACH ROW EXECUTE FUNCTION refuse_financial_row_change();

    -- Services follow the account's collection status (suspended with it, active again with it).
    ALTER TABLE inventory_items ADD COLUMN service_state text NOT NULL DEFAULT 'active'
      CHECK (service_state IN ('active', 'suspended', 'deactivated'));

    -- Disputes (DSP-1, DSP-2).
    CREATE TABLE disputes (
      id text PRIMARY KEY,
      account_id text NOT NULL REFERENCES accounts(id),
      invoice_id text NOT NULL REFERENCES invoices(id),
      line_position int,
      amount bigint NOT NULL CHECK (amount > 0),
      reason text NOT NULL,
      status text NOT NULL CHECK (status IN ('open', 'accepted', 'rejected')),
      resolution text,
      credit_note_id text REFERENCES credit_notes(id),
      opened_on date NOT NULL,
      opened_at timestamptz NOT NULL,
      opened_by text NOT NULL,
      resolved_at timestamptz,
      resolved_by text
    );
    CREATE INDEX disputes_account ON disputes(account_id, opened_at);
  `.execute(db);
}
