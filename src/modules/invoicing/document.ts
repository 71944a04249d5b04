import type { Ctx } from '../../context.ts';
import type { Address } from '../../db/index.ts';
import { type CalendarDate, invalid } from '../../kernel/index.ts';
import { type Account, getAccount, getBillingEntity } from '../accounts/index.ts';
import {
  type InvoiceDocument,
  type Language,
  LANGUAGES,
  documentEntity,
  documentLocale,
  renderInvoiceCsv,
  renderInvoicePdf,
} from '../documents/index.ts';
import { type Invoice, getInvoice, reissueNumbers } from './invoices.ts';

/** The locale a document is printed in when staff ask for another language than the account's. */
const LANGUAGE_LOCALE: Record<Language, string> = { en: 'en-US', es: 'es-MX', pt: 'pt-BR' };

export interface InvoiceDocumentOptions {
  /** Print in this language instead of the account's (en, es, pt). */
  lang?: string | undefined;
  /**
   * The e-mail about to send an unsent invoice: the document shows the sent date and the due date
   * that sending gives it (RUN-8), not the provisional due date counted from the issue date.
   */
  sending?: { sentOn: CalendarDate; dueDate: CalendarDate } | undefined;
}

/**
 * POR-1/POR-3: the invoice as the customer reads it — its lines, the account (number, company,
 * address, PO number, language) and the billing entity (ACC-2: the legal name stored on the
 * invoice, which is the name valid on its date; remittance details) — for the PDF and CSV.
 */
export async function invoiceDocument(
  ctx: Ctx,
  idOrNumber: string,
  opts: InvoiceDocumentOptions = {},
): Promise<InvoiceDocument> {
  const invoice = await getInvoice(ctx, idOrNumber);
  const [account, entity, balance, reissue] = await Promise.all([
    getAccount(ctx, invoice.accountId),
    getBillingEntity(ctx, invoice.entityId),
    balanceBefore(ctx, invoice),
    invoice.replaces || invoice.reissue ? reissueNumbers(ctx, invoice) : { replaces: null, replacedBy: null },
  ]);
  const locale = documentLocaleFor(account.locale, opts.lang);
  const lines = (invoice.lines ?? []).map((l) => ({
    lineType: l.lineType,
    itemCode: l.itemCode,
    description: l.description,
    quantity: l.quantity,
    unitPrice: l.unitPrice,
    ratePerMinute: l.ratePerMinute ?? null,
    periodStart: l.periodStart,
    periodEnd: l.periodEnd,
    prorateDays: l.prorateDays,
    periodDays: l.periodDays,
    amount: l.amount,
  }));
  return {
    entity: { ...documentEntity(entity, invoice.issueDate), legalName: invoice.legalName },
    account: {
      number: account.number,
      companyName: account.companyName,
      addressLines: postalAddressLines(account.address, locale),
      poNumber: invoice.poNumber,
    },
    invoice: {
      number: invoice.number,
      kind: invoice.kind,
      issueDate: invoice.issueDate,
      sentOn: invoice.sentOn ?? opts.sending?.sentOn ?? null,
      dueDate: invoice.sentOn ? invoice.dueDate : (opts.sending?.dueDate ?? invoice.dueDate),
      billingMonth: invoice.billingMonth,
      currency: invoice.currency,
      locale,
      voided: invoice.status === 'void',
      replaces: reissue.replaces,
      replacedBy: reissue.replacedBy,
    },
    lines,
    subtotal: invoice.subtotal,
    total: invoice.total,
    previousBalance: balance.previousBalance,
    paymentsAndCredits: balance.paymentsAndCredits,
    amountDue: balance.previousBalance - balance.paymentsAndCredits + invoice.total,
  };
}

/** The invoice as a PDF, with the file name to save or attach it under. */
export async function invoicePdf(ctx: Ctx, idOrNumber: string, opts: InvoiceDocumentOptions = {}) {
  const doc = await invoiceDocument(ctx, idOrNumber, opts);
  return { filename: `${doc.invoice.number}.pdf`, content: await renderInvoicePdf(doc), document: doc };
}

/**
 * The invoice PDF as an e-mail attachment (the delivery module's attachment hook takes a list of
 * these; the composition root plugs this in).
 */
export async function invoicePdfAttachment(
  ctx: Ctx,
  invoiceId: string,
  sending?: InvoiceDocumentOptions['sending'],
) {
  const pdf = await invoicePdf(ctx, invoiceId, { sending });
  return { filename: pdf.filename, content: pdf.content, contentType: 'application/pdf' };
}

/** The invoice as a CSV (one row per line, then the totals), with its file name. */
export async function invoiceCsv(ctx: Ctx, idOrNumber: string, opts: InvoiceDocumentOptions = {}) {
  const doc = await invoiceDocument(ctx, idOrNumber, opts);
  return { filename: `${doc.invoice.number}.csv`, content: renderInvoiceCsv(doc), document: doc };
}

/** The account's locale, or the usual locale of the language asked for when it differs. */
export function documentLocaleFor(accountLocale: Account['locale'], lang: string | undefined): string {
  if (!lang) return accountLocale;
  const wanted = LANGUAGES.find((l) => l === lang.toLowerCase());
  if (!wanted) {
    throw invalid('unsupported_language', `lang must be one of ${LANGUAGES.join(', ')} (got "${lang}").`);
  }
  return documentLocale(accountLocale).language === wanted ? accountLocale : LANGUAGE_LOCALE[wanted];
}

/** What the account owed before an invoice, and the payments and credits since (positive). */
export interface StatementBalances {
  previousBalance: number;
  paymentsAndCredits: number;
}

/**
 * Where an invoice document reads its statement balances from. Invoicing knows nothing of
 * payments (payments depends on invoicing), so the payments module plugs its ledger in at load
 * with useStatementBalances. Until then both are 0 and the amount due is the invoice's total:
 * summing the earlier invoices instead would print arrears for every customer who paid.
 */
export type StatementBalanceSource = (ctx: Ctx, invoice: Invoice) => Promise<StatementBalances>;

const noBalances: StatementBalanceSource = async () => ({ previousBalance: 0, paymentsAndCredits: 0 });
let balanceBefore: StatementBalanceSource = noBalances;

/** Sets where invoice documents read previous balance and payments from (none: zeros). */
export function useStatementBalances(source: StatementBalanceSource | null): void {
  balanceBefore = source ?? noBalances;
}

/** Postal lines in the order the country writes them; the country name in the document's language. */
export function postalAddressLines(address: Address, locale: string): string[] {
  const country = address.country?.toUpperCase() ?? '';
  const { language } = documentLocale(locale);
  let countryName = country;
  try {
    countryName = new Intl.DisplayNames([language], { type: 'region' }).of(country) ?? country;
  } catch {
    // an unknown code prints as given
  }
  const cityLine = ['US', 'CA', 'AU'].includes(country)
    ? [[address.city, address.state].filter(Boolean).join(', '), address.postalCode].filter(Boolean).join(' ')
    : [[address.postalCode, address.city].filter(Boolean).join(' '), address.state]
        .filter(Boolean)
        .join(', ');
  return [address.line1, address.line2, cityLine, countryName].filter((l): l is string => Boolean(l?.trim()));
}
