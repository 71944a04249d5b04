import { sql } from 'kysely';
import type { Db } from '../../db/index.ts';

/**
 * PAY-4: an invoice moves from To pay to Paid (and back, when a payment is returned). The money
 * is in the payments ledger; this is its projection onto the invoice, written by payments in the
 * same transaction as the ledger entry. Only the status moves (the immutability trigger allows
 * it); void and credited invoices are left alone.
 */
export async function setInvoicePaymentStatus(
  db: Db,
  paid: readonly string[],
  toPay: readonly string[],
): Promise<string[]> {
  if (paid.length === 0 && toPay.length === 0) return [];
  const r = await sql<{ id: string }>`
    UPDATE invoices SET status = CASE WHEN id = ANY(${paid as string[]}::text[]) THEN 'paid' ELSE 'to_pay' END
    WHERE id = ANY(${[...paid, ...toPay]}::text[]) AND status IN ('to_pay', 'paid')
      AND status <> CASE WHEN id = ANY(${paid as string[]}::text[]) THEN 'paid' ELSE 'to_pay' END
    RETURNING id`.execute(db);
  return r.rows.map((x) => x.id);
}
