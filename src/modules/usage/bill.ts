import type { Ctx } from '../../context.ts';
import {
  type BillingMonth,
  type CalendarDate,
  type DraftLine,
  RATE_SCALE,
  addMonthsToMonth,
  divRound,
  groupBy,
  isBillingError,
  lastDayOf,
  minorDigits,
  monthOf,
} from '../../kernel/index.ts';
import type { Db } from '../../db/index.ts';
import type { AccountCallingContext } from './domain/classify.ts';
import type { RateDeck } from './domain/rate-deck.ts';
import { normalizeNumber } from './domain/numbers.ts';
import { type AllowanceUsed, type UsageLine, rateMonth } from './domain/rating.ts';
import { type CallingPlanTerms, callingPlanTerms, loadRateDeck } from './decks.ts';
import { type RatedCallRow, allowanceDrawn, insertRatedCalls, unbilledCalls } from './repo.ts';

/**
 * RUN-4: usage is billed in arrears. The invoice of month M carries the calls of M − 1, and any
 * older calls that arrived after their month was invoiced (each line labelled with its month).
 * The bill run rates them here, inside its batch transaction, and stores the rated calls with the
 * invoice that bills them, so a call is billed once and its call details never change.
 */
export interface UsageAccount {
  id: string;
  currency: string;
  timeZone: string;
  /** Billing-address country (USG-2). */
  country: string;
  billingStartDate: CalendarDate;
  items: readonly InventoryLike[];
}

export interface InventoryLike {
  itemCode: string;
  quantity: number;
  addedOn: CalendarDate;
  removedOn: CalendarDate | null;
  attributes: Record<string, unknown>;
}

export interface CatalogLike {
  chargeType: string;
  unit: string;
  attributes: Record<string, unknown>;
}

export interface AccountUsage {
  lines: DraftLine[];
  /** Rated (and not billed) calls, to store with the invoice's id. */
  calls: Omit<RatedCallRow, 'invoice_id'>[];
  /** Calls that could not be rated (no deck entry…): they stay unbilled and are tried again. */
  unrated: { callId: string; reason: string }[];
  /** Set when the account's usage cannot be rated at all (its bill run fails, loudly). */
  error?: { code: string; message: string };
}

/** One per bill run: decks and plan terms are loaded once per currency. */
export function usageRater(ctx: Ctx, catalog: ReadonlyMap<string, CatalogLike>) {
  const decks = new Map<string, Promise<RateDeck>>();
  const plans = new Map<string, Promise<CallingPlanTerms>>();
  // Loaded through the caller's transaction: the embedded database has a single connection.
  const deckOf = (db: Db, currency: string) => {
    let d = decks.get(currency);
    if (!d) decks.set(currency, (d = loadRateDeck({ ...ctx, db }, currency)));
    return d;
  };
  const planOf = (db: Db, currency: string) => {
    let p = plans.get(currency);
    if (!p) plans.set(currency, (p = callingPlanTerms({ ...ctx, db }, currency)));
    return p;
  };

  /** Rates the unbilled calls of these accounts for the invoice of `invoiceMonth`. */
  async function rate(db: Db, accounts: readonly UsageAccount[], invoiceMonth: BillingMonth) {
    const out = new Map<string, AccountUsage>();
    if (accounts.length === 0) return out;
    const rows = await unbilledCalls(
      db,
      accounts.map((a) => a.id),
      invoiceMonth,
    );
    if (rows.length === 0) return out;
    const byAccount = groupBy(rows, (r) => r.accountId);
    const usualMonth = addMonthsToMonth(invoiceMonth, -1);
    const latePairs = [...byAccount.entries()].flatMap(([accountId, calls]) =>
      [...new Set(calls.map((c) => c.usageMonth))]
        .filter((m) => m !== usualMonth)
        .map((month) => ({ accountId, month })),
    );
    const drawn = groupBy(await allowanceDrawn(db, latePairs), (r) => `${r.account_id}|${r.usage_month}`);

    for (const account of accounts) {
      const calls = byAccount.get(account.id);
      if (!calls) continue;
      try {
        out.set(account.id, await rateAccount(account, calls));
      } catch (e) {
        // Data this account's calls cannot be rated with fails the account, never the run.
        if (!isBillingError(e) || e.kind !== 'invalid') throw e;
        out.set(account.id, {
          lines: [],
          calls: [],
          unrated: [],
          error: { code: e.code, message: e.message },
        });
      }
    }
    return out;

    async function rateAccount(account: UsageAccount, calls: typeof rows): Promise<AccountUsage> {
      const deck = await deckOf(db, account.currency);
      const terms = await planOf(db, account.currency);
      const usage: AccountUsage = { lines: [], calls: [], unrated: [] };
      const months = [...groupBy(calls, (c) => c.usageMonth).entries()].sort(([a], [b]) => (a < b ? -1 : 1));
      for (const [month, monthCalls] of months) {
        const context = callingContext(account, catalog, month);
        const used: AllowanceUsed = { planSeconds: 0, lowUsageSecondsByDevice: new Map() };
        for (const d of drawn.get(`${account.id}|${month}`) ?? []) {
          if (d.allowance === 'plan') used.planSeconds += Number(d.seconds);
          else (used.lowUsageSecondsByDevice as Map<string, number>).set(d.allowance!, Number(d.seconds));
        }
        const rated = rateMonth({
          month,
          currency: account.currency,
          timeZone: account.timeZone,
          billingStartDate: account.billingStartDate,
          account: context.account,
          plan: { ...terms, billableDevices: context.billableDevices },
          lowUsageDevices: context.lowUsageDevices,
          deck,
          calls: monthCalls,
          allowanceUsed: used,
        });
        const late = month !== usualMonth;
        usage.lines.push(...rated.lines.map((l) => draftLine(l, account.currency, late ? month : null)));
        for (const c of rated.calls) {
          usage.calls.push({
            call_id: c.callId,
            account_id: account.id,
            usage_month: month,
            started_ms: c.startedAt,
            billed: true,
            call_type: c.callType,
            rounding: c.rounding,
            billable_seconds: c.billableSeconds,
            included_seconds: c.includedSeconds,
            charged_seconds: c.chargedSeconds,
            rate_per_minute: c.ratePerMinute,
            amount: c.amount,
            allowance: c.includedSeconds > 0 ? c.allowance : null,
          });
        }
        // Calls correctly not billed (CON-3: before the billing start) are recorded as such once.
        const startOf =
          rated.skipped.length === 0 ? null : new Map(monthCalls.map((c) => [c.callId, c.startedAt]));
        for (const s of rated.skipped) {
          usage.calls.push({
            call_id: s.callId,
            account_id: account.id,
            usage_month: month,
            started_ms: startOf!.get(s.callId)!,
            billed: false,
            call_type: s.reason,
            rounding: terms.rounding,
            billable_seconds: 0,
            included_seconds: 0,
            charged_seconds: 0,
            rate_per_minute: 0,
            amount: 0,
            allowance: null,
          });
        }
        usage.unrated.push(...rated.rejected.map((r) => ({ callId: r.callId, reason: r.reason })));
      }
      return usage;
    }
  }

  return { rate };
}

/** Stores the rated calls of an issued invoice (in the bill run's transaction). */
export async function recordBilledCalls(
  db: Db,
  billed: readonly { invoiceId: string; usage: AccountUsage }[],
): Promise<void> {
  await insertRatedCalls(
    db,
    billed.map(({ invoiceId, usage }) => ({ invoiceId, calls: usage.calls })),
  );
}

/** RUN-5 line types as invoices, fee schedules and documents name them. */
const LINE_TYPE: Record<UsageLine['lineType'], string> = {
  plan_minutes: 'plan_minutes',
  premium_domestic: 'premium_domestic',
  outbound_overage: 'outbound_overage',
  low_usage_minutes: 'low_usage_minutes',
  toll_free: 'toll_free_inbound',
  international: 'international',
};

function draftLine(l: UsageLine, currency: string, lateMonth: string | null): DraftLine {
  return {
    lineType: LINE_TYPE[l.lineType],
    description: lateMonth === null ? l.description : `${l.description} (calls of ${lateMonth})`,
    itemCode: l.itemCode,
    quantity: l.quantity,
    unitPrice: divRound(
      BigInt(l.ratePerMinute) * 10n ** BigInt(minorDigits(currency)),
      RATE_SCALE,
      'half-up',
    ),
    periodStart: l.periodStart,
    periodEnd: l.periodEnd,
    prorateDays: null,
    periodDays: null,
    amount: l.amount,
    ratePerMinute: l.ratePerMinute,
  };
}

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.map((x) => String(x)) : v === undefined || v === null || v === '' ? [] : [String(v)];

/**
 * USG-2 / CAT-2 / CAT-4 from the inventory in force during the month: extensions (attribute
 * `extension` or `extensions` of device items), numbers (`number`/`numbers` of number items; the
 * catalog's numberType 'toll-free' marks toll-free ones), billable devices (phones that are not
 * low-usage), and low-usage devices by extension.
 */
export function callingContext(
  account: UsageAccount,
  catalog: ReadonlyMap<string, CatalogLike>,
  month: BillingMonth,
) {
  const last = lastDayOf(month);
  const extensions = new Set<string>();
  const ownNumbers = new Set<string>();
  const tollFreeNumbers = new Set<string>();
  const lowUsageDevices = new Set<string>();
  let billableDevices = 0;
  for (const item of account.items) {
    if (item.addedOn > last || (item.removedOn !== null && monthOf(item.removedOn) < month)) continue;
    const entry = catalog.get(item.itemCode);
    if (!entry) continue;
    const a = item.attributes;
    const isDevice =
      entry.chargeType === 'service_fee' && (entry.unit === 'device' || entry.unit === 'extension');
    if (isDevice) {
      const exts = [...strings(a.extension), ...strings(a.extensions)];
      exts.forEach((e) => extensions.add(e));
      if (entry.attributes.lowUsage === true) exts.forEach((e) => lowUsageDevices.add(e));
      else billableDevices += item.quantity;
    }
    if (entry.unit === 'number') {
      for (const n of [...strings(a.number), ...strings(a.numbers)]) {
        const parsed = normalizeNumber(n, account.country);
        if (parsed.kind !== 'phone') continue;
        ownNumbers.add(parsed.e164);
        if (entry.attributes.numberType === 'toll-free') tollFreeNumbers.add(parsed.e164);
      }
    }
  }
  const context: AccountCallingContext = {
    billingCountry: account.country,
    extensions,
    ownNumbers,
    tollFreeNumbers,
  };
  return { account: context, billableDevices, lowUsageDevices };
}
