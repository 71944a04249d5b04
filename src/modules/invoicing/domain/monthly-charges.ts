import {
  type BillingMonth,
  type CalendarDate,
  addMonthsToMonth,
  dateParts,
  daysInBillingMonth,
  firstDayOf,
  lastDayOf,
  maxDate,
  monthOf,
  prorate,
  type DraftLine,
} from '../../../kernel/index.ts';

export type LineType =
  | 'service_fee'
  | 'standard_numbers'
  | 'contact_center'
  | 'rental'
  | 'circuit'
  | 'partial_charges'
  | 'one_time';

export type { DraftLine };

export interface ChargeableItem {
  itemCode: string;
  quantity: number;
  addedOn: CalendarDate;
  removedOn: CalendarDate | null;
}

export interface ItemInfo {
  name: string;
  chargeType: string;
  billing: string;
}

export type ProrationConvention = 'after-start' | 'inclusive';

export interface MonthlyChargeInput {
  month: BillingMonth;
  currency: string;
  billingStartDate: CalendarDate;
  proration: ProrationConvention;
  items: readonly ChargeableItem[];
  catalog: ReadonlyMap<string, ItemInfo>;
  priceOn: (itemCode: string, currency: string, on: CalendarDate) => number | undefined;
}

const LINE_ORDER = [
  'service_fee',
  'standard_numbers',
  'contact_center',
  'rental',
  'circuit',
  'partial_charges',
];

/**
 * RUN-2: the charged days of a partial month starting on `start`. `after-start` counts
 * last day − start day (15 July → 16 of 31); `inclusive` counts the start day too (17 of 31).
 */
export function chargedDays(start: CalendarDate, convention: ProrationConvention): number {
  const { year, month, day } = dateParts(start);
  const last = daysInBillingMonth(`${year}-${String(month).padStart(2, '0')}`);
  return last - day + (convention === 'inclusive' ? 1 : 0);
}

/** A service counts in a month unless its removal took effect (at a month end) before that month. */
const activeIn = (item: ChargeableItem, month: BillingMonth) =>
  item.removedOn === null || monthOf(item.removedOn) >= month;

export class MissingPriceError extends Error {
  constructor(
    readonly itemCode: string,
    readonly currency: string,
    readonly on: CalendarDate,
  ) {
    super(`No ${currency} price for ${itemCode} valid on ${on}.`);
  }
}

/**
 * The recurring lines of the invoice dated the 1st of `month` (RUN-1..3): every service active on
 * the 1st for the whole month in advance, plus the prorated part of the previous month for
 * services (or a billing start) that began after its 1st. Lines are grouped per item, period and
 * price and rounded once per line.
 */
export function monthlyCharges(input: MonthlyChargeInput): DraftLine[] {
  const first = firstDayOf(input.month);
  const prev = addMonthsToMonth(input.month, -1);
  const prevFirst = firstDayOf(prev);
  const groups = new Map<string, DraftLine>();

  for (const item of input.items) {
    const info = input.catalog.get(item.itemCode);
    if (!info || info.billing !== 'recurring') continue;
    const chargeStart = maxDate(item.addedOn, input.billingStartDate);

    if (chargeStart <= first && activeIn(item, input.month)) {
      const unitPrice = price(input, item.itemCode, first);
      addTo(groups, `full|${item.itemCode}|${unitPrice}`, {
        lineType: info.chargeType,
        description: info.name,
        itemCode: item.itemCode,
        quantity: item.quantity,
        unitPrice,
        periodStart: first,
        periodEnd: lastDayOf(input.month),
        prorateDays: null,
        periodDays: null,
        amount: 0,
      });
    }

    if (monthOf(chargeStart) === prev && chargeStart > prevFirst && activeIn(item, prev)) {
      const days = chargedDays(chargeStart, input.proration);
      if (days === 0) continue;
      const unitPrice = price(input, item.itemCode, chargeStart);
      addTo(groups, `partial|${item.itemCode}|${chargeStart}|${unitPrice}`, {
        lineType: 'partial_charges',
        description: info.name,
        itemCode: item.itemCode,
        quantity: item.quantity,
        unitPrice,
        periodStart: chargeStart,
        periodEnd: lastDayOf(prev),
        prorateDays: days,
        periodDays: daysInBillingMonth(prev),
        amount: 0,
      });
    }
  }

  const lines = [...groups.values()];
  for (const l of lines) {
    l.amount =
      l.prorateDays === null
        ? l.unitPrice * l.quantity
        : prorate(l.unitPrice, l.quantity, l.prorateDays, l.periodDays!, 'half-up');
    if (!Number.isSafeInteger(l.amount)) throw new Error(`Line amount out of range for ${l.itemCode}`);
  }
  return lines.sort(
    (a, b) =>
      LINE_ORDER.indexOf(a.lineType) - LINE_ORDER.indexOf(b.lineType) ||
      String(a.periodStart).localeCompare(String(b.periodStart)) ||
      String(a.itemCode).localeCompare(String(b.itemCode)),
  );
}

function price(input: MonthlyChargeInput, itemCode: string, on: CalendarDate): number {
  const p = input.priceOn(itemCode, input.currency, on);
  if (p === undefined) throw new MissingPriceError(itemCode, input.currency, on);
  return p;
}

function addTo(groups: Map<string, DraftLine>, key: string, line: DraftLine) {
  const existing = groups.get(key);
  if (existing) existing.quantity += line.quantity;
  else groups.set(key, line);
}
