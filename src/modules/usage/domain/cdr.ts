import {
  type BillingMonth,
  addMonthsToMonth,
  dateInZone,
  firstDayOf,
  isCalendarDate,
  startOfDayInZone,
} from '../../../kernel/index.ts';
import { type NormalizedNumber, normalizeNumber } from './numbers.ts';

/**
 * USG-1: one CDR as it arrives (a CSV row or an API item), checked and normalised before it is
 * stored. A bad row is a value with its reason, never a throw: the rest of the file goes in.
 */
export interface RawCdr {
  callId: string;
  /** The account's id or number. */
  account: string;
  origin: string;
  destination: string;
  /** ISO 8601 instants; UTC when no offset is given. */
  startTime: string;
  endTime: string;
  direction: string;
  originDevice?: string | null;
}

export const CDR_CSV_COLUMNS = [
  'call_id',
  'account',
  'origin',
  'destination',
  'start_time',
  'end_time',
  'direction',
  'origin_device',
] as const;

/** What the import needs to know of an account to place its calls. */
export interface CdrAccount {
  id: string;
  /** ISO country of the billing address: interprets national number formats. */
  country: string;
  timeZone: string;
}

/** A CDR ready to store: numbers in E.164 (or an extension), duration in whole seconds. */
export interface ImportedCall {
  callId: string;
  accountId: string;
  /** The account's local month of the start (RUN-4 bills it on the next month's invoice). */
  usageMonth: string;
  startedAt: number;
  durationSeconds: number;
  direction: 'inbound' | 'outbound';
  origin: string;
  destination: string;
  originDevice: string | null;
  /** Where it came from (file line or batch position); set by the import. */
  row: number;
  /** The numbers as normalised (rating classifies them without normalising them again). */
  originNumber?: NormalizedNumber;
  destinationNumber?: NormalizedNumber;
}

export type CdrResult = { ok: true; call: ImportedCall } | { ok: false; reason: string };

// An explicit zone is optional (UTC by default, USG-1); anything else Date.parse guesses is refused.
const INSTANT_RE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;
export const MAX_CALL_SECONDS = 7 * 24 * 3600;

const DAY_MS = 86_400_000;

/**
 * Days from 1970-01-01 to a proleptic Gregorian date (month 1-12), by whole-number arithmetic;
 * NaN when the day is not in the month (31 February), as Date.parse refuses it.
 */
function epochDay(year: number, month: number, day: number): number {
  if (day > 28) {
    const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    const last =
      month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
    if (day > last) return NaN;
  }
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

// The last date read and its day number: a file's instants come a day at a time.
let lastDate = -1;
let lastDays = 0;

/** Whether a character code minus 48 is a decimal digit. */
const notDigit = (d: number) => d >>> 0 > 9;

/** A string's characters as bytes, for `instantAt` (at most 24: the canonical forms' lengths). */
const scratch = new Uint8Array(24);

/** The common exact form, 2026-01-05T16:00:00Z or …:00.000Z, read without a regular expression. */
function canonicalInstant(t: string): number {
  const n = t.length;
  if (n !== 24 && n !== 20) return NaN;
  for (let i = 0; i < n; i++) {
    const c = t.charCodeAt(i);
    if (c > 127) return NaN;
    scratch[i] = c;
  }
  return instantAt(scratch, 0, n);
}

/** Where instantAt has readInstant put its answer. */
const instantOut = new Float64Array(1);

/**
 * The canonical instant in bytes b[at, at + n) (see canonicalInstant); NaN for anything else,
 * which `parseInstant` may still read.
 */
export function instantAt(b: Uint8Array, at: number, n: number): number {
  return readInstant(b, at, n, instantOut, 0) ? instantOut[0]! : NaN;
}

/**
 * instantAt's reading, put in into[i]; false (nothing put) for anything but a canonical instant.
 * Put, not returned: an instant is no small integer, so a function not inlined that returns one
 * makes a heap object each time (two per row of a file read as bytes).
 */
export function readInstant(b: Uint8Array, at: number, n: number, into: Float64Array, i: number): boolean {
  if (n !== 24 && n !== 20) return false;
  if (
    b[at + 4] !== 45 /* - */ ||
    b[at + 7] !== 45 ||
    b[at + 10] !== 84 /* T */ ||
    b[at + 13] !== 58 /* : */ ||
    b[at + 16] !== 58 ||
    b[at + n - 1] !== 90 /* Z */
  ) {
    return false;
  }
  const y0 = b[at]! - 48;
  const y1 = b[at + 1]! - 48;
  const y2 = b[at + 2]! - 48;
  const y3 = b[at + 3]! - 48;
  const m0 = b[at + 5]! - 48;
  const m1 = b[at + 6]! - 48;
  const d0 = b[at + 8]! - 48;
  const d1 = b[at + 9]! - 48;
  const h0 = b[at + 11]! - 48;
  const h1 = b[at + 12]! - 48;
  const i0 = b[at + 14]! - 48;
  const i1 = b[at + 15]! - 48;
  const s0 = b[at + 17]! - 48;
  const s1 = b[at + 18]! - 48;
  if (
    notDigit(y0) ||
    notDigit(y1) ||
    notDigit(y2) ||
    notDigit(y3) ||
    notDigit(m0) ||
    notDigit(m1) ||
    notDigit(d0) ||
    notDigit(d1) ||
    notDigit(h0) ||
    notDigit(h1) ||
    notDigit(i0) ||
    notDigit(i1) ||
    notDigit(s0) ||
    notDigit(s1)
  ) {
    return false;
  }
  let ms = 0;
  if (n === 24) {
    const f0 = b[at + 20]! - 48;
    const f1 = b[at + 21]! - 48;
    const f2 = b[at + 22]! - 48;
    if (b[at + 19] !== 46 /* . */ || notDigit(f0) || notDigit(f1) || notDigit(f2)) return false;
    ms = f0 * 100 + f1 * 10 + f2;
  }
  const month = m0 * 10 + m1;
  const day = d0 * 10 + d1;
  const hour = h0 * 10 + h1;
  const minute = i0 * 10 + i1;
  const second = s0 * 10 + s1;
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return false;
  const year = ((y0 * 10 + y1) * 10 + y2) * 10 + y3;
  const date = year * 10_000 + month * 100 + day;
  let days = lastDays;
  if (date !== lastDate) {
    days = epochDay(year, month, day);
    if (Number.isNaN(days)) return false;
    lastDate = date;
    lastDays = days;
  }
  into[i] = days * DAY_MS + hour * 3_600_000 + minute * 60_000 + second * 1000 + ms;
  return true;
}

export function parseInstant(text: string): number {
  // Canonical text starts with a digit and ends with Z: trimming could not change it.
  const fast = canonicalInstant(text);
  if (!Number.isNaN(fast)) return fast;
  const t = text.trim();
  const fastTrimmed = t === text ? NaN : canonicalInstant(t);
  if (!Number.isNaN(fastTrimmed)) return fastTrimmed;
  if (!INSTANT_RE.test(t) || !isCalendarDate(t.slice(0, 10))) return NaN;
  const iso = t.replace(' ', 'T');
  return Date.parse(/(Z|[+-]\d{2}:?\d{2})$/.test(iso) ? iso : `${iso}Z`);
}

/** Whether String.prototype.trim could remove a character: space and below, or not ASCII. */
const mayTrim = (c: number) => c <= 32 || c >= 127;

/** `s.trim()`, without the call when the ends are plainly not white space. */
export const trimmed = (s: string) =>
  s.length === 0 || (!mayTrim(s.charCodeAt(0)) && !mayTrim(s.charCodeAt(s.length - 1))) ? s : s.trim();

/** A call id is 1 to 128 printable ASCII characters (! to ~): no space, no control character. */
function isCallId(s: string): boolean {
  const n = s.length;
  if (n === 0 || n > 128) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

/**
 * 'inbound' or 'outbound' for a direction that is one of them after trimming and lower-casing,
 * else null. Exact lower-case text is compared without allocating.
 */
function directionOf(s: string): 'inbound' | 'outbound' | null {
  if (s === 'outbound') return 'outbound';
  if (s === 'inbound') return 'inbound';
  const d = s.trim().toLowerCase();
  return d === 'outbound' ? 'outbound' : d === 'inbound' ? 'inbound' : null;
}

/**
 * Checks one CDR. `accountOf` finds the account by id or number (undefined when unknown);
 * `monthOf` gives the local month of an instant in a time zone.
 */
export function checkCdr(
  raw: RawCdr,
  accountOf: (key: string) => CdrAccount | undefined,
  monthOf: (instant: number, timeZone: string) => string,
): CdrResult {
  const callId = trimmed(raw.callId ?? '');
  if (!isCallId(callId)) return bad('call_id is missing or not 1-128 printable characters');
  const account = accountOf(trimmed(raw.account ?? ''));
  if (account === undefined) return bad(`unknown account "${raw.account ?? ''}"`);
  const direction = directionOf(raw.direction ?? '');
  if (direction === null) {
    return bad(`direction must be inbound or outbound, got "${raw.direction ?? ''}"`);
  }
  const start = parseInstant(raw.startTime ?? '');
  if (Number.isNaN(start)) return bad(`start_time "${raw.startTime ?? ''}" is not an ISO 8601 instant`);
  const end = parseInstant(raw.endTime ?? '');
  if (Number.isNaN(end)) return bad(`end_time "${raw.endTime ?? ''}" is not an ISO 8601 instant`);
  if (end < start) return bad('end_time is before start_time');
  const durationSeconds = Math.round((end - start) / 1000);
  if (durationSeconds > MAX_CALL_SECONDS) return bad('the call lasts more than 7 days');
  const origin = normalizeNumber(raw.origin ?? '', account.country);
  if (origin.kind === 'invalid') return bad(`origin "${origin.raw}": ${origin.message}`);
  const destination = normalizeNumber(raw.destination ?? '', account.country);
  if (destination.kind === 'invalid') return bad(`destination "${destination.raw}": ${destination.message}`);
  const rawDevice = raw.originDevice ?? '';
  const device = rawDevice === '' ? '' : trimmed(rawDevice);
  return {
    ok: true,
    call: {
      callId,
      accountId: account.id,
      usageMonth: monthOf(start, account.timeZone),
      startedAt: start,
      durationSeconds,
      direction,
      origin: origin.kind === 'phone' ? origin.e164 : origin.extension,
      destination: destination.kind === 'phone' ? destination.e164 : destination.extension,
      // An extension placing a call is its own device when the switch does not name one (CAT-4).
      originDevice: device !== '' ? device : origin.kind === 'extension' ? origin.extension : null,
      row: 0,
      originNumber: origin,
      destinationNumber: destination,
    },
  };
}

const bad = (reason: string): CdrResult => ({ ok: false, reason });

/**
 * Splits one CSV line (RFC 4180 quoting, no line breaks inside fields: CDR exports have none).
 * Returns null for an unclosed quote.
 */
export function splitCsvLine(line: string): string[] | null {
  if (!line.includes('"')) return line.split(',');
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"') {
        if (line[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else field += c;
  }
  if (quoted) return null;
  fields.push(field);
  return fields;
}

/** Column positions from a header row; a list of missing columns when it is not a CDR header. */
export function cdrColumns(
  header: readonly string[],
): Record<(typeof CDR_CSV_COLUMNS)[number], number> | string[] {
  const names = header.map((h) =>
    h
      .trim()
      .toLowerCase()
      .replace(/^\ufeff/, ''),
  );
  const missing = CDR_CSV_COLUMNS.filter((c) => c !== 'origin_device' && !names.includes(c));
  if (missing.length > 0) return missing;
  return Object.fromEntries(CDR_CSV_COLUMNS.map((c) => [c, names.indexOf(c)])) as Record<
    (typeof CDR_CSV_COLUMNS)[number],
    number
  >;
}

/** A CSV row (split) as a RawCdr, by the header's column positions. */
export function rawCdrFromFields(
  fields: readonly string[],
  col: Record<(typeof CDR_CSV_COLUMNS)[number], number>,
): RawCdr {
  return {
    callId: field(fields, col.call_id),
    account: field(fields, col.account),
    origin: field(fields, col.origin),
    destination: field(fields, col.destination),
    startTime: field(fields, col.start_time),
    endTime: field(fields, col.end_time),
    direction: field(fields, col.direction),
    originDevice: field(fields, col.origin_device),
  };
}

const field = (fields: readonly string[], i: number) => (i < 0 ? '' : (fields[i] ?? ''));

/**
 * The local month of instants in time zones. Each zone keeps the months met as spans of instants
 * [from, to): the month's first local midnight to the next month's. An instant inside a span costs
 * two comparisons; another is worked out and its whole month becomes a span.
 */
export function monthInZoneCache() {
  const zones = new Map<string, MonthSpan[]>();
  let lastZone = '';
  let spans: MonthSpan[] = [];
  return (instant: number, timeZone: string): string => {
    if (timeZone !== lastZone) {
      let known = zones.get(timeZone);
      if (known === undefined) zones.set(timeZone, (known = []));
      spans = known;
      lastZone = timeZone;
    }
    for (let i = 0; i < spans.length; i++) {
      const span = spans[i]!;
      if (instant >= span.from && instant < span.to) return span.month;
    }
    const month = dateInZone(new Date(instant), timeZone).slice(0, 7) as BillingMonth;
    const span = monthSpan(month, timeZone);
    if (span !== null) {
      spans.push(span);
      if (spans.length > 24) spans.shift();
    }
    return month;
  };
}

/** A month's instants in a zone; null at the calendar's edges (years 0001 and 9999), worked out each time. */
function monthSpan(month: BillingMonth, timeZone: string): MonthSpan | null {
  const first = firstDayOf(month);
  const next = firstDayOf(addMonthsToMonth(month, 1));
  if (!isCalendarDate(first) || !isCalendarDate(next)) return null;
  return {
    month,
    from: startOfDayInZone(first, timeZone).getTime(),
    to: startOfDayInZone(next, timeZone).getTime(),
  };
}

interface MonthSpan {
  month: string;
  /** Instants from (inclusive) to (exclusive) are the month's: its first local midnight to the next month's. */
  from: number;
  to: number;
}
