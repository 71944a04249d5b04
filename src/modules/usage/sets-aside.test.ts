import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { SetsAside } from './import.ts';

// Call sets wait for the end of the calls' COPY: a few MiB in memory, a file beyond, read back
// in the order they came and removed after.
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
  assert.equal(aside.dir, null);
  assert.deepEqual(await readAll(aside), Buffer.concat(given));
  await aside.close();
});

test('sets beyond the limit go to a file, read back in order, removed on close', async () => {
  const aside = new SetsAside(1_000);
  // 3 MiB in pieces of odd sizes: read back across the file's 1 MiB reads.
  const given: Uint8Array[] = [];
  for (let k = 0, total = 0; total < 3 << 20; k++) {
    const p = piece(k, 1 + ((k * 7919) % 90_001));
    given.push(p);
    total += p.length;
    await aside.add(p);
  }
  const dir = aside.dir;
  assert.ok(dir !== null && existsSync(dir), 'a file holds them');
  assert.ok((await readAll(aside)).equals(Buffer.concat(given)));
  await aside.close();
  assert.equal(existsSync(dir), false, 'the file is gone');
});
