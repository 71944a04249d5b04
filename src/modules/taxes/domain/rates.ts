import { type CalendarDate, PPM, divRound, invalid } from '../../../kernel/index.ts';

/**
 * What fees and taxes share: percentages as integers, effective-dated rows, the line shape the
 * invoice is composed of and the stage contract. Pure data in, lines out.
 */

// Percentages and factors are integer parts per million of the base (kernel PPM): a USF factor of
// 36.2% is 362_000, Quebec's 9.975% is 99_750; integers keep amounts exact.
export { PPM, parsePercent } from '../../../kernel/index.ts';

/** `base × ppm / 1e6`, rounded once, half-up (a line's amount from its base and rate). */
export const percentOf = (base: number, ppm: number): number =>
  divRound(BigInt(base) * BigInt(ppm), PPM, 'half-up');

/**
 * A value in force from `from` through `to` (both inclusive; no `to` = until replaced). Among the
 * rows of one list the latest `from` on or before the date wins, so a rate change is a new row,
 * never an edit of history.
 */
export interface DatedRate {
  from: CalendarDate;
  to?: CalendarDate | null;
  ppm: number;
}

/** The ppm in force on `date`, or undefined when no row covers it. */
export function rateOn(rows: readonly DatedRate[], date: CalendarDate): number | undefined {
  let found: DatedRate | undefined;
  for (const r of rows) if (r.from <= date && (!found || r.from > found.from)) found = r;
  if (!found || (found.to != null && found.to < date)) return undefined;
  return found.ppm;
}

/** Configuration check: rows are ordered, do not overlap and hold rates between 0% and 100%. */
export function validateDatedRates(rows: readonly DatedRate[], what: string): void {
  let prev: DatedRate | undefined;
  for (const r of rows) {
    if (!Number.isSafeInteger(r.ppm) || r.ppm < 0 || r.ppm > PPM) {
      throw invalid('invalid_rate', `${what}: ${r.ppm} ppm is not a rate between 0% and 100%.`);
    }
    if (r.to != null && r.to < r.from) {
      throw invalid('invalid_rate_dates', `${what}: a rate ends (${r.to}) before it starts (${r.from}).`);
    }
    if (prev && (r.from <= prev.from || (prev.to != null && r.from <= prev.to))) {
      throw invalid(
        'overlapping_rates',
        `${what}: rates must be in date order without overlaps (${prev.from} then ${r.from}).`,
      );
    }
    prev = r;
  }
}

import type { DraftLine } from '../../../kernel/index.ts';
export type { DraftLine, InvoiceStage } from '../../../kernel/index.ts';

export interface BillingAddress {
  country: string;
  state?: string | null;
  city?: string | null;
  postalCode?: string | null;
}

/** ACC-4: an exemption certificate granted by staff, covering the listed jurisdictions. */
export interface ExemptionCertificate {
  id: string;
  /** Jurisdiction codes as on tax lines: 'US-TX', 'US-TX-AUSTIN', 'CA-GST', 'CA-QC-QST', 'MX-IVA'. */
  jurisdictions: readonly string[];
  validFrom: CalendarDate;
  /** Inclusive; null = no expiry. */
  validTo: CalendarDate | null;
}

/** What the fee and tax stages need to know about the invoice beyond its lines. */
export interface BillingContext {
  currency: string;
  /** The invoice date: it picks every effective-dated rate, factor and certificate. */
  issueDate: CalendarDate;
  address: BillingAddress;
  taxStatus: 'taxable' | 'exempt';
  exemptionCertificates?: readonly ExemptionCertificate[];
}

/** A fee or tax line: one amount, no period, no proration. */
export function computedLine(
  lineType: string,
  itemCode: string,
  description: string,
  amount: number,
): DraftLine {
  return {
    lineType,
    description,
    itemCode,
    quantity: 1,
    unitPrice: amount,
    periodStart: null,
    periodEnd: null,
    prorateDays: null,
    periodDays: null,
    amount,
  };
}

/** Upper-case, no spaces: "m5v 1k2" → "M5V1K2". */
export const normalisePostalCode = (p: string | null | undefined): string =>
  (p ?? '').replace(/\s+/g, '').toUpperCase();

/** Case- and accent-insensitive: "Montréal" and "MONTREAL" are the same city. */
export const normaliseCity = (c: string | null | undefined): string =>
  (c ?? '').normalize('NFD').replace(/\p{M}/gu, '').trim().toUpperCase();

export const normaliseRegion = (s: string | null | undefined): string => (s ?? '').trim().toUpperCase();
