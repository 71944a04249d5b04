// Binary COPY rows (FORMAT binary) written straight into bytes: each field is its length and its
// bytes, so nothing is escaped and the server parses no text. The usage import writes its calls,
// call sets, sums and classes so.

export const grown = <T extends Int32Array | Float64Array | Uint8Array>(a: T, size: number): T => {
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
};

/**
 * Working memory kept from one use to the next: `a` when it holds n entries, otherwise a longer one
 * (what `a` held is not kept). Its first n entries are zero when `zero` says so. Typed arrays made
 * anew for each block of a long import count toward the garbage collector's external-memory limit.
 */
export const kept = <T extends Int32Array | Float64Array | Uint8Array>(a: T, n: number, zero = false): T => {
  const b = a.length >= n ? a : new (a.constructor as new (n: number) => T)(Math.max(n, 2 * a.length));
  if (zero) b.fill(0, 0, n);
  return b;
};

/** Binary COPY rows (and any bytes) written straight into a growing buffer. */
export class ByteText {
  #b: Uint8Array;
  #at = 0;
  constructor(size: number) {
    this.#b = new Uint8Array(size);
  }
  #room(n: number) {
    if (this.#at + n > this.#b.length) this.#b = grown(this.#b, 2 * (this.#at + n));
  }
  /** Room for n more bytes: the buffer to write them into, from `length` on (then moveTo). */
  room(n: number): Uint8Array {
    this.#room(n);
    return this.#b;
  }
  /** The end moved to `at`, after bytes were written in place (see room). */
  moveTo(at: number): void {
    this.#at = at;
  }
  /** Bytes as they are (a row's fields written once and repeated). */
  bytes(from: Uint8Array) {
    this.#room(from.length);
    this.#at = bytesAt(this.#b, this.#at, from, 0, from.length);
  }
  /** Big-endian integers, as binary COPY writes them. */
  int16(v: number) {
    this.#room(2);
    this.#b[this.#at++] = (v >> 8) & 255;
    this.#b[this.#at++] = v & 255;
  }
  int32(v: number) {
    this.#room(4);
    this.#at = int32At(this.#b, this.#at, v);
  }
  /** A safe integer as a signed 64-bit one. */
  int64(v: number) {
    this.#room(8);
    this.#at = int64At(this.#b, this.#at, v);
  }
  /** A binary COPY field: the length of b[start, end), then those bytes. */
  field(b: Uint8Array, start: number, end: number) {
    this.#room(4 + end - start);
    this.#at = fieldAt(this.#b, this.#at, b, start, end);
  }
  /** A binary COPY text field (UTF-8), or NULL. */
  text(s: string | null) {
    if (s === null) return this.int32(-1);
    this.#room(4 + s.length);
    const b = this.#b;
    const start = this.#at;
    let at = start + 4;
    for (let k = 0; k < s.length; k++) {
      const c = s.charCodeAt(k);
      if (c > 127) {
        const bytes = Buffer.from(s, 'utf8');
        return this.field(bytes, 0, bytes.length);
      }
      b[at++] = c;
    }
    this.int32(s.length);
    this.#at = at;
  }
  /** A binary COPY field of an int8 column. */
  int8Field(v: number) {
    this.int32(8);
    this.int64(v);
  }
  get length(): number {
    return this.#at;
  }
  /** Empty again, its memory kept (what it gave out is written over). */
  reset(): this {
    this.#at = 0;
    return this;
  }
  done(): Uint8Array {
    return this.#b.subarray(0, this.#at);
  }
}

// Binary COPY's pieces written at b[at] (room made by the caller); each returns where it ends.

/** A field: the length of from[start, end), then those bytes. */
export function fieldAt(b: Uint8Array, at: number, from: Uint8Array, start: number, end: number): number {
  return bytesAt(b, int32At(b, at, end - start), from, start, end);
}

/** The bytes from[start, end). */
export function bytesAt(b: Uint8Array, at: number, from: Uint8Array, start: number, end: number): number {
  if (end - start > 16) b.set(from.subarray(start, end), at);
  // A few bytes: copied in place rather than through a view made for them.
  else for (let i = start, k = at; i < end; i++) b[k++] = from[i]!;
  return at + end - start;
}

/** A big-endian int32. */
export function int32At(b: Uint8Array, at: number, v: number): number {
  b[at] = v >>> 24;
  b[at + 1] = v >>> 16;
  b[at + 2] = v >>> 8;
  b[at + 3] = v;
  return at + 4;
}

/** A safe integer as a big-endian signed int64. */
export function int64At(b: Uint8Array, at: number, v: number): number {
  one[0] = v;
  return int64Of(b, at, one, 0);
}
const one = new Float64Array(1);

/**
 * (values[i] - offset) * scale, a safe integer, as a big-endian signed int64: read where it is
 * kept. A number past the small integers (an instant, a microsecond count) passed to a function
 * not inlined, or returned by one, is a new heap object each time: millions of rows, millions of
 * objects.
 */
export function int64Of(
  b: Uint8Array,
  at: number,
  values: Float64Array,
  i: number,
  scale = 1,
  offset = 0,
): number {
  const v = (values[i]! - offset) * scale;
  const high = Math.floor(v / 4_294_967_296);
  const low = v - high * 4_294_967_296;
  b[at] = high >>> 24;
  b[at + 1] = high >>> 16;
  b[at + 2] = high >>> 8;
  b[at + 3] = high;
  b[at + 4] = low >>> 24;
  b[at + 5] = low >>> 16;
  b[at + 6] = low >>> 8;
  b[at + 7] = low;
  return at + 8;
}

/** Where PostgreSQL's binary instants (in microseconds) count from: 2000-01-01. */
export const PG_EPOCH_MS = 946_684_800_000;

export const INT8_OID = 20;

/** A binary COPY field holding a one-dimension array without nulls: its length, then the array's header. */
export function arrayHeader(out: ByteText, bytes: number, elementType: number, count: number): void {
  out.int32(bytes);
  out.int32(1); // dimensions
  out.int32(0); // no nulls
  out.int32(elementType);
  out.int32(count);
  out.int32(1); // lower bound
}
