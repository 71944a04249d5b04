import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { allocate } from '../../../kernel/index.ts';
import { allocateByWeight } from './allocation.ts';

test('allocateByWeight: the kernel examples, rows in any order', () => {
  const out = new Float64Array(4);
  allocateByWeight(1003, Int32Array.of(0, 1), Int32Array.of(1, 1), out);
  assert.deepEqual([...out.subarray(0, 2)], [502, 501]);
  // 36 over 7 equal weights: 5 each and the 1 left over to the first row
  const seven = new Float64Array(7);
  allocateByWeight(36, Int32Array.of(0, 1, 2, 3, 4, 5, 6), new Int32Array(7).fill(36), seven);
  assert.deepEqual([...seven], [6, 5, 5, 5, 5, 5, 5]);
  // rows pick which weights and outputs are used
  const picked = new Float64Array(4);
  allocateByWeight(9, Int32Array.of(1, 3), Int32Array.of(99, 30, 99, 36), picked);
  assert.deepEqual([...picked], [0, 4, 0, 5]);
});

test('allocateByWeight hands huge products and negative amounts to the kernel', () => {
  const out = new Float64Array(2);
  allocateByWeight(2 ** 40, Int32Array.of(0, 1), Int32Array.of(2 ** 30, 1), out);
  assert.deepEqual([...out], allocate(2 ** 40, [2 ** 30, 1]));
  allocateByWeight(-1003, Int32Array.of(0, 1), Int32Array.of(1, 1), out);
  assert.deepEqual([...out], [-502, -501]);
  assert.throws(() => allocateByWeight(5, Int32Array.of(0), Int32Array.of(0), out), /Ratios/);
});

test('property: allocateByWeight is exactly the kernel allocate', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 10_000_000 }),
      fc.array(fc.integer({ min: 1, max: 100_000 }), { minLength: 1, maxLength: 60 }),
      (amount, weights) => {
        const out = new Float64Array(weights.length);
        const rows = Int32Array.from(weights, (_, i) => i);
        allocateByWeight(amount, rows, Int32Array.from(weights), out);
        assert.deepEqual([...out], allocate(amount, weights));
      },
    ),
    { numRuns: 500 },
  );
});
