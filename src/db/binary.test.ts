import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteText, PG_EPOCH_MS, int64Of } from './binary.ts';
import { random } from '../../test/support/random.ts';

// The binary COPY writers: big-endian integers and length-prefixed fields, checked against what
// Node itself writes for the same values.
test('text fields: their UTF-8 bytes after their length, NULL as length -1', () => {
  const values = ['', 'outbound', 'Recepção', 'tab\there', '日本', null, 'x'.repeat(300)];
  const out = new ByteText(4);
  for (const v of values) out.text(v);
  const expected = Buffer.concat(
    values.map((v) => {
      const bytes = v === null ? Buffer.alloc(0) : Buffer.from(v, 'utf8');
      const length = Buffer.alloc(4);
      length.writeInt32BE(v === null ? -1 : bytes.length);
      return Buffer.concat([length, bytes]);
    }),
  );
  assert.deepEqual(Buffer.from(out.done()), expected);
});

test('16-, 32- and 64-bit big-endian integers are what a DataView writes', () => {
  const r = random(11);
  const longs = [
    0,
    1,
    -1,
    2 ** 32,
    2 ** 32 - 1,
    -(2 ** 32),
    1_767_268_800_000,
    -86_400_000,
    2 ** 53 - 1,
    -(2 ** 53) + 1,
  ];
  for (let k = 0; k < 1_000; k++) longs.push(Math.floor((r() - 0.5) * 2 ** (1 + Math.floor(r() * 53))));
  const ints = [0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 65_535, 4_294_967_295];
  const out = new ByteText(8);
  const expected = Buffer.alloc(2 + 4 * ints.length + 8 * longs.length);
  let at = 0;
  out.int16(4);
  expected.writeInt16BE(4, at);
  at += 2;
  for (const v of ints) {
    out.int32(v);
    expected.writeUInt32BE(v >>> 0, at);
    at += 4;
  }
  for (const v of longs) {
    out.int64(v);
    expected.writeBigInt64BE(BigInt(v), at);
    at += 8;
  }
  assert.deepEqual(Buffer.from(out.done()), expected);
});

test('instants kept in an array are written as binary timestamps (microseconds since 2000)', () => {
  const instants = Float64Array.of(
    PG_EPOCH_MS,
    0,
    Date.UTC(2026, 0, 31, 23, 59, 59, 999),
    Date.UTC(1969, 6, 20, 20, 17),
  );
  const b = new Uint8Array(8 * instants.length);
  const expected = Buffer.alloc(b.length);
  let at = 0;
  for (let i = 0; i < instants.length; i++) {
    assert.equal(int64Of(b, at, instants, i, 1000, PG_EPOCH_MS), at + 8);
    expected.writeBigInt64BE(BigInt((instants[i]! - PG_EPOCH_MS) * 1000), at);
    at += 8;
  }
  assert.deepEqual(Buffer.from(b), expected);
});
