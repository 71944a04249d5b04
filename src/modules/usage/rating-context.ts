import { createHash } from 'node:crypto';
import type { Ctx } from '../../context.ts';
import { type BillingMonth, type CalendarDate, groupBy, lastDayOf, monthOf } from '../../kernel/index.ts';
import { findCatalogItems } from '../catalog/index.ts';
import { callingInventoryOf } from '../inventory/index.ts';
import type { AccountCallingContext } from './domain/classify.ts';
import {
  type ArrivalContext,
  type ArrivalRating,
  arrivalContext,
  rateArrival,
  unrated,
} from './domain/arrival.ts';
import type { ImportedCall } from './domain/cdr.ts';
import { normalizeNumber } from './domain/numbers.ts';
import { type RateDeck, type RateEntry, formatDeckCsv } from './domain/rate-deck.ts';
import { type CallingPlanVersion, callingPlanVersions, loadRateDeck, planInForce } from './decks.ts';
import { type RatingAccountRow, ratingAccounts } from './repo.ts';

/** An account as rating sees it: where it is, when its billing starts, what it has. */
export interface UsageAccount {
  id: string;
  currency: string;
  timeZone: string;
  /** Billing-address country (USG-2). */
  country: string;
  /** null: no contract yet, so nothing can be billed (its calls wait, unrated). */
  billingStartDate: CalendarDate | null;
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

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.map((x) => String(x)) : v === undefined || v === null || v === '' ? [] : [String(v)];

/**
 * USG-2 / CAT-2 / CAT-4 from the inventory in force during the month: extensions (attribute
 * `extension` or `extensions` of device items), numbers (`number`/`numbers` of number items; the
 * catalog's numberType 'toll-free' marks toll-free ones), billable devices (phones that are not
 * low-usage), and low-usage devices by extension.
 */
export function callingContext(
  account: Pick<UsageAccount, 'country' | 'items'>,
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

/** What a caller read of accounts already, whole history of their inventory included. */
export interface KnownAccounts {
  accounts: readonly { id: string; currency: string; timeZone: string; address: { country: string } }[];
  contracts: ReadonlyMap<string, { billingStartDate: CalendarDate }>;
  items: readonly (InventoryLike & { accountId: string })[];
}

/** What ratingAccounts would read of these accounts, from what a caller read of them already. */
const ratingRows = (known: KnownAccounts, ids: ReadonlySet<string>): RatingAccountRow[] =>
  known.accounts
    .filter((a) => ids.has(a.id))
    .map((a) => ({ id: a.id, currency: a.currency, timeZone: a.timeZone, country: a.address.country }));

/** Accounts, inventory, decks and plans read once and kept while calls are rated (an import). */
export function arrivalRater(ctx: Ctx) {
  const accounts = new Map<string, UsageAccount>();
  // By account, then month: no key is built per call.
  const contexts = new Map<
    string,
    Map<string, { cx: ArrivalContext | string; fingerprint: string; billableDevices: number }>
  >();
  const deckEntries = new Map<string, Map<string, RateEntry>>();
  const deckVersions = new Map<string, string>();
  const decks = new Map<string, RateDeck>();
  /** Each currency's calling plan versions, the earliest first. */
  const plans = new Map<string, CallingPlanVersion[]>();
  const catalog = new Map<string, CatalogLike>();

  /**
   * Reads what rating needs of these accounts (those not read yet), in the caller's transaction.
   * What the caller read of them already is not read again: `known`, all of it (a bill run's
   * batch), or `accounts`, the accounts themselves (an import found them by its CDRs' keys).
   */
  async function load(
    db: Ctx['db'],
    accountIds: Iterable<string>,
    read: { known?: KnownAccounts; accounts?: readonly RatingAccountRow[] } = {},
  ): Promise<void> {
    const ids = [...new Set(accountIds)].filter((id) => !accounts.has(id));
    if (ids.length === 0) return;
    const tctx = { ...ctx, db };
    const wanted = new Set(ids);
    const { known } = read;
    const [rows, { billingStartOf, items }] = known
      ? [
          ratingRows(known, wanted),
          { billingStartOf: (id: string) => known.contracts.get(id)?.billingStartDate, items: known.items },
        ]
      : await Promise.all([
          read.accounts ? read.accounts.filter((r) => wanted.has(r.id)) : ratingAccounts(db, ids),
          callingInventoryOf(tctx, ids).then(({ billingStarts, items }) => ({
            billingStartOf: (id: string) => billingStarts.get(id),
            items,
          })),
        ]);
    const missingCodes = [...new Set(items.map((i) => i.itemCode))].filter((c) => !catalog.has(c));
    for (const [code, item] of await findCatalogItems(tctx, missingCodes)) catalog.set(code, item);
    const itemsOf = groupBy(items, (i) => i.accountId);
    for (const r of rows) {
      if (!decks.has(r.currency)) decks.set(r.currency, await loadRateDeck(tctx, r.currency));
      if (!plans.has(r.currency)) plans.set(r.currency, await callingPlanVersions(tctx, r.currency));
      accounts.set(r.id, {
        ...r,
        billingStartDate: billingStartOf(r.id) ?? null,
        items: itemsOf.get(r.id) ?? [],
      });
    }
  }

  function entryOf(accountId: string, month: string) {
    let months = contexts.get(accountId);
    if (months === undefined) contexts.set(accountId, (months = new Map()));
    let entry = months.get(month);
    if (entry === undefined) {
      const account = accounts.get(accountId);
      if (!account) entry = { cx: 'unknown_account', fingerprint: 'unknown_account', billableDevices: 0 };
      else if (account.billingStartDate === null) {
        entry = { cx: 'no_contract', fingerprint: 'no_contract', billableDevices: 0 };
      } else {
        const calling = callingContext(account, catalog, month as BillingMonth);
        const deck = decks.get(account.currency)!;
        const planRounding = planInForce(plans.get(account.currency)!, month as BillingMonth).rounding;
        entry = {
          cx: arrivalContext({
            month: month as BillingMonth,
            timeZone: account.timeZone,
            billingStartDate: account.billingStartDate,
            account: calling.account,
            lowUsageDevices: calling.lowUsageDevices,
            deck,
            planRounding,
          }),
          // Everything a call's rating depends on besides the call itself.
          fingerprint: createHash('sha1')
            .update(
              JSON.stringify([
                account.country,
                account.timeZone,
                account.billingStartDate,
                [...calling.account.extensions].sort(),
                [...calling.account.ownNumbers].sort(),
                [...calling.account.tollFreeNumbers].sort(),
                [...calling.lowUsageDevices].sort(),
                planRounding,
                deckVersion(account.currency, deck),
              ]),
            )
            .digest('base64'),
          billableDevices: calling.billableDevices,
        };
      }
      months.set(month, entry);
    }
    return entry;
  }

  function deckVersion(currency: string, deck: RateDeck): string {
    let version = deckVersions.get(currency);
    if (version === undefined) {
      version = createHash('sha1').update(formatDeckCsv(deck.entries)).digest('base64');
      deckVersions.set(currency, version);
    }
    return version;
  }

  /** The rating context of an account-month (a string: why its calls cannot be rated). */
  const contextOf = (accountId: string, month: string): ArrivalContext | string =>
    entryOf(accountId, month).cx;

  /**
   * What the account-month's calls are rated with, as a short text: stored with the sums, compared
   * by the bill run, which rates the month's unbilled calls again when the two differ.
   */
  const fingerprintOf = (accountId: string, month: string): string => entryOf(accountId, month).fingerprint;

  /**
   * Rates one call in a context from `contextOf` (a string: why its calls cannot be rated); see
   * rateArrival for `into`.
   */
  const rateIn = (
    cx: ArrivalContext | string,
    call: Parameters<typeof rateArrival>[0],
    into?: ArrivalRating,
  ) => (typeof cx === 'string' ? unrated(cx) : rateArrival(call, cx, into));

  /** Rates one call (its account loaded first). */
  const rate = (call: Pick<ImportedCall, 'accountId' | 'usageMonth'> & Parameters<typeof rateArrival>[0]) =>
    rateIn(contextOf(call.accountId, call.usageMonth), call);

  /** CAT-2: the account's billable devices in the month (its plan minutes are pooled over them). */
  const billableDevicesOf = (accountId: string, month: string): number =>
    entryOf(accountId, month).billableDevices;

  /** The calling plan terms of a currency (of an account loaded) in force in a month. */
  const termsOf = (currency: string, month: BillingMonth): CallingPlanVersion =>
    planInForce(plans.get(currency)!, month);

  /** A deck entry by what a rated call keeps of it (of a currency loaded). */
  function deckEntry(currency: string, callType: string, prefix: string, validFrom: string | null) {
    let entries = deckEntries.get(currency);
    if (entries === undefined) {
      entries = new Map(
        decks.get(currency)!.entries.map((e) => [`${e.callType}|${e.prefix}|${e.validFrom}`, e]),
      );
      deckEntries.set(currency, entries);
    }
    return entries.get(`${callType}|${prefix}|${validFrom}`);
  }

  /**
   * Lets go of what was read and made for these accounts (a bill run's batch, once priced): a
   * rater kept for a whole run would otherwise hold every account's inventory and contexts to its
   * end, and the garbage collector would trace them again and again. Decks, plans and the catalog
   * stay. An account forgotten is read again if it is loaded again.
   */
  function forget(accountIds: Iterable<string>): void {
    for (const id of accountIds) {
      accounts.delete(id);
      contexts.delete(id);
    }
  }

  /** Accounts whose inventory and contexts are held (tests: a bill run lets go of each batch's). */
  const heldAccounts = (): number => accounts.size;

  return {
    load,
    forget,
    heldAccounts,
    rate,
    rateIn,
    contextOf,
    fingerprintOf,
    billableDevicesOf,
    termsOf,
    deckEntry,
    catalog,
  };
}

export type ArrivalRater = ReturnType<typeof arrivalRater>;
