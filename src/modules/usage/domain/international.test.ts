import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Metadata,
  getCountries,
  getCountryCallingCode,
  getExampleNumber,
  parsePhoneNumberFromString,
} from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/mobile/examples';
import { random } from '../../../../test/support/random.ts';
import { internationalNumber } from './international.ts';

// The compiled reading must say exactly what libphonenumber says of every number it takes (and
// take no number libphonenumber finds impossible). Numbers of every country are generated: of
// each possible length (and one digit short and long), starting like the country's example
// mobile number or with any digit, written plain, grouped by spaces or by hyphens.

const meta = new Metadata() as unknown as {
  selectNumberingPlan(country: string): void;
  numberingPlan: { possibleLengths(): number[] | undefined };
};

function written(digits: string, code: string, style: number): string {
  if (style === 0) return `+${code}${digits}`;
  const sep = style === 1 ? ' ' : '-';
  const groups: string[] = [];
  for (let i = 0; i < digits.length; i += 3 + (i % 2)) groups.push(digits.slice(i, i + 3 + (i % 2)));
  return `+${code}${sep}${groups.join(sep)}`;
}

function generated(): string[] {
  const next = random(20261202);
  const pick = (n: number) => Math.floor(next() * n);
  const texts: string[] = [];
  for (const country of getCountries()) {
    const code = getCountryCallingCode(country);
    meta.selectNumberingPlan(country);
    const lengths = meta.numberingPlan.possibleLengths() ?? [8, 9, 10];
    const tried = [...lengths, lengths[0]! - 1, lengths[lengths.length - 1]! + 1].filter((l) => l > 0);
    const example = getExampleNumber(country, examples)?.nationalNumber ?? '';
    for (let k = 0; k < 120; k++) {
      const length = tried[pick(tried.length)]!;
      let digits =
        example !== '' && pick(2) === 0 ? example.slice(0, 1 + pick(Math.min(4, example.length))) : '';
      while (digits.length < length) digits += String(pick(10));
      texts.push(written(digits.slice(0, length), code, pick(3)));
    }
    if (example !== '') texts.push(`+${code}${example}`, written(example, code, 1));
  }
  return texts;
}

test('the compiled reading says what libphonenumber says of every number it takes', () => {
  const texts = generated();
  let taken = 0;
  let possible = 0;
  const types = new Map<string, number>();
  const sharedCodeCountries = new Set<string>();
  const mismatches: string[] = [];
  // The account's country (the default country) plays no part in reading an international number.
  const defaults = ['US', 'BR', 'GB', 'MX', 'IE', 'CA'] as const;
  for (const [k, text] of texts.entries()) {
    const fast = internationalNumber(text);
    const slow = parsePhoneNumberFromString(text, defaults[k % defaults.length]);
    const isPossible = slow !== undefined && slow.isPossible();
    if (isPossible) possible++;
    if (fast === null) continue;
    taken++;
    const expected = isPossible
      ? { e164: slow.number, country: slow.country, type: slow.getType() }
      : 'not possible';
    if (JSON.stringify(fast) !== JSON.stringify(expected))
      mismatches.push(`${text}: ${JSON.stringify(fast)} but libphonenumber ${JSON.stringify(expected)}`);
    types.set(String(fast.type), (types.get(String(fast.type)) ?? 0) + 1);
    if (
      fast.country !== undefined &&
      getCountryCallingCode(fast.country as never) === '1' &&
      fast.country !== 'US'
    )
      sharedCodeCountries.add(fast.country);
    if (fast.country === 'KZ' || fast.country === 'GG' || fast.country === 'JE' || fast.country === 'IM')
      sharedCodeCountries.add(fast.country);
  }

  assert.deepEqual(mismatches.slice(0, 10), []);
  // It takes most numbers libphonenumber finds possible (not a reading that declines everything),
  // of every kind that matters to rating, and tells countries sharing a calling code apart.
  assert.ok(taken >= 0.8 * possible, `took ${taken} of ${possible} possible numbers`);
  assert.ok(taken > 12_000, `took ${taken}`);
  for (const type of [
    'MOBILE',
    'FIXED_LINE',
    'FIXED_LINE_OR_MOBILE',
    'TOLL_FREE',
    'PREMIUM_RATE',
    'undefined',
  ])
    assert.ok((types.get(type) ?? 0) > 20, `${type}: ${types.get(type) ?? 0}`);
  assert.ok(sharedCodeCountries.size >= 10, [...sharedCodeCountries].join(' '));
});

test('numbers it does not take are left to libphonenumber', () => {
  for (const text of [
    '16177361157', // no "+"
    '+0 617 736 1157', // no calling code starts with 0
    '+1  617 736 1157', // two spaces
    '+1 617 736 1157 ', // ends with a space (trimmed before it comes here)
    '+1 (617) 736-1157', // parentheses
    '+1 617 736 1157 ext. 12',
    '+800 1234 5678', // non-geographic
    '+52 1 55 1234 5678', // Mexico: the old mobile "1"
    '+52 55 1234 5678',
    '+1 6', // too short
    '+4420794600019999999999', // too long
    '+44 020 7946 0001', // a national prefix where libphonenumber may strip it
  ])
    assert.equal(internationalNumber(text), null, text);
});
