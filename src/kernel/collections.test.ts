import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BoundedCache } from './collections.ts';

test('a bounded cache keeps at most its limit, the entries in use, and answers what was set', () => {
  const cache = new BoundedCache<string, number>(100);
  for (let i = 0; i < 10_000; i++) {
    cache.set(`k${i}`, i);
    // One entry read all along is never let go, however many come after it.
    assert.equal(cache.get('k0'), 0, `k0 after ${i}`);
    assert.ok(cache.size <= 100, `${cache.size} entries after ${i + 1}`);
  }
  // The latest entries are all there; the oldest not read since are gone.
  for (let i = 9_950; i < 10_000; i++) assert.equal(cache.get(`k${i}`), i);
  assert.equal(cache.get('k5000'), undefined);
  assert.ok(cache.size >= 50, `${cache.size} entries kept`);
  // Set again, an entry has its new value whichever generation held it.
  cache.set('k9999', -1);
  assert.equal(cache.get('k9999'), -1);
  assert.throws(() => new BoundedCache(1), /bad cache limit/);
  assert.throws(() => new BoundedCache(1.5), /bad cache limit/);
});
