import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BillingError } from '../../../kernel/index.ts';
import {
  abaRoutingValid,
  clabeValid,
  detectBrand,
  luhnValid,
  validateCard,
  validateClabe,
  validateUsBank,
} from './methods.ts';
import { retryAllowedAt } from './lockout.ts';

const code = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof BillingError) return e.code;
    throw e;
  }
  return 'ok';
};

test('PAY-1: brands from the leading digits', () => {
  const cases: [string, string | null][] = [
    ['4242424242424242', 'visa'],
    ['5555555555554444', 'mastercard'],
    ['2223003122003222', 'mastercard'],
    ['378282246310005', 'amex'],
    ['6011111111111117', 'discover'],
    ['6445644564456445', 'discover'],
    ['3530111333300000', 'jcb'],
    ['36227206271667', 'diners'],
    ['6200000000000005', 'unionpay'],
    ['9999999999999995', null],
  ];
  for (const [n, brand] of cases) assert.equal(detectBrand(n), brand, n);
});

test('PAY-1: Luhn check digit', () => {
  assert.equal(luhnValid('4242424242424242'), true, 'valid visa');
  assert.equal(luhnValid('4242424242424241'), false, 'last digit off');
  assert.equal(luhnValid('378282246310005'), true, 'valid amex');
});

test('PAY-1: only Visa, Mastercard, American Express and Discover; number and expiry validated', () => {
  const today = '2026-09-10';
  const card =
    (number: string, expMonth = 12, expYear = 2030) =>
    () =>
      validateCard({ number, expMonth, expYear }, today);
  assert.equal(code(card('4242 4242 4242 4242')), 'ok', 'visa with spaces');
  assert.equal(code(card('378282246310005')), 'ok', 'amex');
  assert.equal(code(card('3530111333300000')), 'card_brand_not_accepted', 'JCB refused');
  assert.equal(code(card('36227206271667')), 'card_brand_not_accepted', 'Diners refused');
  assert.equal(code(card('4242424242424241')), 'invalid_card_number', 'Luhn');
  assert.equal(code(card('42424242')), 'invalid_card_number', 'too short');
  assert.equal(code(card('4242424242424242', 8, 2026)), 'card_expired', 'expired end of August');
  assert.equal(code(card('4242424242424242', 9, 2026)), 'ok', 'valid through the end of September');
  assert.equal(code(card('4242424242424242', 13, 2027)), 'invalid_expiry', 'month 13');
  let message = '';
  try {
    validateCard({ number: '3530111333300000', expMonth: 1, expYear: 2030 }, today);
  } catch (e) {
    message = (e as Error).message;
  }
  assert.match(
    message,
    /JCB cards are not accepted\. We accept Visa, Mastercard, American Express and Discover/,
    message,
  );
  const v = validateCard({ number: '5555555555554444', expMonth: 1, expYear: 2031 }, today);
  assert.deepEqual([v.brand, v.last4], ['mastercard', '4444'], 'brand and last 4');
});

test('PAY-2: ABA routing checksum and CLABE check digit', () => {
  assert.equal(abaRoutingValid('011000015'), true, 'Federal Reserve Boston');
  assert.equal(abaRoutingValid('021000021'), true, 'JPMorgan Chase NY');
  assert.equal(abaRoutingValid('021000022'), false, 'checksum off');
  assert.equal(abaRoutingValid('02100002'), false, '8 digits');
  assert.equal(clabeValid('002010077777777771'), true, 'sample CLABE');
  assert.equal(clabeValid('002010077777777772'), false, 'check digit off');
  assert.equal(clabeValid('00201007777777777'), false, '17 digits');
  assert.equal(
    code(() =>
      validateUsBank({ holderName: 'Acme', routingNumber: '021000021', accountNumber: '000123456789' }),
    ),
    'ok',
    'us bank',
  );
  assert.equal(
    code(() =>
      validateUsBank({ holderName: 'Acme', routingNumber: '021000022', accountNumber: '000123456789' }),
    ),
    'invalid_routing_number',
    'bad routing',
  );
  assert.equal(
    code(() => validateClabe({ holderName: 'Acme', clabe: '002010077777777772' })),
    'invalid_clabe',
    'bad clabe',
  );
});

test('PAY-5: one hour after a decline, not a minute sooner', () => {
  const at = new Date('2026-09-10T05:00:00Z');
  assert.equal(retryAllowedAt(null, at), null, 'no decline');
  assert.equal(
    retryAllowedAt(at, new Date('2026-09-10T05:30:00Z'))?.toISOString(),
    '2026-09-10T06:00:00.000Z',
    '30 minutes later: refused until 06:00',
  );
  assert.equal(retryAllowedAt(at, new Date('2026-09-10T06:00:00Z')), null, 'exactly an hour later');
  assert.equal(retryAllowedAt(at, new Date('2026-09-10T06:01:00Z')), null, '61 minutes later');
});
