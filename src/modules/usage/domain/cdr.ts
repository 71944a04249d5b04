import { dateInZone, isCalendarDate } from '../../../kernel/index.ts';
import { normalizeNumber } from './numbers.ts';

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
}

export type CdrResult = { ok: true; call: ImportedCall } | { ok: false; reason: string };

const CALL_ID_RE = /^[\x21-\x7e]{1,128}$/;
// An explicit zone is optional (UTC by default, USG-1); anything else Date.parse guesses is refused.
const INSTANT_RE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;
const MAX_CALL_SECONDS = 7 * 24 * 3600;

const DIGIT_POSITIONS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
const two = (t: string, i: number) => (t.charCodeAt(i) - 48) * 10 + t.charCodeAt(i + 1) - 48;

/** The common exact form, 2026-01-05T16:00:00Z or …:00.000Z, read without a regular expression. */
function canonicalInstant(t: string): number {
  const n = t.length;
  if ((n !== 20 && n !== 24) || t.charCodeAt(n - 1) !== 90 /* Z */ || t[10] !== 'T') return NaN;
  if (t[4] !== '-' || t[7] !== '-' || t[13] !== ':' || t[16] !== ':') return NaN;
  for (const i of DIGIT_POSITIONS) if (!isDigit(t.charCodeAt(i))) return NaN;
  let ms = 0;
  if (n === 24) {
    if (
      t[19] !== '.' ||
      !isDigit(t.charCodeAt(20)) ||
      !isDigit(t.charCodeAt(21)) ||
      !isDigit(t.charCodeAt(22))
    ) {
      return NaN;
    }
    ms = (t.charCodeAt(20) - 48) * 100 + two(t, 21);
  }
  const month = two(t, 5);
  const day = two(t, 8);
  const hour = two(t, 11);
  const minute = two(t, 14);
  const second = two(t, 17);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return NaN;
  const at = Date.UTC(two(t, 0) * 100 + two(t, 2), month - 1, day, hour, minute, second, ms);
  // 31 February and the like roll over in Date.UTC: refuse them as Date.parse does.
  return new Date(at).getUTCDate() === day ? at : NaN;
}

const isDigit = (c: number) => c >= 48 && c <= 57;

export function parseInstant(text: string): number {
  const t = text.trim();
  const fast = canonicalInstant(t);
  if (!Number.isNaN(fast)) return fast;
  if (!INSTANT_RE.test(t) || !isCalendarDate(t.slice(0, 10))) return NaN;
  const iso = t.replace(' ', 'T');
  return Date.parse(/(Z|[+-]\d{2}:?\d{2})$/.test(iso) ? iso : `${iso}Z`);
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
  const callId = (raw.callId ?? '').trim();
  if (!CALL_ID_RE.test(callId)) return bad('call_id is missing or not 1-128 printable characters');
  const account = accountOf((raw.account ?? '').trim());
  if (account === undefined) return bad(`unknown account "${raw.account ?? ''}"`);
  const direction = (raw.direction ?? '').trim().toLowerCase();
  if (direction !== 'inbound' && direction !== 'outbound') {
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
  const device = (raw.originDevice ?? '').trim();
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

/** The local month of instants, cached by hour: a month of CDRs has few distinct hours. */
export function monthInZoneCache() {
  const cache = new Map<string, string>();
  let lastZone = '';
  let lastBucket = NaN;
  let lastMonth = '';
  return (instant: number, timeZone: string): string => {
    // Zone offsets are whole quarter hours, so every instant of a quarter hour has the same month.
    const bucket = Math.floor(instant / 900_000);
    if (bucket === lastBucket && timeZone === lastZone) return lastMonth;
    const key = `${timeZone}|${bucket}`;
    let month = cache.get(key);
    if (month === undefined) {
      month = dateInZone(new Date(instant), timeZone).slice(0, 7);
      if (cache.size > 200_000) cache.clear();
      cache.set(key, month);
    }
    lastZone = timeZone;
    lastBucket = bucket;
    lastMonth = month;
    return month;
  };
}
