import { type CalendarDate, LINE_TEXT, invalid, sum } from '../../../kernel/index.ts';
import {
  type BillingAddress,
  type BillingContext,
  type DatedRate,
  type DraftLine,
  type ExemptionCertificate,
  type InvoiceStage,
  computedLine,
  normaliseCity,
  normalisePostalCode,
  normaliseRegion,
  percentOf,
  rateOn,
  validateDatedRates,
} from './rates.ts';

/**
 * RUN-6: taxes are computed on the invoice subtotal (charges + regulatory fees), per jurisdiction
 * of the billing address, one line per jurisdiction, each rounded once to the minor unit, half-up.
 * Rounding per line (not the combined rate) is what a jurisdiction audits: Quebec's GST and QST
 * are remitted to different governments, so each line must be right on its own.
 *
 * Engines: the built-in table provider answers at once; an external engine answers over the
 * network. Both implement TaxProvider; the synchronous one plugs straight into the invoice's
 * stages, an asynchronous one is quoted first and its answer becomes a stage (quotedTaxStage).
 */

export const TAX_LINE_TYPE = 'tax';

// ---- the provider contract ----------------------------------------------------------------------

export interface TaxRequestLine {
  /** Position among the request's lines, so an engine's per-line detail can be traced back. */
  ref: number;
  lineType: string;
  itemCode: string | null;
  description: string;
  /** Minor units of the request's currency. */
  amount: number;
}

export interface TaxRequest {
  currency: string;
  issueDate: CalendarDate;
  address: BillingAddress;
  taxStatus: 'taxable' | 'exempt';
  exemptionCertificates: readonly ExemptionCertificate[];
  lines: readonly TaxRequestLine[];
}

export interface TaxLine {
  /** Stable code a tax report groups by: 'US-TX', 'US-TX-AUSTIN', 'CA-ON-HST', 'MX-IVA'. */
  jurisdiction: string;
  /** What the invoice prints: "Texas state sales tax 6.25%". */
  description: string;
  /** The rate applied, when the engine reports one. */
  ratePpm: number | null;
  taxableAmount: number;
  amount: number;
}

export interface TaxProvider {
  readonly name: string;
  quote(request: TaxRequest): Promise<TaxLine[]>;
}

/** A provider that can answer without waiting (the built-in tables), usable inside a stage. */
export interface ImmediateTaxProvider extends TaxProvider {
  quoteNow(request: TaxRequest): TaxLine[];
}

// ---- exemptions (ACC-4) -------------------------------------------------------------------------

export const certificateCovers = (c: ExemptionCertificate, jurisdiction: string, on: CalendarDate): boolean =>
  c.jurisdictions.includes(jurisdiction) && c.validFrom <= on && (c.validTo === null || on <= c.validTo);

/**
 * An exempt account with no certificate on record is exempt everywhere (RUN-6: "an exempt account
 * gets none"). With certificates on record, each certificate exempts only the jurisdictions it
 * lists, only on the dates it is valid, whatever the status flag says: the certificate is the
 * evidence a tax audit asks for.
 */
export const isBlanketExempt = (r: Pick<TaxRequest, 'taxStatus' | 'exemptionCertificates'>): boolean =>
  r.taxStatus === 'exempt' && r.exemptionCertificates.length === 0;

// ---- the built-in table provider ----------------------------------------------------------------

/**
 * One jurisdiction's tax. A rule applies to an address in its country, in one of its `states`
 * (none listed = the whole country) and, for a local tax, whose postal code starts with one of
 * `postalPrefixes` or whose city is one of `cities`. A country or state without rules has no tax
 * on these services.
 */
export interface TaxRule {
  jurisdiction: string;
  /** "Texas state sales tax", "Ontario HST", "IVA": the rate is appended on the line. */
  name: string;
  country: string;
  states?: readonly string[];
  postalPrefixes?: readonly string[];
  cities?: readonly string[];
  /** No row in force on the invoice date = the tax does not apply (not yet, or no longer). */
  rates: readonly DatedRate[];
  /**
   * Line types this jurisdiction does not tax. Fees are taxable by default (RUN-6 taxes the
   * subtotal); a jurisdiction that exempts, say, the USF recovery line lists 'usf' here.
   */
  excludeLineTypes?: readonly string[];
}

export interface TaxTable {
  /** Tax lines come out in this order. */
  rules: readonly TaxRule[];
}

export function validateTaxTable(table: TaxTable): void {
  const seen = new Set<string>();
  for (const r of table.rules) {
    if (seen.has(r.jurisdiction)) {
      throw invalid('duplicate_jurisdiction', `Jurisdiction ${r.jurisdiction} is listed twice.`);
    }
    seen.add(r.jurisdiction);
    validateDatedRates(r.rates, r.jurisdiction);
  }
}

export function ruleMatches(rule: TaxRule, address: BillingAddress): boolean {
  if (rule.country !== normaliseRegion(address.country)) return false;
  if (rule.states && !rule.states.includes(normaliseRegion(address.state))) return false;
  if (!rule.postalPrefixes && !rule.cities) return true;
  const postal = normalisePostalCode(address.postalCode);
  const city = normaliseCity(address.city);
  return (
    (postal !== '' && (rule.postalPrefixes ?? []).some((p) => postal.startsWith(normalisePostalCode(p)))) ||
    (city !== '' && (rule.cities ?? []).some((c) => normaliseCity(c) === city))
  );
}

/** Tax lines from the tables: each jurisdiction's rate × its taxable subtotal, rounded once. */
export function quoteFromTable(table: TaxTable, request: TaxRequest): TaxLine[] {
  if (isBlanketExempt(request)) return [];
  const on = request.issueDate;
  const out: TaxLine[] = [];
  for (const rule of table.rules) {
    if (!ruleMatches(rule, request.address)) continue;
    const ppm = rateOn(rule.rates, on);
    if (ppm === undefined) continue;
    if (request.exemptionCertificates.some((c) => certificateCovers(c, rule.jurisdiction, on))) continue;
    const excluded = new Set(rule.excludeLineTypes ?? []);
    const taxableAmount = sum(request.lines.filter((l) => !excluded.has(l.lineType)).map((l) => l.amount));
    const amount = percentOf(taxableAmount, ppm);
    // A line that rounds to nothing would print "0.00" for every tiny invoice; it is left out.
    if (amount === 0) continue;
    out.push({
      jurisdiction: rule.jurisdiction,
      description: LINE_TEXT.atRate(rule.name, ppm),
      ratePpm: ppm,
      taxableAmount,
      amount,
    });
  }
  return out;
}

export function tableTaxProvider(table: TaxTable): ImmediateTaxProvider {
  validateTaxTable(table);
  return {
    name: 'tables',
    quoteNow: (request) => quoteFromTable(table, request),
    quote: async (request) => quoteFromTable(table, request),
  };
}

// ---- stages -------------------------------------------------------------------------------------

export interface TaxStageOptions {
  /** Which lines before the tax stage are part of the taxed subtotal; default: all but tax lines. */
  taxable?: (line: DraftLine) => boolean;
}

const notTax = (l: DraftLine) => l.lineType !== TAX_LINE_TYPE;

/** The request for an invoice whose lines before taxes are `lines`. */
export function taxRequest(
  context: BillingContext,
  lines: readonly DraftLine[],
  taxable: (line: DraftLine) => boolean = notTax,
): TaxRequest {
  return {
    currency: context.currency,
    issueDate: context.issueDate,
    address: context.address,
    taxStatus: context.taxStatus,
    exemptionCertificates: context.exemptionCertificates ?? [],
    lines: lines.filter(taxable).map((l, ref) => ({
      ref,
      lineType: l.lineType,
      itemCode: l.itemCode,
      description: l.description,
      amount: l.amount,
    })),
  };
}

const toInvoiceLines = (lines: readonly TaxLine[]): DraftLine[] =>
  lines
    .filter((t) => t.amount !== 0)
    .map((t) => computedLine(TAX_LINE_TYPE, `tax.${t.jurisdiction}`, t.description, t.amount));

/** RUN-6 as an invoice stage, with a provider that answers at once (the built-in tables). */
export function taxStage<I extends BillingContext>(
  provider: ImmediateTaxProvider,
  options: TaxStageOptions = {},
): InvoiceStage<I> {
  return {
    name: 'taxes',
    lines: (input, linesSoFar) => {
      const request = taxRequest(input, linesSoFar, options.taxable);
      // An exempt account never reaches the engine (no call, nothing to reconcile).
      return isBlanketExempt(request) ? [] : toInvoiceLines(provider.quoteNow(request));
    },
  };
}

/**
 * RUN-6 with any provider, including an external engine: quotes the lines before taxes now, and
 * returns a stage that adds the quoted lines. The stage refuses lines that differ from the quoted
 * ones, so a quote can never be applied to an invoice it was not computed for.
 */
export async function quotedTaxStage<I extends BillingContext>(
  provider: TaxProvider,
  context: BillingContext,
  linesBeforeTax: readonly DraftLine[],
  options: TaxStageOptions = {},
): Promise<InvoiceStage<I>> {
  const request = taxRequest(context, linesBeforeTax, options.taxable);
  const quoted = isBlanketExempt(request) ? [] : toInvoiceLines(await provider.quote(request));
  // Everything the quote was computed from: date, address, status, certificates and lines.
  const fingerprint = (r: TaxRequest) => JSON.stringify(r);
  const expected = fingerprint(request);
  return {
    name: 'taxes',
    lines: (input, linesSoFar) => {
      if (fingerprint(taxRequest(input, linesSoFar, options.taxable)) !== expected) {
        throw invalid('stale_tax_quote', 'The invoice changed after its taxes were quoted.');
      }
      return quoted.map((l) => ({ ...l }));
    },
  };
}
