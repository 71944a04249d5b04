import { isAscii } from 'node:buffer';
import { open } from 'node:fs/promises';
import { CdrLineReader, type Columns, type CsvPart } from './cdr-csv.ts';
import { type ArrivalRating, type ArrivingCall, unrated } from './domain/arrival.ts';
import { MAX_CALL_SECONDS, readInstant, trimmed } from './domain/cdr.ts';
import { type Extension, type PhoneNumber, normalizeNewNumber } from './domain/numbers.ts';
import { ByteText, grown, kept } from '../../db/index.ts';
import {
  type CdrRow,
  type CopyPiece,
  type ImportAccount,
  type ImportMonth,
  type RowChecker,
  callRow,
  callRows,
  batchField,
  checkChunk,
  importMonth,
  meetAccounts,
} from './import.ts';
import { billableOf } from './repo.ts';

/**
 * USG-1 for a CSV file imported by COPY, read as bytes. A row in the usual shape — no quotes, ASCII,
 * an account already met, instants in the canonical form, numbers already normalised once,
 * nothing to reject — is checked, rated and written as a binary COPY row straight from the file's bytes:
 * no string or object is made for it, and its account, numbers and device are found by hashing
 * their bytes. Every other row (the header, a quoted or non-ASCII line, a new account, anything
 * to reject) goes the way every row of an API batch goes (`csvCdrRows`' line reader, `checkCdr`),
 * so what a row becomes, stored or reported, does not depend on the way it took: the fast way
 * only takes rows whose outcome it decides exactly as the other would (tested side by side).
 */
export async function* fileCopyPieces(
  checker: RowChecker,
  file: FileRange,
  batch: number,
  from?: CsvPart,
  progress?: () => void,
): AsyncGenerator<CopyPiece> {
  const rows = new FileRows(checker, batch, from, file.recycle === true, file.kept ?? KEPT);
  // Two buffers read into in turn, again and again (a row's bytes are copied where they are
  // kept): the next block is read while this one is (the thread would wait for it otherwise).
  const block = file.block ?? BLOCK;
  const bufs = [Buffer.allocUnsafe(block), Buffer.allocUnsafe(block)] as const;
  const handle = await open(file.path, 'r');
  let at = file.start ?? 0;
  const end = file.end ?? Infinity;
  // Reads grow from 64 KiB: a file's first rows meet its accounts (read together, then their rows
  // rated), and the first calls go to the server before a whole block is read.
  let size = Math.min(block, 1 << 16);
  const read = (into: Buffer) => {
    if (at >= end) return null;
    const reading = handle.read(into, 0, Math.min(size, end - at), at);
    // Failing while a block is read, it fails when awaited (not as an unhandled rejection).
    reading.catch(() => undefined);
    return reading;
  };
  let next = read(bufs[0]);
  try {
    let rest: Buffer | null = null;
    let which = 0;
    while (next !== null) {
      const { bytesRead } = await next;
      if (bytesRead === 0) break;
      const buf = bufs[which]!;
      at += bytesRead;
      size = Math.min(block, 2 * size);
      which ^= 1;
      next = read(bufs[which]!);
      file.onRead?.(bytesRead);
      let first = 0;
      if (rest !== null) {
        // The line the last read left unfinished, finished on its own.
        const nl = buf.indexOf(10);
        if (nl === -1 || nl >= bytesRead) {
          rest = Buffer.concat([rest, buf.subarray(0, bytesRead)]);
          continue;
        }
        const line = Buffer.concat([rest, buf.subarray(0, nl + 1)]);
        rows.lines(line, 0, line.length);
        yield* rows.rated(line);
        first = nl + 1;
        rest = null;
      }
      // Lines end at a line feed byte, which is never part of a longer UTF-8 character.
      const last = buf.lastIndexOf(10, bytesRead - 1);
      if (last + 1 < bytesRead) rest = Buffer.from(buf.subarray(Math.max(first, last + 1), bytesRead));
      // Noted a slice at a time, the event loop let through in between: data handed to COPY
      // goes on to the server while the block is read (it waits in this thread otherwise).
      for (let slice = first; slice <= last;) {
        const to = last - slice <= SLICE ? last : buf.indexOf(10, slice + SLICE);
        rows.lines(buf, slice, to + 1);
        slice = to + 1;
        await turn();
      }
      yield* rows.rated(buf);
      yield* rows.pieces(false);
      progress?.();
      if (rows.refused) return;
    }
    if (rest !== null) {
      rows.lines(rest, 0, rest.length);
      yield* rows.rated(rest);
    }
  } finally {
    // Left early (refused, failed): the read in flight is let finish before the file is closed.
    await next?.catch(() => undefined);
    await handle.close();
  }
  yield* rows.pieces(true);
  progress?.();
}

/** A file, or the byte range [start, end) of it, read a block at a time. */
export interface FileRange {
  path: string;
  start?: number;
  end?: number;
  /** Bytes read at a time (default BLOCK). */
  block?: number;
  /** Told how many bytes each read brought. */
  onRead?: (bytes: number) => void;
  /**
   * Whether pieces (of calls, and of call sets) come with `done` (called by the consumer once their
   * bytes are taken: writePieces does when the connection has them), so their memory is written
   * again instead of being left to the garbage collector, which, with so little else allocated,
   * would let hundreds of MiB of them pile up (and each few MiB made anew counts toward a
   * collection of the whole heap). Not when pieces are handed to another thread (transferred: they
   * are gone from this one).
   */
  recycle?: boolean;
  /** What the reader's tables hold before they start over (tests; default KEPT). */
  kept?: Kept;
}

/**
 * Numbers and devices met (texts), and account keys, past which the reader's tables start over
 * at the end of a block: its memory stays bounded whatever the file.
 */
interface Kept {
  texts: number;
  accounts: number;
}
const KEPT: Kept = { texts: 300_000, accounts: 1 << 20 };

/** Bytes read from a file at a time. */
const BLOCK = 16 << 20;

/** What a table answers for an account not found, and for an invalid number. */
const UNKNOWN = -2;
/** What #account answers for an account not looked up yet (its rows wait: see #unmet). */
const UNMET = -3;

const OUTBOUND = [111, 117, 116, 98, 111, 117, 110, 100];
const INBOUND = [105, 110, 98, 111, 117, 110, 100];
/** COPY rows handed over at a time (bytes, about). */
const PIECE = 1 << 20;
/** Bytes of lines noted, and rows rated, between turns of the event loop. */
const SLICE = 1 << 17;
const RATE_SLICE = 1_024;
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
/** Rows read the other way checked at a time. */
const SLOW_SLICE = 20_000;
/** Fields a line may have to be read the fast way (their starts are noted). */
const MAX_FIELDS = 32;

/**
 * Per row noted for the fast way, 56 bytes (REC int32s; its start instant is the float64 at
 * int32 0): its line's number, its call id's start and end, its duration, its account's index
 * times two plus one when inbound, its origin's and destination's positions among the texts met
 * (TextsMet), and its device's (-1: none); once rated, its billable seconds (-1 while it waits for
 * a rating), its class (CallClasses) and call set. Positions and numbers, not objects: what a
 * row's COPY row is written from is in this record and one buffer of texts.
 */
const REC = 14;
const LINE = 2;
const ID_FROM = 3;
const ID_TO = 4;
const DURATION = 5;
const ACCOUNT = 6;
const BILLABLE = 7;
const ORIGIN = 8;
const DESTINATION = 9;
const DEVICE = 10;
const CLASS = 11;
const SET = 12;

class FileRows {
  readonly #checker: RowChecker;
  readonly #reader = new CdrLineReader();
  readonly #batch: number;
  /** The batch as a binary COPY field (batchField). */
  readonly #batchField: Uint8Array;
  #lineNo = 0;
  #slow: CdrRow[] = [];
  #out: ByteText;
  readonly #starts = new Int32Array(MAX_FIELDS + 1);
  /** A line's start and end instants, as readInstant puts them. */
  readonly #when = new Float64Array(2);
  /** COPY rows of calls, cut into pieces of about PIECE bytes. */
  #ready: ByteText[] = [];
  /** Texts free to be written again (see FileRange.recycle): of calls, and of call sets. */
  readonly #free: ByteText[] = [];
  readonly #freeSets: ByteText[] = [];
  readonly #recycle: boolean;
  // Rows noted for the fast way (checked as their line is read, rated once their block is read:
  // see rated), a record each (REC) and its objects (REFS).
  #rows = 0;
  #ints = new Int32Array(1024 * REC);
  #floats = new Float64Array(this.#ints.buffer);
  /** Rows' positions in the order rated, and where each account's start among them (see rated). */
  #order = new Int32Array(0);
  #first = new Int32Array(0);
  /** Per row, in the order rated: its start instant; account (as ACCOUNT) and duration; its objects. */
  #gathered = new Float64Array(0);
  #gatheredInts = new Int32Array(0);
  readonly #gatheredRefs: unknown[] = [];
  /** Accounts met the fast way, by their index (ImportAccount.fast). */
  readonly #accountList: ImportAccount[] = [];
  /** Accounts by their bytes as written: their index, or UNKNOWN. */
  readonly #accounts = new ByteTable();
  /** Numbers (normalised for their account's country) and devices met, with their texts as stored. */
  readonly #met = new TextsMet();
  /** Devices' positions in #met by their bytes as written. */
  readonly #devices = new ByteTable();
  /**
   * Per country, numbers' positions in #met by their bytes as written (UNKNOWN: invalid), and per
   * account (by index) its country's table.
   */
  readonly #numbers = new Map<string, ByteTable>();
  readonly #accountNumbers: ByteTable[] = [];
  /** The call being rated (one object, filled again for every row). */
  readonly #call: ArrivingCall = {
    startedAt: 0,
    durationSeconds: 0,
    direction: 'outbound',
    origin: '',
    destination: '',
    originDevice: null,
    originNumber: undefined,
    destinationNumber: undefined,
  };
  /** The rating of the call being rated (one object, written again for every row). */
  readonly #rating: ArrivalRating = unrated('not rated yet');
  #col: Columns | null = null;
  /** Fields a line needs for every column the header names to be on it. */
  #needed = 0;
  /** Fields the header has. */
  #width = 0;
  /**
   * Accounts rows name that were not looked up yet, and those rows' lines (start, end, number
   * per line): the accounts are read together before the block is rated, and the lines noted
   * then (rather than each read the other way, five times the work).
   */
  readonly #unmet = new Set<string>();
  #waiting = new Int32Array(3 * 1024);
  #waitingLines = 0;

  constructor(
    checker: RowChecker,
    batch: number,
    from: CsvPart | undefined,
    recycle: boolean,
    readonly kept: Kept,
  ) {
    this.#checker = checker;
    this.#batch = batch;
    this.#batchField = batchField(batch);
    this.#recycle = recycle;
    this.#out = this.#text();
    if (from !== undefined) {
      this.#reader.single(from.header, []);
      this.#lineNo = from.linesBefore;
    }
  }

  #text(): ByteText {
    return this.#free.pop() ?? new ByteText(PIECE + (PIECE >> 2));
  }

  get refused(): boolean {
    return this.#reader.refused;
  }

  /**
   * Reads the lines of buf[start, end) (the last may lack its line feed): the rows for the fast
   * way are checked and noted (see rated), the others read the other way.
   */
  lines(buf: Buffer, start: number, end: number): void {
    // Whether no line here holds a quote, DEL or a byte beyond ASCII (checked at once).
    const all = buf.subarray(start, end);
    const plain = isAscii(all) && all.indexOf(34) === -1 && all.indexOf(127) === -1;
    let at = start;
    while (at < end) {
      let nl = buf.indexOf(10, at);
      if (nl === -1 || nl > end) nl = end;
      this.#line(buf, at, nl, plain);
      at = nl + 1;
      if (this.#reader.refused) break;
    }
  }

  /**
   * What the lines read so far make: the calls of rows read the other way (checked, rated and
   * written by checkChunk and callRows), the fast way's calls not handed over yet, and after each
   * stretch of calls (RowChecker.stretchDone) their call sets.
   */
  async *pieces(last: boolean): AsyncGenerator<CopyPiece> {
    const checker = this.#checker;
    while (this.#slow.length > 0) {
      // A slice at a time: the accounts a slice meets are read together, rows then rated.
      const slow = this.#slow.splice(0, SLOW_SLICE);
      checker.report.rowsRead += slow.length;
      const good = await checkChunk(checker, slow);
      checker.accept(good);
      if (good.length > 0) yield { calls: callRows(good, this.#batch, this.#checker.classes) };
    }
    if (this.#out.length > 0) {
      this.#ready.push(this.#out);
      this.#out = this.#text();
    }
    yield* this.#handOver();
    if (checker.stretchDone() || last) {
      if (!this.#recycle) yield* checker.stretchPieces();
      else {
        // A stretch's sets are a few MiB: written into memory given back once the sets are taken.
        const text = this.#freeSets.pop() ?? new ByteText(1 << 16);
        yield* checker.stretchPieces(text, () => this.#freeSets.push(text));
      }
    }
  }

  /** The line buf[start, end), without its line feed: noted for the fast way, or read the other. */
  #line(buf: Buffer, start: number, end: number, plain: boolean): void {
    const lineNo = ++this.#lineNo;
    const col = this.#col ?? this.#columns();
    if (col === null || !this.#note(buf, start, end, lineNo, col, plain))
      this.#other(buf, start, end, lineNo);
  }

  /** A line read the other way (csvCdrRows' reader; checkCdr when its rows are checked). */
  #other(buf: Buffer, start: number, end: number, lineNo: number): void {
    this.#reader.lineNo = lineNo - 1;
    this.#reader.single(buf.toString('utf8', start, end), this.#slow);
  }

  #columns(): Columns | null {
    const col = this.#reader.columns;
    if (col !== null) {
      this.#col = col;
      this.#needed = Math.max(...Object.values(col)) + 1;
      this.#width = this.#reader.width;
    }
    return col;
  }

  /**
   * Checks a line for the fast way and notes what rating and writing its row need: cut at its
   * commas, of an account met already, every field as checkCdr would accept it. False (nothing
   * noted) for a line to read the other way; true for a blank line too (no row), and for a line
   * of an account not looked up yet (it waits: see #meet). `plain`: no line
   * around it holds a quote or a byte beyond printable ASCII (only commas are looked for then).
   * Checked here, while the line is in the processor's caches, not when its account's rows are
   * rated (in another order).
   */
  #note(buf: Buffer, start: number, lineEnd: number, lineNo: number, col: Columns, plain: boolean): boolean {
    let end = lineEnd;
    if (end > start && buf[end - 1] === 13) end--;
    if (end === start) return true;
    // Where the fields start; a quote or a byte beyond ASCII sends the line the other way.
    const starts = this.#starts;
    let count = 0;
    starts[0] = start;
    if (plain) {
      for (let i = start; i < end; i++) {
        if (buf[i] === 44) {
          if (++count === MAX_FIELDS) return false;
          starts[count] = i + 1;
        }
      }
    } else {
      for (let i = start; i < end; i++) {
        const c = buf[i]!;
        if (c === 44) {
          if (++count === MAX_FIELDS) return false;
          starts[count] = i + 1;
        } else if (c === 34 || c > 126) return false;
      }
    }
    starts[++count] = end + 1;
    // Short of a column the header names, or with more fields than it (read the other way: refused).
    if (count < this.#needed || count > this.#width) return false;
    const account = this.#account(buf, starts[col.account]!, starts[col.account + 1]! - 1);
    if (account < 0) {
      if (account !== UNMET) return false;
      const w = 3 * this.#waitingLines++;
      if (w + 3 > this.#waiting.length) this.#waiting = grown(this.#waiting, 2 * (w + 3));
      this.#waiting[w] = start;
      this.#waiting[w + 1] = lineEnd;
      this.#waiting[w + 2] = lineNo;
      return true;
    }
    const numbers = this.#accountNumbers[account]!;
    // call_id: 1-128 printable characters (the line is ASCII without DEL: no control character).
    const idFrom = starts[col.call_id]!;
    const idTo = starts[col.call_id + 1]! - 1;
    if (idTo <= idFrom || idTo - idFrom > 128) return false;
    for (let i = idFrom; i < idTo; i++) if (buf[i]! < 0x21) return false;
    const dirFrom = starts[col.direction]!;
    const dirTo = starts[col.direction + 1]! - 1;
    const inbound = same(buf, dirFrom, dirTo, INBOUND);
    if (!inbound && !same(buf, dirFrom, dirTo, OUTBOUND)) return false;
    const startFrom = starts[col.start_time]!;
    const endFrom = starts[col.end_time]!;
    const when = this.#when;
    if (
      !readInstant(buf, startFrom, starts[col.start_time + 1]! - 1 - startFrom, when, 0) ||
      !readInstant(buf, endFrom, starts[col.end_time + 1]! - 1 - endFrom, when, 1)
    )
      return false;
    const startedAt = when[0]!;
    const endedAt = when[1]!;
    if (!(endedAt >= startedAt)) return false;
    const durationSeconds = Math.round((endedAt - startedAt) / 1000);
    if (durationSeconds > MAX_CALL_SECONDS) return false;
    const origin = this.#number(account, numbers, buf, starts[col.origin]!, starts[col.origin + 1]! - 1);
    if (origin < 0) return false;
    const destination = this.#number(
      account,
      numbers,
      buf,
      starts[col.destination]!,
      starts[col.destination + 1]! - 1,
    );
    if (destination < 0) return false;
    let device = -1;
    if (col.origin_device >= 0) {
      const from = starts[col.origin_device]!;
      const to = starts[col.origin_device + 1]! - 1;
      if (to > from) {
        device = this.#device(buf, from, to);
        if (device < 0) return false;
      }
    }
    // An extension placing a call is its own device when the switch does not name one (CAT-4).
    if (device === -1) device = this.#met.deviceOf(origin);

    const r = this.#rows++;
    if ((r + 1) * REC > this.#ints.length) {
      this.#ints = grown(this.#ints, 2 * (r + 1) * REC);
      this.#floats = new Float64Array(this.#ints.buffer);
    }
    const at = r * REC;
    this.#floats[at >> 1] = startedAt;
    const ints = this.#ints;
    ints[at + LINE] = lineNo;
    ints[at + ID_FROM] = idFrom;
    ints[at + ID_TO] = idTo;
    ints[at + DURATION] = durationSeconds;
    ints[at + ACCOUNT] = 2 * account + (inbound ? 1 : 0);
    ints[at + ORIGIN] = origin;
    ints[at + DESTINATION] = destination;
    ints[at + DEVICE] = device;
    return true;
  }

  /**
   * Rates the rows noted, account by account (a counting sort of their positions): one account's
   * state (its month, sums and rating context) stays in the processor's caches for all its rows
   * of the block rather than being fetched again row after row, and a row's record is all that
   * rating reads of it. Then their COPY rows are written in the file's order: PostgreSQL adds ids
   * in the order a switch writes them (rising) at the right edge of the call-id key, which costs
   * it a quarter less than ids scattered over the block, and the lines are read in order. The sums
   * do not depend on the order. Pieces are handed over as they fill, and the event loop let
   * through every RATE_SLICE rows (COPY is fed from what was handed over while the next block is
   * rated).
   */
  async *rated(buf: Buffer): AsyncGenerator<CopyPiece> {
    if (this.#waitingLines > 0) await this.#meet(buf);
    const n = this.#rows;
    if (n === 0) return;
    this.#rows = 0;
    const ints = this.#ints;
    const floats = this.#floats;
    const met = this.#met;
    const things = met.things;
    const accounts = this.#accountList.length;
    const first = (this.#first = kept(this.#first, accounts + 1, true));
    for (let r = 0; r < n; r++) first[(ints[r * REC + ACCOUNT]! >> 1) + 1]!++;
    for (let a = 0; a < accounts; a++) first[a + 1]! += first[a]!;
    const order = (this.#order = kept(this.#order, n));
    // What rating reads of each row, put in the order rated by a loop that does nothing else:
    // the records are read in the order noted (one after the other, as the processor fetches
    // ahead) and written where their account's rows go. Each account's next places are few lines
    // of memory, kept in the caches from one of its rows to the next; read in the order rated
    // instead, every record would be a line of its own fetched from memory.
    if (n > this.#gathered.length) {
      this.#gathered = new Float64Array(2 * n);
      this.#gatheredInts = new Int32Array(4 * n);
    }
    const gathered = this.#gathered;
    const gatheredInts = this.#gatheredInts;
    const gatheredRefs = this.#gatheredRefs;
    // Filled up front: written out of order, an array grown past its end would turn sparse.
    while (gatheredRefs.length < 3 * n) gatheredRefs.push(null);
    for (let r = 0; r < n; r++) {
      const at = r * REC;
      const k = first[ints[at + ACCOUNT]! >> 1]!++;
      order[k] = r;
      gathered[k] = floats[at >> 1]!;
      gatheredInts[2 * k] = ints[at + ACCOUNT]!;
      gatheredInts[2 * k + 1] = ints[at + DURATION]!;
      gatheredRefs[3 * k] = things[ints[at + ORIGIN]!];
      gatheredRefs[3 * k + 1] = things[ints[at + DESTINATION]!];
      const device = ints[at + DEVICE]!;
      gatheredRefs[3 * k + 2] = device < 0 ? null : things[device];
    }
    const checker = this.#checker;
    const { rater, report } = checker;
    const call = this.#call;
    for (let k = 0; k < n; k++) {
      const r = order[k]!;
      const a = gatheredInts[2 * k]!;
      const account = this.#accountList[a >> 1]!;
      const startedAt = gathered[k]!;
      const month = importMonth(checker, account, checker.monthOf(startedAt, account.timeZone));
      call.startedAt = startedAt;
      call.durationSeconds = gatheredInts[2 * k + 1]!;
      call.direction = (a & 1) === 1 ? 'inbound' : 'outbound';
      call.originNumber = gatheredRefs[3 * k] as PhoneNumber | Extension;
      call.destinationNumber = gatheredRefs[3 * k + 1] as PhoneNumber | Extension;
      call.originDevice = gatheredRefs[3 * k + 2] as string | null;
      const rating = rater.rateIn(month.cx, call, this.#rating);
      const sum = month.sums.add(rating);
      const at = r * REC;
      ints[at + BILLABLE] = billableOf(rating) ?? -1;
      ints[at + CLASS] = this.#classOf(account, month, rating, sum, a & 1);
      ints[at + SET] = month.set;
      if (k % RATE_SLICE === RATE_SLICE - 1) await turn();
    }
    report.rowsRead += n;
    report.accepted += n;
    const sets = checker.sets;
    const texts = met.texts;
    const ends = met.ends;
    const batch = this.#batchField;
    let out = this.#out;
    for (let r = 0; r < n; r++) {
      if (out.length >= PIECE) {
        this.#ready.push(out);
        this.#out = out = this.#text();
      }
      const at = r * REC;
      const idFrom = ints[at + ID_FROM]!;
      const idTo = ints[at + ID_TO]!;
      const origin = ints[at + ORIGIN]!;
      const destination = ints[at + DESTINATION]!;
      const device = ints[at + DEVICE]!;
      sets.addBytes(buf, idFrom, idTo, ints[at + SET]!, floats, at >> 1);
      callRow(
        out,
        buf,
        idFrom,
        idTo,
        floats,
        at >> 1,
        ints[at + DURATION]!,
        texts,
        startOf(ends, origin),
        ends[origin]!,
        startOf(ends, destination),
        ends[destination]!,
        device < 0 ? -1 : startOf(ends, device),
        device < 0 ? -1 : ends[device]!,
        ints[at + LINE]!,
        ints[at + BILLABLE]!,
        batch,
        ints[at + CLASS]!,
      );
      if (r % RATE_SLICE === RATE_SLICE - 1) {
        yield* this.#handOver();
        await turn();
      }
    }
    this.#forget();
  }

  /**
   * Reads the accounts the waiting lines (of buf) name, all at once, then notes those lines (or
   * reads them the other way: an account of no such id or number, a field the fast way refuses).
   */
  async #meet(buf: Buffer): Promise<void> {
    await meetAccounts(this.#checker, this.#unmet);
    this.#unmet.clear();
    const waiting = this.#waiting;
    const lines = this.#waitingLines;
    this.#waitingLines = 0;
    const col = this.#col!;
    for (let w = 0; w < 3 * lines; w += 3) {
      const start = waiting[w]!;
      const end = waiting[w + 1]!;
      const lineNo = waiting[w + 2]!;
      if (!this.#note(buf, start, end, lineNo, col, false)) this.#other(buf, start, end, lineNo);
    }
    // Every key was met: no line waits again (it would wait on a block no longer read).
    if (this.#waitingLines > 0) throw new Error('a CDR line waits for an account met already');
  }

  /**
   * Between blocks (no row noted refers to a position then), the tables that grew past what they
   * keep start over: memory stays bounded whatever the file.
   */
  #forget(): void {
    const kept = this.kept;
    if (this.#met.size > kept.texts) {
      for (const table of this.#numbers.values()) table.clear();
      this.#devices.clear();
      this.#met.clear();
    }
    if (this.#accounts.size > kept.accounts) this.#accounts.clear();
  }

  /**
   * The class of a call of the account-month rated so (`sum`: MonthSums.add's answer), inbound
   * (1) or not (0), found once.
   */
  #classOf(
    account: ImportAccount,
    month: ImportMonth,
    rating: ArrivalRating,
    sum: number,
    inbound: number,
  ): number {
    if (sum !== -1)
      return (month.classes[2 * sum + inbound] ??= this.#newClass(account, month, rating, inbound));
    // Not summed (unrated, or before the billing start): one class per reason and direction.
    const why = (rating.unratedReason ?? rating.callType!) + (inbound === 1 ? '<' : '>');
    const unsummed = (month.unsummedClasses ??= new Map());
    let cls = unsummed.get(why);
    if (cls === undefined) unsummed.set(why, (cls = this.#newClass(account, month, rating, inbound)));
    return cls;
  }

  #newClass(account: ImportAccount, month: ImportMonth, rating: ArrivalRating, inbound: number): number {
    const direction = inbound === 1 ? 'inbound' : 'outbound';
    const cls = this.#checker.classes.of(account.id, month.month, direction, rating);
    // Kept in a row's record (an int32) until the row is written.
    if (cls > 0x7fffffff) throw new Error(`call class ${cls}: more than an import numbers`);
    return cls;
  }

  /** The full pieces of calls written so far. */
  *#handOver(): Generator<CopyPiece> {
    const ready = this.#ready;
    this.#ready = [];
    for (const text of ready) {
      yield this.#recycle
        ? { calls: text.done(), done: () => this.#free.push(text.reset()), fast: true }
        : { calls: text.done(), fast: true };
    }
  }

  /**
   * The index of the account a row names if it was met already; else UNMET (the key noted: it is
   * read with the others before the block is rated) or UNKNOWN (no such account, no key).
   */
  #account(buf: Buffer, from: number, to: number): number {
    let index = this.#accounts.get(buf, from, to);
    if (index === ByteTable.ABSENT) {
      const key = trimmed(buf.toString('latin1', from, to));
      const met = this.#checker.accounts.get(key);
      if (met === undefined) {
        if (key === '') return UNKNOWN;
        this.#unmet.add(key);
        return UNMET;
      }
      if (met === null) index = UNKNOWN;
      else {
        if (met.fast === -1) {
          let numbers = this.#numbers.get(met.country);
          if (numbers === undefined) this.#numbers.set(met.country, (numbers = new ByteTable()));
          met.fast = this.#accountList.push(met) - 1;
          this.#accountNumbers.push(numbers);
        }
        index = met.fast;
      }
      this.#accounts.set(buf, from, to, index);
    }
    return index;
  }

  /**
   * The position of a number normalised for the account's country (UNKNOWN: invalid, which the
   * other way reports), `numbers` being that country's table.
   */
  #number(account: number, numbers: ByteTable, buf: Buffer, from: number, to: number): number {
    let known = numbers.get(buf, from, to);
    if (known === ByteTable.ABSENT) {
      const n = normalizeNewNumber(buf.toString('latin1', from, to), this.#accountList[account]!.country);
      known = n.kind === 'invalid' ? UNKNOWN : this.#newNumber(n);
      numbers.set(buf, from, to, known);
    }
    return known;
  }

  /** The position of a device name with nothing to trim or escape (else UNKNOWN: the other way reads it). */
  #device(buf: Buffer, from: number, to: number): number {
    const device = this.#devices.get(buf, from, to);
    if (device !== ByteTable.ABSENT) return device;
    for (let i = from; i < to; i++) if (buf[i]! < 32 || buf[i] === 92) return UNKNOWN;
    if (buf[from] === 32 || buf[to - 1] === 32) return UNKNOWN;
    return this.#newDevice(buf, from, to);
  }

  /** A device met for the first time, named by the (UTF-8) bytes b[from, to): its position in #met. */
  #newDevice(b: Uint8Array, from: number, to: number): number {
    const device = this.#met.add(Buffer.from(b.buffer, b.byteOffset + from, to - from).toString('utf8'), -1);
    this.#devices.set(b, from, to, device);
    return device;
  }

  /** A new number's position in #met (an extension is its own device: that is found or added too). */
  #newNumber(n: PhoneNumber | Extension): number {
    if (n.kind === 'phone') return this.#met.add(n, -1, n.e164);
    const bytes = Buffer.from(n.extension, 'utf8');
    let device = this.#devices.get(bytes, 0, bytes.length);
    if (device === ByteTable.ABSENT) device = this.#newDevice(bytes, 0, bytes.length);
    return this.#met.add(n, device, n.extension);
  }
}

/**
 * What the bytes reader met — numbers normalised (for their account's country) and device names —
 * by position, each with its text as stored, end to end in one buffer (texts up to ends[k]); for
 * an extension, the position of the device it is.
 */
class TextsMet {
  readonly things: (PhoneNumber | Extension | string)[] = [];
  texts = new Uint8Array(1 << 16);
  ends = new Int32Array(1024);
  #devices = new Int32Array(1024);

  get size(): number {
    return this.things.length;
  }

  /** Adds a number (its text as stored) or a device name; `device`: the device an extension is. */
  add(thing: PhoneNumber | Extension | string, device: number, text = thing as string): number {
    const k = this.things.push(thing) - 1;
    const start = startOf(this.ends, k);
    // A text is at most three bytes a character in UTF-8.
    if (start + 3 * text.length > this.texts.length)
      this.texts = grown(this.texts, 2 * (start + 3 * text.length));
    if (k === this.ends.length) {
      this.ends = grown(this.ends, 2 * k);
      this.#devices = grown(this.#devices, 2 * k);
    }
    const end = start + writeText(this.texts, start, text);
    this.ends[k] = end;
    this.#devices[k] = device;
    return k;
  }

  /** The device a number at position k is (an extension's), else -1. */
  deviceOf(k: number): number {
    return this.#devices[k]!;
  }

  clear(): void {
    this.things.length = 0;
  }
}

/**
 * Writes `text` as UTF-8 into `bytes` from `at` (room for three bytes a character), returning the
 * bytes written: numbers (ASCII) byte by byte, without a Buffer made for each.
 */
function writeText(bytes: Uint8Array, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128) return utf8.encodeInto(text, bytes.subarray(at)).written;
    bytes[at + i] = c;
  }
  return text.length;
}
const utf8 = new TextEncoder();

/** Where the k-th of texts kept end to end starts (`ends`: where each ends). */
const startOf = (ends: Int32Array, k: number): number => (k === 0 ? 0 : ends[k - 1]!);

const same = (buf: Buffer, from: number, to: number, word: readonly number[]) => {
  if (to - from !== word.length) return false;
  for (let i = 0; i < word.length; i++) if (buf[from + i] !== word[i]) return false;
  return true;
};

/**
 * A hash table from byte strings (slices of a buffer) to whole numbers, so that a key is found
 * without making a string of it. Open addressing over one Int32Array holding per slot, side by
 * side, a key's hash, its value, and where its bytes start and end in one buffer: a probe reads
 * one cache line, then the key's bytes. Whoever fills it empties it (clear).
 */
export class ByteTable {
  /** What get answers for a key not in the table. */
  static readonly ABSENT = -1;
  /** Per slot (SLOT int32s): hash, value, start, end + 1 (0: an empty slot). */
  #slots = new Int32Array(1024 * SLOT);
  #bytes = new Uint8Array(8192);
  #size = 0;
  #used = 0;

  get size(): number {
    return this.#size;
  }

  /** The value of the key buf[from, to), or ABSENT. */
  get(buf: Uint8Array, from: number, to: number): number {
    const h = hashOf(buf, from, to);
    const slots = this.#slots;
    const mask = slots.length / SLOT - 1;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const at = slot * SLOT;
      const end = slots[at + 3]! - 1;
      if (end === -1) return ByteTable.ABSENT;
      if (slots[at] === h && this.#equal(slots[at + 2]!, end, buf, from, to)) return slots[at + 1]!;
    }
  }

  /** Adds the key buf[from, to) (not in the table) with its value. */
  set(buf: Uint8Array, from: number, to: number, value: number): void {
    const n = to - from;
    if (this.#used + n > this.#bytes.length) this.#bytes = grown(this.#bytes, 2 * (this.#used + n));
    this.#bytes.set(buf.subarray(from, to), this.#used);
    if (2 * (this.#size + 1) * SLOT > this.#slots.length) this.#rehash(2 * this.#slots.length);
    this.#place(this.#slots, hashOf(buf, from, to), value, this.#used, this.#used + n);
    this.#used += n;
    this.#size++;
  }

  /** Empty again (keeping its room: a table that starts over fills up again as it did). */
  clear(): void {
    this.#slots.fill(0);
    this.#size = 0;
    this.#used = 0;
  }

  #equal(start: number, end: number, buf: Uint8Array, from: number, to: number): boolean {
    if (end - start !== to - from) return false;
    const bytes = this.#bytes;
    for (let k = 0; k < end - start; k++) if (bytes[start + k] !== buf[from + k]) return false;
    return true;
  }

  #place(slots: Int32Array, h: number, value: number, start: number, end: number) {
    const mask = slots.length / SLOT - 1;
    let at = (h & mask) * SLOT;
    while (slots[at + 3] !== 0) at = (at + SLOT) & (slots.length - 1);
    slots[at] = h;
    slots[at + 1] = value;
    slots[at + 2] = start;
    slots[at + 3] = end + 1;
  }

  #rehash(size: number) {
    const old = this.#slots;
    const slots = new Int32Array(size);
    for (let at = 0; at < old.length; at += SLOT)
      if (old[at + 3] !== 0) this.#place(slots, old[at]!, old[at + 1]!, old[at + 2]!, old[at + 3]! - 1);
    this.#slots = slots;
  }
}

/** Int32s per slot of a ByteTable. */
const SLOT = 4;

/** FNV-1a over bytes, as an int32 (what the table keeps: an empty key's too). */
function hashOf(buf: Uint8Array, from: number, to: number): number {
  let h = 0x811c9dc5 | 0;
  for (let i = from; i < to; i++) h = Math.imul(h ^ buf[i]!, 16777619);
  return h;
}
