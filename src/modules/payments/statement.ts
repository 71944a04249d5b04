import { sql } from 'kysely';
import type { Ctx } from '../../context.ts';
import type { Db } from '../../db/index.ts';
import { getAccount } from '../accounts/index.ts';
import type { Invoice, StatementBalances } from '../invoicing/index.ts';
import { todayFor } from './ledger.ts';
import { lockPaymentAccount, syncInvoiceEntries } from './repo.ts';

/**
 * An invoice document's previous balance and payments and credits, from the ledger. For invoice I
 * of account A in currency C, let P be A's previous invoice in C (issued before I's issue date,
 * or on the same date with a lower number; credit notes are not invoices here):
 * - previousBalance: A's ledger balance in C through P's issue date, P included (0 without P);
 * - paymentsAndCredits: minus the sum of the entries after P's issue date through I's (payments,
 *   returns, refunds, credit notes, adjustments, voids), positive when money came in.
 * I's own entries (and invoices numbered after I) are left out, so when nothing else happened on
 * I's date the amount due (previous − payments + total) is the balance right after I was issued.
 * A void is an entry like any other: it credits the account on the day the invoice was voided.
 */
export async function statementBalances(ctx: Ctx, invoice: Invoice): Promise<StatementBalances> {
  const account = await getAccount(ctx, invoice.accountId);
  const read = async (db: Db) => {
    // Take in the invoices issued since, as every ledger reader does.
    await lockPaymentAccount(db, account.id, ctx.clock.now());
    await syncInvoiceEntries(db, [account.id], ctx.clock.now(), todayFor(ctx, account));
    return selectStatementBalances(db, invoice);
  };
  return ctx.db.isTransaction ? read(ctx.db) : ctx.db.transaction().execute(read);
}

async function selectStatementBalances(db: Db, i: Invoice): Promise<StatementBalances> {
  const r = await sql<{ previous: number; since: number }>`
    WITH p AS (
      SELECT issue_date FROM invoices
      WHERE account_id = ${i.accountId} AND currency = ${i.currency} AND kind <> 'credit_note'
        AND (issue_date, number) < (${i.issueDate}::date, ${i.number}::text)
      ORDER BY issue_date DESC, number DESC LIMIT 1
    ), e AS (
      SELECT l.amount, l.effective_date FROM ledger_entries l
      LEFT JOIN invoices v ON v.id = l.invoice_id AND l.kind IN ('invoice', 'invoice_void')
      WHERE l.account_id = ${i.accountId} AND l.currency = ${i.currency}
        AND l.effective_date <= ${i.issueDate}::date
        AND (v.id IS NULL OR (v.issue_date, v.number) < (${i.issueDate}::date, ${i.number}::text))
    )
    SELECT
      coalesce(sum(e.amount) FILTER (WHERE e.effective_date <= p.issue_date), 0)::int8 AS previous,
      coalesce(-sum(e.amount) FILTER (WHERE p.issue_date IS NULL OR e.effective_date > p.issue_date), 0)::int8
        AS since
    FROM e LEFT JOIN p ON true`.execute(db);
  const row = r.rows[0];
  return { previousBalance: Number(row?.previous ?? 0), paymentsAndCredits: Number(row?.since ?? 0) };
}
