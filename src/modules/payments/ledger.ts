import type { Ctx } from '../../context.ts';
import { type CalendarDate, dateInZone, daysBetween } from '../../kernel/index.ts';
import { type Db, appendEvents } from '../../db/index.ts';
import { type Account, getAccount } from '../accounts/index.ts';
import { setInvoicePaymentStatus } from '../invoicing/index.ts';
import { type AccountPosition, type Aging, positionOf, replayLedger } from './domain/ledger.ts';
import { type LedgerRow, loadLedger, lockPaymentAccount, syncInvoiceEntries } from './repo.ts';
import { notifyLedgerChange } from './listeners.ts';

export interface OpenInvoice {
  invoiceId: string;
  number: string;
  issueDate: string | null;
  dueDate: string | null;
  total: number;
  open: number;
  daysPastDue: number;
}

/** COL-1: what the account owes, derived from its ledger on `asOf` (its own calendar date). */
export interface AccountBalance {
  accountId: string;
  currency: string;
  asOf: CalendarDate;
  balance: number;
  balanceDue: number;
  pastDue: number;
  credit: number;
  aging: Aging;
  oldestPastDueDays: number;
  openInvoices: OpenInvoice[];
}

export const todayFor = (ctx: Ctx, account: Pick<Account, 'timeZone'>): CalendarDate =>
  dateInZone(ctx.clock.now(), account.timeZone);

export function balanceFrom(
  account: Pick<Account, 'id' | 'currency'>,
  rows: readonly LedgerRow[],
  asOf: CalendarDate,
): { balance: AccountBalance; position: AccountPosition } {
  const position = positionOf(replayLedger(rows), asOf);
  const invoiceRows = rows.filter((r) => r.kind === 'invoice' && r.invoiceId);
  const openInvoices: OpenInvoice[] = [];
  for (const r of invoiceRows) {
    const open = position.invoiceOpen.get(r.invoiceId!) ?? 0;
    if (open <= 0) continue;
    const days = r.dueDate ? Math.max(0, daysBetween(r.dueDate, asOf)) : 0;
    openInvoices.push({
      invoiceId: r.invoiceId!,
      number: r.invoiceNumber ?? '',
      issueDate: r.issueDate,
      dueDate: r.dueDate ?? null,
      total: r.invoiceTotal ?? r.amount,
      open,
      daysPastDue: days,
    });
  }
  return {
    position,
    balance: {
      accountId: account.id,
      currency: account.currency,
      asOf,
      balance: position.balance,
      balanceDue: Math.max(0, position.balance),
      pastDue: position.pastDue,
      credit: position.credit,
      aging: position.aging,
      oldestPastDueDays: position.oldestPastDueDays,
      openInvoices,
    },
  };
}

/**
 * Re-derives the account's position after a ledger change, in the caller's transaction, and
 * projects it onto the invoices: fully paid ones become Paid, reopened ones To pay again (PAY-4).
 */
export async function settleAccount(
  db: Db,
  ctx: Ctx,
  account: Pick<Account, 'id' | 'currency'> & { status?: string },
  today: CalendarDate,
): Promise<AccountBalance> {
  const rows = await loadLedger(db, account.id);
  const { balance, position } = balanceFrom(account, rows, today);
  const paid: string[] = [];
  const toPay: string[] = [];
  for (const r of rows) {
    if (r.kind !== 'invoice' || !r.invoiceId) continue;
    const open = position.invoiceOpen.get(r.invoiceId) ?? 0;
    if (open === 0 && r.invoiceStatus === 'to_pay' && r.amount > 0) paid.push(r.invoiceId);
    if (open > 0 && r.invoiceStatus === 'paid') toPay.push(r.invoiceId);
  }
  const changed = new Set(await setInvoicePaymentStatus(db, paid, toPay));
  const events = [...paid, ...toPay]
    .filter((id) => changed.has(id))
    .map((id) => ({
      type: paid.includes(id) ? 'invoice.paid' : 'invoice.reopened',
      subjectId: id,
      accountId: account.id,
      payload: {},
    }));
  await appendEvents(db, ctx.actor, ctx.clock.now(), events);
  await notifyLedgerChange(db, ctx, account, balance);
  return balance;
}

/** The account's balance, past-due balance, credit and aging today (COL-1). */
export async function accountBalance(ctx: Ctx, accountId: string): Promise<AccountBalance> {
  const account = await getAccount(ctx, accountId);
  const today = todayFor(ctx, account);
  return ctx.db.transaction().execute(async (trx) => {
    await lockPaymentAccount(trx, account.id, ctx.clock.now());
    await syncInvoiceEntries(trx, [account.id], ctx.clock.now(), today);
    return settleAccount(trx, ctx, account, today);
  });
}

export interface StatementLine {
  id: number;
  kind: string;
  amount: number;
  date: string;
  invoiceId: string | null;
  invoiceNumber: string | null;
  paymentId: string | null;
  documentId: string | null;
  memo: string | null;
  runningBalance: number;
}

/** The ledger itself, oldest first, with the running balance (COL-1). */
export async function accountLedger(ctx: Ctx, accountId: string): Promise<StatementLine[]> {
  const account = await getAccount(ctx, accountId);
  await accountBalance(ctx, account.id); // takes in any invoice issued since
  let running = 0;
  return (await loadLedger(ctx.db, account.id)).map((r) => {
    running += r.amount;
    return {
      id: r.id,
      kind: r.kind,
      amount: r.amount,
      date: r.date,
      invoiceId: r.invoiceId ?? null,
      invoiceNumber: r.invoiceNumber,
      paymentId: r.paymentId ?? null,
      documentId: r.documentId,
      memo: r.memo,
      runningBalance: running,
    };
  });
}
