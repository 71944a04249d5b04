import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isBillingError } from '../../../kernel/index.ts';
import { RateDeck, type RateEntry, dayNumber, formatDeckCsv, parseDeckCsv } from './rate-deck.ts';
import { demoDeck, demoDeckCsv, demoDeckEntries } from './demo-decks.ts';

const rate = (prefix: string, ratePerMinute: number, over: Partial<RateEntry> = {}): RateEntry => ({
  prefix,
  description: `Destination ${prefix}`,
  callType: 'international',
  ratePerMinute,
  rounding: 'nearest-minute',
  validFrom: '2026-01-01',
  validTo: null,
  ...over,
});

test('longest prefix wins: 52 vs 521 vs 5255', () => {
  const deck = new RateDeck('USD', [rate('52', 15_000), rate('521', 40_000), rate('5255', 10_000)]);
  const table: [digits: string, prefix: string | undefined][] = [
    ['525512345678', '5255'], // Mexico City
    ['5215512345678', '521'], // old-style mobile "1"
    ['523312345678', '52'], // Guadalajara: only the country prefix
    ['52', '52'],
    ['5', undefined],
    ['4420794600', undefined],
    ['', undefined],
  ];
  for (const [digits, prefix] of table) {
    assert.equal(deck.lookup('international', digits, '2026-03-01')?.prefix, prefix, digits);
  }
});

test('entries are effective-dated (valid_to inclusive); a longer prefix not yet valid falls back', () => {
  const deck = new RateDeck('USD', [
    rate('52', 15_000),
    rate('5255', 10_000, { validTo: '2026-06-30' }),
    rate('5255', 9_000, { validFrom: '2026-07-01' }),
    rate('5233', 11_000, { validFrom: '2026-05-01', validTo: '2026-05-31' }),
  ]);
  const at = (digits: string, on: string) => deck.lookup('international', digits, on)?.ratePerMinute;
  assert.equal(at('525512345678', '2026-06-30'), 10_000);
  assert.equal(at('525512345678', '2026-07-01'), 9_000);
  assert.equal(at('525512345678', '2025-12-31'), undefined);
  assert.equal(at('523312345678', '2026-04-30'), 15_000);
  assert.equal(at('523312345678', '2026-05-31'), 11_000);
  assert.equal(at('523312345678', '2026-06-01'), 15_000);
  assert.equal(deck.find('international', '525512345678', dayNumber('2026-07-15'))?.ratePerMinute, 9_000);
});

test('each call type has its own prefixes', () => {
  const deck = new RateDeck('USD', [
    rate('353', 20_000),
    rate('35384', 850_000),
    rate('35384', 750_000, { callType: 'premium_domestic' }),
    rate('1800', 25_000, { callType: 'toll_free_inbound' }),
  ]);
  assert.equal(deck.lookup('international', '353841234567', '2026-03-01')?.ratePerMinute, 850_000);
  assert.equal(deck.lookup('premium_domestic', '353841234567', '2026-03-01')?.ratePerMinute, 750_000);
  assert.equal(deck.lookup('premium_domestic', '35312345678', '2026-03-01'), undefined);
  assert.equal(deck.lookup('toll_free_inbound', '18005550100', '2026-03-01')?.prefix, '1800');
  assert.equal(deck.lookup('international', '18005550100', '2026-03-01'), undefined);
});

test('a deck refuses malformed or overlapping entries', () => {
  const refused = (entries: RateEntry[], code: string) =>
    assert.throws(
      () => new RateDeck('USD', entries),
      (e) => isBillingError(e) && e.code === code,
    );
  refused([rate('0521', 1)], 'invalid_rate_entry');
  refused([rate('52', -1)], 'invalid_rate_entry');
  refused([rate('52', 1, { rounding: 'nearest' as never })], 'invalid_rate_entry');
  refused([rate('52', 1, { validTo: '2025-12-31' })], 'invalid_rate_entry');
  refused([rate('52', 1), rate('52', 2, { validFrom: '2026-06-01' })], 'overlapping_rates');
});

test('CSV import keeps good rows and reports each malformed row with its line and reason', () => {
  const csv = [
    'prefix,description,call_type,rate_per_minute,rounding,valid_from,valid_to', // 1
    '52,Mexico,international,0.015,nearest-minute,2026-01-01,', // 2
    '5255,"Mexico - Mexico City, CDMX",international,0.0100,nearest-minute,2026-01-01,2026-06-30', // 3
    '05,Bad prefix,international,0.01,nearest-minute,2026-01-01,', // 4
    '', // 5 (blank: ignored)
    '44,United Kingdom,international,1.2345678,nearest-minute,2026-01-01,', // 6
    '49,Germany,international,0.015,nearest,2026-01-01,', // 7
    '33,France,international,0.015,nearest-minute,2026-02-30,', // 8
    '34,Spain,international,0.015,nearest-minute,2026-03-01,2026-02-01', // 9
    '39,Italy,international,0.015,nearest-minute', // 10
    '5255,Mexico City again,international,0.009,nearest-minute,2026-06-01,', // 11 (overlaps line 3)
    '1800,Toll-free,toll_free_inbound,0.025,nearest-minute,2026-01-01,', // 12
    '1900,Premium,premium_rate,1.99,per-second,2026-01-01,', // 13
    '5255,Mexico City from July,international,0.009,nearest-minute,2026-07-01,', // 14
    '55119,"Brazil - Mobile ""SP""",international,0.085,br-mobile-6s,2026-01-01,', // 15
    '7,"Russia,international,0.05,nearest-minute,2026-01-01,', // 16 (quote never closed)
  ].join('\r\n');
  const { entries, errors } = parseDeckCsv(csv);
  assert.deepEqual(
    entries.map((e) => [e.prefix, e.description, e.ratePerMinute, e.validTo]),
    [
      ['52', 'Mexico', 15_000, null],
      ['5255', 'Mexico - Mexico City, CDMX', 10_000, '2026-06-30'],
      ['1800', 'Toll-free', 25_000, null],
      ['5255', 'Mexico City from July', 9_000, null],
      ['55119', 'Brazil - Mobile "SP"', 85_000, null],
    ],
  );
  assert.deepEqual(
    errors.map((e) => e.line),
    [4, 6, 7, 8, 9, 10, 11, 13, 16],
  );
  const reason = (line: number) => errors.find((e) => e.line === line)!.reason;
  assert.match(reason(4), /prefix must be 1 to 15 digits/);
  assert.match(reason(6), /at most 6 decimals/);
  assert.match(reason(7), /unknown rounding rule "nearest"/);
  assert.match(reason(8), /valid_from "2026-02-30"/);
  assert.match(reason(9), /valid_to is before valid_from/);
  assert.match(reason(10), /expected 7 fields, found 5/);
  assert.match(reason(11), /overlaps the dates of line 3/);
  assert.match(reason(13), /call_type must be one of/);
  assert.match(reason(16), /quoted field is not closed/);
  // The kept rows make a valid deck.
  assert.equal(new RateDeck('USD', entries).entries.length, 5);
});

test('CSV import: header problems, column order, byte-order mark', () => {
  assert.deepEqual(parseDeckCsv(''), {
    entries: [],
    errors: [{ line: 1, reason: 'the file has no header row' }],
  });
  assert.deepEqual(parseDeckCsv('prefix,description\n52,Mexico\n').errors, [
    { line: 1, reason: 'missing column(s): call_type, rate_per_minute, rounding, valid_from, valid_to' },
  ]);
  const reordered =
    '\ufeffvalid_to,valid_from,rounding,rate_per_minute,call_type,description,prefix\n' +
    ',2026-01-01,per-second,0.75,premium_domestic,Ireland premium,35384\n';
  assert.deepEqual(parseDeckCsv(reordered), {
    entries: [
      {
        prefix: '35384',
        description: 'Ireland premium',
        callType: 'premium_domestic',
        ratePerMinute: 750_000,
        rounding: 'per-second',
        validFrom: '2026-01-01',
        validTo: null,
      },
    ],
    errors: [],
  });
});

test('demo decks: CSV round trip, size and the SPEC examples', () => {
  for (const currency of ['USD', 'MXN']) {
    const entries = demoDeckEntries(currency);
    const parsed = parseDeckCsv(demoDeckCsv(currency));
    assert.deepEqual(parsed.errors, [], currency);
    assert.deepEqual(parsed.entries, entries, currency);
    assert.equal(formatDeckCsv(parsed.entries), demoDeckCsv(currency));
    assert.ok(entries.filter((e) => e.callType === 'international').length >= 200, currency);
  }
  const usd = demoDeck('USD');
  const on = '2026-03-15';
  const table: [
    type: 'international' | 'premium_domestic' | 'toll_free_inbound',
    digits: string,
    prefix: string,
    rate: number,
    rule: string,
  ][] = [
    ['premium_domestic', '17875550123', '1787555', 990_000, 'per-second'],
    ['premium_domestic', '353841234567', '35384', 750_000, 'per-second'],
    ['international', '353841234567', '35384', 850_000, 'per-second'],
    ['international', '353861234567', '35386', 60_000, 'nearest-minute'],
    ['toll_free_inbound', '18005550100', '1800', 25_000, 'nearest-minute'],
    ['international', '5511987654321', '55119', 85_000, 'br-mobile-6s'],
    ['international', '5581987654321', '55819', 85_000, 'br-mobile-6s'],
    ['international', '551132654321', '5511', 20_000, 'nearest-minute'],
    ['international', '558132223333', '55', 40_000, 'nearest-minute'],
    ['international', '525512345678', '5255', 10_000, 'nearest-minute'],
    ['international', '14165550123', '1416', 10_000, 'nearest-minute'],
    ['international', '18765550123', '1876', 180_000, 'nearest-minute'],
  ];
  for (const [type, digits, prefix, ratePerMinute, rule] of table) {
    const e = usd.lookup(type, digits, on);
    assert.deepEqual([e?.prefix, e?.ratePerMinute, e?.rounding], [prefix, ratePerMinute, rule], digits);
  }
  const mxn = demoDeck('MXN');
  assert.equal(mxn.lookup('international', '12125551234', on)?.ratePerMinute, 180_000); // 0.01 USD × 18
  assert.equal(mxn.lookup('toll_free_inbound', '528001234567', on)?.ratePerMinute, 450_000);
  assert.equal(demoDeckEntries('EUR').length, 0);
});
