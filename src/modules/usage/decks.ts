import type { Ctx } from '../../context.ts';
import { invalid, isBillingError, parseRate } from '../../kernel/index.ts';
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

export interface CallingPlanView {
  currency: string;
  includedMinutesPerDevice: number;
  overageRatePerMinute: string;
  lowUsageMinutesPerDevice: number;
  lowUsageRatePerMinute: string;
  rounding: RoundingRule;
}

export async function callingPlanTerms(ctx: Ctx, currency: string): Promise<CallingPlanTerms> {
  const r = await ctx.db
    .selectFrom('calling_plans')
    .selectAll()
    .where('currency', '=', currency)
    .executeTakeFirst();
  if (!r) return { includedMinutesPerDevice: 0, ...DEFAULT_PLAN_TERMS };
  return {
    includedMinutesPerDevice: r.included_minutes_per_device,
    overageRatePerMinute: r.overage_rate_per_minute,
    lowUsageMinutesPerDevice: r.low_usage_minutes_per_device,
    lowUsageRatePerMinute: r.low_usage_rate_per_minute,
    rounding: r.rounding as RoundingRule,
  };
}

export const callingPlanView = (currency: string, t: CallingPlanTerms): CallingPlanView => ({
  currency,
  includedMinutesPerDevice: t.includedMinutesPerDevice,
  overageRatePerMinute: formatRate(t.overageRatePerMinute),
  lowUsageMinutesPerDevice: t.lowUsageMinutesPerDevice,
  lowUsageRatePerMinute: formatRate(t.lowUsageRatePerMinute),
  rounding: t.rounding,
});

export async function setCallingPlan(
  ctx: Ctx,
  currency: string,
  input: Omit<CallingPlanView, 'currency' | 'rounding'> & { rounding: string },
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
  const row = {
    currency: code,
    included_minutes_per_device: whole(input.includedMinutesPerDevice, 'includedMinutesPerDevice'),
    overage_rate_per_minute: rate(input.overageRatePerMinute, 'overageRatePerMinute'),
    low_usage_minutes_per_device: whole(input.lowUsageMinutesPerDevice, 'lowUsageMinutesPerDevice'),
    low_usage_rate_per_minute: rate(input.lowUsageRatePerMinute, 'lowUsageRatePerMinute'),
    rounding: input.rounding,
    updated_at: ctx.clock.now(),
  };
  await ctx.db
    .insertInto('calling_plans')
    .values(row)
    .onConflict((oc) => oc.column('currency').doUpdateSet({ ...row }))
    .execute();
  return callingPlanView(code, await callingPlanTerms(ctx, code));
}
