import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteText } from './import.ts';
import { random } from '../../../test/support/random.ts';

// The COPY writers: decimal text for text COPY, big-endian integers for binary COPY, checked
// against what Node itself writes for the same values.
test('integers in decimal read back as written, either side of 10^8 and negative', () => {
  const r = random(7);
  const values = [0, 9, 10, 99_999_999, 100_000_000, 100_000_001, 1_767_268_800_000, -1, -100_000_007];
  for (let k = 0; k < 2_000; k++) values.push(Math.floor((r() - 0.3) * 2 ** (1 + Math.floor(r() * 52))));
  const out = new ByteText(4);
  for (const v of values) {
    out.integer(v);
    out.byte(10);
  }
  assert.deepEqual(Buffer.from(out.done()).toString('latin1').split('\n').slice(0, -1).map(Number), values);
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
