// Generated CDRs for bench/rating.ts, and the rating kernel measured alone on them.
import {
  type ArrivingCall,
  type CallDetailRecord,
  ArrivalTotals,
  arrivalContext,
  demoDeck,
  normalizeNumber,
  priceUsageMonth,
  rateArrival,
  unrated,
} from '../src/modules/usage/index.ts';
import { groupBy } from '../src/kernel/index.ts';
import { random } from '../test/support/random.ts';

export const USAGE_MONTH = '2026-01';
export const SIGNED_ON = '2025-12-01';
export const PHONES = 10;
export const TIME_ZONE = 'America/Chicago';

const pad = (n: number, width = 7) => String(n).padStart(width, '0');
const seconds = (since: number) => (performance.now() - since) / 1000;
export const tollFree = (i: number) => `+1888${String(2000000 + (i % 7999999)).padStart(7, '0')}`;

// Destinations repeat, as a business's calls do: a pool of numbers per kind (NUMBER_POOL unless
// told). Every number costs its first normalisation (libphonenumber) when an import meets it, so
// the pool decides how much of an import that is.
export const NUMBER_POOL = 5000;
/** The pool's largest size: distinct exchanges per kind times 10,000 lines. */
export const MAX_NUMBER_POOL = 800_000;
// Exchanges of the three kinds of US numbers (domestic, inbound, toll-free callers), apart from
// each other and never an N11 code: a pool past 10,000 numbers moves on to the next exchange.
const EXCHANGES = [0, 1, 2].map((kind) => {
  const list: number[] = [];
  for (let x = 736 + kind; x <= 999; x += 3) if (x % 100 !== 11) list.push(x);
  return list;
});
const US_AREAS = ['212', '312', '415', '512', '214', '303', '404', '617', '702', '206'];
const usNumber = (kind: number, n: number) =>
  `+1 ${US_AREAS[n % 10]} ${EXCHANGES[kind]![Math.floor(n / 10_000)]} ${String(n % 10_000).padStart(4, '0')}`;
const INTERNATIONAL = [
  '+52 55 ',
  '+44 20 ',
  '+49 30 ',
  '+33 1 ',
  '+55 11 9',
  '+55 11 3',
  '+91 22 ',
  '+81 3 ',
];

export interface Cdr {
  callId: string;
  account: number;
  origin: string;
  destination: string;
  start: number;
  seconds: number;
  direction: 'inbound' | 'outbound';
}

/**
 * The i-th generated call: 70% domestic, 10% extension, 10% inbound, 5% international, toll-free,
 * premium; numbers of each kind drawn from `pool` (up to MAX_NUMBER_POOL).
 */
export function* generateCalls(total: number, accounts: number, pool = NUMBER_POOL): Generator<Cdr> {
  if (!Number.isInteger(pool) || pool < 1 || pool > MAX_NUMBER_POOL)
    throw new Error(`bad number pool: ${pool}`);
  const r = random(20260101);
  const monthStart = Date.UTC(2026, 0, 1, 12);
  const span = 30 * 86_400_000;
  for (let i = 0; i < total; i++) {
    const account = Math.floor(r() * accounts);
    const ext = String(100 + Math.floor(r() * PHONES));
    const kind = r();
    const n = Math.floor(r() * pool);
    let origin = ext;
    let destination: string;
    let direction: 'inbound' | 'outbound' = 'outbound';
    if (kind < 0.7) destination = usNumber(0, n);
    else if (kind < 0.8) destination = String(100 + (n % PHONES));
    else if (kind < 0.9) {
      direction = 'inbound';
      origin = usNumber(1, n);
      destination = ext;
    } else if (kind < 0.95) {
      const p = INTERNATIONAL[n % INTERNATIONAL.length]!;
      destination = `${p}${String(87654321 - n)}`;
    } else if (kind < 0.98) {
      direction = 'inbound';
      origin = usNumber(2, n);
      destination = tollFree(account);
    } else destination = `+1 787 555 ${String(n % 10_000).padStart(4, '0')}`;
    const seconds = r() < 0.1 ? 0 : Math.floor(-Math.log(1 - r()) * 180);
    yield {
      callId: `c${pad(i, 9)}`,
      account,
      origin,
      destination,
      start: monthStart + Math.floor((i / total) * span),
      seconds,
      direction,
    };
  }
}

// ---- the rating kernel alone, in memory ----------------------------------------------------------

/** Numbers as the import stores them and the bill run reads them back: E.164 or an extension. */
const stored = (raw: string) => {
  const n = normalizeNumber(raw, 'US');
  return n.kind === 'phone' ? n.e164 : n.kind === 'extension' ? n.extension : raw;
};

export function kernelRate(
  total: number,
  accounts: number,
  pool = NUMBER_POOL,
): { calls: number; seconds: number } {
  // A fixed-size sample rated in repeated passes: the figure is stable and memory stays flat in N.
  const sample = Math.min(total, 250_000);
  const generated = groupBy(
    generateCalls(sample, Math.max(1, Math.round((accounts * sample) / total)), pool),
    (c) => c.account,
  );
  // Each account's calls made one after the other, so that they lie together in memory as the
  // import has them when it rates (a block's rows gathered account by account, import-bytes.ts):
  // made in file order, an account's calls would lie among every other account's, and rating
  // would wait for memory at each call (a cache miss costs this machine ~200 ns, as much as
  // rating the call).
  const byAccount = new Map<
    number,
    (CallDetailRecord & Pick<ArrivingCall, 'originNumber' | 'destinationNumber'>)[]
  >();
  for (const [i, cdrs] of generated) {
    byAccount.set(
      i,
      cdrs.map((c) => ({
        callId: c.callId,
        startedAt: c.start,
        durationSeconds: c.seconds,
        direction: c.direction,
        origin: stored(c.origin),
        destination: stored(c.destination),
        // As the import hands them over: normalised once, when the CDR was checked.
        originNumber: normalizeNumber(c.origin, 'US'),
        destinationNumber: normalizeNumber(c.destination, 'US'),
        originDevice: c.direction === 'outbound' ? c.origin : null,
      })),
    );
  }
  generated.clear();
  const deck = demoDeck('USD');
  const account = {
    billingCountry: 'US',
    extensions: new Set(Array.from({ length: PHONES }, (_, k) => String(100 + k))),
    ownNumbers: new Set<string>(),
    tollFreeNumbers: new Set<string>(),
  };
  const plan = {
    includedMinutesPerDevice: 1000,
    billableDevices: PHONES,
    overageRatePerMinute: 20_000,
    lowUsageMinutesPerDevice: 50,
    lowUsageRatePerMinute: 20_000,
    rounding: 'nearest-minute' as const,
  };
  // What the product does per call (rating on arrival, summed per account-month and charge), then
  // per account-month (pricing the sums into invoice lines).
  const contexts = new Map(
    [...byAccount.keys()].map((i) => [
      i,
      arrivalContext({
        month: USAGE_MONTH,
        timeZone: TIME_ZONE,
        billingStartDate: SIGNED_ON,
        account: { ...account, tollFreeNumbers: new Set([tollFree(i)]) },
        lowUsageDevices: new Set(),
        deck,
        planRounding: plan.rounding,
      }),
    ]),
  );
  // As the import rates (import-bytes.ts): each rating written into one object, added to the
  // account-month's sums kept at hand, so that no object is made per call.
  const rating = unrated('not rated yet');
  const rate = () => {
    let rated = 0;
    for (const [i, calls] of byAccount) {
      const cx = contexts.get(i)!;
      const totals = new ArrivalTotals();
      const sums = totals.month('account', USAGE_MONTH);
      for (const call of calls) {
        sums.add(rateArrival(call, cx, rating));
        rated++;
      }
      priceUsageMonth(
        { month: USAGE_MONTH, currency: 'USD', billingStartDate: SIGNED_ON, plan },
        totals.rows(),
      );
    }
    return rated;
  };
  rate(); // warm-up: number caches and JIT, as a running service has them
  const t0 = performance.now();
  let calls = 0;
  do calls += rate();
  while (seconds(t0) < 2);
  return { calls, seconds: seconds(t0) };
}
