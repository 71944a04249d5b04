import type { Ctx } from '../../context.ts';
import { type CalendarDate, dateInZone, invalid, parseDate } from '../../kernel/index.ts';
import { getAccount, getBillingEntity } from '../accounts/index.ts';
import { addBusinessDays } from './domain/business-days.ts';
import type { Invoice } from './invoices.ts';
import { type OneTimeChargeInput, invoiceOneTimeCharges } from './one-time.ts';

/** RUN-10: an equipment order is invoiced no later than this many business days after its e-signature. */
export const EQUIPMENT_ORDER_BUSINESS_DAYS = 5;

export interface EquipmentOrderInput {
  /** The day the customer e-signed the order (account time zone). */
  signedOn: CalendarDate;
  charges: OneTimeChargeInput[];
}

export interface EquipmentOrderInvoice {
  invoice: Invoice;
  /** The last day the order could be invoiced on (5 business days of the entity's country). */
  invoiceBy: CalendarDate;
  /** False when the signed order reached billing after that day (invoiced at once all the same). */
  onTime: boolean;
}

/**
 * RUN-10: a signed equipment order is invoiced when it is recorded — on signature, in the normal
 * course — as a one-time invoice dated that day, which is within five business days of the
 * e-signature (weekends and the entity country's holidays do not count). An order recorded after
 * that window is invoiced at once too (never left unbilled) and reported as late.
 */
export async function invoiceEquipmentOrder(
  ctx: Ctx,
  accountId: string,
  order: EquipmentOrderInput,
): Promise<EquipmentOrderInvoice> {
  const signedOn = parseDate(order.signedOn, 'signedOn');
  const account = await getAccount(ctx, accountId);
  const today = dateInZone(ctx.clock.now(), account.timeZone);
  if (signedOn > today) {
    throw invalid('signature_in_future', `signedOn ${signedOn} is after today (${today}) for this account.`, {
      field: 'signedOn',
    });
  }
  const entity = await getBillingEntity(ctx, account.entityId);
  const invoiceBy = addBusinessDays(entity.country, signedOn, EQUIPMENT_ORDER_BUSINESS_DAYS);
  const invoice = await invoiceOneTimeCharges(ctx, account.id, order.charges);
  return { invoice, invoiceBy, onTime: invoice.issueDate <= invoiceBy };
}
