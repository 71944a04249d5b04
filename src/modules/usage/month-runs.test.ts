// The bill run walks an account's unbilled sums month by month (monthRuns) as unbilledSums returns
// them: an account's sums together, its months in order. Sums out of that order are refused, not
// priced as two months.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type UsageSumRow, monthRuns } from './repo.ts';
import { random } from '../../../test/support/random.ts';

const sum = (account: string, month: string, callType: string): UsageSumRow => ({
  account_id: account,
  usage_month: month,
  call_type: callType,
  allowance: null,
  rate_prefix: null,
  rate_from: null,
  rate_per_minute: null,
  calls: 1,
  billable_seconds: 60,
  context: 'c',
  after_batch: -1,
});

test('sums by account, then month, in the order they came', () => {
  const r = random(11);
  const accounts = ['acc_b', 'acc_a', 'acc_c'];
  const months = ['2025-11', '2025-12', '2026-01'];
  const rows: UsageSumRow[] = [];
  const expected = new Map<string, string[][]>();
  for (const a of accounts) {
    const mine: string[][] = [];
    for (const m of months) {
      if (r() < 0.3) continue;
      const types = ['domestic', 'international', 'toll_free_inbound'].slice(0, 1 + Math.floor(r() * 3));
      for (const t of types) rows.push(sum(a, m, t));
      mine.push(types.map((t) => `${m} ${t}`));
    }
    if (mine.length > 0) expected.set(a, mine);
  }
  const runs = monthRuns(rows);
  assert.deepEqual(
    [...runs].map(([a, ms]) => [a, ms.map((run) => run.map((s) => `${s.usage_month} ${s.call_type}`))]),
    [...expected],
  );
  for (const [a, ms] of runs) for (const run of ms) for (const s of run) assert.equal(s.account_id, a);
  assert.equal(monthRuns([]).size, 0);
});

test('sums out of order are refused', () => {
  assert.throws(
    () =>
      monthRuns([sum('a', '2026-01', 'domestic'), sum('b', '2026-01', 'domestic'), sum('a', '2026-01', 'x')]),
    /usage sums of a: not together/,
  );
  assert.throws(
    () => monthRuns([sum('a', '2026-01', 'domestic'), sum('a', '2025-12', 'domestic')]),
    /usage sums of a: months out of order/,
  );
});
