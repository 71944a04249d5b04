import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower case

let lastMs = 0;
let counter = 0;
// Random bytes drawn 4 KiB at a time: one randomBytes call per id costs more than the rest of newId.
let pool = Buffer.alloc(0);
let poolAt = 0;
function random8(): Buffer {
  if (poolAt + 8 > pool.length) {
    pool = randomBytes(4096);
    poolAt = 0;
  }
  poolAt += 8;
  return pool.subarray(poolAt - 8, poolAt);
}

/**
 * Prefixed, time-ordered identifiers ("acc_01jb…"): sortable for cursor pagination, readable in
 * logs. Time comes from the caller's clock so ids follow a simulated clock too.
 */
export function newId(prefix: string, now: Date): string {
  let ms = now.getTime();
  if (ms <= lastMs) {
    ms = lastMs;
    counter++;
  } else {
    lastMs = ms;
    counter = 0;
  }
  let time = '';
  let t = ms;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32]! + time;
    t = Math.floor(t / 32);
  }
  let seq = '';
  let c = counter;
  for (let i = 0; i < 4; i++) {
    seq = ALPHABET[c % 32]! + seq;
    c = Math.floor(c / 32);
  }
  const rand = random8();
  let r = '';
  for (let i = 0; i < 8; i++) r += ALPHABET[rand[i]! % 32];
  return `${prefix}_${time}${seq}${r}`;
}
