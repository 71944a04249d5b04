import {
  type CountryCode,
  type PhoneNumber as ParsedNumber,
  isSupportedCountry,
  parsePhoneNumberFromString,
  validatePhoneNumberLength,
} from 'libphonenumber-js/max';
import { BoundedCache, ownCopy } from '../../../kernel/index.ts';
import { internationalNumber } from './international.ts';

/**
 * USG-1: every number on a CDR is normalised before it is classified or rated. A number is either
 * a phone number in E.164, a short internal extension, or an invalid value with a reason — never a
 * thrown error, so one bad CDR field never stops a month's rating.
 *
 * The full ("max") metadata is used on purpose: only it tells a Brazilian mobile from a fixed line.
 */

export type LineType = 'mobile' | 'fixed' | 'toll_free' | 'premium' | 'unknown';

export interface PhoneNumber {
  readonly kind: 'phone';
  /** "+5511987654321" */
  readonly e164: string;
  /** E.164 without the "+": what rate-deck prefixes are matched against. */
  readonly digits: string;
  /** ISO 3166 country; null for non-geographic numbers (+800, +882…). */
  readonly country: string | null;
  readonly lineType: LineType;
  /**
   * Possible numbers are accepted even when the metadata does not know the range (+353 84 is such
   * a premium range): rating goes by deck prefix, and a new allocation must not make a call unbillable.
   */
  readonly valid: boolean;
}

export interface Extension {
  readonly kind: 'extension';
  readonly extension: string;
}

export type NumberRejection =
  | 'empty'
  | 'not_a_number'
  | 'unknown_country_code'
  | 'too_short'
  | 'too_long'
  | 'invalid_length'
  | 'unsupported_default_country';

export interface InvalidNumber {
  readonly kind: 'invalid';
  readonly raw: string;
  readonly reason: NumberRejection;
  readonly message: string;
}

export type NormalizedNumber = PhoneNumber | Extension | InvalidNumber;

const REJECTION_MESSAGES: Record<NumberRejection, string> = {
  empty: 'The number is empty.',
  not_a_number: 'The value is not a phone number.',
  unknown_country_code: 'The number has no known country calling code.',
  too_short: 'The number is too short for its country.',
  too_long: 'The number is too long for its country.',
  invalid_length: 'The number has a length its country does not use.',
  unsupported_default_country: 'The default country is not a known ISO country code.',
};

/** Internal extensions are 2 to 6 digits: shorter than any dialable national number. */
const EXTENSION_RE = /^\d{2,6}$/;

const LINE_TYPES: Record<string, LineType> = {
  MOBILE: 'mobile',
  FIXED_LINE: 'fixed',
  TOLL_FREE: 'toll_free',
  PREMIUM_RATE: 'premium',
  // FIXED_LINE_OR_MOBILE (all of North America), VOIP, PAGER… cannot be told apart: 'unknown'.
};

const LENGTH_REASONS: Record<string, NumberRejection> = {
  NOT_A_NUMBER: 'not_a_number',
  INVALID_COUNTRY: 'unknown_country_code',
  TOO_SHORT: 'too_short',
  TOO_LONG: 'too_long',
  INVALID_LENGTH: 'invalid_length',
};

/** Results are cached per default country and raw text; each cache keeps at most this many. */
export const NUMBER_CACHE_LIMIT = 100_000;
const caches = new Map<string, BoundedCache<string, NormalizedNumber>>();
let lastCountry: string | null = null;
let lastCache: BoundedCache<string, NormalizedNumber> | undefined;

/**
 * Normalises a raw CDR number. `defaultCountry` (the account's billing country) interprets
 * national formats ("(212) 555-1234" in the US) and international dialling prefixes ("011…").
 */
export function normalizeNumber(raw: string, defaultCountry: string): NormalizedNumber {
  // An account's calls come together: the last country's cache is usually the one wanted.
  let cache = defaultCountry === lastCountry ? lastCache : caches.get(defaultCountry);
  if (cache === undefined) {
    cache = new BoundedCache(NUMBER_CACHE_LIMIT);
    caches.set(defaultCountry, cache);
  }
  lastCountry = defaultCountry;
  lastCache = cache;
  const hit = cache.get(raw);
  if (hit !== undefined) return hit;
  const result = Object.freeze(parseNumber(raw, defaultCountry));
  // A month's CDRs repeat the numbers in use: those stay, the others go first.
  cache.set(typeof raw === 'string' ? ownCopy(raw) : raw, result);
  return result;
}

/**
 * normalizeNumber for a caller that keeps its own table of the numbers it met (the bytes reader):
 * a number written internationally is read at once — 1–2 µs, less than the cache's own
 * bookkeeping when most numbers are new (a month of a million distinct numbers) — and anything
 * else goes through normalizeNumber and its cache. The same result, not the same object.
 */
export function normalizeNewNumber(raw: string, defaultCountry: string): NormalizedNumber {
  const international = raw.charCodeAt(0) === 43 && supported(defaultCountry) ? readInternational(raw) : null;
  return international !== null ? Object.freeze(international) : normalizeNumber(raw, defaultCountry);
}

/** A number written internationally, as switches do, read with compiled patterns (or null: see internationalNumber). */
function readInternational(text: string): PhoneNumber | null {
  const international = internationalNumber(text);
  return international === null
    ? null
    : phoneNumber(international.e164, international.country, international.type);
}

const supportedCountries = new Map<string, boolean>();
const supported = (country: string): country is CountryCode => {
  let is = supportedCountries.get(country);
  if (is === undefined) supportedCountries.set(country, (is = isSupportedCountry(country)));
  return is;
};

function parseNumber(raw: string, defaultCountry: string): NormalizedNumber {
  const text = typeof raw === 'string' ? raw.trim() : '';
  if (text === '') return invalidNumber(String(raw ?? ''), 'empty');
  if (EXTENSION_RE.test(text)) return { kind: 'extension', extension: text };
  if (!supported(defaultCountry)) return invalidNumber(text, 'unsupported_default_country');
  // Written internationally: a tenth of libphonenumber's time.
  const international = readInternational(text);
  if (international !== null) return international;

  const parsed = withoutMexicanMobilePrefix(parsePhoneNumberFromString(text, defaultCountry));
  if (parsed === undefined || !parsed.isPossible()) {
    const reason = LENGTH_REASONS[validatePhoneNumberLength(text, defaultCountry) ?? ''] ?? 'invalid_length';
    return invalidNumber(text, reason);
  }
  // With types in the metadata (the full set has them), a number is valid exactly when it has a
  // type: isValid() would match the same patterns a second time (a third of a new number's cost).
  return phoneNumber(parsed.number, parsed.country, parsed.getType());
}

/** A phone number as libphonenumber read it: E.164, country and type (none: not valid). */
function phoneNumber(e164: string, country: string | undefined, type: string | undefined): PhoneNumber {
  return {
    kind: 'phone',
    e164,
    digits: e164.slice(1),
    country: country ?? null,
    lineType: LINE_TYPES[type ?? ''] ?? 'unknown',
    valid: type !== undefined,
  };
}

/**
 * Mexico dropped the "1" mobile prefix (+52 1 55…) in 2019, but carriers' CDRs still carry it.
 * The number without it is the same line, so it is rated as such rather than rejected.
 */
function withoutMexicanMobilePrefix(parsed: ParsedNumber | undefined): ParsedNumber | undefined {
  if (
    parsed === undefined ||
    parsed.countryCallingCode !== '52' ||
    parsed.isPossible() ||
    !/^1\d{10}$/.test(parsed.nationalNumber)
  ) {
    return parsed;
  }
  return parsePhoneNumberFromString(`+52${parsed.nationalNumber.slice(1)}`) ?? parsed;
}

function invalidNumber(raw: string, reason: NumberRejection): InvalidNumber {
  return { kind: 'invalid', raw, reason, message: REJECTION_MESSAGES[reason] };
}
