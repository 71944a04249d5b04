import type { ColumnType, Generated } from 'kysely';

// Row types of every table, as the database returns them (see types.ts for the parsing policy).
type Json<T> = ColumnType<T, string | T, string | T>;

export interface Address {
  line1?: string;
  line2?: string;
  city?: string;
  state?: string;
  postalCode?: string;
  country: string;
}

export interface Database {
  instance_settings: { key: string; value: Json<unknown> };
  billing_entities: {
    id: string;
    code: string;
    country: string;
    currency: string;
    time_zone: string;
    locale: string;
    billing_email: string;
    invoice_number_base: number;
    remittance: Json<Record<string, unknown>>;
    rules: Json<Record<string, unknown>>;
    created_at: Date;
  };
  billing_entity_names: { entity_id: string; valid_from: string; legal_name: string };
  invoice_sequences: { entity_id: string; next_value: number };
  accounts: {
    id: string;
    number: string;
    company_name: string;
    entity_id: string;
    currency: string;
    time_zone: string;
    locale: string;
    type: 'online' | 'corporate';
    tax_status: 'taxable' | 'exempt';
    status: 'active' | 'suspended' | 'deactivated' | 'cancelled';
    address: Json<Address>;
    po_number: string | null;
    created_at: Date;
  };
  account_contacts: {
    account_id: string;
    role: 'invoice' | 'receipt';
    position: number;
    email: string;
    name: string | null;
    is_primary: boolean;
  };
  catalog_items: {
    code: string;
    name: string;
    charge_type: string;
    unit: string;
    billing: 'recurring' | 'one_time' | 'usage';
    attributes: Json<Record<string, unknown>>;
    created_at: Date;
  };
  catalog_prices: { item_code: string; currency: string; valid_from: string; unit_price: number };
  contracts: {
    id: string;
    account_id: string;
    signature_date: string;
    free_months: number;
    billing_start_date: string;
    term_months: number | null;
    commitments: Json<Record<string, unknown>>;
    created_at: Date;
  };
  inventory_items: {
    id: string;
    account_id: string;
    item_code: string;
    quantity: number;
    added_on: string;
    removed_on: string | null;
    attributes: Json<Record<string, unknown>>;
    created_at: Date;
    service_state: ColumnType<'active' | 'suspended' | 'deactivated', string | undefined, string>;
  };
  bill_runs: {
    id: string;
    month: string;
    status: 'running' | 'completed';
    started_at: Date;
    finished_at: Date | null;
    invoices_created: Generated<number>;
    accounts_skipped: Generated<number>;
    total_billed: ColumnType<Record<string, number>, string | undefined, string>;
  };
  invoices: {
    id: string;
    number: string;
    entity_id: string;
    account_id: string;
    kind: 'monthly' | 'one_time' | 'rental' | 'credit_note';
    billing_month: string | null;
    bill_run_id: string | null;
    issue_date: string;
    sent_on: string | null;
    due_date: string;
    currency: string;
    subtotal: number;
    total: number;
    status: 'to_pay' | 'paid' | 'void' | 'credited';
    po_number: string | null;
    legal_name: string;
    created_at: Date;
    /** RUN-12: voided to be issued again (migration 015); its replacement names it in `replaces`. */
    reissue: Generated<boolean>;
    /** The voided invoice this one replaces (a reissue), if any. */
    replaces: string | null;
  };
  invoice_lines: {
    invoice_id: string;
    position: number;
    line_type: string;
    description: string;
    item_code: string | null;
    quantity: number;
    unit_price: number;
    period_start: string | null;
    period_end: string | null;
    prorate_days: number | null;
    period_days: number | null;
    amount: number;
    /** Usage lines: RATE_SCALE millionths per minute; quantity is then billed seconds. */
    rate_per_minute: ColumnType<number | null, number | null | undefined, number | null>;
  };
  events: {
    id: Generated<number>;
    type: string;
    subject_id: string;
    account_id: string | null;
    payload: Json<Record<string, unknown>>;
    actor: string;
    occurred_at: Date;
  };
  api_keys: {
    id: string;
    name: string;
    role: 'admin' | 'agent' | 'auditor' | 'integration';
    prefix: string;
    key_hash: string;
    created_at: Date;
    revoked_at: Date | null;
  };
  rate_tables: {
    kind: 'fees' | 'taxes';
    version: number;
    document: Json<unknown>;
    created_at: Date;
    created_by: string;
  };
  exemption_certificates: {
    id: string;
    account_id: string;
    certificate_number: string;
    jurisdictions: Json<string[]>;
    valid_from: string;
    valid_to: string | null;
    created_at: Date;
    created_by: string;
  };
  idempotency_keys: {
    api_key_id: string;
    key: string;
    method: string;
    path: string;
    request_hash: string;
    status_code: number | null;
    response: Json<unknown> | null;
    created_at: Date;
  };
  rate_deck_entries: {
    currency: string;
    call_type: 'international' | 'premium_domestic' | 'toll_free_inbound';
    prefix: string;
    valid_from: string;
    valid_to: string | null;
    description: string;
    rate_per_minute: number;
    rounding: string;
  };
  calling_plans: {
    currency: string;
    /** The first day of the month from which these terms are in force. */
    valid_from: string;
    included_minutes_per_device: number;
    overage_rate_per_minute: number;
    low_usage_minutes_per_device: number;
    low_usage_rate_per_minute: number;
    rounding: string;
    updated_at: Date;
  };
  calls: {
    call_id: string;
    started_at: Date;
    duration_seconds: number;
    origin: string;
    destination: string;
    origin_device: string | null;
    import_row: number | null;
    /** NULL while the call waits for a rating. */
    billable_seconds: number | null;
    batch: number;
    /** Its class (call_classes) in its batch: its account, month, direction and rating. */
    class: number;
  };
  call_classes: {
    batch: number;
    class: number;
    account_id: string;
    usage_month: string;
    direction: 'inbound' | 'outbound';
    call_type: string | null;
    rounding: string | null;
    allowance: string | null;
    rate_prefix: string | null;
    rate_from: string | null;
    rate_per_minute: number | null;
    unrated_reason: string | null;
  };
  call_sets: {
    account_id: string;
    usage_month: string;
    /** The ids, a space between (never in an id), position for position with started_ms. */
    call_ids: string;
    started_ms: string[];
  };
  usage_totals: {
    account_id: string;
    usage_month: string;
    batch: number;
    call_type: string;
    allowance: string | null;
    rate_prefix: string | null;
    rate_from: string | null;
    rate_per_minute: number | null;
    calls: number;
    billable_seconds: number;
    context: string;
  };
  usage_cuts: {
    account_id: string;
    usage_month: string;
    invoice_id: string;
    after_batch: number;
    through_batch: number;
    plan_available: number;
    plan_seconds: number;
    low_usage: Json<Record<string, { available: number; drawn: number }>>;
    overage_rate: number;
    low_usage_rate: number;
    /** Its invoice was voided to be reissued: the calls are billed again, by the replacement. */
    reissued: Generated<boolean>;
  };
  cdr_imports: {
    id: string;
    source: string;
    rows_read: number;
    accepted: number;
    already_imported: number;
    rejected: number;
    errors: Json<{ row: number; callId: string | null; reason: string }[]>;
    created_at: Date;
    created_by: string;
    batch: number | null;
  };
  deliveries: {
    id: string;
    /** 'invoice' (default) or a notice sent through the same queue (migration 008). */
    kind: Generated<'invoice' | 'receipt' | 'dunning_notice' | 'autopay_failed'>;
    /** Null for a notice (it is keyed by event_id instead). */
    invoice_id: string | null;
    account_id: string;
    invoice_number: string | null;
    invoice_kind: string | null;
    /** The event that announced a notice; null for an invoice. */
    event_id: number | null;
    /** What a notice's message says (amount, currency, invoice numbers, dates). */
    payload: Json<Record<string, unknown>> | null;
    recipients: Json<{ email: string; name: string | null }[]>;
    status: 'queued' | 'sending' | 'sent' | 'failed' | 'bounced';
    attempts: Generated<number>;
    not_before: Date;
    lease_until: Date | null;
    lease_token: string | null;
    sent_at: Date | null;
    last_error: string | null;
    window_month: string | null;
    slot: number | null;
    resends: Generated<number>;
    created_at: Date;
  };
  delivery_attempts: {
    id: Generated<number>;
    delivery_id: string;
    attempt: number;
    attempted_at: Date;
    outcome: 'queued' | 'sent' | 'failed' | 'bounced';
    smtp_response: string | null;
    detail: string | null;
    retry_at: Date | null;
    actor: string;
  };
  delivery_windows: { month: string; slots_taken: number; next_at: Date };
  delivery_state: {
    id: number;
    first_event_id: number;
    cursor_event_id: number;
    settings: Json<Record<string, unknown>>;
    /** Notices announced after this event are e-mailed (migration 008). */
    notice_first_event_id: number;
  };
  // Payments, ledger, collections, disputes (migration 006).
  payment_accounts: {
    account_id: string;
    autopay: boolean;
    default_method_id: string | null;
    updated_at: Date;
  };
  payment_methods: {
    id: string;
    account_id: string;
    type: 'card' | 'us_bank' | 'clabe';
    processor: string;
    token: string;
    brand: string | null;
    last4: string;
    exp_month: number | null;
    exp_year: number | null;
    holder_name: string | null;
    created_at: Date;
    removed_at: Date | null;
  };
  payments: {
    id: string;
    account_id: string;
    currency: string;
    amount: number;
    method_type: 'card' | 'us_bank' | 'clabe' | 'cheque' | 'transfer';
    payment_method_id: string | null;
    source: 'online' | 'autopay' | 'offline' | 'bank_file';
    status: 'pending' | 'unknown' | 'processing' | 'succeeded' | 'declined' | 'failed' | 'returned';
    targets: Json<string[]>;
    idempotency_key: string | null;
    external_ref: string | null;
    processor_ref: string | null;
    decline_code: string | null;
    message: string | null;
    received_on: string;
    settles_on: string | null;
    created_at: Date;
    decided_at: Date | null;
    actor: string;
  };
  credit_note_sequences: { entity_id: string; next_value: number };
  credit_notes: {
    id: string;
    number: string;
    account_id: string;
    invoice_id: string;
    currency: string;
    amount: number;
    reason: string;
    issue_date: string;
    created_at: Date;
    actor: string;
  };
  ledger_entries: {
    id: Generated<number>;
    account_id: string;
    currency: string;
    kind: 'invoice' | 'invoice_void' | 'payment' | 'payment_return' | 'refund' | 'credit_note' | 'adjustment';
    amount: number;
    effective_date: string;
    invoice_id: string | null;
    payment_id: string | null;
    document_id: string | null;
    targets: Json<string[]> | null;
    memo: string | null;
    created_at: Date;
    actor: string;
  };
  autopay_runs: {
    account_id: string;
    month: string;
    payment_id: string | null;
    outcome: string;
    created_at: Date;
  };
  collection_settings: { id: number; settings: Json<Record<string, unknown>> };
  collection_notices: {
    account_id: string;
    notice_key: string;
    invoice_id: string | null;
    kind: string;
    days_past_due: number;
    amount: number;
    sent_to: string | null;
    sent_at: Date;
  };
  account_status_changes: {
    id: Generated<number>;
    account_id: string;
    from_status: string;
    to_status: string;
    reason: string;
    days_past_due: number | null;
    past_due: number | null;
    proof: string | null;
    actor: string;
    occurred_at: Date;
  };
  disputes: {
    id: string;
    account_id: string;
    invoice_id: string;
    line_position: number | null;
    amount: number;
    reason: string;
    status: 'open' | 'accepted' | 'rejected';
    resolution: string | null;
    credit_note_id: string | null;
    opened_on: string;
    opened_at: Date;
    opened_by: string;
    resolved_at: Date | null;
    resolved_by: string | null;
  };
}
