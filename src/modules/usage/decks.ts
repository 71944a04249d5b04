import type { Ctx } from '../../context.ts';
import {
  type BillingMonth,
  type CalendarDate,
  conflict,
  dateInZone,
  firstDayOf,
  invalid,
  isBillingError,
  isCalendarDate,
  monthOf,
  parseRate,
} from '../../kernel/index.ts';
import {
  type DeckRowError,
  RateDeck,
  type RateEntry,
  formatDeckCsv,
  parseDeckCsv,
} from './domain/rate-deck.ts';
import { demoDeckEntries } from './domain/demo-decks.ts';
import { type CallingPlan, DEFAULT_PLAN_TERMS } from './domain/rating.ts';
import { type RoundingRule, formatRate, isRoundingRule } from './domain/rounding.ts';

/**
 * CAT-3: rate decks are data per currency, imported and exported as CSV. An import adds its
 * entries and replaces an entry with the same currency, call type, prefix and first day; entries
 * it does not mention stay (end one by importing it again with a valid_to).
 */
export interface DeckImportResult {
  currency: string;
  imported: number;
  errors: DeckRowError[];
}

export async function importRateDeck(ctx: Ctx, currency: string, csv: string): Promise<DeckImportResult> {
  const code = checkCurrency(currency);
  const parsed = parseDeckCsv(csv);
  if (parsed.entries.length > 0) {
    await ctx.db.transaction().execute(async (trx) => {
      for (let i = 0; i < parsed.entries.length; i += 1000) {
        await trx
          .insertInto('rate_deck_entries')
          .values(parsed.entries.slice(i, i + 1000).map((e) => toRow(code, e)))
          .onConflict((oc) =>
            oc.columns(['currency', 'call_type', 'prefix', 'valid_from']).doUpdateSet((eb) => ({
              valid_to: eb.ref('excluded.valid_to'),
              description: eb.ref('excluded.description'),
              rate_per_minute: eb.ref('excluded.rate_per_minute'),
              rounding: eb.ref('excluded.rounding'),
            })),
          )
          .execute();
      }
      // The stored deck must still be a valid deck (no two rates for one prefix on one day).
      try {
        new RateDeck(code, await entriesOf({ ...ctx, db: trx }, code));
      } catch (e) {
        if (isBillingError(e)) throw invalid(e.code, e.message, e.details);
        throw e;
      }
    });
  }
  return { currency: code, imported: parsed.entries.length, errors: parsed.errors };
}

export async function exportRateDeck(ctx: Ctx, currency: string): Promise<string> {
  return formatDeckCsv(await entriesOf(ctx, checkCurrency(currency)));
}

export async function loadRateDeck(ctx: Ctx, currency: string): Promise<RateDeck> {
  return new RateDeck(currency, await entriesOf(ctx, currency));
}

/** Loads the demo decks (USD and MXN) where a currency has no deck yet. */
export async function seedDemoDecks(ctx: Ctx): Promise<void> {
  for (const currency of ['USD', 'MXN']) {
    const has = await ctx.db
      .selectFrom('rate_deck_entries')
      .select('prefix')
      .where('currency', '=', currency)
      .executeTakeFirst();
    if (!has) await importRateDeck(ctx, currency, formatDeckCsv(demoDeckEntries(currency)));
  }
}

async function entriesOf(ctx: Ctx, currency: string): Promise<RateEntry[]> {
  const rows = await ctx.db
    .selectFrom('rate_deck_entries')
    .selectAll()
    .where('currency', '=', currency)
    .orderBy('call_type')
    .orderBy('prefix')
    .orderBy('valid_from')
    .execute();
  return rows.map((r) => ({
    prefix: r.prefix,
    description: r.description,
    callType: r.call_type,
    ratePerMinute: r.rate_per_minute,
    rounding: r.rounding as RoundingRule,
    validFrom: r.valid_from,
    validTo: r.valid_to,
  }));
}

const toRow = (currency: string, e: RateEntry) => ({
  currency,
  call_type: e.callType,
  prefix: e.prefix,
  valid_from: e.validFrom,
  valid_to: e.validTo,
  description: e.description,
  rate_per_minute: e.ratePerMinute,
  rounding: e.rounding,
});

function checkCurrency(currency: string): string {
  const code = (currency ?? '').toUpperCase();
  if (!/^[A-Z]{3}$/.test(code)) throw invalid('invalid_currency', `"${currency}" is not a currency code.`);
  return code;
}

// ---- calling plan terms (CAT-2, CAT-4) ---------------------------------------------------------

/** The plan terms of a currency as data; the devices come from each account's inventory. */
export type CallingPlanTerms = Omit<CallingPlan, 'billableDevices'>;

/**
 * A version of a currency's calling plan: its terms, in force from the first day of a month until
 * the next version starts (migration 016). A month is priced by one version, the one in force on
 * its first day: its plan minutes are pooled (USG-3) and its overage is one line at one rate.
 */
export interface CallingPlanVersion extends CallingPlanTerms {
  /** null: no version is set for the currency and the built-in defaults apply. */
  validFrom: CalendarDate | null;
}

export interface CallingPlanView {
  currency: string;
  validFrom: string | null;
  includedMinutesPerDevice: number;
  overageRatePerMinute: string;
  lowUsageMinutesPerDevice: number;
  lowUsageRatePerMinute: string;
  rounding: RoundingRule;
}

/** What applies to a currency with no version set: no plan minutes, the SPEC's default rates. */
const NO_PLAN: CallingPlanVersion = { validFrom: null, includedMinutesPerDevice: 0, ...DEFAULT_PLAN_TERMS };

/** A currency's calling plan versions, the earliest first. */
export async function callingPlanVersions(
  ctx: Pick<Ctx, 'db'>,
  currency: string,
): Promise<CallingPlanVersion[]> {
  const rows = await ctx.db
    .selectFrom('calling_plans')
    .selectAll()
    .where('currency', '=', currency)
    .orderBy('valid_from')
    .execute();
  return rows.map((r) => ({
    validFrom: r.valid_from as CalendarDate,
    includedMinutesPerDevice: r.included_minutes_per_device,
    overageRatePerMinute: r.overage_rate_per_minute,
    lowUsageMinutesPerDevice: r.low_usage_minutes_per_device,
    lowUsageRatePerMinute: r.low_usage_rate_per_minute,
    rounding: r.rounding as RoundingRule,
  }));
}

/** The version in force in a month (versions the earliest first): the last one begun by its first day. */
export function planInForce(
  versions: readonly CallingPlanVersion[],
  month: BillingMonth,
): CallingPlanVersion {
  const first = firstDayOf(month);
  let found = NO_PLAN;
  for (const v of versions) {
    if (v.validFrom !== null && v.validFrom <= first) found = v;
  }
  return found;
}

/** The month the clock is in (UTC): what a plan is read or set for when no month is named. */
const clockMonth = (ctx: Pick<Ctx, 'clock'>): BillingMonth => monthOf(dateInZone(ctx.clock.now(), 'UTC'));

/** The calling plan terms of a currency in force in a month (by default the clock's). */
export async function callingPlanTerms(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  currency: string,
  month: BillingMonth = clockMonth(ctx),
): Promise<CallingPlanVersion> {
  return planInForce(await callingPlanVersions(ctx, currency), month);
}

export const callingPlanView = (currency: string, t: CallingPlanVersion): CallingPlanView => ({
  currency,
  validFrom: t.validFrom,
  includedMinutesPerDevice: t.includedMinutesPerDevice,
  overageRatePerMinute: formatRate(t.overageRatePerMinute),
  lowUsageMinutesPerDevice: t.lowUsageMinutesPerDevice,
  lowUsageRatePerMinute: formatRate(t.lowUsageRatePerMinute),
  rounding: t.rounding,
});

/**
 * Sets the calling plan terms of a currency from the first day of a month (`validFrom`; by
 * default the current month's, by the clock in UTC): a new version, or the correction of the one
 * that starts that day. Refused for a month whose calls an account in that currency was invoiced
 * for already: its invoice was priced with the terms in force then, and its late calls are too.
 */
export async function setCallingPlan(
  ctx: Ctx,
  currency: string,
  input: Omit<CallingPlanView, 'currency' | 'rounding' | 'validFrom'> & {
    rounding: string;
    validFrom?: string;
  },
): Promise<CallingPlanView> {
  const code = checkCurrency(currency);
  const rate = (text: string, field: string) => {
    if (!/^\d{1,6}(\.\d{1,6})?$/.test(text ?? '')) {
      throw invalid('invalid_rate', `${field} must be a decimal like 0.02, got "${text}".`, { field });
    }
    return parseRate(text);
  };
  const whole = (n: number, field: string) => {
    if (!Number.isSafeInteger(n) || n < 0)
      throw invalid('invalid_minutes', `${field} must be a whole number ≥ 0.`, { field });
    return n;
  };
  if (!isRoundingRule(input.rounding))
    throw invalid('invalid_rounding', `Unknown rounding rule "${input.rounding}".`);
  const validFrom = (input.validFrom ?? firstDayOf(clockMonth(ctx))) as CalendarDate;
  if (!isCalendarDate(validFrom) || !validFrom.endsWith('-01')) {
    throw invalid(
      'invalid_valid_from',
      `validFrom must be the first day of a month (YYYY-MM-01), got "${validFrom}": a month is priced by one version of the plan.`,
      { field: 'validFrom' },
    );
  }
  const month = monthOf(validFrom);
  const billed = await ctx.db
    .selectFrom('usage_cuts')
    .innerJoin('accounts', 'accounts.id', 'usage_cuts.account_id')
    .select(['usage_cuts.usage_month', 'accounts.id'])
    .where('accounts.currency', '=', code)
    .where('usage_cuts.usage_month', '>=', month)
    .orderBy('usage_cuts.usage_month', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (billed) {
    throw conflict(
      'usage_month_invoiced',
      `The ${code} calling plan cannot change from ${validFrom}: calls of ${billed.usage_month} are invoiced already (account ${billed.id}). Set it from the first day of a later month.`,
      { validFrom, invoicedMonth: billed.usage_month },
    );
  }
  // The version written is the one in force in its first month: what is answered.
  const version: CallingPlanVersion = {
    validFrom,
    includedMinutesPerDevice: whole(input.includedMinutesPerDevice, 'includedMinutesPerDevice'),
    overageRatePerMinute: rate(input.overageRatePerMinute, 'overageRatePerMinute'),
    lowUsageMinutesPerDevice: whole(input.lowUsageMinutesPerDevice, 'lowUsageMinutesPerDevice'),
    lowUsageRatePerMinute: rate(input.lowUsageRatePerMinute, 'lowUsageRatePerMinute'),
    rounding: input.rounding,
  };
  const row = {
    currency: code,
    valid_from: validFrom,
    included_minutes_per_device: version.includedMinutesPerDevice,
    overage_rate_per_minute: version.overageRatePerMinute,
    low_usage_minutes_per_device: version.lowUsageMinutesPerDevice,
    low_usage_rate_per_minute: version.lowUsageRatePerMinute,
    rounding: version.rounding,
    updated_at: ctx.clock.now(),
  };
  await ctx.db
    .insertInto('calling_plans')
    .values(row)
    .onConflict((oc) => oc.columns(['currency', 'valid_from']).doUpdateSet({ ...row }))
    .execute();
  return callingPlanView(code, version);
}
