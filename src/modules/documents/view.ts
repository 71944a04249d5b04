import { BillingError, type CalendarDate, ErrorKind, groupBy, sum } from '../../kernel/index.ts';

/**
 * The invoice as a customer reads it: everything a PDF or CSV shows, already decided. The
 * invoicing module fills it from the invoice, the account and the billing entity; the renderers
 * only lay it out, so they take no database, clock or configuration. Amounts are integers in the
 * currency's minor unit, dates are calendar dates ('2026-09-01').
 */
export interface InvoiceDocument {
  entity: DocumentEntity;
  account: DocumentAccount;
  invoice: DocumentInvoice;
  lines: InvoiceDocumentLine[];
  /** Sum of the charge lines, before regulatory fees and taxes. */
  subtotal: number;
  /** Sum of every line. */
  total: number;
  /** What the account owed before this invoice. */
  previousBalance: number;
  /** Payments and credits received since the last invoice, as a positive amount. */
  paymentsAndCredits: number;
  /** previousBalance − paymentsAndCredits + total. */
  amountDue: number;
}

export interface DocumentEntity {
  /** ACC-2: the legal name valid on the invoice date (entities are renamed over time). */
  legalName: string;
  /** ISO 3166 country of the entity; decides the paper size. */
  country: string;
  addressLines: string[];
  billingEmail: string;
  remittance: DocumentRemittance;
}

/** How to pay the entity; the same shape as the accounts module's Remittance. */
export interface DocumentRemittance {
  cheque?: { payableTo: string; lockbox: string[]; overnight: string[] };
  ach?: { bank: string; accountName: string; accountNumber: string; routingNumber: string };
  bankTransfer?: { bank: string; accountName: string; accountNumber: string; clabe?: string; swift: string };
  /** SPEI/TEF: the reference to quote is the invoice number. */
  speiReferenceIsInvoiceNumber?: boolean;
}

export interface DocumentAccount {
  number: string;
  companyName: string;
  /** Printed as given, one line each (street, city/state/postal code, country). */
  addressLines: string[];
  /** POR-2: purchase-order number printed on invoices when the account has one. */
  poNumber: string | null;
}

export type InvoiceKind = 'monthly' | 'one_time' | 'rental' | 'credit_note';

export interface DocumentInvoice {
  number: string;
  kind: InvoiceKind;
  issueDate: CalendarDate;
  sentOn: CalendarDate | null;
  dueDate: CalendarDate;
  /** '2026-09' for a monthly invoice. */
  billingMonth: string | null;
  currency: string;
  /** The account's locale (en-US, en-CA, fr-CA, es-MX, pt-BR…): labels, money and dates. */
  locale: string;
  /** RUN-12: staff voided it (its lines and number stay): shown as void, nothing to pay. */
  voided?: boolean;
  /** RUN-12: the number of the voided invoice this one replaces (a reissue). */
  replaces?: string | null;
  /** RUN-12: the number of the invoice that replaces this voided one. */
  replacedBy?: string | null;
}

export interface InvoiceDocumentLine {
  /** RUN-5 line type (service_fee, partial_charges, usf, tax…). */
  lineType: string;
  /** Catalog or computed item code; 'fee.*' and 'tax.*' mark fee and tax lines too. */
  itemCode?: string | null;
  description: string;
  quantity: number;
  /** Price of one unit in minor units. */
  unitPrice: number;
  /**
   * Usage lines: the quantity is billed seconds and the price is this rate per minute, in
   * millionths of the major unit (RATE_SCALE; 0.0125/min is 12_500). `unitPrice` is then ignored.
   */
  ratePerMinute?: number | null;
  periodStart: CalendarDate | null;
  periodEnd: CalendarDate | null;
  /** RUN-2/3: a prorated line charges prorateDays of periodDays ('11/31 days'). */
  prorateDays: number | null;
  periodDays: number | null;
  amount: number;
}

// ---- line groups ------------------------------------------------------------------------------

/** The sections of the line table, in the order RUN-5 lists them. */
export type LineGroup =
  | 'service_fee'
  | 'standard_numbers'
  | 'partial_charges'
  | 'contact_center'
  | 'rental'
  | 'circuit'
  | 'one_time'
  | 'usage'
  | 'fees'
  | 'taxes'
  | 'other';

export const LINE_GROUP_ORDER: readonly LineGroup[] = [
  'service_fee',
  'standard_numbers',
  'partial_charges',
  'contact_center',
  'rental',
  'circuit',
  'one_time',
  'usage',
  'fees',
  'taxes',
  'other',
];

/** Call and minute line types; 'toll_free' is the usage module's name for toll-free inbound. */
export const USAGE_LINE_TYPES: readonly string[] = [
  'plan_minutes',
  'outbound_overage',
  'premium_domestic',
  'toll_free_inbound',
  'toll_free',
  'international',
  'low_usage_minutes',
];

export const FEE_LINE_TYPES: readonly string[] = ['rrf', 'slrrf', 'usf'];
export const TAX_LINE_TYPE = 'tax';

const CHARGE_GROUPS = new Set<string>(LINE_GROUP_ORDER.slice(0, 7));
const USAGE = new Set(USAGE_LINE_TYPES);
const FEES = new Set(FEE_LINE_TYPES);

/** The section a line is printed in: by line type, or by its 'fee.'/'tax.' code prefix. */
export function lineGroupOf(line: Pick<InvoiceDocumentLine, 'lineType' | 'itemCode'>): LineGroup {
  const type = line.lineType;
  if (type === TAX_LINE_TYPE || type.startsWith('tax.')) return 'taxes';
  if (FEES.has(type) || type.startsWith('fee.')) return 'fees';
  if (USAGE.has(type)) return 'usage';
  if (CHARGE_GROUPS.has(type)) return type as LineGroup;
  const code = line.itemCode ?? '';
  if (code.startsWith('tax.')) return 'taxes';
  if (code.startsWith('fee.')) return 'fees';
  return 'other';
}

/** Regulatory fees and taxes: computed on the charges, their descriptions end with their rate. */
export const isFeeOrTaxLine = (line: Pick<InvoiceDocumentLine, 'lineType' | 'itemCode'>): boolean => {
  const group = lineGroupOf(line);
  return group === 'fees' || group === 'taxes';
};

export interface LineSection {
  group: LineGroup;
  lines: InvoiceDocumentLine[];
  amount: number;
}

/** The lines in sections, sections in RUN-5 order, lines in their invoice order within each. */
export function lineSections(lines: readonly InvoiceDocumentLine[]): LineSection[] {
  const byGroup = groupBy(lines, lineGroupOf);
  const sections: LineSection[] = [];
  for (const group of LINE_GROUP_ORDER) {
    const list = byGroup.get(group);
    if (list) sections.push({ group, lines: list, amount: sum(list.map((l) => l.amount)) });
  }
  return sections;
}

export interface DocumentSummary {
  subtotal: number;
  fees: number;
  taxes: number;
  total: number;
  previousBalance: number;
  paymentsAndCredits: number;
  amountDue: number;
}

/**
 * The totals block, after checking that the document adds up: an invoice whose printed figures
 * contradict each other must never leave the building, so a mismatch is an error, not a PDF.
 */
export function documentSummary(doc: InvoiceDocument): DocumentSummary {
  const sections = lineSections(doc.lines);
  const of = (g: LineGroup) => sections.find((s) => s.group === g)?.amount ?? 0;
  const fees = of('fees');
  const taxes = of('taxes');
  const lineTotal = sum(doc.lines.map((l) => l.amount));
  const mismatch = (what: string, expected: number, actual: number) =>
    new BillingError(
      ErrorKind.internal,
      'invoice_document_inconsistent',
      `Invoice ${doc.invoice.number}: ${what} is ${actual} but the lines make it ${expected}.`,
      { invoice: doc.invoice.number, what, expected, actual },
    );
  if (lineTotal !== doc.total) throw mismatch('total', lineTotal, doc.total);
  if (doc.subtotal !== doc.total - fees - taxes) {
    throw mismatch('subtotal', doc.total - fees - taxes, doc.subtotal);
  }
  const due = doc.previousBalance - doc.paymentsAndCredits + doc.total;
  if (doc.amountDue !== due) throw mismatch('amount due', due, doc.amountDue);
  return {
    subtotal: doc.subtotal,
    fees,
    taxes,
    total: doc.total,
    previousBalance: doc.previousBalance,
    paymentsAndCredits: doc.paymentsAndCredits,
    amountDue: doc.amountDue,
  };
}
