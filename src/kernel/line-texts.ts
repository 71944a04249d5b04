/**
 * The line descriptions Tollbooth writes itself (usage lines, late calls, a number's caller ID /
 * E911 change). They are stored in English, as every description is; a document in another
 * language reads them back (readLineText) and says them in its own (documents' i18n). Catalog
 * names, deck descriptions, fee and tax names are data, printed as they are.
 */
export const LINE_TEXT = {
  planMinutes: 'Plan minutes (included)',
  overageMinutes: 'Outbound overage minutes',
  lowUsageMinutes: (included: number) => `Low-usage device minutes beyond the ${included} included`,
  /** A usage line of calls that arrived after their month was invoiced (RUN-4), month '2026-01'. */
  lateCalls: (description: string, month: string) => `${description} (calls of ${month})`,
  /** CAT-6: a caller ID name and/or E911 address change of a number. */
  numberChange: (change: NumberChange, number: string) => `Change of ${CHANGE_EN[change]} for ${number}`,
} as const;

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
  /** Data (a catalog name, a deck description…): printed as it is. */
  | { key: 'data'; text: string };

const LATE = / \(calls of (\d{4}-\d{2})\)$/;
const LOW_USAGE = /^Low-usage device minutes beyond the (\d+) included$/;
const NUMBER_CHANGE = /^Change of (caller ID and E911 address|caller ID|E911 address) for (\S+)$/;

/** Reads a stored description back: what it says, and the month of late calls it is for, if any. */
export function readLineText(description: string): { text: LineText; lateMonth: string | null } {
  const late = LATE.exec(description);
  const base = late ? description.slice(0, late.index) : description;
  return { text: readBase(base), lateMonth: late ? late[1]! : null };
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
