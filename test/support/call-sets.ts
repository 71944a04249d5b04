import assert from 'node:assert/strict';

/** A call set as a binary COPY row of call_sets (CallSets.flush) holds it. */
export interface SetRow {
  account: string;
  month: string;
  ids: string[];
  ms: number[];
}

/**
 * Call sets' binary COPY rows read back field by field, every length checked against the bytes it
 * covers: account, month, the ids (one text, a space between) and the instants (an int8 array).
 */
export function setRows(bytes: Uint8Array): SetRow[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const rows: SetRow[] = [];
  let at = 0;
  const int = () => view.getInt32((at += 4) - 4);
  const text = () => {
    const n = int();
    assert.ok(n >= 0 && at + n <= bytes.length, 'a text field within the rows');
    return Buffer.from(bytes.subarray(at, (at += n))).toString('utf8');
  };
  const instants = (): number[] => {
    const length = int();
    const end = at + length;
    assert.deepEqual([int(), int(), int()], [1, 0, 20], 'one dimension, no nulls, int8');
    const count = int();
    assert.equal(int(), 1, 'counted from 1');
    const items = Array.from({ length: count }, () => {
      assert.equal(int(), 8);
      return Number(view.getBigInt64((at += 8) - 8));
    });
    assert.equal(at, end, 'the array field is as long as it says');
    return items;
  };
  while (at < bytes.length) {
    assert.equal(view.getInt16(at), 4, 'four fields a row');
    at += 2;
    const account = text();
    const month = text();
    const ids = text().split(' ');
    assert.ok(
      ids.every((id) => id.length > 0),
      'ids with one space between, none before or after',
    );
    const ms = instants();
    assert.equal(ids.length, ms.length, 'an instant per id');
    rows.push({ account, month, ids, ms });
  }
  return rows;
}
