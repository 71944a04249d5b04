import {
  type BillingMonth,
  type CalendarDate,
  type Currency,
  type RoundingMode,
  LINE_TEXT,
  addDays,
  daysInBillingMonth,
  firstDayOf,
  invalid,
  lastDayOf,
  maxDate,
  monthOf,
  startOfDayInZone,
  sum,
} from '../../../kernel/index.ts';
import { allocateByWeight } from './allocation.ts';
import { type AccountCallingContext, type CallType, type Direction, classifyCall } from './classify.ts';
import { type NormalizedNumber, normalizeNumber } from './numbers.ts';
import { type RateDeck, type RateEntry, dayNumber } from './rate-deck.ts';
import {
  type CallBatch,
  type RatedBatch,
  createCallBatch,
  createRatedBatch,
  rateCalls,
} from './rate-calls.ts';
import {
  RULE_CODE,
  type RoundingRule,
  chargeForSeconds,
  isRoundingRule,
  isValidDuration,
} from './rounding.ts';

/**
 * Rating of one account's calls for one usage month (USG-2..4, CAT-2, CAT-4, CON-3), billed in
 * arrears on the next month's invoice (RUN-4), all at once and in memory.
 *
 * The product rates a call when it arrives and prices a month from sums (arrival.ts), so that a
 * call is written once. `rateMonth` is the whole-month definition it is held to: the SPEC's tables
 * are tested here (rating.test.ts), and property tests (arrival.test.ts) check that the two-step
 * path bills the same lines, splits the same calls and rejects the same calls. The line shapes and
 * prices (`usageLines`, the charges) are shared.
 *
 * Units: every quantity is in **seconds** (billable, included, charged); rates are per minute in
 * RATE_SCALE millionths. Minute-based rules produce multiples of 60 s, so nothing is lost.
 *
 * Amounts: a line's amount is rate × its total charged seconds / 60, rounded once (STYLE 4). Each
 * call's amount is its share of that line amount by charged seconds, split by largest remainder
 * (allocateByWeight: exactly the kernel's `allocate`, without a bigint per call). So the billed
 * call details (USG-5) add up exactly to the invoice lines, and each call stays within one minor
 * unit of its exact share of the rounded line.
 */

export type UsageLineType =
  | 'plan_minutes'
  | 'premium_domestic'
  | 'outbound_overage'
  | 'low_usage_minutes'
  | 'toll_free'
  | 'international';

/** RUN-5 order of the usage lines on an invoice. */
const LINE_ORDER: readonly UsageLineType[] = [
  'plan_minutes',
  'premium_domestic',
  'outbound_overage',
  'low_usage_minutes',
  'toll_free',
  'international',
];

export interface CallingPlan {
  /** Included (local and long-distance) minutes per billable device (CAT-2, data). */
  includedMinutesPerDevice: number;
  billableDevices: number;
  /** CAT-2 outbound overage, millionths per minute (default 0.02 = 20_000). */
  overageRatePerMinute: number;
  /** CAT-4 off-net minutes each low-usage device includes (default 50). */
  lowUsageMinutesPerDevice: number;
  /** CAT-4 rate beyond those minutes (default 0.02). */
  lowUsageRatePerMinute: number;
  /** Rounding of calls rated against the plan (domestic and extension calls). */
  rounding: RoundingRule;
}

/** SPEC defaults (CAT-2, CAT-4, USG-4); the included minutes and devices always come from data. */
export const DEFAULT_PLAN_TERMS = {
  overageRatePerMinute: 20_000,
  lowUsageMinutesPerDevice: 50,
  lowUsageRatePerMinute: 20_000,
  rounding: 'nearest-minute',
} as const satisfies Partial<CallingPlan>;

/** One CDR as rating needs it (USG-1). Import validates and deduplicates before this point. */
export interface CallDetailRecord {
  callId: string;
  /** Start instant, milliseconds since the epoch (UTC). */
  startedAt: number;
  /** Whole seconds between answer and end; 0 for an unanswered call. */
  durationSeconds: number;
  direction: Direction;
  origin: string;
  destination: string;
  /** Device the call was placed from (outbound), for low-usage devices (CAT-4). */
  originDevice: string | null;
}

export interface UsageMonthInput {
  month: BillingMonth;
  currency: Currency;
  /** The account's time zone: a call's date (for deck validity and CON-3) is its local date. */
  timeZone: string;
  billingStartDate: CalendarDate;
  account: AccountCallingContext;
  plan: CallingPlan;
  lowUsageDevices: ReadonlySet<string>;
  /** The deck for the account's currency. */
  deck: RateDeck;
  calls: readonly CallDetailRecord[];
  /** Rounding of line amounts; default half-up. */
  roundingMode?: RoundingMode;
  /**
   * Allowance this month's calls already drew when they were billed: CDRs that arrive after their
   * month was invoiced continue from what was left (USG-3), they never reopen the billed calls.
   */
  allowanceUsed?: AllowanceUsed;
}

export interface AllowanceUsed {
  planSeconds: number;
  lowUsageSecondsByDevice: ReadonlyMap<string, number>;
}

/** A usage invoice line; field for field a DraftLine, plus its explicit units. */
export interface UsageLine {
  lineType: UsageLineType;
  description: string;
  /** The deck prefix for deck-rated lines, null for plan lines. */
  itemCode: string | null;
  /** Seconds (see quantityUnit). */
  quantity: number;
  /** The rate per minute in RATE_SCALE millionths (= ratePerMinute), not minor units. */
  unitPrice: number;
  periodStart: CalendarDate;
  periodEnd: CalendarDate;
  prorateDays: null;
  periodDays: null;
  /** Minor units: unitPrice × quantity / 60, rounded once. */
  amount: number;
  quantityUnit: 'second';
  ratePerMinute: number;
}

export interface RatedCall {
  callId: string;
  callType: CallType;
  startedAt: number;
  durationSeconds: number;
  /** E.164 or extension. */
  origin: string;
  destination: string;
  rounding: RoundingRule;
  billableSeconds: number;
  /** Seconds drawn from plan minutes or a low-usage device's minutes. */
  includedSeconds: number;
  chargedSeconds: number;
  /** The rate the charged seconds are billed at (0 for a free call type). */
  ratePerMinute: number;
  /** Minor units: this call's share of its line's amount. */
  amount: number;
  /** Index in `lines` of the line the charged seconds are on; -1 when nothing is charged. */
  line: number;
  /** What the call drew on first: 'plan', the low-usage device's id (CAT-4), or null. */
  allowance: string | null;
}

export type SkipReason = 'duplicate' | 'outside_month' | 'before_billing_start';

export interface SkippedCall {
  callId: string;
  reason: SkipReason;
}

export interface RejectedCall {
  callId: string;
  reason: string;
  detail: string | null;
}

export interface RatedUsageMonth {
  /** Rated calls in start order. */
  calls: RatedCall[];
  lines: UsageLine[];
  /** Calls that are correctly not billed this month (CON-3, other months, repeated CDRs). */
  skipped: SkippedCall[];
  /** Calls that cannot be rated as they stand (bad number, no deck entry): to fix and re-rate. */
  rejected: RejectedCall[];
  /** Sum of the line amounts. */
  total: number;
}

export {
  type CallBatch,
  type RatedBatch,
  createCallBatch,
  createRatedBatch,
  rateCalls,
} from './rate-calls.ts';

const CALL_TYPES: readonly CallType[] = [
  'extension',
  'inbound',
  'toll_free_inbound',
  'domestic',
  'premium_domestic',
  'international',
];
/** Index in CALL_TYPES; compares interned names rather than a keyed property load per call. */
function callTypeCode(type: CallType): number {
  switch (type) {
    case 'extension':
      return 0;
    case 'inbound':
      return 1;
    case 'toll_free_inbound':
      return 2;
    case 'domestic':
      return 3;
    case 'premium_domestic':
      return 4;
    case 'international':
      return 5;
  }
}
const RULES = Object.keys(RULE_CODE) as RoundingRule[];

export const DECK_LINE_TYPE: Partial<Record<CallType, UsageLineType>> = {
  premium_domestic: 'premium_domestic',
  toll_free_inbound: 'toll_free',
  international: 'international',
};

/** What a line charges for: one per plan rate, one per deck entry used. */
export interface Charge {
  lineType: UsageLineType;
  description: string;
  itemCode: string | null;
  ratePerMinute: number;
  validFrom: CalendarDate | null;
}

export const planCharge = (lineType: UsageLineType, description: string, ratePerMinute: number): Charge => ({
  lineType,
  description,
  itemCode: null,
  ratePerMinute,
  validFrom: null,
});

/** The two charges every month has: outbound overage (index 0), low-usage minutes (index 1). */
export const planCharges = (
  plan: Pick<CallingPlan, 'overageRatePerMinute' | 'lowUsageMinutesPerDevice' | 'lowUsageRatePerMinute'>,
): Charge[] => [
  planCharge('outbound_overage', LINE_TEXT.overageMinutes, plan.overageRatePerMinute),
  planCharge(
    'low_usage_minutes',
    LINE_TEXT.lowUsageMinutes(plan.lowUsageMinutesPerDevice),
    plan.lowUsageRatePerMinute,
  ),
];

/** A deck entry's charge (one line per entry used). */
export const deckCharge = (callType: CallType, entry: RateEntry): Charge => ({
  lineType: DECK_LINE_TYPE[callType]!,
  description: entry.description,
  itemCode: entry.prefix,
  ratePerMinute: entry.ratePerMinute,
  validFrom: entry.validFrom,
});

const PLAN_ALLOWANCE = 0;
const OVERAGE_CHARGE = 0;
const LOW_USAGE_CHARGE = 1;

/**
 * Rates one account-month: orders and screens the CDRs, classifies them into a typed-array batch,
 * runs the hot loop, then prices each line once and shares its amount among its calls.
 */
export function rateMonth(input: UsageMonthInput): RatedUsageMonth {
  checkInput(input);
  useScratch(input.calls.length);
  try {
    const placed = placeCalls(input);
    const allowanceSeconds = Float64Array.from(placed.allowances);
    const chargedByCharge = new Float64Array(placed.charges.length);
    const { rated } = scratch;
    rateCalls(placed.batch, allowanceSeconds, chargedByCharge, rated);

    const planSeconds = placed.allowances[PLAN_ALLOWANCE]! - allowanceSeconds[PLAN_ALLOWANCE]!;
    const priced = usageLines(input, placed.charges, chargedByCharge, planSeconds);
    const amounts = callAmounts(placed.batch, rated, priced.amountByCharge);
    return {
      calls: ratedCalls(input, placed, rated, amounts, priced.lineOfCharge),
      lines: priced.lines,
      skipped: placed.skipped,
      rejected: placed.rejected,
      total: sum(priced.lines.map((l) => l.amount)),
    };
  } finally {
    scratch = kept;
  }
}

/**
 * Working arrays reused from one rateMonth to the next: rating is synchronous, and none of them
 * outlives the call (results are copied out into plain objects and arrays). They only grow.
 */
interface Scratch {
  capacity: number;
  usable: Int32Array;
  batch: CallBatch;
  source: Int32Array;
  callType: Uint8Array;
  rated: RatedBatch;
  amounts: Float64Array;
  rows: Int32Array;
  /** Per batch row, like `source`; longer than the batch when an earlier month had more rows. */
  origins: NormalizedNumber[];
  destinations: NormalizedNumber[];
}

const newScratch = (capacity: number): Scratch => ({
  capacity,
  usable: new Int32Array(capacity),
  batch: createCallBatch(capacity),
  source: new Int32Array(capacity),
  callType: new Uint8Array(capacity),
  rated: createRatedBatch(capacity),
  amounts: new Float64Array(capacity),
  rows: new Int32Array(capacity),
  // Filled in row order, so they grow by appending and keep fast elements at any size.
  origins: [],
  destinations: [],
});

/** Larger months get arrays of their own, so a rare huge account does not pin its memory. */
const KEPT_SCRATCH_LIMIT = 1 << 16;
let kept = newScratch(1024);
let scratch = kept;

/** Points `scratch` at arrays that hold `calls` rows, with an empty batch. */
function useScratch(calls: number): void {
  if (calls > KEPT_SCRATCH_LIMIT) scratch = newScratch(calls);
  else {
    if (calls > kept.capacity)
      kept = newScratch(Math.min(KEPT_SCRATCH_LIMIT, Math.max(calls, kept.capacity * 2)));
    scratch = kept;
  }
  scratch.batch.count = 0;
}

/** The month's calls, classified into a batch for rateCalls, with what each row came from. */
interface PlacedCalls {
  batch: CallBatch;
  /** Per batch row: index of the CDR in the input, its call type code, its numbers. */
  source: Int32Array;
  callType: Uint8Array;
  origins: NormalizedNumber[];
  destinations: NormalizedNumber[];
  /** Charges by index (batch.line): overage, low-usage, then each deck entry met. */
  charges: Charge[];
  /** Allowance seconds by index (batch.allowance): the plan's, then one per low-usage device. */
  allowances: number[];
  skipped: SkippedCall[];
  rejected: RejectedCall[];
}

function placeCalls(input: UsageMonthInput): PlacedCalls {
  const { account, plan, deck } = input;
  const { dayStarts, billingStart, firstDayNumber } = monthWindow(input);
  const days = dayStarts.length - 1;
  const skipped: SkippedCall[] = [];
  const rejected: RejectedCall[] = [];
  const order = startOrder(input.calls, rejected);
  const placed: PlacedCalls = {
    batch: scratch.batch,
    source: scratch.source,
    callType: scratch.callType,
    origins: scratch.origins,
    destinations: scratch.destinations,
    charges: planCharges(plan),
    allowances: [
      Math.max(
        0,
        plan.includedMinutesPerDevice * plan.billableDevices * 60 - (input.allowanceUsed?.planSeconds ?? 0),
      ),
    ],
    skipped,
    rejected,
  };
  const { batch } = placed;
  const chargeOfEntry = new Map<RateEntry, number>();
  const allowanceOfDevice = new Map<string, number>();
  const planRule = RULE_CODE[plan.rounding];
  const { lowUsageDevices } = input;
  let day = 0;
  let previousId: string | null = null;

  for (let k = 0; k < order.length; k++) {
    const call = input.calls[order[k]!]!;
    // A CDR delivered twice sorts next to itself (same start, same id). Ids are unique in storage
    // (the import keys calls by id), so this is the only repetition that can reach rating.
    if (call.callId === previousId) {
      skipped.push({ callId: call.callId, reason: 'duplicate' });
      continue;
    }
    previousId = call.callId;
    const t = call.startedAt;
    if (t < dayStarts[0]! || t >= dayStarts[days]!) {
      skipped.push({ callId: call.callId, reason: 'outside_month' });
      continue;
    }
    // CON-3: nothing before the billing start date is counted (not even against plan minutes).
    if (t < billingStart) {
      skipped.push({ callId: call.callId, reason: 'before_billing_start' });
      continue;
    }
    const origin = normalizeNumber(call.origin, account.billingCountry);
    if (origin.kind === 'invalid') {
      rejected.push({ callId: call.callId, reason: 'invalid_origin', detail: origin.reason });
      continue;
    }
    const destination = normalizeNumber(call.destination, account.billingCountry);
    if (destination.kind === 'invalid') {
      rejected.push({ callId: call.callId, reason: 'invalid_destination', detail: destination.reason });
      continue;
    }
    while (t >= dayStarts[day + 1]!) day++; // calls come in start order
    const c = classifyCall(call.direction, origin, destination, account, deck, firstDayNumber + day);
    if (!c.ok) {
      rejected.push({ callId: call.callId, reason: c.reason, detail: null });
      continue;
    }

    let rule = planRule;
    let allowance = -1;
    let charge = -1;
    if (c.rate !== null) {
      rule = RULE_CODE[c.rate.rounding];
      charge = chargeOfEntry.get(c.rate) ?? -1;
      if (charge < 0) {
        charge = placed.charges.length;
        chargeOfEntry.set(c.rate, charge);
        placed.charges.push(deckCharge(c.callType, c.rate));
      }
    } else if (c.callType === 'domestic' || c.callType === 'extension') {
      const device = call.originDevice;
      if (device === null || lowUsageDevices.size === 0 || !lowUsageDevices.has(device)) {
        allowance = PLAN_ALLOWANCE;
        charge = OVERAGE_CHARGE;
      } else if (c.callType === 'domestic') {
        // CAT-4: a low-usage device's off-net calls use its own minutes, then its own rate.
        allowance = allowanceOfDevice.get(device) ?? -1;
        if (allowance < 0) {
          const used = input.allowanceUsed?.lowUsageSecondsByDevice.get(device) ?? 0;
          allowance = placed.allowances.push(Math.max(0, plan.lowUsageMinutesPerDevice * 60 - used)) - 1;
          allowanceOfDevice.set(device, allowance);
        }
        charge = LOW_USAGE_CHARGE;
      }
      // Decision: a low-usage device's extension-to-extension (on-net) calls are not metered —
      // CAT-4 meters its off-net minutes only, and the device brings no plan minutes of its own.
    }
    const n = batch.count++;
    batch.durationSeconds[n] = call.durationSeconds;
    batch.rule[n] = rule;
    batch.allowance[n] = allowance;
    batch.line[n] = charge;
    placed.source[n] = order[k]!;
    placed.callType[n] = callTypeCode(c.callType);
    placed.origins[n] = origin;
    placed.destinations[n] = destination;
  }
  return placed;
}

/** Local midnights of each day of the month and the next 1st; the billing start instant. */
function monthWindow(input: UsageMonthInput) {
  const first = firstDayOf(input.month);
  return {
    dayStarts: dayStartsOf(input.month, input.timeZone),
    billingStart: billingStartOf(input.billingStartDate, input.timeZone),
    firstDayNumber: dayNumber(first),
  };
}

// Time-zone arithmetic is the costliest part of a small account's month: the day boundaries of a
// month in a zone never change, so they are computed once per month and zone.
const dayStartsCache = new Map<string, Float64Array>();
const DAY_STARTS_CACHE_LIMIT = 10_000;

export function dayStartsOf(month: BillingMonth, timeZone: string): Float64Array {
  const key = `${month}|${timeZone}`;
  let dayStarts = dayStartsCache.get(key);
  if (dayStarts === undefined) {
    const first = firstDayOf(month);
    const days = daysInBillingMonth(month);
    dayStarts = new Float64Array(days + 1);
    for (let d = 0; d <= days; d++) dayStarts[d] = startOfDayInZone(addDays(first, d), timeZone).getTime();
    if (dayStartsCache.size >= DAY_STARTS_CACHE_LIMIT) dayStartsCache.clear();
    dayStartsCache.set(key, dayStarts);
  }
  return dayStarts;
}

// The billing start instant is the same Intl work for every month of an account: cached likewise.
const billingStartCache = new Map<string, number>();

export function billingStartOf(date: CalendarDate, timeZone: string): number {
  const key = `${date}|${timeZone}`;
  let start = billingStartCache.get(key);
  if (start === undefined) {
    start = startOfDayInZone(date, timeZone).getTime();
    if (billingStartCache.size >= DAY_STARTS_CACHE_LIMIT) billingStartCache.clear();
    billingStartCache.set(key, start);
  }
  return start;
}

/**
 * Indices of the usable CDRs in start order (ties by call id, so the order never depends on how
 * the CDRs arrived). CDRs without a usable start or duration are reported instead.
 */
function startOrder(calls: readonly CallDetailRecord[], rejected: RejectedCall[]): Int32Array {
  const { usable } = scratch;
  let n = 0;
  let sorted = true;
  for (let i = 0; i < calls.length; i++) {
    const c = calls[i]!;
    if (!Number.isFinite(c.startedAt)) {
      rejected.push({ callId: c.callId, reason: 'invalid_start', detail: null });
    } else if (!isValidDuration(c.durationSeconds)) {
      rejected.push({ callId: c.callId, reason: 'invalid_duration', detail: null });
    } else {
      if (n > 0 && sorted && startsBefore(c, calls[usable[n - 1]!]!)) sorted = false;
      usable[n++] = i;
    }
  }
  const order = usable.subarray(0, n);
  if (!sorted) {
    order.sort((a, b) =>
      startsBefore(calls[a]!, calls[b]!) ? -1 : startsBefore(calls[b]!, calls[a]!) ? 1 : 0,
    );
  }
  return order;
}

const startsBefore = (a: CallDetailRecord, b: CallDetailRecord) =>
  a.startedAt < b.startedAt || (a.startedAt === b.startedAt && a.callId < b.callId);

/**
 * The invoice lines: plan minutes used (no charge), then one line per charge with seconds on it,
 * priced once (rate × seconds / 60 with the rounding mode), in RUN-5 order.
 */
export function usageLines(
  input: Pick<UsageMonthInput, 'month' | 'currency' | 'billingStartDate' | 'roundingMode'>,
  charges: readonly Charge[],
  chargedByCharge: Float64Array,
  planSeconds: number,
) {
  const mode = input.roundingMode ?? 'half-up';
  const drafts: { charge: Charge; index: number; seconds: number; amount: number }[] = [];
  if (planSeconds > 0) {
    const plan = planCharge('plan_minutes', LINE_TEXT.planMinutes, 0);
    drafts.push({ charge: plan, index: -1, seconds: planSeconds, amount: 0 });
  }
  charges.forEach((charge, index) => {
    const seconds = chargedByCharge[index]!;
    if (seconds === 0) return;
    const amount = chargeForSeconds(input.currency, charge.ratePerMinute, seconds, mode);
    drafts.push({ charge, index, seconds, amount });
  });
  drafts.sort((a, b) => invoiceOrder(a.charge, b.charge));

  const first = firstDayOf(input.month);
  // A month the billing starts in is billed from the start date (CON-3).
  const periodStart =
    monthOf(input.billingStartDate) === input.month ? maxDate(first, input.billingStartDate) : first;
  const periodEnd = lastDayOf(input.month);
  const lineOfCharge = new Int32Array(charges.length).fill(-1);
  const amountByCharge = new Float64Array(charges.length);
  const lines = drafts.map(({ charge, index, seconds, amount }, position): UsageLine => {
    if (index >= 0) {
      lineOfCharge[index] = position;
      amountByCharge[index] = amount;
    }
    return {
      lineType: charge.lineType,
      description: charge.description,
      itemCode: charge.itemCode,
      quantity: seconds,
      unitPrice: charge.ratePerMinute,
      periodStart,
      periodEnd,
      prorateDays: null,
      periodDays: null,
      amount,
      quantityUnit: 'second',
      ratePerMinute: charge.ratePerMinute,
    };
  });
  return { lines, lineOfCharge, amountByCharge };
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const invoiceOrder = (a: Charge, b: Charge) =>
  LINE_ORDER.indexOf(a.lineType) - LINE_ORDER.indexOf(b.lineType) ||
  compareText(a.description, b.description) ||
  compareText(a.itemCode ?? '', b.itemCode ?? '') ||
  compareText(a.validFrom ?? '', b.validFrom ?? '');

/**
 * Each call's amount: its line's amount shared by charged seconds with largest remainder. Calls
 * are bucketed per charge by a counting sort, which keeps them in start order within a line.
 */
function callAmounts(batch: CallBatch, rated: RatedBatch, amountByCharge: Float64Array): Float64Array {
  const n = batch.count;
  const charges = amountByCharge.length;
  const amounts = scratch.amounts.fill(0, 0, n);
  const starts = new Int32Array(charges + 1);
  for (let i = 0; i < n; i++) {
    if (rated.chargedSeconds[i]! > 0) starts[batch.line[i]! + 1]!++;
  }
  for (let c = 0; c < charges; c++) starts[c + 1] = starts[c + 1]! + starts[c]!;
  const { rows } = scratch;
  const next = starts.slice(0, charges);
  for (let i = 0; i < n; i++) {
    if (rated.chargedSeconds[i]! > 0) rows[next[batch.line[i]!]!++] = i;
  }
  for (let c = 0; c < charges; c++) {
    const from = starts[c]!;
    const to = starts[c + 1]!;
    if (to > from)
      allocateByWeight(amountByCharge[c]!, rows.subarray(from, to), rated.chargedSeconds, amounts);
  }
  return amounts;
}

function ratedCalls(
  input: UsageMonthInput,
  placed: PlacedCalls,
  rated: RatedBatch,
  amounts: Float64Array,
  lineOfCharge: Int32Array,
): RatedCall[] {
  const { batch } = placed;
  const calls: RatedCall[] = new Array(batch.count);
  for (let i = 0; i < batch.count; i++) {
    const cdr = input.calls[placed.source[i]!]!;
    const charge = batch.line[i]!;
    const chargedSeconds = rated.chargedSeconds[i]!;
    calls[i] = {
      callId: cdr.callId,
      callType: CALL_TYPES[placed.callType[i]!]!,
      startedAt: cdr.startedAt,
      durationSeconds: cdr.durationSeconds,
      origin: numberText(placed.origins[i]!),
      destination: numberText(placed.destinations[i]!),
      rounding: RULES[batch.rule[i]!]!,
      billableSeconds: rated.billableSeconds[i]!,
      includedSeconds: rated.includedSeconds[i]!,
      chargedSeconds,
      ratePerMinute: charge < 0 ? 0 : placed.charges[charge]!.ratePerMinute,
      amount: amounts[i]!,
      line: chargedSeconds === 0 ? -1 : lineOfCharge[charge]!,
      allowance: allowanceOf(batch.allowance[i]!, cdr),
    };
  }
  return calls;
}

const allowanceOf = (index: number, cdr: CallDetailRecord) =>
  index === PLAN_ALLOWANCE ? 'plan' : index > 0 ? cdr.originDevice : null;

const numberText = (n: NormalizedNumber) =>
  n.kind === 'phone' ? n.e164 : n.kind === 'extension' ? n.extension : n.raw;

function checkInput(input: UsageMonthInput): void {
  const { plan, deck, currency } = input;
  if (deck.currency !== currency) {
    throw invalid(
      'deck_currency_mismatch',
      `A ${deck.currency} rate deck cannot rate a ${currency} account.`,
    );
  }
  const counts: [string, number][] = [
    ['includedMinutesPerDevice', plan.includedMinutesPerDevice],
    ['billableDevices', plan.billableDevices],
    ['overageRatePerMinute', plan.overageRatePerMinute],
    ['lowUsageMinutesPerDevice', plan.lowUsageMinutesPerDevice],
    ['lowUsageRatePerMinute', plan.lowUsageRatePerMinute],
  ];
  for (const [field, value] of counts) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw invalid('invalid_calling_plan', `${field} must be a whole number ≥ 0, got ${value}.`, { field });
    }
  }
  if (!isRoundingRule(plan.rounding)) {
    throw invalid('invalid_calling_plan', `Unknown rounding rule "${plan.rounding}".`, { field: 'rounding' });
  }
}
