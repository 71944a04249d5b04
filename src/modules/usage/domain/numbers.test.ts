import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { random } from '../../../../test/support/random.ts';
import { normalizeNewNumber, normalizeNumber } from './numbers.ts';

test('phone numbers normalise to E.164 with country and line type', () => {
  const table: [
    raw: string,
    defaultCountry: string,
    e164: string,
    country: string | null,
    lineType: string,
  ][] = [
    ['+55 11 98765-4321', 'US', '+5511987654321', 'BR', 'mobile'],
    ['+55 11 3265-4321', 'US', '+551132654321', 'BR', 'fixed'],
    ['+55 81 98765-4321', 'US', '+5581987654321', 'BR', 'mobile'],
    ['(212) 555-1234', 'US', '+12125551234', 'US', 'unknown'], // North America: fixed or mobile
    ['011 44 20 7946 0000', 'US', '+442079460000', 'GB', 'fixed'], // US international prefix
    ['00 33 6 12 34 56 78', 'ES', '+33612345678', 'FR', 'mobile'],
    ['+1 800 555 1234', 'US', '+18005551234', 'US', 'toll_free'],
    ['+1 (900) 555-0199', 'US', '+19005550199', 'US', 'premium'],
    ['+1 787 555 0123', 'US', '+17875550123', 'PR', 'unknown'],
    ['+1 416 555 0123', 'US', '+14165550123', 'CA', 'unknown'],
    ['55 1234 5678', 'MX', '+525512345678', 'MX', 'unknown'],
    ['+52 1 55 1234 5678', 'US', '+525512345678', 'MX', 'unknown'], // pre-2019 mobile "1" dropped
    ['+353 1 512 3456', 'US', '+35315123456', 'IE', 'fixed'],
    ['+80012345678', 'US', '+80012345678', null, 'toll_free'], // non-geographic freephone
  ];
  for (const [raw, cc, e164, country, lineType] of table) {
    const n = normalizeNumber(raw, cc);
    assert.equal(n.kind, 'phone', raw);
    if (n.kind !== 'phone') continue;
    assert.deepEqual(
      [n.e164, n.digits, n.country, n.lineType],
      [e164, e164.slice(1), country, lineType],
      raw,
    );
  }
});

test('a possible number in a range the metadata does not know is kept, marked not valid', () => {
  // +353 84 is Ireland's premium range in the SPEC (CAT-3); it must stay rateable by prefix.
  assert.deepEqual(normalizeNumber('0841234567', 'IE'), {
    kind: 'phone',
    e164: '+353841234567',
    digits: '353841234567',
    country: 'IE',
    lineType: 'unknown',
    valid: false,
  });
});

test('2 to 6 digits are internal extensions, not phone numbers', () => {
  for (const raw of ['10', '101', ' 2001 ', '123456']) {
    assert.deepEqual(normalizeNumber(raw, 'US'), { kind: 'extension', extension: raw.trim() });
  }
  assert.equal(normalizeNumber('1', 'US').kind, 'invalid');
  assert.equal(normalizeNumber('1234567', 'US').kind, 'invalid');
});

test('invalid input is an error value with a reason, never a throw', () => {
  const table: [raw: unknown, defaultCountry: string, reason: string][] = [
    ['', 'US', 'empty'],
    ['   ', 'US', 'empty'],
    [undefined, 'US', 'empty'],
    ['abc', 'US', 'not_a_number'],
    ['1-800-FLOWERS', 'US', 'not_a_number'],
    ['+999123', 'US', 'unknown_country_code'],
    ['+1 212', 'US', 'too_short'],
    ['1234567', 'US', 'too_short'],
    ['+1 212 555 12345678', 'US', 'too_long'],
    ['+1 212 555 1234', 'XX', 'unsupported_default_country'],
  ];
  for (const [raw, cc, reason] of table) {
    const n = normalizeNumber(raw as string, cc);
    assert.equal(n.kind, 'invalid', String(raw));
    if (n.kind === 'invalid') {
      assert.equal(n.reason, reason, String(raw));
      assert.ok(n.message.length > 0, `a message for ${reason}`);
    }
  }
});

test('results are cached per raw text and default country, and frozen', () => {
  const a = normalizeNumber('+44 20 7946 0001', 'US');
  assert.equal(normalizeNumber('+44 20 7946 0001', 'US'), a);
  assert.notEqual(normalizeNumber('+44 20 7946 0001', 'GB'), a);
  assert.ok(Object.isFrozen(a), 'cached results are frozen');
  // The default country matters for national formats.
  const london = normalizeNumber('020 7946 0002', 'GB');
  assert.equal(london.kind === 'phone' && london.e164, '+442079460002');
});

test('normalizeNewNumber (no cache for numbers written internationally) says what normalizeNumber says', () => {
  const raws = [
    '+1 617 736 1157',
    '+5511987654321',
    '+55 11 3333 4444',
    '+52 1 55 1234 5678',
    '+800 1234 5678',
    ' +44 20 7946 0001 ',
    '020 7946 0002',
    '(212) 555-0134',
    '101',
    '+1 6',
    'not a number',
    '',
  ];
  for (const country of ['US', 'GB', 'BR', 'XX']) {
    for (const raw of raws) {
      const fresh = normalizeNewNumber(raw, country);
      assert.deepEqual(fresh, normalizeNumber(raw, country), `${raw} (${country})`);
      assert.ok(Object.isFrozen(fresh), `${raw} (${country}) frozen`);
    }
  }
  // Numbers written internationally are read afresh: not the cache's object.
  assert.notEqual(normalizeNewNumber('+1 617 736 1157', 'US'), normalizeNumber('+1 617 736 1157', 'US'));
});

// `valid` is read from the number's type (one pass over the metadata's patterns, not two): it must
// say what the library's own isValid() says, for valid and invalid ranges of many plans.
test('valid is what the numbering plan says, for thousands of generated numbers', () => {
  const r = random(20261201);
  const codes = ['1', '7', '33', '34', '39', '44', '49', '55', '61', '81', '86', '91', '351', '353', '880'];
  let valid = 0;
  let checked = 0;
  for (let i = 0; i < 6000; i++) {
    const code = codes[Math.floor(r() * codes.length)]!;
    const length = 6 + Math.floor(r() * 7);
    let digits = String(1 + Math.floor(r() * 9));
    while (digits.length < length) digits += String(Math.floor(r() * 10));
    const text = `+${code} ${digits}`;
    const n = normalizeNumber(text, 'US');
    if (n.kind !== 'phone') continue;
    const parsed = parsePhoneNumberFromString(text)!;
    assert.equal(n.valid, parsed.isValid(), text);
    checked++;
    if (n.valid) valid++;
  }
  // Both answers are well represented (a shortcut answering always one way would fail).
  assert.ok(checked > 2000 && valid > 300 && checked - valid > 300, `${checked} checked, ${valid} valid`);
});
