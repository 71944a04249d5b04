import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SetsAside } from './import.ts';

// Call sets wait for the end of the calls' COPY: a few MiB in memory, a file beyond, read back
// in the order they came; the file is gone from the directory as soon as it is open.
const piece = (k: number, size: number) => new Uint8Array(size).fill(65 + (k % 26));

async function readAll(aside: SetsAside): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of aside.read()) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

test('sets below the limit stay in memory and read back as given', async () => {
  const aside = new SetsAside(1_000);
  const given = [piece(0, 300), piece(1, 0), piece(2, 700)];
  for (const p of given) await aside.add(p);
  assert.equal(aside.onDisk, false);
  assert.deepEqual(await readAll(aside), Buffer.concat(given));
  await aside.close();
});

test('sets beyond the limit go to a file, removed at once and still read back in order', async () => {
  const root = mkdtempSync(join(tmpdir(), 'tollbooth-aside-test-'));
  try {
    const aside = new SetsAside(1_000, root);
    // 3 MiB in pieces of odd sizes: read back across the file's 1 MiB reads.
    const given: Uint8Array[] = [];
    for (let k = 0, total = 0; total < 3 << 20; k++) {
      const p = piece(k, 1 + ((k * 7919) % 90_001));
      given.push(p);
      total += p.length;
      await aside.add(p);
      // Nothing in the directory once the file is open: a process that dies here leaves nothing.
      if (aside.onDisk) assert.deepEqual(readdirSync(root), [], `after ${k + 1} pieces`);
    }
    assert.ok(aside.onDisk, 'a file holds them');
    assert.ok((await readAll(aside)).equals(Buffer.concat(given)));
    // Read twice (a reader may start over): the same bytes.
    assert.ok((await readAll(aside)).equals(Buffer.concat(given)));
    await aside.close();
    assert.deepEqual(readdirSync(root), []);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
