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
  deliveries: {
    id: string;
    invoice_id: string;
    account_id: string;
    invoice_number: string;
    invoice_kind: string;
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
  };
}
