import { invalid } from './errors.ts';

/**
 * Billing dates are calendar dates ("2026-08-20") in an account's time zone; instants are UTC.
 * Calendar arithmetic is done on the date parts only, never through the local time zone.
 */
export type CalendarDate = string;
/** "2026-08" */
export type BillingMonth = string;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH_RE = /^(\d{4})-(\d{2})$/;

export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  return [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

export interface DateParts {
  year: number;
  month: number;
  day: number;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export function formatDate(p: DateParts): CalendarDate {
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`;
}

export function isCalendarDate(text: string): boolean {
  const m = DATE_RE.exec(text);
  if (!m) return false;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo);
}

export function parseDate(text: string, field = 'date'): CalendarDate {
  if (typeof text !== 'string' || !isCalendarDate(text)) {
    throw invalid(
      'invalid_date',
      `${field} must be a calendar date like 2026-08-20, got "${String(text)}".`,
      {
        field,
      },
    );
  }
  return text;
}

export function dateParts(date: CalendarDate): DateParts {
  // The usual text read by its character codes (a bill run reads dates by the hundred thousand).
  if (date.length === 10 && date.charCodeAt(4) === 45 && date.charCodeAt(7) === 45) {
    const year = digitsAt(date, 0, 4);
    const month = digitsAt(date, 5, 7);
    const day = digitsAt(date, 8, 10);
    if (year >= 0 && month >= 0 && day >= 0) return { year, month, day };
  }
  const m = DATE_RE.exec(date);
  if (!m) throw invalid('invalid_date', `"${date}" is not a calendar date.`);
  return { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
}

export function parseMonth(text: string, field = 'month'): BillingMonth {
  const m = MONTH_RE.exec(String(text));
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) {
    throw invalid('invalid_month', `${field} must be a month like 2026-08, got "${String(text)}".`, {
      field,
    });
  }
  return text;
}

export function monthOf(date: CalendarDate): BillingMonth {
  return date.slice(0, 7);
}

export function firstDayOf(month: BillingMonth): CalendarDate {
  return `${month}-01`;
}

export function lastDayOf(month: BillingMonth): CalendarDate {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return `${month}-${pad(daysInMonth(y, m))}`;
}

export function daysInBillingMonth(month: BillingMonth): number {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return daysInMonth(y, m);
}

export function addMonthsToMonth(month: BillingMonth, n: number): BillingMonth {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const idx = y * 12 + (m - 1) + n;
  return `${pad(Math.floor(idx / 12), 4)}-${pad((idx % 12) + 1)}`;
}

const toEpochDay = (date: CalendarDate): number => {
  const p = dateParts(date);
  return Date.UTC(p.year, p.month - 1, p.day) / 86_400_000;
};

/** The decimal number text[from, to) spells, or -1 when a character there is not a digit. */
function digitsAt(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

const fromEpochDay = (n: number): CalendarDate => {
  const d = new Date(n * 86_400_000);
  return formatDate({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() });
};

export function addDays(date: CalendarDate, n: number): CalendarDate {
  return fromEpochDay(toEpochDay(date) + n);
}

/** Whole days from a to b (b - a). */
export function daysBetween(a: CalendarDate, b: CalendarDate): number {
  return toEpochDay(b) - toEpochDay(a);
}

/** Adds months keeping the day, clamped to the month's end (31 Jan + 1 month = 28/29 Feb). */
export function addMonths(date: CalendarDate, n: number): CalendarDate {
  const p = dateParts(date);
  const month = addMonthsToMonth(`${pad(p.year, 4)}-${pad(p.month)}`, n);
  const [y, m] = month.split('-').map(Number) as [number, number];
  return formatDate({ year: y, month: m, day: Math.min(p.day, daysInMonth(y, m)) });
}

export const compareDates = (a: CalendarDate, b: CalendarDate): number => (a < b ? -1 : a > b ? 1 : 0);
export const maxDate = (a: CalendarDate, b: CalendarDate): CalendarDate => (a > b ? a : b);
export const minDate = (a: CalendarDate, b: CalendarDate): CalendarDate => (a < b ? a : b);

/** ISO weekday, 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: CalendarDate): number {
  const d = (((toEpochDay(date) + 3) % 7) + 7) % 7; // 1970-01-01 was a Thursday
  return d + 1;
}

// ---- time zones -------------------------------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isValidTimeZone(tz: string): boolean {
  try {
    formatterFor(tz);
    return true;
  } catch {
    return false;
  }
}

export function parseTimeZone(tz: string, field = 'timeZone'): string {
  if (typeof tz !== 'string' || !tz.includes('/') || !isValidTimeZone(tz)) {
    if (tz !== 'UTC') {
      throw invalid(
        'invalid_time_zone',
        `${field} must be an IANA time zone like America/Chicago, got "${tz}".`,
        {
          field,
        },
      );
    }
  }
  return tz;
}

function zonedParts(instant: Date, timeZone: string) {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(timeZone).formatToParts(instant)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return parts as { year: number; month: number; day: number; hour: number; minute: number; second: number };
}

/** The calendar date an instant falls on in a time zone. */
export function dateInZone(instant: Date, timeZone: string): CalendarDate {
  const p = zonedParts(instant, timeZone);
  return formatDate(p);
}

function offsetMs(instant: Date, timeZone: string): number {
  const p = zonedParts(instant, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/**
 * The instant local midnight starts `date` in `timeZone`. Where midnight does not exist (a DST
 * jump at 00:00), the first instant of the day is returned.
 */
export function startOfDayInZone(date: CalendarDate, timeZone: string): Date {
  const p = dateParts(date);
  const naive = Date.UTC(p.year, p.month - 1, p.day);
  let guess = naive - offsetMs(new Date(naive), timeZone);
  // Two passes settle the offset on both sides of a transition.
  guess = naive - offsetMs(new Date(guess), timeZone);
  if (dateInZone(new Date(guess), timeZone) !== date) {
    // midnight skipped: step forward to the first instant of the day
    while (dateInZone(new Date(guess), timeZone) < date) guess += 15 * 60_000;
  }
  return new Date(guess);
}
