import { sql } from 'kysely';
import { type Db, insertColumns } from '../../db/index.ts';
import type { DraftLine } from './domain/monthly-charges.ts';

// SQL for the invoicing module's own tables: invoices, invoice_lines, invoice_sequences, bill_runs.

/**
 * Reserves `count` consecutive numbers of an entity's sequence inside the caller's transaction:
 * the row lock is held until commit, so a rolled-back batch leaves no gap.
 */
export async function reserveInvoiceNumbers(db: Db, entityId: string, count: number): Promise<number> {
  const r = await sql<{ next_value: number }>`
    INSERT INTO invoice_sequences (entity_id, next_value) VALUES (${entityId}, ${count + 1})
    ON CONFLICT (entity_id) DO UPDATE SET next_value = invoice_sequences.next_value + ${count}
    RETURNING next_value`.execute(db);
  return r.rows[0]!.next_value - count; // first sequence number of the reserved block
}

export interface NewInvoice {
  id: string;
  number: string;
  entityId: string;
  accountId: string;
  kind: 'monthly' | 'one_time' | 'rental' | 'credit_note';
  billingMonth: string | null;
  billRunId: string | null;
  issueDate: string;
  dueDate: string;
  currency: string;
  subtotal: number;
  total: number;
  poNumber: string | null;
  legalName: string;
  createdAt: Date;
  /** RUN-12: the voided invoice this one replaces (a reissue), or null. */
  replaces: string | null;
  lines: DraftLine[];
}

/**
 * Inserts invoices and their lines, a column at a time (insertColumns: a binary COPY on a server).
 * A bill run's batch holds its entity's numbering lock from the numbers' reservation to its
 * commit, and these rows are most of what it writes in between: the faster they go in, the less
 * the other batches wait. (As one JSON document per table before: a fifth slower to insert.)
 */
export async function insertInvoices(db: Db, invoices: readonly NewInvoice[]): Promise<void> {
  if (invoices.length === 0) return;
  await insertColumns(
    db,
    'invoices',
    INVOICE_COLUMNS,
    invoices.map((i) => ({
      id: i.id,
      number: i.number,
      entity_id: i.entityId,
      account_id: i.accountId,
      kind: i.kind,
      billing_month: i.billingMonth,
      bill_run_id: i.billRunId,
      issue_date: i.issueDate,
      due_date: i.dueDate,
      currency: i.currency,
      subtotal: i.subtotal,
      total: i.total,
      po_number: i.poNumber,
      legal_name: i.legalName,
      created_at: i.createdAt,
      replaces: i.replaces,
    })),
    [{ column: 'status', type: 'text', value: 'to_pay' }],
  );
  await insertColumns(
    db,
    'invoice_lines',
    LINE_COLUMNS,
    invoices.flatMap((inv) =>
      inv.lines.map((l, position) => ({
        invoice_id: inv.id,
        position,
        line_type: l.lineType,
        description: l.description,
        item_code: l.itemCode,
        quantity: l.quantity,
        unit_price: l.unitPrice,
        period_start: l.periodStart,
        period_end: l.periodEnd,
        prorate_days: l.prorateDays,
        period_days: l.periodDays,
        amount: l.amount,
        rate_per_minute: l.ratePerMinute ?? null,
      })),
    ),
  );
}

const INVOICE_COLUMNS = {
  id: 'text',
  number: 'text',
  entity_id: 'text',
  account_id: 'text',
  kind: 'text',
  billing_month: 'text',
  bill_run_id: 'text',
  issue_date: 'date',
  due_date: 'date',
  currency: 'text',
  subtotal: 'bigint',
  total: 'bigint',
  po_number: 'text',
  legal_name: 'text',
  created_at: 'timestamptz',
  replaces: 'text',
} as const;

const LINE_COLUMNS = {
  invoice_id: 'text',
  position: 'int',
  line_type: 'text',
  description: 'text',
  item_code: 'text',
  quantity: 'bigint',
  unit_price: 'bigint',
  period_start: 'date',
  period_end: 'date',
  prorate_days: 'int',
  period_days: 'int',
  amount: 'bigint',
  rate_per_minute: 'bigint',
} as const;

interface DueFilter {
  month: string;
  firstDay: string;
  now: Date;
  onlyIds?: readonly string[] | undefined;
}

/**
 * Accounts due for the month-M invoice: active or suspended, a contract whose billing has started
 * by the 1st, the 1st already begun in the account's own time zone, and no invoice for M yet but
 * those voided to be reissued (RUN-12).
 */
const dueCondition = (p: DueFilter) => sql`
  a.status IN ('active', 'suspended')
  AND (${p.firstDay}::timestamp AT TIME ZONE a.time_zone) <= ${p.now.toISOString()}::timestamptz
  AND EXISTS (SELECT 1 FROM contracts c WHERE c.account_id = a.id AND c.billing_start_date <= ${p.firstDay}::date)
  AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.account_id = a.id AND i.billing_month = ${p.month}
    AND i.kind = 'monthly' AND i.status <> 'void')
  AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.account_id = a.id AND i.billing_month = ${p.month}
    AND i.kind = 'monthly' AND i.status = 'void' AND NOT i.reissue)
  ${p.onlyIds ? sql`AND a.id = ANY(${p.onlyIds as string[]}::text[])` : sql``}`;

/** Claims up to `limit` due accounts after `afterId`; rows another worker holds are skipped. */
export async function claimDueAccounts(
  db: Db,
  p: DueFilter & { afterId: string; limit: number },
): Promise<string[]> {
  const r = await sql<{ id: string }>`
    SELECT a.id FROM accounts a WHERE a.id > ${p.afterId} AND ${dueCondition(p)}
    ORDER BY a.id LIMIT ${p.limit}
    FOR UPDATE OF a SKIP LOCKED`.execute(db);
  return r.rows.map((x) => x.id);
}

/** RUN-12: of these accounts, the month-M invoice each replaces (voided to be reissued, not replaced yet). */
export async function invoicesToReplace(db: Db, accountIds: readonly string[], month: string) {
  const r = await sql<{ id: string; account_id: string }>`
    SELECT i.id, i.account_id FROM invoices i
    WHERE i.account_id = ANY(${accountIds as string[]}::text[]) AND i.billing_month = ${month}
      AND i.kind = 'monthly' AND i.status = 'void' AND i.reissue
      AND NOT EXISTS (SELECT 1 FROM invoices r WHERE r.replaces = i.id)`.execute(db);
  return new Map(r.rows.map((x) => [x.account_id, x.id]));
}

export async function countDueAccounts(db: Db, p: DueFilter): Promise<number> {
  const r = await sql<{
    n: number;
  }>`SELECT count(*)::int8 AS n FROM accounts a WHERE ${dueCondition(p)}`.execute(db);
  return r.rows[0]!.n;
}

export interface RentalClaim {
  entityId: string;
  month: string;
  issueDate: string;
  now: Date;
  rentalCodes: readonly string[];
  afterId: string;
  limit: number;
  onlyIds?: readonly string[] | undefined;
}

/**
 * RUN-10: accounts of an entity due for the month-M rental invoice — active or suspended, rental
 * equipment in service during M or added in the month before (its first invoice carries that
 * partial month), the issue date begun in the account's time zone, no rental invoice for M yet —
 * claimed like the bill run's (rows another worker holds are skipped).
 */
export async function claimRentalAccounts(db: Db, p: RentalClaim): Promise<string[]> {
  const month = p.month;
  const prevFirst = `${addMonth(month, -1)}-01`;
  const nextFirst = `${addMonth(month, 1)}-01`;
  const r = await sql<{ id: string }>`
    SELECT a.id FROM accounts a
    WHERE a.id > ${p.afterId} AND a.entity_id = ${p.entityId}
      AND a.status IN ('active', 'suspended')
      AND (${p.issueDate}::timestamp AT TIME ZONE a.time_zone) <= ${p.now.toISOString()}::timestamptz
      AND EXISTS (SELECT 1 FROM inventory_items x WHERE x.account_id = a.id
        AND x.item_code = ANY(${p.rentalCodes as string[]}::text[])
        AND x.added_on < ${nextFirst}::date AND (x.removed_on IS NULL OR x.removed_on >= ${prevFirst}::date))
      AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.account_id = a.id AND i.billing_month = ${month}
        AND i.kind = 'rental')
      ${p.onlyIds ? sql`AND a.id = ANY(${p.onlyIds as string[]}::text[])` : sql``}
    ORDER BY a.id LIMIT ${p.limit}
    FOR UPDATE OF a SKIP LOCKED`.execute(db);
  return r.rows.map((x) => x.id);
}

const addMonth = (month: string, n: number) => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const i = y * 12 + (m - 1) + n;
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
};
