import type { NormalizedNumber } from './numbers.ts';
import type { RateDeck, RateEntry } from './rate-deck.ts';

/**
 * USG-2: what kind of call a CDR is, for one account. The kind decides what the call draws on:
 *
 * | call type           | drawn from / rated at                                                |
 * |---------------------|----------------------------------------------------------------------|
 * | `extension`         | extension-to-extension; plan minutes, then overage (CAT-2)           |
 * | `inbound`           | free                                                                 |
 * | `toll_free_inbound` | to one of the account's toll-free numbers; deck toll-free rate        |
 * | `domestic`          | outbound; plan minutes, then overage                                 |
 * | `premium_domestic`  | outbound to a domestic premium prefix; deck rate, never plan minutes |
 * | `international`     | outbound, destination country not domestic; deck rate               |
 */
export type CallType =
  'extension' | 'inbound' | 'toll_free_inbound' | 'domestic' | 'premium_domestic' | 'international';

export type Direction = 'inbound' | 'outbound';

export interface AccountCallingContext {
  /** ISO country of the billing address (ACC-1). */
  billingCountry: string;
  /** Countries whose numbers are domestic; defaults to domesticCountriesFor(billingCountry). */
  domesticCountries?: ReadonlySet<string>;
  extensions: ReadonlySet<string>;
  /** The account's own numbers (E.164). */
  ownNumbers: ReadonlySet<string>;
  /** The account's toll-free numbers (E.164); calls to them are rated (USG-2). */
  tollFreeNumbers: ReadonlySet<string>;
}

/**
 * Decision (USG-2, CAT-3): US territories with their own ISO codes but inside the US numbering
 * plan are domestic for a US account — the SPEC's own example, +1 787 555 (Puerto Rico), is a US
 * premium domestic prefix. Canada stays its own country, so US ↔ Canada calls are international,
 * as USG-2 reads. Everyone else: the billing country alone. Accounts may override (data).
 */
const DOMESTIC_ZONES: Record<string, readonly string[]> = {
  US: ['US', 'PR', 'VI', 'GU', 'AS', 'MP'],
};

const zoneCache = new Map<string, ReadonlySet<string>>();
// An account's calls come together: the last country asked for is usually the one wanted.
let lastZoneCountry: string | null = null;
let lastZone: ReadonlySet<string> | undefined;
export function domesticCountriesFor(billingCountry: string): ReadonlySet<string> {
  if (billingCountry === lastZoneCountry && lastZone !== undefined) return lastZone;
  let zone = zoneCache.get(billingCountry);
  if (!zone) {
    zone = new Set(DOMESTIC_ZONES[billingCountry] ?? [billingCountry]);
    zoneCache.set(billingCountry, zone);
  }
  lastZoneCountry = billingCountry;
  lastZone = zone;
  return zone;
}

export type ClassificationRejection =
  | 'unknown_extension'
  | 'inbound_from_extension'
  | 'no_international_rate'
  | 'no_premium_rate'
  | 'no_toll_free_rate'
  | 'unlisted_toll_free_number';

export type Classification =
  | { readonly ok: true; readonly callType: CallType; readonly rate: RateEntry | null }
  | { readonly ok: false; readonly reason: ClassificationRejection };

type ValidNumber = Exclude<NormalizedNumber, { kind: 'invalid' }>;

// Unrated outcomes are shared constants: only deck-rated calls allocate a result.
const EXTENSION: Classification = { ok: true, callType: 'extension', rate: null };
const INBOUND: Classification = { ok: true, callType: 'inbound', rate: null };
const DOMESTIC: Classification = { ok: true, callType: 'domestic', rate: null };
const rejected = (reason: ClassificationRejection): Classification => ({ ok: false, reason });
const REJECTED = {
  unknown_extension: rejected('unknown_extension'),
  inbound_from_extension: rejected('inbound_from_extension'),
  no_international_rate: rejected('no_international_rate'),
  no_premium_rate: rejected('no_premium_rate'),
  no_toll_free_rate: rejected('no_toll_free_rate'),
  unlisted_toll_free_number: rejected('unlisted_toll_free_number'),
} as const;

/**
 * Classifies one call. `day` is the call's date as a dayNumber() in the account's time zone, for
 * the deck entries valid that day. A call that cannot be rated (no deck entry, unknown extension)
 * is a rejection value to report, never a silent free call.
 */
export function classifyCall(
  direction: Direction,
  origin: ValidNumber,
  destination: ValidNumber,
  account: AccountCallingContext,
  deck: RateDeck,
  day: number,
): Classification {
  // Empty sets are common (most accounts own no numbers): skip hashing the number for them.
  const { ownNumbers, tollFreeNumbers } = account;
  const originInternal =
    origin.kind === 'extension'
      ? account.extensions.has(origin.extension)
      : ownNumbers.size > 0 && ownNumbers.has(origin.e164);

  if (destination.kind === 'extension') {
    if (!account.extensions.has(destination.extension)) return REJECTED.unknown_extension;
    // Outbound to an extension comes from the account by definition; inbound is a caller reaching one.
    return direction === 'outbound' || originInternal ? EXTENSION : INBOUND;
  }

  if (direction === 'inbound') {
    if (origin.kind === 'extension') return REJECTED.inbound_from_extension;
    if (tollFreeNumbers.size === 0 || !tollFreeNumbers.has(destination.e164)) {
      // A call that reached the account on a toll-free number came in on one of its toll-free
      // numbers, whether or not its inventory lists it: reported (and rated again once the
      // number is listed), never billed as a free inbound call.
      return destination.lineType === 'toll_free' ? REJECTED.unlisted_toll_free_number : INBOUND;
    }
    const rate = deck.find('toll_free_inbound', destination.digits, day);
    return rate ? { ok: true, callType: 'toll_free_inbound', rate } : REJECTED.no_toll_free_rate;
  }

  // Decision: a call from one of the account's lines to another of its own numbers stays on the
  // account's network, like an extension call (and counts as outbound minutes the same way, CAT-2).
  if (originInternal && ownNumbers.size > 0 && ownNumbers.has(destination.e164)) return EXTENSION;

  const domestic = account.domesticCountries ?? domesticCountriesFor(account.billingCountry);
  if (destination.country !== null && domestic.has(destination.country)) {
    const rate = deck.find('premium_domestic', destination.digits, day);
    if (rate) return { ok: true, callType: 'premium_domestic', rate };
    // A premium number the deck does not price is reported, not billed from plan minutes.
    return destination.lineType === 'premium' ? REJECTED.no_premium_rate : DOMESTIC;
  }
  const rate = deck.find('international', destination.digits, day);
  return rate ? { ok: true, callType: 'international', rate } : REJECTED.no_international_rate;
}
