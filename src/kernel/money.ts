import { invalid } from './errors.ts';

/**
 * Money is an integer count of the currency's minor unit. Rates that need more precision than the
 * minor unit (per-minute rates) carry RATE_SCALE (millionths of the major unit). Every division
 * goes through divRound with a named rounding mode; there is no floating-point money anywhere.
 */
export type Currency = string;

const MINOR_DIGITS: Record<string, number> = { USD: 2, CAD: 2, MXN: 2, BRL: 2, EUR: 2, JPY: 0 };

export function minorDigits(currency: Currency): number {
  const d = MINOR_DIGITS[currency];
  if (d === undefined) throw invalid('unknown_currency', `Currency ${currency} is not supported.`);
  return d;
}

export const supportedCurrencies = (): string[] => Object.keys(MINOR_DIGITS);

export type RoundingMode = 'half-up' | 'half-even' | 'down' | 'up';

/** Millionths of a major unit: 0.02 per minute is 20_000. */
export const RATE_SCALE = 1_000_000n;

const toBig = (n: number | bigint): bigint => {
  if (typeof n === 'bigint') return n;
  if (!Number.isSafeInteger(n)) throw invalid('not_an_integer', `Expected a safe integer, got ${n}.`);
  return BigInt(n);
};

export function toSafeNumber(n: bigint): number {
  if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw invalid('amount_out_of_range', `Amount ${n} is outside the exact integer range.`);
  }
  return Number(n);
}

/** numerator / denominator rounded to an integer with the named mode (exact: bigint arithmetic). */
export function divRound(
  numerator: number | bigint,
  denominator: number | bigint,
  mode: RoundingMode,
): number {
  let n = toBig(numerator);
  let d = toBig(denominator);
  if (d === 0n) throw invalid('division_by_zero', 'Cannot divide an amount by zero.');
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const negative = n < 0n;
  const abs = negative ? -n : n;
  let q = abs / d;
  const r = abs % d;
  if (r !== 0n) {
    const twice = r * 2n;
    switch (mode) {
      case 'down':
        break;
      case 'up':
        q += 1n;
        break;
      case 'half-up':
        if (twice >= d) q += 1n;
        break;
      case 'half-even':
        if (twice > d || (twice === d && q % 2n === 1n)) q += 1n;
        break;
    }
  }
  return toSafeNumber(negative ? -q : q);
}

/**
 * The amount for `quantity` units at `unitMinor` for `days` of a `periodDays` period, rounded once
 * for the whole line (3 devices at 19.99 for 11/31 is 21.28, not 3 x 7.09 = 21.27).
 */
export function prorate(
  unitMinor: number,
  quantity: number,
  days: number,
  periodDays: number,
  mode: RoundingMode = 'half-up',
): number {
  return divRound(toBig(unitMinor) * toBig(quantity) * toBig(days), periodDays, mode);
}

/** Minor units for `quantity` at a rate in RATE_SCALE units, rounded once. */
export function applyRate(
  currency: Currency,
  rateMicros: number,
  quantity: number,
  mode: RoundingMode,
): number {
  const scale = 10n ** BigInt(minorDigits(currency));
  return divRound(toBig(rateMicros) * toBig(quantity) * scale, RATE_SCALE, mode);
}

/** Splits an amount by ratios with the largest-remainder method: 1003 by [1,1] is [502, 501]. */
export function allocate(amount: number, ratios: readonly number[]): number[] {
  const total = ratios.reduce((a, b) => a + b, 0);
  if (ratios.length === 0 || total <= 0 || ratios.some((r) => r < 0 || !Number.isSafeInteger(r))) {
    throw invalid('invalid_ratios', 'Ratios must be non-negative integers with a positive sum.');
  }
  // Allocate the magnitude and restore the sign, so negatives mirror positives exactly.
  const signed = toBig(amount);
  const a = signed < 0n ? -signed : signed;
  const t = BigInt(total);
  const shares = ratios.map((r) => (a * BigInt(r)) / t);
  let remainder = a - shares.reduce((x, y) => x + y, 0n);
  const order = ratios
    .map((r, i) => ({ i, r, rem: (a * BigInt(r)) % t }))
    .filter((x) => x.r > 0)
    .sort((x, y) => (x.rem === y.rem ? x.i - y.i : x.rem > y.rem ? -1 : 1));
  for (let k = 0; remainder > 0n; k = (k + 1) % order.length) {
    const idx = order[k]!.i;
    shares[idx] = shares[idx]! + 1n;
    remainder -= 1n;
  }
  if (signed < 0n) return shares.map((s) => toSafeNumber(-s));
  return shares.map(toSafeNumber);
}

/** Parses a decimal string ("19.99") into minor units, refusing more decimals than the currency has. */
export function parseMoney(text: string, currency: Currency): number {
  const digits = minorDigits(currency);
  const m = /^(-)?(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!m) throw invalid('invalid_amount', `"${text}" is not a decimal amount like 19.99.`);
  const frac = m[3] ?? '';
  if (frac.length > digits) {
    throw invalid('too_many_decimals', `"${text}" has more than ${digits} decimals for ${currency}.`);
  }
  const minor = BigInt(m[2]! + frac.padEnd(digits, '0'));
  return toSafeNumber(m[1] ? -minor : minor);
}

/** Parses a per-unit rate ("0.02", "0.0125") into RATE_SCALE units. */
export function parseRate(text: string): number {
  const m = /^(\d+)(?:\.(\d{1,6}))?$/.exec(text.trim());
  if (!m) throw invalid('invalid_rate', `"${text}" is not a rate with at most 6 decimals.`);
  return toSafeNumber(BigInt(m[1]! + (m[2] ?? '').padEnd(6, '0')));
}

/** "19.99" for 1999 USD: a plain decimal for CSV and APIs (no grouping, no symbol). */
export function formatDecimal(minor: number, currency: Currency): string {
  const digits = minorDigits(currency);
  const negative = minor < 0;
  const s = String(Math.abs(minor)).padStart(digits + 1, '0');
  const whole = digits === 0 ? s : s.slice(0, -digits);
  const frac = digits === 0 ? '' : '.' + s.slice(-digits);
  return (negative ? '-' : '') + whole + frac;
}

// Building an Intl.NumberFormat costs far more than formatting with one: one per locale and
// currency, kept for the life of the process (a handful of pairs in practice).
const moneyFormats = new Map<string, Intl.NumberFormat>();

function moneyFormat(currency: Currency, locale: string): Intl.NumberFormat {
  const key = `${locale}|${currency}`;
  let f = moneyFormats.get(key);
  if (!f) {
    const digits = minorDigits(currency);
    f = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    });
    moneyFormats.set(key, f);
  }
  return f;
}

/** Locale-formatted amount for documents and screens ("$1,234.50", "R$ 1.234,50"). */
export function formatMoney(minor: number, currency: Currency, locale = 'en-US'): string {
  // Intl formats a decimal string exactly (no float conversion) when given a string.
  return moneyFormat(currency, locale).format(formatDecimal(minor, currency) as unknown as number);
}

export function sum(amounts: readonly number[]): number {
  let s = 0n;
  for (const a of amounts) s += toBig(a);
  return toSafeNumber(s);
}
