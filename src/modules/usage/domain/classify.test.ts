import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  type AccountCallingContext,
  type Direction,
  classifyCall,
  domesticCountriesFor,
} from './classify.ts';
import { normalizeNumber } from './numbers.ts';
import { dayNumber } from './rate-deck.ts';
import { demoDeck } from './demo-decks.ts';

const deck = demoDeck('USD');
const day = dayNumber('2026-03-15');

const usAccount: AccountCallingContext = {
  billingCountry: 'US',
  extensions: new Set(['101', '102', '2001']),
  ownNumbers: new Set(['+13125550100', '+13125550101']),
  tollFreeNumbers: new Set(['+18005550100']),
};
const ieAccount: AccountCallingContext = {
  billingCountry: 'IE',
  extensions: new Set(['10']),
  ownNumbers: new Set(['+35315550100']),
  tollFreeNumbers: new Set(),
};

function classify(direction: Direction, from: string, to: string, account = usAccount) {
  const origin = normalizeNumber(from, account.billingCountry);
  const destination = normalizeNumber(to, account.billingCountry);
  assert.ok(origin.kind !== 'invalid' && destination.kind !== 'invalid', `${from} → ${to}`);
  const c = classifyCall(direction, origin, destination, account, deck, day);
  return c.ok ? [c.callType, c.rate?.prefix ?? null] : ['rejected', c.reason];
}

test('USG-2 classification table', () => {
  const table: [Direction, string, string, string, string | null][] = [
    // extension to extension (draws on plan minutes, CAT-2)
    ['outbound', '101', '102', 'extension', null],
    ['inbound', '101', '2001', 'extension', null],
    ['outbound', '101', '+1 312 555 0101', 'extension', null], // to the account's own number
    // inbound: free, unless to the account's toll-free number
    ['inbound', '+1 212 555 1234', '+1 312 555 0100', 'inbound', null],
    ['inbound', '+44 20 7946 0000', '102', 'inbound', null],
    ['inbound', '+1 212 555 1234', '+1 800 555 0100', 'toll_free_inbound', '1800'],
    // domestic outbound (plan minutes, then overage)
    ['outbound', '101', '+1 212 555 1234', 'domestic', null],
    ['outbound', '+1 312 555 0100', '(646) 555-0123', 'domestic', null],
    ['outbound', '101', '+1 800 555 0199', 'domestic', null],
    ['outbound', '101', '+1 787 234 5678', 'domestic', null], // Puerto Rico is domestic for the US
    // premium domestic: by deck prefix, never plan minutes
    ['outbound', '101', '+1 787 555 0123', 'premium_domestic', '1787555'],
    ['outbound', '101', '+1 900 555 0199', 'premium_domestic', '1900'],
    // international: longest prefix of the destination
    ['outbound', '101', '+52 55 1234 5678', 'international', '5255'],
    ['outbound', '101', '+52 33 1234 5678', 'international', '5233'],
    ['outbound', '101', '+52 222 123 4567', 'international', '52'],
    ['outbound', '101', '+1 416 555 0123', 'international', '1416'], // Canada is another country
    ['outbound', '101', '+1 876 555 0123', 'international', '1876'],
    ['outbound', '101', '+353 84 123 4567', 'international', '35384'], // Irish premium, from abroad
    ['outbound', '101', '+55 11 98765 4321', 'international', '55119'],
    ['outbound', '101', '+55 11 3265 4321', 'international', '5511'],
  ];
  for (const [direction, from, to, callType, prefix] of table) {
    assert.deepEqual(classify(direction, from, to), [callType, prefix], `${direction} ${from} → ${to}`);
  }
});

test('Irish premium +353 84 is premium domestic for an Irish account', () => {
  assert.deepEqual(classify('outbound', '10', '+353 84 123 4567', ieAccount), ['premium_domestic', '35384']);
  assert.deepEqual(classify('outbound', '10', '01 512 3456', ieAccount), ['domestic', null]);
  assert.deepEqual(classify('outbound', '10', '+44 20 7946 0000', ieAccount), ['international', '4420']);
});

test('calls that cannot be rated are rejections, not free calls', () => {
  const table: [Direction, string, string, string][] = [
    ['outbound', '101', '999', 'unknown_extension'],
    ['outbound', '101', '+800 1234 5678', 'no_international_rate'], // non-geographic freephone
    ['inbound', '101', '+1 212 555 1234', 'inbound_from_extension'],
    // Reached on a toll-free number the inventory does not list (USG-2): not a free inbound call.
    ['inbound', '+1 212 555 1234', '+1 800 555 0199', 'unlisted_toll_free_number'],
  ];
  for (const [direction, from, to, reason] of table) {
    assert.deepEqual(classify(direction, from, to), ['rejected', reason], `${from} → ${to}`);
  }
  // So too for an account whose inventory lists no toll-free number at all.
  const noneListed = { ...usAccount, tollFreeNumbers: new Set<string>() };
  assert.deepEqual(classify('inbound', '+1 212 555 1234', '+1 888 555 0100', noneListed), [
    'rejected',
    'unlisted_toll_free_number',
  ]);
  assert.deepEqual(classify('inbound', '+1 212 555 1234', '+1 312 555 0100', noneListed), ['inbound', null]);
  // A premium number with no deck entry is not billed from plan minutes.
  const noPremium = { ...usAccount, domesticCountries: new Set(['US']) };
  const origin = normalizeNumber('101', 'US');
  const destination = normalizeNumber('+1 900 555 0199', 'US');
  assert.ok(origin.kind !== 'invalid' && destination.kind !== 'invalid', 'valid numbers');
  const emptyDeck = demoDeck('EUR');
  assert.deepEqual(classifyCall('outbound', origin, destination, noPremium, emptyDeck, day), {
    ok: false,
    reason: 'no_premium_rate',
  });
});

test('domestic countries: the US with its territories; elsewhere the billing country; overridable', () => {
  assert.deepEqual([...domesticCountriesFor('US')], ['US', 'PR', 'VI', 'GU', 'AS', 'MP']);
  assert.deepEqual([...domesticCountriesFor('CA')], ['CA']);
  assert.deepEqual([...domesticCountriesFor('MX')], ['MX']);
  // A Canadian account: the US is international.
  const ca = { ...usAccount, billingCountry: 'CA' };
  assert.deepEqual(classify('outbound', '101', '+1 212 555 1234', ca), ['international', '1']);
  assert.deepEqual(classify('outbound', '101', '+1 416 555 0123', ca), ['domestic', null]);
  // An account whose plan treats Canada as domestic says so in data.
  const northAmerica = { ...usAccount, domesticCountries: new Set(['US', 'CA']) };
  assert.deepEqual(classify('outbound', '101', '+1 416 555 0123', northAmerica), ['domestic', null]);
});
