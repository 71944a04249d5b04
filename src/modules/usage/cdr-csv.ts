import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import {
  type CDR_CSV_COLUMNS,
  type RawCdr,
  cdrColumns,
  rawCdrFromFields,
  splitCsvLine,
} from './domain/cdr.ts';
import type { CdrRow } from './import.ts';

export type Columns = Record<(typeof CDR_CSV_COLUMNS)[number], number>;

const RETURN = 13;

/** A part of a file read on its own (a parallel import): the file's header, and its lines before. */
export interface CsvPart {
  header: string;
  /** Lines of the file before the part (the header's included): its first line is this + 1. */
  linesBefore: number;
}

/**
 * Rows of a CDR CSV file, streamed a block at a time (memory stays flat whatever the file size):
 * one batch of rows per block read, each with its line number (the header is line 1).
 *
 * Lines are found by scanning the decoded block rather than splitting it, and a line without
 * quotes is cut at its commas in place: no array of lines, no array of fields per row. A line
 * with a quote goes through `splitCsvLine`, as does the header. `from` reads a part of a file
 * (a byte range starting at a line) with the file's header and line numbers.
 */
export async function* csvCdrRows(input: Readable, from?: CsvPart): AsyncGenerator<CdrRow[]> {
  const decoder = new StringDecoder('utf8');
  const reader = new CdrLineReader();
  if (from !== undefined) {
    reader.single(from.header, []);
    reader.lineNo = from.linesBefore;
  }
  let rest = '';
  for await (const block of input) {
    const text = typeof block === 'string' ? block : decoder.write(block as Buffer);
    const rows: CdrRow[] = [];
    // The line the last block left unfinished is finished on its own: the block is not copied.
    const nl = text.indexOf('\n');
    if (nl === -1) rest += text;
    else {
      reader.single(rest + text.slice(0, nl), rows);
      rest = reader.refused ? '' : text.slice(reader.lines(text, nl + 1, rows));
    }
    if (rows.length > 0) yield rows;
    if (reader.refused) return;
  }
  const rows: CdrRow[] = [];
  reader.single(rest + decoder.end(), rows);
  if (rows.length > 0) yield rows;
}

export class CdrLineReader {
  /** Lines seen so far: the number of the line being read once it is counted. */
  lineNo = 0;
  /** A header that is not a CDR header stops the file. */
  refused = false;
  private col: Columns | null = null;
  /** The header's column positions, once read. */
  get columns(): Columns | null {
    return this.col;
  }
  /** Fields the header has: a row with more is refused (an unquoted comma moved its fields). */
  width = 0;
  /** The fields of the line being read (reused: entries past `count` are stale). */
  private readonly fields: string[] = [];
  /** Where the next quote of the current text is at or after the line being read; -1 for none. */
  private quote = -1;

  /** Reads the whole lines of `text` from `from` on; returns where its unfinished last line starts. */
  lines(text: string, from: number, rows: CdrRow[]): number {
    let start = from;
    this.quote = text.indexOf('"', from);
    for (let nl = text.indexOf('\n', from); nl !== -1; nl = text.indexOf('\n', start)) {
      this.line(text, start, nl, rows);
      start = nl + 1;
      if (this.refused) break;
    }
    return start;
  }

  /** A text that is one line, without its line feed. */
  single(text: string, rows: CdrRow[]): void {
    this.quote = text.indexOf('"');
    this.line(text, 0, text.length, rows);
  }

  /** One line: text[start, end), without its line feed. */
  line(text: string, start: number, end: number, rows: CdrRow[]): void {
    const lineNo = ++this.lineNo;
    if (this.refused) return;
    if (end > start && text.charCodeAt(end - 1) === RETURN) end--;
    if (end === start) return;
    const first = text.charCodeAt(start);
    // Printable ASCII is never white space: only other lines may be blank.
    if ((first <= 32 || first >= 127) && text.slice(start, end).trim() === '') return;
    const col = this.col;
    if (col === null) {
      const line = text.slice(start, end);
      const fields = splitCsvLine(line);
      // A carriage return inside the first line: lines end in one alone, the file is one line.
      const header = fields === null || line.includes('\r') ? ['?'] : cdrColumns(fields);
      if (Array.isArray(header)) {
        rows.push({ row: lineNo, error: `not a CDR header: ${headerTrouble(line, header)}` });
        this.refused = true;
      } else {
        this.col = header;
        this.width = fields!.length;
      }
      return;
    }
    let quote = this.quote;
    if (quote !== -1 && quote < start) quote = this.quote = text.indexOf('"', start);
    if (quote !== -1 && quote < end) {
      const fields = splitCsvLine(text.slice(start, end));
      if (fields === null) rows.push({ row: lineNo, error: 'a quoted field is not closed' });
      else if (fields.length > this.width) rows.push(this.tooWide(lineNo, fields, fields.length));
      else rows.push({ row: lineNo, raw: rawCdrFromFields(fields, col) });
      return;
    }
    const fields = this.fields;
    let count = 0;
    let from = start;
    for (;;) {
      let comma = text.indexOf(',', from);
      if (comma === -1 || comma > end) comma = end;
      const length = comma - from;
      // The usual directions are shared strings rather than a new copy on every row.
      fields[count++] =
        length === 8 && text.startsWith('outbound', from)
          ? 'outbound'
          : length === 7 && text.startsWith('inbound', from)
            ? 'inbound'
            : text.slice(from, comma);
      if (comma === end) break;
      from = comma + 1;
    }
    if (count > this.width) {
      rows.push(this.tooWide(lineNo, fields, count));
      return;
    }
    const raw: RawCdr = {
      callId: at(fields, count, col.call_id),
      account: at(fields, count, col.account),
      origin: at(fields, count, col.origin),
      destination: at(fields, count, col.destination),
      startTime: at(fields, count, col.start_time),
      endTime: at(fields, count, col.end_time),
      direction: at(fields, count, col.direction),
      originDevice: at(fields, count, col.origin_device),
    };
    rows.push({ row: lineNo, raw });
  }

  /** A row with more fields than the header: refused, not read with its fields shifted. */
  private tooWide(row: number, fields: readonly string[], count: number): CdrRow {
    const callId = at(fields, count, this.col!.call_id).trim();
    return {
      row,
      ...(callId === '' ? {} : { callId }),
      error: `${count} fields where the header has ${this.width}: quote a field that holds a comma`,
    };
  }
}

/**
 * Why a first line is not a CDR header, said so that the file can be fixed: the line ends or the
 * separator or the encoding the file was saved with, when those are the trouble, else the
 * columns missing.
 */
export function headerTrouble(line: string, missing: readonly string[]): string {
  if (line.includes('\r'))
    return 'its lines end in a carriage return alone (an old Mac OS file): save it with LF or CRLF line endings';
  if (line.includes('\u0000'))
    return 'the file is UTF-16 (or another encoding with zero bytes): save it as UTF-8';
  if (!line.includes(',') && (line.includes(';') || line.includes('\t')))
    return `its fields are separated by ${line.includes(';') ? 'semicolons' : 'tabs'}: save it as comma-separated values`;
  return `missing column(s) ${missing.join(', ')}`;
}

/** Field i of a line with `count` fields; '' for a column the header lacks or the line is short of. */
const at = (fields: readonly string[], count: number, i: number) => (i >= 0 && i < count ? fields[i]! : '');
