/**
 * One parsing policy for both drivers: bigint (int8) columns are exact integers that must fit a
 * JavaScript safe integer (money is minor units, far below 2^53); a value outside that range is
 * an error, never a rounded number. Dates stay calendar-date strings; timestamps are Dates.
 */
export const PG_INT8 = 20;
export const PG_DATE = 1082;
export const PG_NUMERIC = 1700;

export function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new Error(`bigint value ${text} exceeds the exact integer range`);
  return n;
}

export const parseDateText = (text: string): string => text;
