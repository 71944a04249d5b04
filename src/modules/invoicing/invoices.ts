import type { Selectable } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { Ctx } from '../../context.ts';
import { invalid, notFound, parseMonth } from '../../kernel/index.ts';
import { type Page, appendEvents, pageLimit, toPage } from '../../db/index.ts';
import { releaseBilledUsage } from '../usage/index.ts';

export type InvoiceStatus = 'to_pay' | 'paid' | 'void' | 'credited';

export interface InvoiceLine {
  position: number;
  lineType: string;
  description: string;
  itemCode: string | null;
  quantity: number;
  unitPrice: number;
  periodStart: string | null;
  periodEnd: string | null;
  prorateDays: number | null;
  periodDays: number | null;
  amount: number;
  /** Usage lines: RATE_SCALE millionths per minute, and the quantity is billed seconds. */
  ratePerMinute: number | null;
}

export interface Invoice {
  id: string;
  number: string;
  entityId: string;
  accountId: string;
  kind: 'monthly' | 'one_time' | 'rental' | 'credit_note';
  billingMonth: string | null;
  billRunId: string | null;
  issueDate: string;
  sentOn: string | null;
  dueDate: string;
  currency: string;
  subtotal: number;
  total: number;
  status: InvoiceStatus;
  poNumber: string | null;
  legalName: string;
  createdAt: string;
  /** RUN-12: voided to be issued again (its replacement names it in `replaces`). */
  reissue: boolean;
  /** The voided invoice this one replaces, or null. */
  replaces: string | null;
  lines?: InvoiceLine[];
}

type InvoiceRow = Selectable<Database['invoices']>;

const toInvoice = (r: InvoiceRow): Invoice => ({
  id: r.id,
  number: r.number,
  entityId: r.entity_id,
  accountId: r.account_id,
  kind: r.kind,
  billingMonth: r.billing_month,
  billRunId: r.bill_run_id,
  issueDate: r.issue_date,
  sentOn: r.sent_on,
  dueDate: r.due_date,
  currency: r.currency,
  subtotal: r.subtotal,
  total: r.total,
  status: r.status,
  poNumber: r.po_number,
  legalName: r.legal_name,
  createdAt: r.created_at.toISOString(),
  reissue: r.reissue,
  replaces: r.replaces,
});

export interface InvoiceFilter {
  accountId?: string;
  month?: string;
  status?: InvoiceStatus;
  cursor?: string;
  limit?: number;
}

/** Invoices newest number last, a page at a time (the cursor is the last invoice number seen). */
export async function listInvoices(ctx: Ctx, filter: InvoiceFilter = {}): Promise<Page<Invoice>> {
  const limit = pageLimit(filter.limit);
  let q = ctx.db
    .selectFrom('invoices')
    .selectAll()
    .orderBy('number')
    .limit(limit + 1);
  if (filter.cursor) q = q.where('number', '>', filter.cursor);
  if (filter.accountId) q = q.where('account_id', '=', filter.accountId);
  if (filter.month) q = q.where('billing_month', '=', parseMonth(filter.month));
  if (filter.status) q = q.where('status', '=', filter.status);
  const rows = await q.execute();
  return toPage(rows.map(toInvoice), limit, (i) => i.number);
}

export async function getInvoice(ctx: Ctx, idOrNumber: string): Promise<Invoice> {
  const row = await ctx.db
    .selectFrom('invoices')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', idOrNumber), eb('number', '=', idOrNumber)]))
    .executeTakeFirst();
  if (!row) throw notFound('invoice_not_found', `No invoice ${idOrNumber}.`);
  const lines = await ctx.db
    .selectFrom('invoice_lines')
    .selectAll()
    .where('invoice_id', '=', row.id)
    .orderBy('position')
    .execute();
  return {
    ...toInvoice(row),
    lines: lines.map((l) => ({
      position: l.position,
      lineType: l.line_type,
      description: l.description,
      itemCode: l.item_code,
      quantity: l.quantity,
      unitPrice: l.unit_price,
      periodStart: l.period_start,
      periodEnd: l.period_end,
      prorateDays: l.prorate_days,
      periodDays: l.period_days,
      amount: l.amount,
      ratePerMinute: l.rate_per_minute,
    })),
  };
}

/**
 * RUN-12: staff void an invoice issued in error. Its lines and number stay (issued invoices are
 * immutable and numbers gapless); only the status records the decision, with the reason. What it
 * charged is not billed again: the month's calls stay billed by it. With `reissue` (a monthly
 * invoice), the month is to be billed again instead: the account is due for the month once more
 * (the bill run issues the replacement, which names this invoice) and the calls this one billed
 * are billed by the replacement (releaseBilledUsage). reissueInvoice does both at once.
 */
export async function voidInvoice(
  ctx: Ctx,
  idOrNumber: string,
  reason: string,
  opts: { reissue?: boolean } = {},
): Promise<Invoice> {
  const invoice = await getInvoice(ctx, idOrNumber);
  if (!reason?.trim()) throw invalid('reason_required', 'Say why the invoice is voided.');
  const reissue = opts.reissue === true;
  if (reissue && invoice.kind !== 'monthly') {
    throw invalid(
      'cannot_reissue',
      `Invoice ${invoice.number} is a ${invoice.kind.replace('_', '-')} invoice; only a monthly invoice is reissued by the bill run.`,
    );
  }
  const cannotVoid = (status: string) =>
    invalid('cannot_void', `Invoice ${invoice.number} is ${status}; only an unpaid invoice can be voided.`);
  if (invoice.status !== 'to_pay') throw cannotVoid(invoice.status);
  await ctx.db.transaction().execute(async (trx) => {
    // One of two voids at once wins; the other finds it void.
    const voided = await trx
      .updateTable('invoices')
      .set({ status: 'void', reissue })
      .where('id', '=', invoice.id)
      .where('status', '=', 'to_pay')
      .returning('id')
      .executeTakeFirst();
    if (!voided) throw cannotVoid((await getInvoice({ ...ctx, db: trx }, invoice.id)).status);
    if (reissue) await releaseBilledUsage(trx, invoice);
    await appendEvents(trx, ctx.actor, ctx.clock.now(), [
      {
        type: 'invoice.voided',
        subjectId: invoice.id,
        accountId: invoice.accountId,
        payload: reissue ? { reason, reissue } : { reason },
      },
    ]);
  });
  return getInvoice(ctx, invoice.id);
}

/**
 * RUN-12: the numbers of the invoice this one replaces and of the one that replaces it, if any
 * (one read, numbers only: what its documents print).
 */
export async function reissueNumbers(
  ctx: Ctx,
  invoice: Pick<Invoice, 'id' | 'replaces'>,
): Promise<{ replaces: string | null; replacedBy: string | null }> {
  const rows = await ctx.db
    .selectFrom('invoices')
    .select(['id', 'number'])
    .where((eb) => eb.or([eb('id', '=', invoice.replaces ?? ''), eb('replaces', '=', invoice.id)]))
    .execute();
  const numberOf = (found: { number: string } | undefined) => found?.number ?? null;
  return {
    replaces: numberOf(rows.find((r) => r.id === invoice.replaces)),
    replacedBy: numberOf(rows.find((r) => r.id !== invoice.replaces)),
  };
}

/** The invoice that replaces a voided one (RUN-12), if issued. */
export async function replacementOf(ctx: Ctx, invoiceId: string): Promise<Invoice | null> {
  const row = await ctx.db
    .selectFrom('invoices')
    .select('id')
    .where('replaces', '=', invoiceId)
    .executeTakeFirst();
  return row ? getInvoice(ctx, row.id) : null;
}

export interface BillRunRecord {
  id: string;
  month: string;
  status: 'running' | 'completed';
  startedAt: string;
  finishedAt: string | null;
  invoicesCreated: number;
  totalBilled: Record<string, number>;
}

export async function listBillRuns(ctx: Ctx): Promise<BillRunRecord[]> {
  const rows = await ctx.db.selectFrom('bill_runs').selectAll().orderBy('month', 'desc').execute();
  return rows.map((r) => ({
    id: r.id,
    month: r.month,
    status: r.status,
    startedAt: r.started_at.toISOString(),
    finishedAt: r.finished_at?.toISOString() ?? null,
    invoicesCreated: r.invoices_created,
    totalBilled: r.total_billed as Record<string, number>,
  }));
}
