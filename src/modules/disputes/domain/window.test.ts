import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lastDisputeDay, withinDisputeWindow } from './window.ts';

test('DSP-1: the issue date + 15 days is the last day', () => {
  const cases: [string, string, boolean][] = [
    ['2026-09-01', '2026-09-01', true],
    ['2026-09-01', '2026-09-16', true],
    ['2026-09-01', '2026-09-17', false],
    ['2026-02-20', '2026-03-07', true], // across February (2026 not leap)
    ['2026-02-20', '2026-03-08', false],
    ['2026-12-20', '2027-01-04', true], // across the year end
  ];
  for (const [issue, today, ok] of cases)
    assert.equal(withinDisputeWindow(issue, today), ok, `${issue} → ${today}`);
  assert.equal(lastDisputeDay('2028-02-14'), '2028-02-29', 'leap day');
});
