import { type CalendarDate, dateParts, invalid } from '../../../kernel/index.ts';

/** PAY-1: the only card brands accepted. */
export const ACCEPTED_BRANDS = ['visa', 'mastercard', 'amex', 'discover'] as const;
export type CardBrand = (typeof ACCEPTED_BRANDS)[number];

const BRAND_NAMES: Record<string, string> = {
  visa: 'Visa',
  mastercard: 'Mastercard',
  amex: 'American Express',
  discover: 'Discover',
  jcb: 'JCB',
  diners: 'Diners Club',
  unionpay: 'UnionPay',
  maestro: 'Maestro',
  mir: 'Mir',
};
export const brandName = (brand: string): string => BRAND_NAMES[brand] ?? brand;

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

const inRange = (n: string, len: number, lo: number, hi: number) => {
  const p = Number(n.slice(0, len));
  return p >= lo && p <= hi;
};

/** The network a card number belongs to, from its leading digits and length (null: unknown). */
export function detectBrand(n: string): string | null {
  const len = n.length;
  if (/^4/.test(n) && [13, 16, 19].includes(len)) return 'visa';
  if ((inRange(n, 2, 51, 55) || inRange(n, 4, 2221, 2720)) && len === 16) return 'mastercard';
  if (/^3[47]/.test(n) && len === 15) return 'amex';
  if (/^(6011|65|64[4-9])/.test(n) && len >= 16 && len <= 19) return 'discover';
  if (inRange(n, 6, 622126, 622925) && len >= 16 && len <= 19) return 'discover';
  if (inRange(n, 4, 3528, 3589) && len >= 16 && len <= 19) return 'jcb';
  if (/^(36|38|30[0-5])/.test(n) && len >= 14 && len <= 19) return 'diners';
  if (/^62/.test(n) && len >= 16 && len <= 19) return 'unionpay';
  if (/^220[0-4]/.test(n) && len >= 16 && len <= 19) return 'mir';
  if (/^(5018|5020|5038|6304|6759|676[1-3])/.test(n) && len >= 12 && len <= 19) return 'maestro';
  return null;
}

export interface CardInput {
  number: string;
  expMonth: number;
  expYear: number;
  cvc?: string;
  holderName?: string;
}

export interface ValidCard {
  number: string;
  brand: CardBrand;
  last4: string;
  expMonth: number;
  expYear: number;
}

/** PAY-1/PAY-2: brand accepted, Luhn check digit right, not expired on `today`. */
export function validateCard(input: CardInput, today: CalendarDate): ValidCard {
  const number = String(input.number ?? '').replace(/[\s-]/g, '');
  if (!/^\d{12,19}$/.test(number)) {
    throw invalid('invalid_card_number', 'A card number has 12 to 19 digits.');
  }
  const brand = detectBrand(number);
  if (brand === null || !(ACCEPTED_BRANDS as readonly string[]).includes(brand)) {
    const which = brand ? `${brandName(brand)} cards are` : 'This card is';
    throw invalid(
      'card_brand_not_accepted',
      `${which} not accepted. We accept Visa, Mastercard, American Express and Discover.`,
      { brand },
    );
  }
  if (!luhnValid(number)) {
    throw invalid('invalid_card_number', 'The card number is not valid: check the digits.');
  }
  const { expMonth, expYear } = input;
  if (!Number.isInteger(expMonth) || expMonth < 1 || expMonth > 12) {
    throw invalid('invalid_expiry', 'The expiry month must be 1 to 12.');
  }
  if (!Number.isInteger(expYear) || expYear < 2000 || expYear > 2100) {
    throw invalid('invalid_expiry', 'The expiry year must have four digits, e.g. 2028.');
  }
  const t = dateParts(today);
  if (expYear < t.year || (expYear === t.year && expMonth < t.month)) {
    throw invalid(
      'card_expired',
      `The card expired at the end of ${String(expMonth).padStart(2, '0')}/${expYear}.`,
    );
  }
  if (input.cvc !== undefined && !/^\d{3,4}$/.test(input.cvc)) {
    throw invalid('invalid_cvc', 'The security code has 3 or 4 digits.');
  }
  return { number, brand: brand as CardBrand, last4: number.slice(-4), expMonth, expYear };
}

/** ABA routing number: 9 digits, 3·(d1+d4+d7) + 7·(d2+d5+d8) + (d3+d6+d9) ≡ 0 (mod 10). */
export function abaRoutingValid(routing: string): boolean {
  if (!/^\d{9}$/.test(routing)) return false;
  const d = [...routing].map(Number);
  const s = 3 * (d[0]! + d[3]! + d[6]!) + 7 * (d[1]! + d[4]! + d[7]!) + (d[2]! + d[5]! + d[8]!);
  return s % 10 === 0;
}

/** CLABE: 18 digits; the last is (10 − Σ(dᵢ·wᵢ mod 10) mod 10) mod 10 with weights 3, 7, 1. */
export function clabeValid(clabe: string): boolean {
  if (!/^\d{18}$/.test(clabe)) return false;
  const w = [3, 7, 1];
  let s = 0;
  for (let i = 0; i < 17; i++) s += (Number(clabe[i]) * w[i % 3]!) % 10;
  return (10 - (s % 10)) % 10 === Number(clabe[17]);
}

export interface UsBankInput {
  holderName: string;
  routingNumber: string;
  accountNumber: string;
}
export interface ClabeInput {
  holderName: string;
  clabe: string;
}

export function validateUsBank(input: UsBankInput): UsBankInput {
  const routingNumber = String(input.routingNumber ?? '').trim();
  const accountNumber = String(input.accountNumber ?? '').replace(/[\s-]/g, '');
  if (!input.holderName?.trim()) throw invalid('holder_name_required', 'Give the account holder name.');
  if (!abaRoutingValid(routingNumber)) {
    throw invalid('invalid_routing_number', 'The routing number is not a valid 9-digit ABA number.');
  }
  if (!/^\d{4,17}$/.test(accountNumber)) {
    throw invalid('invalid_account_number', 'A US bank account number has 4 to 17 digits.');
  }
  return { holderName: input.holderName.trim(), routingNumber, accountNumber };
}

export function validateClabe(input: ClabeInput): ClabeInput {
  const clabe = String(input.clabe ?? '').replace(/\s/g, '');
  if (!input.holderName?.trim()) throw invalid('holder_name_required', 'Give the account holder name.');
  if (!/^\d{18}$/.test(clabe)) throw invalid('invalid_clabe', 'A CLABE has 18 digits.');
  if (!clabeValid(clabe)) throw invalid('invalid_clabe', 'The CLABE check digit does not match.');
  return { holderName: input.holderName.trim(), clabe };
}
