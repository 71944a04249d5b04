import { Metadata } from 'libphonenumber-js/max';

/**
 * Numbers written internationally ("+" and digits, a space or hyphen between digits allowed:
 * what switches write), read the way libphonenumber reads them, with its metadata, but with
 * every pattern compiled once. libphonenumber builds a RegExp from a pattern's text for every
 * match it tries — for a North American number, a dozen of them, some kilobytes long — so a
 * number it has not seen costs 12–25 µs, and real CDRs bring hundreds of thousands of new
 * numbers a month (the bench's 800,000-number pool imported at a third of its usual pace).
 *
 * The reading mirrors libphonenumber-js 1.x step for step, for this input only: the calling code
 * (the first of 1–3 digits that is one), the national number (the rest; a number that the main
 * country's national-prefix-for-parsing pattern matches at its start is left to libphonenumber,
 * which may strip or transform it), the country among those sharing the code (by leading digits,
 * else the first whose number types match), whether its length is possible, and its type.
 * Whatever it does not take (another shape, a non-geographic code such as +800, Mexico's +52
 * with its old mobile "1", an impossible length, an invalid reading) it declines with null, and
 * the caller asks libphonenumber: a declined number costs what it did. `international.test.ts`
 * compares the two on generated numbers of every country.
 */
export interface InternationalNumber {
  /** "+" and the digits: libphonenumber's `number`. */
  e164: string;
  /** The country libphonenumber names (undefined when it names none). */
  country: string | undefined;
  /** libphonenumber's number type (getType()), undefined for a number of no type (invalid). */
  type: string | undefined;
}

/** libphonenumber's Metadata, as far as it is read here (its methods, typed). */
interface MetadataReader {
  selectNumberingPlan(countryOrCallingCode: string): unknown;
  hasCallingCode(callingCode: string): boolean | undefined;
  getCountryCodesForCallingCode(callingCode: string): string[] | undefined;
  numberingPlan: {
    nationalNumberPattern(): string;
    possibleLengths(): number[] | undefined;
    nationalPrefixForParsing(): string | undefined;
    leadingDigits(): string | undefined;
    type(name: string): { pattern(): string; possibleLengths(): number[] | undefined } | undefined;
  };
}

/** A number type's pattern (null: no such type, or an empty pattern) and the lengths it allows. */
interface CompiledType {
  name: string;
  pattern: RegExp | null;
  lengths: number[] | undefined;
}

/** A country's numbering plan, its patterns compiled. */
interface Plan {
  nationalNumber: RegExp;
  lengths: number[] | undefined;
  /** Unanchored, as String.prototype.search uses it (libphonenumber: `search(...) === 0`). */
  leadingDigits: RegExp | null;
  /** Anchored at the start only, as libphonenumber tries it. */
  prefixForParsing: RegExp | null;
  fixedLine: CompiledType;
  /** A fixed-line number is fixed line or mobile whatever it is (no mobile type, or an empty pattern). */
  fixedOrMobile: boolean;
  /** MOBILE first, in libphonenumber's order of non-fixed-line types. */
  others: CompiledType[];
}

interface CallingCode {
  code: string;
  countries: string[];
  /** The main country's plan: the one a calling code selects. */
  main: Plan;
}

const NON_FIXED_LINE_TYPES = [
  'MOBILE',
  'PREMIUM_RATE',
  'TOLL_FREE',
  'SHARED_COST',
  'VOIP',
  'PERSONAL_NUMBER',
  'PAGER',
  'UAN',
  'VOICEMAIL',
];
/** libphonenumber's bounds on a national (significant) number's length. */
const MIN_NATIONAL = 2;
const MAX_NATIONAL = 17;
/** Calling codes are one to three digits. */
const MAX_CODE = 3;

const metadata = new Metadata() as unknown as MetadataReader;
const plans = new Map<string, Plan>();
/** What a code's digits are: a calling code, none, or a non-geographic one (+800, +882…). */
const NOT_A_CODE = 0;
const NON_GEOGRAPHIC = 1;
const codes = new Map<string, CallingCode | typeof NOT_A_CODE | typeof NON_GEOGRAPHIC>();

function planOf(country: string): Plan {
  let plan = plans.get(country);
  if (plan === undefined) {
    metadata.selectNumberingPlan(country);
    const p = metadata.numberingPlan;
    const compiled = (name: string): CompiledType => {
      const type = p.type(name);
      const pattern = type?.pattern();
      return {
        name,
        pattern: type === undefined || !pattern ? null : entirely(pattern),
        lengths: type?.possibleLengths(),
      };
    };
    const leading = p.leadingDigits();
    const prefix = p.nationalPrefixForParsing();
    const mobile = p.type('MOBILE');
    plan = {
      nationalNumber: entirely(p.nationalNumberPattern()),
      lengths: p.possibleLengths(),
      leadingDigits: leading ? new RegExp(leading) : null,
      prefixForParsing: prefix ? new RegExp(`^(?:${prefix})`) : null,
      fixedLine: compiled('FIXED_LINE'),
      fixedOrMobile: mobile === undefined || mobile.pattern() === '',
      others: NON_FIXED_LINE_TYPES.map(compiled),
    };
    plans.set(country, plan);
  }
  return plan;
}

/** libphonenumber's matchesEntirely, compiled. */
const entirely = (pattern: string) => new RegExp(`^(?:${pattern})$`);

function callingCode(digits: string): CallingCode | typeof NOT_A_CODE | typeof NON_GEOGRAPHIC {
  let found = codes.get(digits);
  if (found === undefined) {
    if (!metadata.hasCallingCode(digits)) found = NOT_A_CODE;
    else {
      const countries = metadata.getCountryCodesForCallingCode(digits);
      found =
        countries === undefined ? NON_GEOGRAPHIC : { code: digits, countries, main: planOf(countries[0]!) };
    }
    codes.set(digits, found);
  }
  return found;
}

const isType = (national: string, t: CompiledType) =>
  t.pattern !== null &&
  (t.lengths === undefined || t.lengths.indexOf(national.length) >= 0) &&
  t.pattern.test(national);

/** libphonenumber's getNumberType for a national number under a plan. */
function typeIn(national: string, plan: Plan): string | undefined {
  if (!plan.nationalNumber.test(national)) return undefined;
  if (isType(national, plan.fixedLine)) {
    if (plan.fixedOrMobile || isType(national, plan.others[0]!)) return 'FIXED_LINE_OR_MOBILE';
    return 'FIXED_LINE';
  }
  for (const t of plan.others) if (isType(national, t)) return t.name;
  return undefined;
}

/** libphonenumber's checkNumberLength(...) === 'IS_POSSIBLE', for a number of no given type. */
function possible(length: number, lengths: number[]): boolean {
  const min = lengths[0]!;
  if (min === length) return true;
  if (min > length || lengths[lengths.length - 1]! < length) return false;
  return lengths.indexOf(length, 1) >= 0;
}

/**
 * The number `text` ("+" then digits, one space or hyphen allowed between two digits) as
 * libphonenumber reads it, or null when this reading declines it (see above).
 */
export function internationalNumber(text: string): InternationalNumber | null {
  if (text.charCodeAt(0) !== 43) return null;
  let separators = 0;
  for (let i = 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isDigit(c)) continue;
    if ((c === 32 || c === 45) && i > 1 && isDigit(text.charCodeAt(i - 1)) && isDigit(text.charCodeAt(i + 1)))
      separators++;
    else return null;
  }
  const digits = separators === 0 ? text.slice(1) : text.slice(1).replace(SEPARATORS, '');
  if (digits.length === 0 || digits.charCodeAt(0) === 48) return null;
  let cc: CallingCode | null = null;
  for (let n = 1; n <= MAX_CODE && n <= digits.length; n++) {
    const found = callingCode(digits.slice(0, n));
    if (found === NOT_A_CODE) continue;
    // Non-geographic codes have no country: libphonenumber reads them.
    if (found === NON_GEOGRAPHIC) return null;
    cc = found;
    break;
  }
  // Mexico's numbers may carry the mobile "1" it dropped: normalizeNumber reads them again.
  if (cc === null || cc.code === '52') return null;
  const national = digits.slice(cc.code.length);
  if (national.length < MIN_NATIONAL || national.length > MAX_NATIONAL) return null;
  if (cc.main.prefixForParsing !== null && cc.main.prefixForParsing.exec(national) !== null) return null;

  const found =
    cc.countries.length === 1 ? { country: cc.countries[0] } : countryAmong(cc.countries, national);
  const plan = found.country === undefined ? cc.main : planOf(found.country);
  if (plan.lengths === undefined || !possible(national.length, plan.lengths)) return null;
  const type = 'type' in found ? found.type : typeIn(national, plan);
  return { e164: `+${cc.code}${national}`, country: found.country, type };
}

/**
 * libphonenumber's getCountryByNationalNumber: the first of the countries sharing a calling code
 * whose leading digits start the number, or (for one without leading digits) whose types match it
 * — with that type, found on the way.
 */
function countryAmong(
  countries: readonly string[],
  national: string,
): { country: string | undefined; type?: string } {
  for (const country of countries) {
    const plan = planOf(country);
    if (plan.leadingDigits !== null) {
      if (national.search(plan.leadingDigits) === 0) return { country };
      continue;
    }
    const type = typeIn(national, plan);
    if (type !== undefined) return { country, type };
  }
  return { country: undefined };
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const SEPARATORS = /[ -]/g;
