import type { Ctx } from '../../context.ts';
import {
  type BillingMonth,
  type CalendarDate,
  type ComposedInvoice,
  addDays,
  groupBy,
  newId,
} from '../../kernel/index.ts';
import { type Db, appendEvents } from '../../db/index.ts';
import { type BillingEntity, legalNameOn } from '../accounts/index.ts';
import { formatInvoiceNumber } from './domain/numbering.ts';
import { type NewInvoice, insertInvoices, reserveInvoiceNumbers } from './repo.ts';

export interface InvoiceHeader {
  kind: NewInvoice['kind'];
  issueDate: CalendarDate;
  billingMonth: BillingMonth | null;
  billRunId: string | null;
  /** RUN-12: the voided invoice this one replaces. */
  replaces?: string | null;
}

/** An invoice ready to be numbered and stored: header, the entity's name on its date, its lines. */
export function draftInvoice(
  ctx: Ctx,
  entity: BillingEntity,
  account: { id: string; currency: string; poNumber: string | null },
  header: InvoiceHeader,
  composed: ComposedInvoice,
): NewInvoice {
  return {
    id: newId('inv', ctx.clock.now()),
    number: '',
    entityId: entity.id,
    accountId: account.id,
    ...header,
    // RUN-8: due 15 days after sending; until delivery records the sent date, sending is the issue date.
    dueDate: addDays(header.issueDate, entity.rules.dueDays),
    currency: account.currency,
    subtotal: composed.subtotal,
    total: composed.total,
    poNumber: account.poNumber,
    legalName: legalNameOn(entity, header.issueDate),
    createdAt: ctx.clock.now(),
    replaces: header.replaces ?? null,
    lines: composed.lines,
  };
}

/**
 * Numbers (RUN-11: gapless per entity, reserved inside the caller's transaction), stores and
 * announces invoices. Every kind of invoice — monthly, one-time, rental — is issued here.
 */
export async function issueInvoices(
  db: Db,
  ctx: Ctx,
  invoices: NewInvoice[],
  entities: ReadonlyMap<string, BillingEntity>,
): Promise<void> {
  // Entities in a fixed order, so concurrent workers take the sequence locks in the same order.
  const byEntity = [...groupBy(invoices, (i) => i.entityId).entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  for (const [entityId, list] of byEntity) {
    const first = await reserveInvoiceNumbers(db, entityId, list.length);
    const base = entities.get(entityId)!.invoiceNumberBase;
    list.forEach((inv, i) => (inv.number = formatInvoiceNumber(base, first + i)));
  }
  await insertInvoices(db, invoices);
  await appendEvents(
    db,
    ctx.actor,
    ctx.clock.now(),
    invoices.map((i) => ({
      type: 'invoice.issued',
      subjectId: i.id,
      accountId: i.accountId,
      payload: {
        number: i.number,
        kind: i.kind,
        month: i.billingMonth,
        total: i.total,
        currency: i.currency,
        billRunId: i.billRunId,
        // RUN-12: a reissue's replacement (sent at once, whatever the month's window).
        ...(i.replaces ? { replaces: i.replaces } : {}),
      },
    })),
  );
}
