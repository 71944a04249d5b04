import type { CalendarDate } from '../../../kernel/index.ts';

export const CHARGE_TYPES = [
  'service_fee',
  'standard_numbers',
  'contact_center',
  'rental',
  'circuit',
  'one_time',
  'usage',
] as const;
export type ChargeType = (typeof CHARGE_TYPES)[number];

export const RECURRING_CHARGE_TYPES: readonly ChargeType[] = [
  'service_fee',
  'standard_numbers',
  'contact_center',
  'rental',
  'circuit',
];

export interface CatalogItem {
  code: string;
  name: string;
  chargeType: ChargeType;
  /** What one unit is: device, extension, number, seat, circuit, minute, request… */
  unit: string;
  billing: 'recurring' | 'one_time' | 'usage';
  attributes: Record<string, unknown>;
}

export interface PriceEntry {
  itemCode: string;
  currency: string;
  validFrom: CalendarDate;
  unitPrice: number;
}

/**
 * Effective-dated prices in memory: the price of an item in a currency on a date is the entry with
 * the latest validFrom on or before that date.
 */
export class PriceBook {
  readonly #byKey = new Map<string, PriceEntry[]>();

  constructor(entries: readonly PriceEntry[]) {
    for (const e of entries) {
      const key = `${e.itemCode}|${e.currency}`;
      const list = this.#byKey.get(key) ?? [];
      list.push(e);
      this.#byKey.set(key, list);
    }
    for (const list of this.#byKey.values()) list.sort((a, b) => (a.validFrom < b.validFrom ? -1 : 1));
  }

  priceOn(itemCode: string, currency: string, on: CalendarDate): number | undefined {
    const list = this.#byKey.get(`${itemCode}|${currency}`);
    if (!list) return undefined;
    let found: number | undefined;
    for (const e of list) {
      if (e.validFrom <= on) found = e.unitPrice;
      else break;
    }
    return found;
  }
}
