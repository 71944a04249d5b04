import { invalid } from './errors.ts';

/**
 * The line descriptions Tollbooth writes itself (usage lines, late calls, a number's caller ID /
 * E911 change, the rate after a fee's or a tax's name). They are stored in English, as every
 * description is; a document in another language reads them back (readLineText) and says them in
 * its own (documents' i18n). Catalog names, deck descriptions, fee and tax names are data,
 * printed as they are.
 */
export const LINE_TEXT = {
  planMinutes: 'Plan minutes (included)',
  overageMinutes: 'Outbound overage minutes',
  lowUsageMinutes: (included: number) => `Low-usage device minutes beyond the ${included} included`,
  /** A usage line of calls that arrived after their month was invoiced (RUN-4), month '2026-01'. */
  lateCalls: (description: string, month: string) => `${description} (calls of ${month})`,
  /** CAT-6: a caller ID name and/or E911 address change of a number. */
  numberChange: (change: NumberChange, number: string) => `Change of ${CHANGE_EN[change]} for ${number}`,
  /** A fee or tax at a rate (parts per million): 'Texas state sales tax 6.25%'. */
  atRate: (name: string, ppm: number) => `${name} ${percentText(ppm)}`,
  /** The USF recovery line: the recovery factor on the interstate safe-harbour portion. */
  usf: (label: string, recoveredPpm: number, safeHarbourPpm: number) =>
    `${label} ${percentText(recoveredPpm)} × ${percentText(safeHarbourPpm)} interstate`,
} as const;

/**
 * Percentages are integer parts per million (ppm) of their base: 100% is 1_000_000, 6.25% is
 * 62_500. Four decimals of a percent cover every published rate we know of.
 */
export const PPM = 1_000_000;

/** 62_500 ppm → "6.25%", 99_750 → "9.975%", 130_000 → "13%": exact, at most four decimals. */
export function percentText(ppm: number): string {
  const whole = Math.trunc(ppm / 10_000);
  const frac = String(ppm % 10_000)
    .padStart(4, '0')
    .replace(/0+$/, '');
  return `${whole}${frac ? '.' + frac : ''}%`;
}

/** "6.25" (percent) → 62_500 ppm. At most four decimals, no sign, no floats. */
export function parsePercent(text: string): number {
  const m = /^(\d{1,3})(?:\.(\d{1,4}))?$/.exec(text.trim());
  if (!m) throw invalid('invalid_percent', `"${text}" is not a percentage with at most 4 decimals.`);
  const ppm = Number(m[1]! + (m[2] ?? '').padEnd(4, '0'));
  if (ppm > PPM) throw invalid('invalid_percent', `"${text}" is more than 100%.`);
  return ppm;
}

export type NumberChange = 'callerId' | 'e911' | 'callerIdAndE911';
const CHANGE_EN: Record<NumberChange, string> = {
  callerId: 'caller ID',
  e911: 'E911 address',
  callerIdAndE911: 'caller ID and E911 address',
};

/** What a description Tollbooth wrote says, to be said in another language. */
export type LineText =
  | { key: 'planMinutes' }
  | { key: 'overageMinutes' }
  | { key: 'lowUsageMinutes'; included: number }
  | { key: 'numberChange'; change: NumberChange; number: string }
  /** A fee's or tax's name (data) and the rate Tollbooth wrote after it. */
  | { key: 'atRate'; name: string; ppm: number }
  | { key: 'usf'; label: string; recoveredPpm: number; safeHarbourPpm: number }
  /** Data (a catalog name, a deck description…): printed as it is. */
  | { key: 'data'; text: string };

const LATE = / \(calls of (\d{4}-\d{2})\)$/;
const LOW_USAGE = /^Low-usage device minutes beyond the (\d+) included$/;
const NUMBER_CHANGE = /^Change of (caller ID and E911 address|caller ID|E911 address) for (\S+)$/;
const PERCENT = '(\\d{1,3}(?:\\.\\d{1,4})?)%';
const AT_RATE = new RegExp(`^(.+) ${PERCENT}$`);
const USF = new RegExp(`^(.+) ${PERCENT} × ${PERCENT} interstate$`);

/**
 * Reads a stored description back: what it says, and the month of late calls it is for, if any.
 * `feeOrTax`: the line is a regulatory fee or a tax, whose description ends with the rate
 * Tollbooth wrote (a catalog name ending in '10%' is data, and stays as it is).
 */
export function readLineText(
  description: string,
  feeOrTax = false,
): { text: LineText; lateMonth: string | null } {
  if (feeOrTax) return { text: readRated(description), lateMonth: null };
  const late = LATE.exec(description);
  const base = late ? description.slice(0, late.index) : description;
  return { text: readBase(base), lateMonth: late ? late[1]! : null };
}

function readRated(text: string): LineText {
  const usf = USF.exec(text);
  if (usf) {
    return {
      key: 'usf',
      label: usf[1]!,
      recoveredPpm: parsePercent(usf[2]!),
      safeHarbourPpm: parsePercent(usf[3]!),
    };
  }
  const rated = AT_RATE.exec(text);
  if (rated) return { key: 'atRate', name: rated[1]!, ppm: parsePercent(rated[2]!) };
  return { key: 'data', text };
}

function readBase(text: string): LineText {
  if (text === LINE_TEXT.planMinutes) return { key: 'planMinutes' };
  if (text === LINE_TEXT.overageMinutes) return { key: 'overageMinutes' };
  const low = LOW_USAGE.exec(text);
  if (low) return { key: 'lowUsageMinutes', included: Number(low[1]) };
  const change = NUMBER_CHANGE.exec(text);
  if (change) {
    const kind = (Object.keys(CHANGE_EN) as NumberChange[]).find((k) => CHANGE_EN[k] === change[1])!;
    return { key: 'numberChange', change: kind, number: change[2]! };
  }
  return { key: 'data', text };
}
