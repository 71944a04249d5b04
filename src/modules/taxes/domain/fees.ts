import { type CalendarDate, LINE_TEXT, divRound, invalid, sum } from '../../../kernel/index.ts';
import {
  type BillingContext,
  type DatedRate,
  type DraftLine,
  type InvoiceStage,
  PPM,
  computedLine,
  normaliseRegion,
  percentOf,
  rateOn,
  validateDatedRates,
} from './rates.ts';

/**
 * CAT-7: regulatory fees as invoice lines (RUN-5: RRF, SLRRF, USF). Every rate, factor, country
 * and the charge types each fee applies to are effective-dated data; this file only computes.
 *
 * A fee line is rate × base, rounded once, half-up. Its base is the sum of the amounts of the
 * lines before it whose type the fee lists in `appliesTo`. Fees are computed in schedule order and
 * a fee's base includes an earlier fee's line only if that fee's code is listed too. The demo
 * schedule lists none: every fee is a direct function of the charge lines, so the order of the
 * fees never changes an amount and a customer can check each fee against the charges. A provider
 * whose USF base must include its RRF lists 'rrf' in the USF's appliesTo (data, not code).
 *
 * Fees ignore the tax status: an exemption certificate (ACC-4) exempts from taxes, and regulatory
 * recovery fees are not taxes.
 */

interface FeeCommon {
  /** The fee line's lineType, and how other fees refer to it in their appliesTo. */
  code: string;
  /** Printed before the rate on the line: "Regulatory Recovery Fee (RRF)". */
  label: string;
  /** Billing-address countries charged (US; Canada where configured; not Mexico by default). */
  countries: readonly string[];
  /** Line types the fee is computed on. */
  appliesTo: readonly string[];
}

/** One percentage for the whole country (RRF). */
export interface PercentFee extends FeeCommon {
  kind: 'percent';
  rates: readonly DatedRate[];
}

/** A percentage per state or province of the billing address (SLRRF); unlisted states pay none. */
export interface StateFee extends FeeCommon {
  kind: 'by-state';
  states: readonly { country: string; state: string; name: string; rates: readonly DatedRate[] }[];
}

/**
 * Federal USF recovery. The FCC sets the contribution factor each quarter; it applies to the
 * USF-subject portion of the charges, i.e. their interstate/international share, which for
 * interconnected VoIP is the safe-harbour percentage (64.9% by default, data). The provider may
 * choose to recover less than the factor (`recoveryRates`), never more: the line is at most
 * portion × factor.
 */
export interface UsfFee extends FeeCommon {
  kind: 'usf';
  factors: readonly DatedRate[];
  safeHarbour: readonly DatedRate[];
  /** The share of the portion the provider recovers; absent = exactly the factor. Capped at it. */
  recoveryRates?: readonly DatedRate[];
}

export type FeeDefinition = PercentFee | StateFee | UsfFee;

export interface FeeSchedule {
  /** Computed in this order (see above for why it only matters when a fee lists another). */
  fees: readonly FeeDefinition[];
}

/** The line types fee lines carry in the demo schedule (RUN-5). */
export const FEE_LINE_TYPES: readonly string[] = ['rrf', 'slrrf', 'usf'];

/** A USF factor row for a calendar quarter: quarterFactor('2026-Q3', 362_000). */
export function quarterFactor(quarter: string, ppm: number): DatedRate {
  const m = /^(\d{4})-Q([1-4])$/.exec(quarter);
  if (!m) throw invalid('invalid_quarter', `"${quarter}" is not a quarter like 2026-Q3.`);
  const q = Number(m[2]);
  const startMonth = String(q * 3 - 2).padStart(2, '0');
  const end = ['03-31', '06-30', '09-30', '12-31'][q - 1]!;
  return { from: `${m[1]}-${startMonth}-01`, to: `${m[1]}-${end}`, ppm };
}

/** Configuration check, run when a stage is built so a bad schedule never reaches a bill run. */
export function validateFeeSchedule(schedule: FeeSchedule): void {
  const seen = new Set<string>();
  const all = new Set(schedule.fees.map((f) => f.code));
  for (const fee of schedule.fees) {
    if (seen.has(fee.code)) throw invalid('duplicate_fee', `Fee ${fee.code} is listed twice.`);
    for (const t of fee.appliesTo) {
      if (t === fee.code) throw invalid('fee_on_itself', `Fee ${fee.code} cannot apply to its own line.`);
      if (all.has(t) && !seen.has(t)) {
        throw invalid('fee_order', `Fee ${fee.code} applies to ${t}, so ${t} must come before it.`);
      }
    }
    seen.add(fee.code);
    if (fee.kind === 'percent') validateDatedRates(fee.rates, fee.code);
    if (fee.kind === 'by-state') {
      for (const s of fee.states) validateDatedRates(s.rates, `${fee.code} ${s.country}-${s.state}`);
    }
    if (fee.kind === 'usf') {
      validateDatedRates(fee.factors, `${fee.code} factors`);
      validateDatedRates(fee.safeHarbour, `${fee.code} safe harbour`);
      if (fee.recoveryRates) validateDatedRates(fee.recoveryRates, `${fee.code} recovery`);
    }
  }
}

/** The fee lines for an invoice whose lines so far are `lines`. */
export function regulatoryFees(
  schedule: FeeSchedule,
  context: BillingContext,
  lines: readonly DraftLine[],
): DraftLine[] {
  const country = normaliseRegion(context.address.country);
  const out: DraftLine[] = [];
  for (const fee of schedule.fees) {
    if (!fee.countries.includes(country)) continue;
    const applies = new Set(fee.appliesTo);
    const base = sum([...lines, ...out].filter((l) => applies.has(l.lineType)).map((l) => l.amount));
    if (base === 0) continue;
    const line = feeLine(fee, context, country, base);
    if (line && line.amount !== 0) out.push(line);
  }
  return out;
}

function feeLine(
  fee: FeeDefinition,
  context: BillingContext,
  country: string,
  base: number,
): DraftLine | undefined {
  const on = context.issueDate;
  switch (fee.kind) {
    case 'percent': {
      const ppm = rateOn(fee.rates, on);
      if (ppm === undefined) return undefined;
      return computedLine(
        fee.code,
        `fee.${fee.code}`,
        LINE_TEXT.atRate(fee.label, ppm),
        percentOf(base, ppm),
      );
    }
    case 'by-state': {
      const state = normaliseRegion(context.address.state);
      const row = fee.states.find((s) => s.country === country && s.state === state);
      const ppm = row && rateOn(row.rates, on);
      if (!row || ppm === undefined) return undefined;
      return computedLine(
        fee.code,
        `fee.${fee.code}.${country}-${state}`,
        LINE_TEXT.atRate(`${fee.label} ${row.name}`, ppm),
        percentOf(base, ppm),
      );
    }
    case 'usf': {
      const rate = usfRateOn(fee, on);
      if (!rate) return undefined;
      // portion × rate in one rounding: base × safe harbour × rate / 1e12, half-up.
      const amount = divRound(
        BigInt(base) * BigInt(rate.safeHarbour) * BigInt(rate.recovered),
        BigInt(PPM) * BigInt(PPM),
        'half-up',
      );
      return computedLine(
        fee.code,
        `fee.${fee.code}`,
        LINE_TEXT.usf(fee.label, rate.recovered, rate.safeHarbour),
        amount,
      );
    }
  }
}

/**
 * The USF rates in force on a date: undefined before the first factor; an error when a quarter is
 * missing after that (billing a quarter without its factor would silently under-recover).
 */
export function usfRateOn(
  fee: UsfFee,
  on: CalendarDate,
): { factor: number; safeHarbour: number; recovered: number } | undefined {
  const factor = rateOn(fee.factors, on);
  if (factor === undefined) {
    if (fee.factors.some((f) => f.from <= on)) {
      throw invalid('usf_factor_missing', `No USF contribution factor is set for the quarter of ${on}.`, {
        fee: fee.code,
        on,
      });
    }
    return undefined;
  }
  const safeHarbour = rateOn(fee.safeHarbour, on);
  if (safeHarbour === undefined) {
    throw invalid('usf_safe_harbour_missing', `No USF safe-harbour percentage is set for ${on}.`, {
      fee: fee.code,
      on,
    });
  }
  const recovery = fee.recoveryRates ? (rateOn(fee.recoveryRates, on) ?? factor) : factor;
  return { factor, safeHarbour, recovered: Math.min(recovery, factor) };
}

/** CAT-7 as an invoice stage: sees the charge lines, adds one line per applicable fee. */
export function feeStage<I extends BillingContext>(schedule: FeeSchedule): InvoiceStage<I> {
  validateFeeSchedule(schedule);
  return {
    name: 'regulatory-fees',
    lines: (input, linesSoFar) => regulatoryFees(schedule, input, linesSoFar),
  };
}
