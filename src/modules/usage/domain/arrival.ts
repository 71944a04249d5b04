import {
  type BillingMonth,
  type CalendarDate,
  type Currency,
  type RoundingMode,
  firstDayOf,
} from '../../../kernel/index.ts';
import { type AccountCallingContext, type CallType, classifyCall } from './classify.ts';
import { type NormalizedNumber, normalizeNumber } from './numbers.ts';
import { type RateDeck, type RateEntry, dayNumber } from './rate-deck.ts';
import {
  type CallDetailRecord,
  type CallingPlan,
  type UsageLine,
  billingStartOf,
  dayStartsOf,
  deckCharge,
  planCharges,
  usageLines,
} from './rating.ts';
import { type RoundingRule, billableSecondsByCode, chargeForSeconds, RULE_CODE } from './rounding.ts';

/**
 * Rating in two steps, so that a call is written once (USG-1..5, CAT-2..4, CON-3):
 *
 * 1. **On arrival** (`rateArrival`), each call gets its type (USG-2), rounding and billable seconds
 *    (USG-4), and what it draws on or is priced at: the plan's minutes, a low-usage device's own
 *    minutes (CAT-4), or a deck entry (CAT-3). None of this depends on the account's other calls.
 * 2. **At the bill run** (`priceUsageMonth`), a month is priced from sums per charge: the pooled
 *    plan minutes (USG-3) and each low-usage device's minutes are taken from the totals, and each
 *    line is priced once (rate × seconds / 60, rounded once) exactly as `rateMonth` prices it.
 *
 * Which call an allowance covers only matters for the call details (USG-5): `detailAllocator`
 * replays a cut's calls in start order, splits the call that crosses the end of an allowance, and
 * gives each call the running difference of its line's rounded amount, so the details add up to
 * the line to the cent and each call is within one minor unit of its exact charge.
 */

export type ArrivalCallType = CallType | 'before_billing_start';

/** What rating needs of an account for one usage month (from its inventory in force that month). */
export interface ArrivalContext {
  account: AccountCallingContext;
  lowUsageDevices: ReadonlySet<string>;
  deck: RateDeck;
  /** The calling plan's rounding (domestic and extension calls). */
  planRounding: RoundingRule;
  /** Local midnights of the month's days and the next 1st; the billing start instant (CON-3). */
  dayStarts: Float64Array;
  billingStart: number;
  firstDayNumber: number;
}

export function arrivalContext(input: {
  month: BillingMonth;
  timeZone: string;
  billingStartDate: CalendarDate;
  account: AccountCallingContext;
  lowUsageDevices: ReadonlySet<string>;
  deck: RateDeck;
  planRounding: RoundingRule;
}): ArrivalContext {
  return {
    account: input.account,
    lowUsageDevices: input.lowUsageDevices,
    deck: input.deck,
    planRounding: input.planRounding,
    dayStarts: dayStartsOf(input.month, input.timeZone),
    billingStart: billingStartOf(input.billingStartDate, input.timeZone),
    firstDayNumber: dayNumber(firstDayOf(input.month)),
  };
}

/** A checked call as rating needs it (no id: one call is rated on its own). */
export type ArrivingCall = Omit<CallDetailRecord, 'callId'> & {
  /** The numbers already normalised (by the import's check), if they were. */
  originNumber?: NormalizedNumber | undefined;
  destinationNumber?: NormalizedNumber | undefined;
};

export interface ArrivalRating {
  /** null: not rated (see unratedReason). */
  callType: ArrivalCallType | null;
  rounding: RoundingRule | null;
  billableSeconds: number;
  /** 'plan', the low-usage device's extension, or null (free or deck-priced). */
  allowance: string | null;
  /** The deck entry pricing it. */
  rate: RateEntry | null;
  unratedReason: string | null;
}

/** A call that cannot be rated yet, and why (it waits, and each bill run tries again). */
export const unrated = (reason: string): ArrivalRating => ({
  callType: null,
  rounding: null,
  billableSeconds: 0,
  allowance: null,
  rate: null,
  unratedReason: reason,
});
const BEFORE_BILLING_START: ArrivalRating = {
  callType: 'before_billing_start',
  rounding: null,
  billableSeconds: 0,
  allowance: null,
  rate: null,
  unratedReason: null,
};

/**
 * Step 1: one call, on its own. The same decisions, in the same order, as `rateMonth`. A rated
 * call's rating is written into `into` when given (a caller rating millions of calls, each used
 * at once, makes no object per call), else into a new object.
 */
export function rateArrival(call: ArrivingCall, cx: ArrivalContext, into?: ArrivalRating): ArrivalRating {
  const t = call.startedAt;
  const { dayStarts } = cx;
  const days = dayStarts.length - 1;
  if (!(t >= dayStarts[0]! && t < dayStarts[days]!)) return unrated('outside_month');
  // CON-3: nothing before the billing start date is counted (not even against plan minutes).
  if (t < cx.billingStart) return BEFORE_BILLING_START;
  const country = cx.account.billingCountry;
  const origin = call.originNumber ?? normalizeNumber(call.origin, country);
  if (origin.kind === 'invalid') return unrated('invalid_origin');
  const destination = call.destinationNumber ?? normalizeNumber(call.destination, country);
  if (destination.kind === 'invalid') return unrated('invalid_destination');
  // The local day: guessed from whole days since the month's start (off by one at most across a
  // daylight-saving change), then put right.
  let day = Math.min(days - 1, Math.floor((t - dayStarts[0]!) / 86_400_000));
  while (day > 0 && t < dayStarts[day]!) day--;
  while (t >= dayStarts[day + 1]!) day++;
  const c = classifyCall(call.direction, origin, destination, cx.account, cx.deck, cx.firstDayNumber + day);
  if (!c.ok) return unrated(c.reason);

  let rounding = cx.planRounding;
  let allowance: string | null = null;
  if (c.rate !== null) rounding = c.rate.rounding as RoundingRule;
  else if (c.callType === 'domestic' || c.callType === 'extension') {
    const device = call.originDevice;
    if (device === null || cx.lowUsageDevices.size === 0 || !cx.lowUsageDevices.has(device))
      allowance = 'plan';
    // CAT-4: a low-usage device's off-net calls use its own minutes, then its own rate; its
    // extension-to-extension (on-net) calls are not metered.
    else if (c.callType === 'domestic') allowance = device;
  }
  const billableSeconds = billableSecondsByCode(RULE_CODE[rounding], call.durationSeconds);
  if (into === undefined)
    return { callType: c.callType, rounding, billableSeconds, allowance, rate: c.rate, unratedReason: null };
  into.callType = c.callType;
  into.rounding = rounding;
  into.billableSeconds = billableSeconds;
  into.allowance = allowance;
  into.rate = c.rate;
  into.unratedReason = null;
  return into;
}

/** What an account-month's rated calls sum to, per call type and charge (a `usage_totals` row). */
export interface ArrivalTotal {
  accountId: string;
  usageMonth: string;
  callType: ArrivalCallType;
  allowance: string | null;
  rate: RateEntry | null;
  calls: number;
  billableSeconds: number;
  /** Fingerprint of what the calls were rated with (see rating-context.ts). */
  context: string;
}

/** Sums an account-month keeps in a list before it also keeps them in maps. */
const SCAN = 16;

/** The sums of one account-month, per call type and charge (deck entry or allowance). */
export class MonthSums {
  // Per sum, side by side: its call type and charge (compared in place, without a key), itself.
  readonly #types: string[] = [];
  readonly #charges: unknown[] = [];
  readonly #sums: ArrivalTotal[] = [];
  /** Sum positions by call type and charge, once there are more than SCAN. */
  #index: Map<string, Map<unknown, number>> | null = null;
  constructor(
    readonly accountId: string,
    readonly usageMonth: string,
    readonly context: string,
  ) {}

  /** The month's sums, in the order their first calls came. */
  get sums(): readonly ArrivalTotal[] {
    return this.#sums;
  }

  /**
   * Adds a rated call to its sum; returns the sum's position among this month's (the first sum
   * is 0; -1 for a call not summed: unrated, or before the billing start).
   */
  add(r: ArrivalRating): number {
    const callType = r.callType;
    if (callType === null || callType === 'before_billing_start') return -1;
    const charge = r.rate ?? r.allowance;
    const types = this.#types;
    let k = -1;
    if (this.#index === null) {
      const charges = this.#charges;
      for (let i = 0; i < types.length; i++) {
        if (types[i] === callType && charges[i] === charge) {
          k = i;
          break;
        }
      }
    } else k = this.#index.get(callType)?.get(charge) ?? -1;
    let sum: ArrivalTotal;
    if (k === -1) {
      sum = {
        accountId: this.accountId,
        usageMonth: this.usageMonth,
        callType,
        allowance: r.allowance,
        rate: r.rate,
        calls: 0,
        billableSeconds: 0,
        context: this.context,
      };
      types.push(callType);
      this.#charges.push(charge);
      this.#sums.push(sum);
      k = types.length - 1;
      if (this.#index !== null) this.#indexed(k);
      else if (types.length > SCAN) for (let i = 0; i < types.length; i++) this.#indexed(i);
    } else sum = this.#sums[k]!;
    sum.calls++;
    sum.billableSeconds += r.billableSeconds;
    return k;
  }

  #indexed(i: number) {
    this.#index ??= new Map();
    let charges = this.#index.get(this.#types[i]!);
    if (charges === undefined) this.#index.set(this.#types[i]!, (charges = new Map()));
    charges.set(this.#charges[i], i);
  }
}

/**
 * Sums of rated calls per account, month, call type and charge, as an import adds them. A caller
 * that rates many calls of one account-month keeps its `month()` and adds to it directly.
 */
export class ArrivalTotals {
  readonly #byAccount = new Map<string, Map<string, MonthSums>>();

  month(accountId: string, usageMonth: string, context = ''): MonthSums {
    let months = this.#byAccount.get(accountId);
    if (months === undefined) this.#byAccount.set(accountId, (months = new Map()));
    let sums = months.get(usageMonth);
    if (sums === undefined) {
      months.set(usageMonth, (sums = new MonthSums(accountId, usageMonth, context)));
    }
    return sums;
  }

  add(accountId: string, usageMonth: string, r: ArrivalRating, context = ''): void {
    this.month(accountId, usageMonth, context).add(r);
  }

  /**
   * The sums by account and month, in that order (as usage_totals is indexed: the server adds an
   * import's sums to the index a page at a time instead of all over it, a third less of its time).
   */
  rows(): readonly ArrivalTotal[] {
    const out: ArrivalTotal[] = [];
    for (const account of [...this.#byAccount.keys()].sort()) {
      const months = this.#byAccount.get(account)!;
      for (const month of [...months.keys()].sort()) for (const sum of months.get(month)!.sums) out.push(sum);
    }
    return out;
  }
}

/** What a month's rated calls sum to, per charge (one row of the bill run's GROUP BY). */
export interface UsageSum {
  callType: ArrivalCallType;
  allowance: string | null;
  /** The deck entry, when deck-priced. */
  rate: Pick<RateEntry, 'prefix' | 'validFrom' | 'ratePerMinute' | 'description'> | null;
  billableSeconds: number;
}

/** Allowance seconds left before the calls being priced, and what they drew (late calls go on). */
export interface Allowances {
  planAvailable: number;
  planDrawn: number;
  lowUsage: Record<string, { available: number; drawn: number }>;
}

export interface PricedUsageMonth {
  lines: UsageLine[];
  allowances: Allowances;
}

/**
 * Step 2: a month priced from its sums. `drawnBefore` is what earlier invoices of the same month
 * drew (calls that arrive after their month was invoiced continue from what was left, USG-3).
 */
export function priceUsageMonth(
  input: {
    month: BillingMonth;
    currency: Currency;
    billingStartDate: CalendarDate;
    plan: CallingPlan;
    roundingMode?: RoundingMode;
    drawnBefore?: { planSeconds: number; lowUsageSecondsByDevice: ReadonlyMap<string, number> };
  },
  sums: readonly UsageSum[],
): PricedUsageMonth {
  const { plan } = input;
  const charges = planCharges(plan);
  const chargeOfRate = new Map<string, number>();
  const seconds: number[] = [0, 0];
  let planTotal = 0;
  const deviceTotals = new Map<string, number>();
  for (const s of sums) {
    if (s.callType === 'before_billing_start' || s.billableSeconds === 0) continue;
    if (s.rate !== null) {
      const key = `${s.callType}|${s.rate.prefix}|${s.rate.validFrom}|${s.rate.ratePerMinute}`;
      let charge = chargeOfRate.get(key);
      if (charge === undefined) {
        charge = charges.push(deckCharge(s.callType, s.rate as RateEntry)) - 1;
        chargeOfRate.set(key, charge);
        seconds.push(0);
      }
      seconds[charge] = seconds[charge]! + s.billableSeconds;
    } else if (s.allowance === 'plan') planTotal += s.billableSeconds;
    else if (s.allowance !== null) {
      deviceTotals.set(s.allowance, (deviceTotals.get(s.allowance) ?? 0) + s.billableSeconds);
    }
  }
  const planAvailable = Math.max(
    0,
    plan.includedMinutesPerDevice * plan.billableDevices * 60 - (input.drawnBefore?.planSeconds ?? 0),
  );
  const planDrawn = Math.min(planTotal, planAvailable);
  seconds[0] = planTotal - planDrawn;
  const lowUsage: Allowances['lowUsage'] = {};
  for (const [device, total] of [...deviceTotals].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const used = input.drawnBefore?.lowUsageSecondsByDevice.get(device) ?? 0;
    const available = Math.max(0, plan.lowUsageMinutesPerDevice * 60 - used);
    const drawn = Math.min(total, available);
    lowUsage[device] = { available, drawn };
    seconds[1] = seconds[1]! + total - drawn;
  }
  const priced = usageLines(input, charges, Float64Array.from(seconds), planDrawn);
  return { lines: priced.lines, allowances: { planAvailable, planDrawn, lowUsage } };
}

export interface DetailCall {
  callType: string;
  allowance: string | null;
  billableSeconds: number;
  /** Deck rate per minute, or null for plan-priced and free calls. */
  ratePerMinute: number | null;
  /** Deck entry identity (one line per entry). */
  ratePrefix: string | null;
  rateFrom: string | null;
}

export interface DetailCharge {
  includedSeconds: number;
  chargedSeconds: number;
  ratePerMinute: number;
  amount: number;
}

/**
 * The call details of one cut, call by call in start order: the allowance each call draws on is
 * consumed as the bill run consumed it in total, and each call's amount is the growth of its
 * line's rounded amount, so a cut's details sum exactly to its lines.
 */
export function detailAllocator(cut: {
  currency: Currency;
  planAvailable: number;
  lowUsage: Record<string, { available: number; drawn: number }>;
  overageRate: number;
  lowUsageRate: number;
  roundingMode?: RoundingMode;
}) {
  const mode = cut.roundingMode ?? 'half-up';
  let planLeft = cut.planAvailable;
  const deviceLeft = new Map(Object.entries(cut.lowUsage).map(([d, a]) => [d, a.available]));
  // Per line: seconds charged so far and the amount given out so far.
  const lines = new Map<string, { seconds: number; amount: number }>();
  return (call: DetailCall): DetailCharge => {
    const billable = call.billableSeconds;
    let included = 0;
    let rate = 0;
    let line: string | null = null;
    if (call.ratePerMinute !== null && call.ratePrefix !== null) {
      rate = call.ratePerMinute;
      line = `deck|${call.callType}|${call.ratePrefix}|${call.rateFrom}|${rate}`;
    } else if (call.allowance === 'plan') {
      included = Math.min(billable, planLeft);
      planLeft -= included;
      rate = cut.overageRate;
      line = 'overage';
    } else if (call.allowance !== null) {
      const left = deviceLeft.get(call.allowance) ?? 0;
      included = Math.min(billable, left);
      deviceLeft.set(call.allowance, left - included);
      rate = cut.lowUsageRate;
      line = 'low_usage';
    }
    const charged = line === null ? 0 : billable - included;
    if (line === null || charged === 0) {
      return {
        includedSeconds: included,
        chargedSeconds: 0,
        ratePerMinute: line === null ? 0 : rate,
        amount: 0,
      };
    }
    let sofar = lines.get(line);
    if (!sofar) lines.set(line, (sofar = { seconds: 0, amount: 0 }));
    sofar.seconds += charged;
    const total = chargeForSeconds(cut.currency, rate, sofar.seconds, mode);
    const amount = total - sofar.amount;
    sofar.amount = total;
    return { includedSeconds: included, chargedSeconds: charged, ratePerMinute: rate, amount };
  };
}
