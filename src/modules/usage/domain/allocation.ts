import { allocate } from '../../../kernel/index.ts';

/**
 * out[rows[j]] = allocate(amount, [weights[rows[0]], weights[rows[1]], …])[j] — the kernel's
 * largest-remainder split (floor shares, then +1 by largest remainder, ties to the earlier row),
 * without a bigint and an object per row. It runs in doubles when every intermediate product is an
 * exact integer (always, for a realistic month of calls) and hands over to the kernel otherwise.
 */
export function allocateByWeight(
  amount: number,
  rows: Int32Array,
  weights: Int32Array,
  out: Float64Array,
): void {
  const m = rows.length;
  let total = 0;
  let maxWeight = 0;
  for (let j = 0; j < m; j++) {
    const w = weights[rows[j]!]!;
    total += w;
    if (w > maxWeight) maxWeight = w;
  }
  if (amount < 0 || total === 0 || amount * maxWeight + total > Number.MAX_SAFE_INTEGER) {
    const shares = allocate(
      amount,
      Array.from(rows, (r) => weights[r]!),
    );
    for (let j = 0; j < m; j++) out[rows[j]!] = shares[j]!;
    return;
  }
  const remainders = new Float64Array(m);
  let given = 0;
  for (let j = 0; j < m; j++) {
    const product = amount * weights[rows[j]!]!;
    let share = Math.floor(product / total);
    let remainder = product - share * total;
    // A rounded floating division can leave the floor one off; the remainder says which way.
    if (remainder < 0) {
      share--;
      remainder += total;
    } else if (remainder >= total) {
      share++;
      remainder -= total;
    }
    out[rows[j]!] = share;
    remainders[j] = remainder;
    given += share;
  }
  const left = amount - given;
  if (left === 0) return;
  const byRemainder = new Int32Array(m);
  for (let j = 0; j < m; j++) byRemainder[j] = j;
  byRemainder.sort((a, b) => remainders[b]! - remainders[a]! || a - b);
  for (let k = 0; k < left; k++) {
    const r = rows[byRemainder[k]!]!;
    out[r] = out[r]! + 1;
  }
}
