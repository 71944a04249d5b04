// The bytes reader's hash table (import-bytes.ts): keys are slices of a buffer, values whole numbers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteTable } from './import-bytes.ts';

test('a ByteTable finds every key it was given, by its bytes wherever they lie, and nothing else', () => {
  const table = new ByteTable();
  const keys = Array.from({ length: 20_000 }, (_, i) => `+1 512 736 ${i}`);
  keys.push('', '1', '12', '+1 512 736'); // empty, short, and prefixes of other keys
  // Each key written inside a larger buffer, away from its start.
  const at = (key: string) => Buffer.from(`xx,${key},yy`, 'latin1');
  keys.forEach((key, i) => {
    assert.equal(table.get(at(key), 3, 3 + key.length), ByteTable.ABSENT, `${key}: not there before`);
    table.set(at(key), 3, 3 + key.length, i % 3 === 0 ? -2 : i); // any whole number is a value
  });
  assert.equal(table.size, keys.length);
  keys.forEach((key, i) => {
    const bytes = Buffer.from(key, 'latin1');
    assert.equal(table.get(bytes, 0, bytes.length), i % 3 === 0 ? -2 : i, `${JSON.stringify(key)}`);
  });
  for (const other of ['+1 512 736 20000', '+1 512 73', '2', '+1 512 736 0 ']) {
    const bytes = Buffer.from(other, 'latin1');
    assert.equal(table.get(bytes, 0, bytes.length), ByteTable.ABSENT, `${other}: never given`);
  }
  table.clear();
  assert.equal(table.size, 0);
  const one = Buffer.from(keys[5]!, 'latin1');
  assert.equal(table.get(one, 0, one.length), ByteTable.ABSENT, 'emptied');
  table.set(one, 0, one.length, 7);
  assert.equal(table.get(one, 0, one.length), 7, 'filled again');
});
