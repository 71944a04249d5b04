import { type CalendarDate } from '../../kernel/index.ts';
import type { Db } from '../../db/index.ts';

/**
 * RUN-8: records that an invoice went out — `sent_on` (the date in the account's time zone) and
 * `due_date` = sent_on + the entity's due days — in the caller's transaction. Only the first
 * successful send counts: a resend never moves the due date. These are the only two columns the
 * invoices' immutability trigger leaves open; the delivery module calls this when a send succeeds.
 */
export async function recordInvoiceSent(
  db: Db,
  invoiceId: string,
  sentOn: CalendarDate,
  dueDate: CalendarDate,
): Promise<boolean> {
  const r = await db
    .updateTable('invoices')
    .set({ sent_on: sentOn, due_date: dueDate })
    .where('id', '=', invoiceId)
    .where('sent_on', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
