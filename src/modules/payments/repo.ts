import { sql } from 'kysely';
import type { Db, DomainEvent } from '../../db/index.ts';
import type { LedgerEntry } from './domain/ledger.ts';

// SQL for the payments module's own tables: payment_accounts, payment_methods, payments,
// ledger_entries, credit_notes, credit_note_sequences, autopay_runs.

/**
 * Takes the account's payment lock for the rest of the transaction (creating its row on first
 * use): every change to one account's money is serialised on it, so concurrent payments see each
 * other's reservations.
 */
export async function lockPaymentAccount(db: Db, accountId: string, now: Date) {
  type Row = { autopay: boolean; default_method_id: string | null };
  const lock = () =>
    sql<Row>`SELECT autopay, default_method_id FROM payment_accounts WHERE account_id = ${accountId} FOR UPDATE`.execute(
      db,
    );
  let r = await lock();
  if (r.rows.length === 0) {
    await sql`INSERT INTO payment_accounts (account_id, autopay, updated_at)
      VALUES (${accountId}, false, ${now.toISOString()}::timestamptz) ON CONFLICT (account_id) DO NOTHING`.execute(
      db,
    );
    r = await lock();
  }
  return r.rows[0]!;
}

/**
 * Every issued invoice of the account (and every void) becomes a ledger entry once. Invoices are
 * issued by invoicing, which knows nothing of payments; the ledger takes them in here, under the
 * account's payment lock, before anything reads or moves the account's money.
 */
export async function syncInvoiceEntries(
  db: Db,
  accountIds: readonly string[],
  now: Date,
  today: string,
): Promise<void> {
  await syncInsert(accountIds, now, today).execute(db);
}

// One statement for both: new invoices first (in issue order), then voids of invoices already in.
const syncInsert = (accountIds: readonly string[], now: Date, today: string) => sql`
    INSERT INTO ledger_entries (account_id, currency, kind, amount, effective_date, invoice_id, memo, created_at, actor)
    SELECT account_id, currency, kind, amount, effective_date, id, memo, ${now.toISOString()}::timestamptz, 'ledger'
    FROM (
      SELECT i.account_id, i.currency, 'invoice' AS kind, i.total AS amount, i.issue_date AS effective_date, i.id,
        NULL::text AS memo, 0 AS step, i.number
      FROM invoices i
      WHERE i.account_id = ANY(${accountIds as string[]}::text[]) AND i.kind <> 'credit_note'
        AND NOT EXISTS (SELECT 1 FROM ledger_entries l WHERE l.kind = 'invoice' AND l.invoice_id = i.id)
      UNION ALL
      SELECT i.account_id, i.currency, 'invoice_void', -i.total, ${today}::date, i.id, 'invoice voided', 1, i.number
      FROM invoices i
      WHERE i.account_id = ANY(${accountIds as string[]}::text[]) AND i.status = 'void'
        AND NOT EXISTS (SELECT 1 FROM ledger_entries l WHERE l.kind = 'invoice_void' AND l.invoice_id = i.id)
    ) t ORDER BY step, effective_date, number
    ON CONFLICT DO NOTHING`;

export interface LedgerRow extends LedgerEntry {
  id: number;
  currency: string;
  invoiceNumber: string | null;
  invoiceStatus: string | null;
  invoiceTotal: number | null;
  issueDate: string | null;
  documentId: string | null;
  memo: string | null;
  createdAt: Date;
}

interface LedgerDbRow {
  id: number;
  currency: string;
  kind: LedgerEntry['kind'];
  amount: number;
  effective_date: string;
  invoice_id: string | null;
  payment_id: string | null;
  document_id: string | null;
  targets: string[] | null;
  memo: string | null;
  created_at: Date;
  due_date: string | null;
  number: string | null;
  status: string | null;
  total: number | null;
  issue_date: string | null;
}

const toLedgerRow = (x: LedgerDbRow): LedgerRow => ({
  id: x.id,
  currency: x.currency,
  kind: x.kind,
  amount: x.amount,
  date: x.effective_date,
  invoiceId: x.invoice_id,
  dueDate: x.due_date,
  paymentId: x.payment_id,
  targets: x.targets,
  documentId: x.document_id,
  memo: x.memo,
  createdAt: x.created_at,
  invoiceNumber: x.number,
  invoiceStatus: x.status,
  invoiceTotal: x.total,
  issueDate: x.issue_date,
});

/** The account's ledger, oldest first, with what each invoice entry needs (due date, number, status). */
async function selectLedger(db: Db, accountId: string): Promise<LedgerRow[]> {
  const r = await sql<{ ledger: JsonLedgerRow[] }>`SELECT account_ledger(${accountId}) AS ledger`.execute(db);
  return r.rows[0]!.ledger.map(fromJson);
}

/** A ledger row as account_ledger() returns it (JSON: the timestamp is a string). */
type JsonLedgerRow = Omit<LedgerDbRow, 'created_at'> & { created_at: string };
const fromJson = (x: JsonLedgerRow): LedgerRow => toLedgerRow({ ...x, created_at: new Date(x.created_at) });

export const loadLedger = (db: Db, accountId: string): Promise<LedgerRow[]> => selectLedger(db, accountId);

export interface NewLedgerEntry {
  accountId: string;
  currency: string;
  kind: LedgerEntry['kind'];
  amount: number;
  date: string;
  invoiceId?: string | null;
  paymentId?: string | null;
  documentId?: string | null;
  targets?: readonly string[] | null;
  memo?: string | null;
}

/** Appends ledger entries — and, when given, their events — in one call. */
export async function appendLedgerEntries(
  db: Db,
  entries: NewLedgerEntry[],
  actor: string,
  now: Date,
  events: DomainEvent[] = [],
) {
  if (entries.length === 0) return;
  const rows = JSON.stringify(
    entries.map((e) => ({
      account_id: e.accountId,
      currency: e.currency,
      kind: e.kind,
      amount: e.amount,
      effective_date: e.date,
      invoice_id: e.invoiceId ?? null,
      payment_id: e.paymentId ?? null,
      document_id: e.documentId ?? null,
      targets: e.targets ?? null,
      memo: e.memo ?? null,
    })),
  );
  const evs = JSON.stringify(
    events.map((e) => ({
      type: e.type,
      subject_id: e.subjectId,
      account_id: e.accountId ?? null,
      payload: e.payload,
    })),
  );
  await sql`SELECT append_ledger(${rows}::json, ${evs}::json, ${actor}, ${now.toISOString()}::timestamptz)`.execute(
    db,
  );
}

/**
 * Everything a new payment is checked against, in one statement (run after the account's payment
 * lock is held, so it sees every payment committed before): a payment already made with this
 * idempotency key, the amount reserved by payments in flight, the last decline (PAY-5), whether
 * invoices wait to enter the ledger, the payment method to charge and the ledger itself.
 */
export async function paymentGuards(
  db: Db,
  accountId: string,
  idempotencyKey: string | null,
  methodId: string | null,
) {
  const r = await sql<{
    g: {
      seen: string | null;
      reserved: number;
      last_decline: string | null;
      unsynced: boolean;
      method: { id: string; type: 'card' | 'us_bank' | 'clabe'; token: string } | null;
      ledger: JsonLedgerRow[];
    };
  }>`SELECT payment_guards(${accountId}, ${idempotencyKey}, ${methodId}) AS g`.execute(db);
  const g = r.rows[0]!.g;
  return {
    seen: g.seen,
    reserved: Number(g.reserved),
    lastDecline: g.last_decline ? new Date(g.last_decline) : null,
    /** Invoices (or voids) not yet in the ledger: syncInvoiceEntries has work to do. */
    unsynced: g.unsynced,
    /** The ledger as loadLedger reads it (stale when `unsynced`). */
    ledger: g.ledger.map(fromJson),
    method: g.method,
  };
}
