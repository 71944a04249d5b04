import type { Ctx } from '../../context.ts';
import { type DraftLine, LINE_TEXT, composeInvoice, dateInZone, invalid } from '../../kernel/index.ts';
import { getAccount, getBillingEntity } from '../accounts/index.ts';
import { findCatalogItems, loadPriceBook } from '../catalog/index.ts';
import { type BillingContext, certificatesOf, loadRateTables } from '../taxes/index.ts';
import { feeAndTaxStages, isCharge } from './bill-run.ts';
import { getInvoice, type Invoice } from './invoices.ts';
import { draftInvoice, issueInvoices } from './issue.ts';

export interface OneTimeChargeInput {
  itemCode: string;
  quantity: number;
  /** Shown on the invoice line instead of the catalog name (e.g. the phone model and serial). */
  description?: string;
}

/** The CAT-6 fee for changing caller ID, E911 address, or both in one request. */
export const CID_E911_FEE_ITEM = 'fee.cid-e911-change';

/**
 * RUN-10: non-recurring charges (equipment purchase, premium numbers, installation, buy-out) go
 * on their own one-time invoice, dated the day of purchase in the account's time zone, with the
 * taxes (and any fees) that apply to them. Retried requests are made safe by the Idempotency-Key.
 */
export async function invoiceOneTimeCharges(
  ctx: Ctx,
  accountId: string,
  charges: OneTimeChargeInput[],
): Promise<Invoice> {
  const account = await getAccount(ctx, accountId);
  if (!Array.isArray(charges) || charges.length === 0) {
    throw invalid('empty_request', 'Give at least one one-time charge.');
  }
  const catalog = await findCatalogItems(
    ctx,
    charges.map((c) => c.itemCode),
  );
  const { prices } = await loadPriceBook(ctx);
  const issueDate = dateInZone(ctx.clock.now(), account.timeZone);
  const lines: DraftLine[] = charges.map((c, i) => {
    const field = `charges[${i}]`;
    const item = catalog.get(c.itemCode);
    if (!item) throw invalid('unknown_catalog_item', `${field}: no catalog item "${c.itemCode}".`, { field });
    if (item.billing !== 'one_time') {
      throw invalid(
        'not_one_time',
        `${field}: ${c.itemCode} is a ${item.billing} charge, not a one-time charge.`,
        {
          field,
        },
      );
    }
    if (!Number.isInteger(c.quantity) || c.quantity < 1 || c.quantity > 10_000) {
      throw invalid('invalid_quantity', `${field}.quantity must be a whole number from 1 to 10000.`, {
        field,
      });
    }
    const unitPrice = prices.priceOn(c.itemCode, account.currency, issueDate);
    if (unitPrice === undefined) {
      throw invalid(
        'missing_price',
        `${field}: no ${account.currency} price for ${c.itemCode} on ${issueDate}.`,
      );
    }
    return {
      lineType: 'one_time',
      description: c.description?.trim() || item.name,
      itemCode: c.itemCode,
      quantity: c.quantity,
      unitPrice,
      periodStart: null,
      periodEnd: null,
      prorateDays: null,
      periodDays: null,
      amount: unitPrice * c.quantity,
    };
  });
  const entity = await getBillingEntity(ctx, account.entityId);
  const context: BillingContext = {
    currency: account.currency,
    issueDate,
    address: account.address,
    taxStatus: account.taxStatus,
    exemptionCertificates: (await certificatesOf(ctx, [account.id])).get(account.id) ?? [],
  };
  const composed = composeInvoice(
    context,
    [
      { name: 'one-time charges', lines: () => lines },
      ...feeAndTaxStages<BillingContext>(await loadRateTables(ctx)),
    ],
    isCharge,
  );
  const invoice = draftInvoice(
    ctx,
    entity,
    account,
    { kind: 'one_time', issueDate, billingMonth: null, billRunId: null },
    composed,
  );
  await ctx.db
    .transaction()
    .execute((trx) => issueInvoices(trx, ctx, [invoice], new Map([[entity.id, entity]])));
  return getInvoice(ctx, invoice.id);
}

/**
 * CAT-6: a caller-ID and/or E911 change is one 15.00 fee per request, whether one or both change.
 */
export async function requestCallerIdChange(
  ctx: Ctx,
  accountId: string,
  change: { number: string; callerIdName?: string; e911Address?: string },
): Promise<Invoice> {
  if (!change.callerIdName && !change.e911Address) {
    throw invalid('nothing_to_change', 'Give a new caller ID name, a new E911 address, or both.');
  }
  const what = change.callerIdName ? (change.e911Address ? 'callerIdAndE911' : 'callerId') : 'e911';
  return invoiceOneTimeCharges(ctx, accountId, [
    { itemCode: CID_E911_FEE_ITEM, quantity: 1, description: LINE_TEXT.numberChange(what, change.number) },
  ]);
}
