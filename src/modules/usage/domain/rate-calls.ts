import { billableSecondsByCode } from './rounding.ts';

/**
 * The hot loop of call rating: a month's calls as parallel typed arrays (struct of arrays), in
 * start order. Classification, deck lookup and allocation happen around it (rating.ts); this part
 * only turns durations into billable, included and charged seconds, without allocating.
 */
export interface CallBatch {
  count: number;
  durationSeconds: Int32Array;
  /** RULE_CODE of each call's rounding rule (USG-4). */
  rule: Uint8Array;
  /** The allowance each call draws on first (index into the allowance seconds), or -1 for none. */
  allowance: Int32Array;
  /** The charge line each call's charged seconds go to, or -1 for a free call. */
  line: Int32Array;
}

export interface RatedBatch {
  billableSeconds: Int32Array;
  includedSeconds: Int32Array;
  chargedSeconds: Int32Array;
}

export function createCallBatch(capacity: number): CallBatch {
  return {
    count: 0,
    durationSeconds: new Int32Array(capacity),
    rule: new Uint8Array(capacity),
    allowance: new Int32Array(capacity),
    line: new Int32Array(capacity),
  };
}

export function createRatedBatch(capacity: number): RatedBatch {
  return {
    billableSeconds: new Int32Array(capacity),
    includedSeconds: new Int32Array(capacity),
    chargedSeconds: new Int32Array(capacity),
  };
}

/**
 * USG-3: in call order, each call's billable seconds are taken from its allowance while any is
 * left — the call that crosses the end is split — and the rest is charged to its line. Free calls
 * (line -1) get billable seconds only. `allowanceSeconds` is consumed in place and
 * `chargedSecondsByLine` accumulates, so a month can be rated in several batches.
 */
export function rateCalls(
  calls: CallBatch,
  allowanceSeconds: Float64Array,
  chargedSecondsByLine: Float64Array,
  out: RatedBatch,
): void {
  const { count, durationSeconds, rule, allowance, line } = calls;
  const { billableSeconds, includedSeconds, chargedSeconds } = out;
  for (let i = 0; i < count; i++) {
    const billable = billableSecondsByCode(rule[i]!, durationSeconds[i]!);
    billableSeconds[i] = billable;
    const l = line[i]!;
    if (l < 0) {
      includedSeconds[i] = 0;
      chargedSeconds[i] = 0;
      continue;
    }
    const a = allowance[i]!;
    let included = 0;
    if (a >= 0) {
      const left = allowanceSeconds[a]!;
      included = billable < left ? billable : left;
      allowanceSeconds[a] = left - included;
    }
    const charged = billable - included;
    includedSeconds[i] = included;
    chargedSeconds[i] = charged;
    chargedSecondsByLine[l] = chargedSecondsByLine[l]! + charged;
  }
}
