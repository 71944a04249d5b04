import { type CalendarDate, addDays, dateParts, isoWeekday } from '../../../kernel/index.ts';

/**
 * Business days of a billing entity's country (RUN-10: equipment orders are invoiced within five
 * business days of their e-signature, rental invoices go out in the first five business days of
 * the month): Monday to Friday except the public holidays below. The holidays are data — fixed
 * dates and "nth weekday of the month" rules — so a country is added without code.
 */
export type HolidayRule =
  | { name: string; month: number; day: number }
  /** nth (1-based; -1 = last) ISO weekday (1 = Monday) of the month. */
  | { name: string; month: number; weekday: number; nth: number };

export const HOLIDAYS: Readonly<Record<string, readonly HolidayRule[]>> = {
  US: [
    { name: "New Year's Day", month: 1, day: 1 },
    { name: 'Martin Luther King Jr. Day', month: 1, weekday: 1, nth: 3 },
    { name: "Presidents' Day", month: 2, weekday: 1, nth: 3 },
    { name: 'Memorial Day', month: 5, weekday: 1, nth: -1 },
    { name: 'Juneteenth', month: 6, day: 19 },
    { name: 'Independence Day', month: 7, day: 4 },
    { name: 'Labor Day', month: 9, weekday: 1, nth: 1 },
    { name: 'Thanksgiving Day', month: 11, weekday: 4, nth: 4 },
    { name: 'Christmas Day', month: 12, day: 25 },
  ],
  CA: [
    { name: "New Year's Day", month: 1, day: 1 },
    { name: 'Canada Day', month: 7, day: 1 },
    { name: 'Labour Day', month: 9, weekday: 1, nth: 1 },
    { name: 'Thanksgiving', month: 10, weekday: 1, nth: 2 },
    { name: 'Christmas Day', month: 12, day: 25 },
    { name: 'Boxing Day', month: 12, day: 26 },
  ],
  MX: [
    { name: 'Año Nuevo', month: 1, day: 1 },
    { name: 'Día de la Constitución', month: 2, weekday: 1, nth: 1 },
    { name: 'Natalicio de Benito Juárez', month: 3, weekday: 1, nth: 3 },
    { name: 'Día del Trabajo', month: 5, day: 1 },
    { name: 'Día de la Independencia', month: 9, day: 16 },
    { name: 'Día de la Revolución', month: 11, weekday: 1, nth: 3 },
    { name: 'Navidad', month: 12, day: 25 },
  ],
};

const pad = (n: number) => String(n).padStart(2, '0');

function dateOf(rule: HolidayRule, year: number): CalendarDate {
  if ('day' in rule) return `${year}-${pad(rule.month)}-${pad(rule.day)}`;
  const first = `${year}-${pad(rule.month)}-01`;
  if (rule.nth > 0) {
    const offset = (rule.weekday - isoWeekday(first) + 7) % 7;
    return addDays(first, offset + (rule.nth - 1) * 7);
  }
  const next = rule.month === 12 ? `${year + 1}-01-01` : `${year}-${pad(rule.month + 1)}-01`;
  const last = addDays(next, -1);
  return addDays(last, -((isoWeekday(last) - rule.weekday + 7) % 7));
}

/** The country's public holiday on `date`, if any (observed on the date itself). */
export function holidayOn(country: string, date: CalendarDate): string | null {
  const { year } = dateParts(date);
  for (const rule of HOLIDAYS[country.toUpperCase()] ?? []) if (dateOf(rule, year) === date) return rule.name;
  return null;
}

export function isBusinessDay(country: string, date: CalendarDate): boolean {
  return isoWeekday(date) <= 5 && holidayOn(country, date) === null;
}

/** The `n`th business day after `date` (n ≥ 1; `date` itself does not count). */
export function addBusinessDays(country: string, date: CalendarDate, n: number): CalendarDate {
  let d = date;
  for (let left = n; left > 0;) {
    d = addDays(d, 1);
    if (isBusinessDay(country, d)) left--;
  }
  return d;
}

/** The `n`th business day of the month that `firstOfMonth` (YYYY-MM-01) begins. */
export function nthBusinessDayOfMonth(country: string, firstOfMonth: CalendarDate, n: number): CalendarDate {
  return addBusinessDays(country, addDays(firstOfMonth, -1), n);
}
