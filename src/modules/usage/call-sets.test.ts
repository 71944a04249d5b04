// An import's call sets (CallSets): per account-month, the ids and start instants of its calls in
// the order they came, SET_SIZE (1,000) to a binary COPY row. Read back field by field, every
// length checked against the bytes it covers (setRows).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MonthSums } from './domain/arrival.ts';
import { CallSets } from './import.ts';
import { setRows } from '../../../test/support/call-sets.ts';
import { random } from '../../../test/support/random.ts';

test('call sets list each account-month’s calls in the order they came, 1,000 to a row', () => {
  const r = random(7);
  const sets = new CallSets();
  const months = [
    new MonthSums('acc_small', '2026-01', ''),
    new MonthSums('acc_big', '2026-01', ''),
    new MonthSums('acc_big', '2025-12', ''),
    new MonthSums('acc_ünïcode', '2026-01', ''),
    new MonthSums('acc_none', '2026-01', ''), // no call this stretch: no row
  ].map((m) => ({ m, k: sets.number(m) }));
  const expected = new Map<number, { ids: string[]; ms: number[] }>();
  // 2,500 calls for acc_big's January (three rows), the others interleaved with it.
  const weights = [0.05, 0.75, 0.1, 0.1];
  for (let i = 0; i < 3_333; i++) {
    let pick = r();
    let k = 0;
    while (pick > weights[k]!) pick -= weights[k++]!;
    const id = `c-${i}-${'x'.repeat(Math.floor(r() * 40))}`;
    const ms = Date.UTC(2026, 0, 1) + Math.floor(r() * 2 ** 40);
    const bytes = Buffer.from(`..${id}..`, 'latin1');
    sets.addBytes(bytes, 2, 2 + id.length, months[k]!.k, Float64Array.of(ms), 0);
    const e = expected.get(k) ?? { ids: [], ms: [] };
    e.ids.push(id);
    e.ms.push(ms);
    expected.set(k, e);
  }
  assert.equal(sets.size, 3_333);
  const rows = setRows(sets.flush());
  assert.equal(sets.size, 0, 'a fresh start');
  for (const { m, k } of months) {
    const mine = rows.filter((row) => row.account === m.accountId && row.month === m.usageMonth);
    const e = expected.get(k);
    if (e === undefined) {
      assert.equal(mine.length, 0, `${m.accountId} ${m.usageMonth}: no calls, no row`);
      continue;
    }
    assert.equal(mine.length, Math.ceil(e.ids.length / 1_000), `${m.accountId} ${m.usageMonth}: rows`);
    mine.slice(0, -1).forEach((row) => assert.equal(row.ids.length, 1_000, 'full rows but the last'));
    assert.deepEqual(
      mine.flatMap((row) => row.ids),
      e.ids,
      `${m.accountId} ${m.usageMonth}: ids`,
    );
    assert.deepEqual(
      mine.flatMap((row) => row.ms),
      e.ms,
      `${m.accountId} ${m.usageMonth}: instants`,
    );
  }
  assert.ok(expected.get(1)!.ids.length > 2_000, 'one set spans three rows');

  // The next stretch holds only its own calls.
  sets.addBytes(Buffer.from('late-1'), 0, 6, months[4]!.k, Float64Array.of(5), 0);
  assert.deepEqual(setRows(sets.flush()), [
    { account: 'acc_none', month: '2026-01', ids: ['late-1'], ms: [5] },
  ]);
  assert.equal(sets.flush().length, 0, 'nothing listed: nothing made');
});
