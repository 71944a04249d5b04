import { type CalendarDate, daysBetween, invalid, isCalendarDate, parseRate } from '../../../kernel/index.ts';
import { type RoundingRule, formatRate, isRoundingRule } from './rounding.ts';

/**
 * CAT-3: rate decks by destination prefix, one deck per currency. Entries are effective-dated;
 * a call is rated by the longest prefix among the entries of its call type valid on its date.
 */
export type DeckCallType = 'international' | 'premium_domestic' | 'toll_free_inbound';

export const DECK_CALL_TYPES: readonly DeckCallType[] = [
  'international',
  'premium_domestic',
  'toll_free_inbound',
];

const isDeckCallType = (name: string): name is DeckCallType =>
  (DECK_CALL_TYPES as readonly string[]).includes(name);

export interface RateEntry {
  /** Digits of E.164 without "+": "5255" is Mexico City. */
  readonly prefix: string;
  readonly description: string;
  readonly callType: DeckCallType;
  /** RATE_SCALE millionths of the currency per minute: 0.015 is 15_000. */
  readonly ratePerMinute: number;
  readonly rounding: RoundingRule;
  readonly validFrom: CalendarDate;
  /** Last day the rate applies (inclusive); null while it is current. */
  readonly validTo: CalendarDate | null;
}

const EPOCH = '1970-01-01';
/** Days since 1970-01-01: the integer form of a calendar date used by lookups. */
export const dayNumber = (date: CalendarDate): number => daysBetween(EPOCH, date);
const OPEN_END = Number.MAX_SAFE_INTEGER;

const PREFIX_RE = /^[1-9]\d{0,14}$/;

interface DatedEntry {
  readonly fromDay: number;
  readonly toDay: number;
  readonly entry: RateEntry;
}

/**
 * A digit trie over one call type's prefixes, stored flat: node n's child for digit d is
 * children[n * 10 + d] (0 = none). A lookup walks at most 15 digits with no allocation.
 */
class PrefixIndex {
  #children = new Int32Array(10 * 256);
  #nodes = 1;
  readonly #entries: (DatedEntry[] | undefined)[] = [undefined];

  insert(dated: DatedEntry): void {
    let node = 0;
    for (let i = 0; i < dated.entry.prefix.length; i++) {
      const slot = node * 10 + (dated.entry.prefix.charCodeAt(i) - 48);
      let next = this.#children[slot]!;
      if (next === 0) {
        next = this.#addNode();
        this.#children[slot] = next;
      }
      node = next;
    }
    const list = (this.#entries[node] ??= []);
    const clash = list.find((e) => e.fromDay <= dated.toDay && dated.fromDay <= e.toDay);
    if (clash) {
      throw invalid(
        'overlapping_rates',
        `${dated.entry.callType} prefix ${dated.entry.prefix} has two rates valid on the same days.`,
        { prefix: dated.entry.prefix, callType: dated.entry.callType },
      );
    }
    list.push(dated);
  }

  find(digits: string, day: number): RateEntry | undefined {
    const children = this.#children;
    let node = 0;
    let best: RateEntry | undefined;
    for (let i = 0; i < digits.length; i++) {
      const d = digits.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      node = children[node * 10 + d]!;
      if (node === 0) break;
      const list = this.#entries[node];
      if (list === undefined) continue;
      for (let k = 0; k < list.length; k++) {
        const e = list[k]!;
        if (e.fromDay <= day && day <= e.toDay) {
          best = e.entry;
          break;
        }
      }
    }
    return best;
  }

  #addNode(): number {
    if ((this.#nodes + 1) * 10 > this.#children.length) {
      const grown = new Int32Array(this.#children.length * 2);
      grown.set(this.#children);
      this.#children = grown;
    }
    this.#entries.push(undefined);
    return this.#nodes++;
  }
}

export class RateDeck {
  readonly currency: string;
  readonly entries: readonly RateEntry[];
  readonly #international = new PrefixIndex();
  readonly #premiumDomestic = new PrefixIndex();
  readonly #tollFreeInbound = new PrefixIndex();

  /** Throws `invalid` on an entry that is malformed or overlaps another: decks are checked data. */
  constructor(currency: string, entries: readonly RateEntry[]) {
    this.currency = currency;
    this.entries = entries;
    for (const entry of entries) {
      const problem = entryProblem(entry);
      if (problem) throw invalid('invalid_rate_entry', `Rate entry ${entry.prefix}: ${problem}`);
      this.#index(entry.callType).insert({
        fromDay: dayNumber(entry.validFrom),
        toDay: entry.validTo === null ? OPEN_END : dayNumber(entry.validTo),
        entry,
      });
    }
  }

  /** Hot path: `digits` is E.164 without "+", `day` a dayNumber(). */
  find(callType: DeckCallType, digits: string, day: number): RateEntry | undefined {
    return this.#index(callType).find(digits, day);
  }

  #index(callType: DeckCallType): PrefixIndex {
    switch (callType) {
      case 'international':
        return this.#international;
      case 'premium_domestic':
        return this.#premiumDomestic;
      case 'toll_free_inbound':
        return this.#tollFreeInbound;
    }
  }

  lookup(callType: DeckCallType, digits: string, on: CalendarDate): RateEntry | undefined {
    return this.find(callType, digits, dayNumber(on));
  }
}

function entryProblem(e: RateEntry): string | null {
  if (!PREFIX_RE.test(e.prefix))
    return `prefix must be 1 to 15 digits of E.164 without "+", got "${e.prefix}"`;
  if (e.description.trim() === '') return 'description is empty';
  if (!isDeckCallType(e.callType)) return `call_type must be one of ${DECK_CALL_TYPES.join(', ')}`;
  if (!Number.isSafeInteger(e.ratePerMinute) || e.ratePerMinute < 0) return 'rate must be ≥ 0';
  if (!isRoundingRule(e.rounding)) return `unknown rounding rule "${e.rounding}"`;
  if (!isCalendarDate(e.validFrom)) return `valid_from "${e.validFrom}" is not a date like 2026-01-31`;
  if (e.validTo !== null && !isCalendarDate(e.validTo)) {
    return `valid_to "${e.validTo}" is not a date like 2026-01-31`;
  }
  if (e.validTo !== null && e.validTo < e.validFrom) return 'valid_to is before valid_from';
  return null;
}

// ---- CSV ----------------------------------------------------------------------------------------

export const DECK_CSV_COLUMNS = [
  'prefix',
  'description',
  'call_type',
  'rate_per_minute',
  'rounding',
  'valid_from',
  'valid_to',
] as const;

export interface DeckRowError {
  /** 1-based line of the file where the row starts. */
  line: number;
  reason: string;
}

export interface ParsedDeck {
  entries: RateEntry[];
  errors: DeckRowError[];
}

/**
 * Reads a deck CSV (header row with DECK_CSV_COLUMNS in any order). A malformed row is reported
 * with its line and reason and skipped; every good row is kept. A row whose validity overlaps an
 * earlier row for the same prefix and call type is reported, and the earlier row wins.
 */
export function parseDeckCsv(text: string): ParsedDeck {
  const rows = csvRecords(text);
  const entries: RateEntry[] = [];
  const errors: DeckRowError[] = [];
  const header = rows.find((r) => !isBlank(r.fields));
  if (!header) return { entries, errors: [{ line: 1, reason: 'the file has no header row' }] };
  if (header.error) return { entries, errors: [{ line: header.line, reason: header.error }] };

  const names = header.fields.map((f) => f.trim().toLowerCase());
  const missing = DECK_CSV_COLUMNS.filter((c) => !names.includes(c));
  if (missing.length > 0) {
    return { entries, errors: [{ line: header.line, reason: `missing column(s): ${missing.join(', ')}` }] };
  }
  const col = Object.fromEntries(DECK_CSV_COLUMNS.map((c) => [c, names.indexOf(c)])) as Record<
    (typeof DECK_CSV_COLUMNS)[number],
    number
  >;

  const accepted = new Map<string, { fromDay: number; toDay: number; line: number }[]>();
  for (const row of rows) {
    if (row === header || isBlank(row.fields)) continue;
    if (row.error) {
      errors.push({ line: row.line, reason: row.error });
      continue;
    }
    if (row.fields.length !== names.length) {
      errors.push({
        line: row.line,
        reason: `expected ${names.length} fields, found ${row.fields.length}`,
      });
      continue;
    }
    const result = entryFromRow(row.fields, col);
    if (typeof result === 'string') {
      errors.push({ line: row.line, reason: result });
      continue;
    }
    const key = `${result.callType}|${result.prefix}`;
    const span = {
      fromDay: dayNumber(result.validFrom),
      toDay: result.validTo === null ? OPEN_END : dayNumber(result.validTo),
      line: row.line,
    };
    const earlier = accepted.get(key) ?? [];
    const clash = earlier.find((e) => e.fromDay <= span.toDay && span.fromDay <= e.toDay);
    if (clash) {
      errors.push({
        line: row.line,
        reason: `${result.callType} prefix ${result.prefix} overlaps the dates of line ${clash.line}`,
      });
      continue;
    }
    earlier.push(span);
    accepted.set(key, earlier);
    entries.push(result);
  }
  return { entries, errors };
}

function entryFromRow(
  fields: readonly string[],
  col: Record<(typeof DECK_CSV_COLUMNS)[number], number>,
): RateEntry | string {
  const get = (c: (typeof DECK_CSV_COLUMNS)[number]) => fields[col[c]]!.trim();
  const rateText = get('rate_per_minute');
  if (!/^\d{1,6}(\.\d{1,6})?$/.test(rateText)) {
    return `rate_per_minute must be a decimal like 0.015 (at most 6 decimals), got "${rateText}"`;
  }
  const entry: RateEntry = {
    prefix: get('prefix').replace(/^\+/, ''),
    description: get('description'),
    callType: get('call_type') as DeckCallType,
    ratePerMinute: parseRate(rateText),
    rounding: get('rounding') as RoundingRule,
    validFrom: get('valid_from'),
    validTo: get('valid_to') === '' ? null : get('valid_to'),
  };
  return entryProblem(entry) ?? entry;
}

/** Writes entries as a deck CSV that parseDeckCsv reads back to the same entries. */
export function formatDeckCsv(entries: readonly RateEntry[]): string {
  const lines = [DECK_CSV_COLUMNS.join(',')];
  for (const e of entries) {
    lines.push(
      [
        e.prefix,
        csvField(e.description),
        e.callType,
        formatRate(e.ratePerMinute),
        e.rounding,
        e.validFrom,
        e.validTo ?? '',
      ].join(','),
    );
  }
  return lines.join('\n') + '\n';
}

const csvField = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

interface CsvRecord {
  line: number;
  fields: string[];
  error?: string;
}

const isBlank = (fields: readonly string[]) => fields.length === 1 && fields[0]!.trim() === '';

/** RFC 4180 records (quoted fields may hold commas, quotes and line breaks), with start lines. */
function csvRecords(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let line = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a byte-order mark from spreadsheet exports
  const n = text.length;
  while (i < n) {
    const start = line;
    const fields: string[] = [];
    let field = '';
    let error: string | undefined;
    let quoted = false;
    let atFieldStart = true;
    for (; i < n; i++) {
      const c = text[i]!;
      if (quoted) {
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i++;
          } else quoted = false;
        } else {
          if (c === '\n') line++;
          field += c;
        }
        continue;
      }
      if (c === '"' && atFieldStart) {
        quoted = true;
        atFieldStart = false;
      } else if (c === ',') {
        fields.push(field);
        field = '';
        atFieldStart = true;
      } else if (c === '\n' || c === '\r') {
        if (c === '\r' && text[i + 1] === '\n') i++;
        i++;
        line++;
        break;
      } else {
        if (c === '"') error ??= 'a quote inside an unquoted field';
        field += c;
        atFieldStart = false;
      }
    }
    if (quoted) error = 'a quoted field is not closed';
    fields.push(field);
    records.push(error === undefined ? { line: start, fields } : { line: start, fields, error });
  }
  return records;
}
