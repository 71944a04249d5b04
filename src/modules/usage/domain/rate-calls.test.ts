import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RULE_CODE } from './rounding.ts';
import { createCallBatch, createRatedBatch, rateCalls } from './rate-calls.ts';

test('rateCalls: the hot loop over typed arrays', () => {
  const batch = createCallBatch(4);
  const rows: [duration: number, rule: number, allowance: number, line: number][] = [
    [89, RULE_CODE['nearest-minute'], 0, 0],
    [400, RULE_CODE['nearest-minute'], 0, 0], // crosses the 300 s allowance
    [31, RULE_CODE['br-mobile-6s'], -1, 1],
    [500, RULE_CODE['per-second'], -1, -1], // free
  ];
  rows.forEach(([d, r, a, l], i) => {
    batch.durationSeconds[i] = d;
    batch.rule[i] = r;
    batch.allowance[i] = a;
    batch.line[i] = l;
  });
  batch.count = rows.length;
  const allowance = Float64Array.of(300);
  const byLine = new Float64Array(2);
  const out = createRatedBatch(4);
  rateCalls(batch, allowance, byLine, out);
  assert.deepEqual([...out.billableSeconds], [60, 420, 36, 500]);
  assert.deepEqual([...out.includedSeconds], [60, 240, 0, 0]);
  assert.deepEqual([...out.chargedSeconds], [0, 180, 36, 0]);
  assert.deepEqual([...allowance], [0]);
  assert.deepEqual([...byLine], [180, 36]);
});
