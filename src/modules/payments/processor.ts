import { type CalendarDate, addDays, dateInZone, newId } from '../../kernel/index.ts';
import type { ValidCard } from './domain/methods.ts';

/**
 * PAY-8: every charge goes through a processor behind this interface. The processor keeps card
 * and bank details; Tollbooth keeps its token (PAY-2). A charge carries the payment id as the
 * processor's idempotency key, so asking twice never charges twice, and a charge whose answer
 * was lost (timeout) can be looked up later instead of being retried blind.
 */
export type MethodDetails =
  | { type: 'card'; card: ValidCard; holderName?: string | undefined }
  | { type: 'us_bank'; holderName: string; routingNumber: string; accountNumber: string }
  | { type: 'clabe'; holderName: string; clabe: string };

export interface TokenizedMethod {
  token: string;
  brand: string | null;
  last4: string;
  expMonth: number | null;
  expYear: number | null;
}

export interface ChargeRequest {
  paymentId: string;
  token: string;
  amount: number;
  currency: string;
  methodType: 'card' | 'us_bank' | 'clabe';
  /** When the charge is made (the instance clock: simulated in tests). */
  at: Date;
}

export type ChargeOutcome =
  | { outcome: 'succeeded'; processorRef: string }
  /** Bank debits: accepted now, settled (or returned) on `settlesOn`. */
  | { outcome: 'processing'; processorRef: string; settlesOn: CalendarDate }
  | { outcome: 'declined'; code: 'generic_decline' | 'insufficient_funds' | 'expired_card'; message: string }
  | { outcome: 'error'; message: string };

export type Settlement =
  { status: 'pending' } | { status: 'settled' } | { status: 'returned'; code: string; message: string };

export class ProcessorTimeout extends Error {
  constructor(paymentId: string) {
    super(`The processor did not answer for payment ${paymentId}.`);
    this.name = 'ProcessorTimeout';
  }
}

export interface PaymentProcessor {
  readonly name: string;
  tokenize(details: MethodDetails, at: Date): Promise<TokenizedMethod>;
  /** May throw ProcessorTimeout: the charge may or may not have happened. */
  charge(req: ChargeRequest): Promise<ChargeOutcome>;
  /** What became of a charge (null: the processor never saw it). */
  lookup(req: ChargeRequest): Promise<ChargeOutcome | null>;
  /** Bank debits: whether the money arrived or came back. */
  settlement(req: ChargeRequest, today: CalendarDate): Promise<Settlement>;
}

/**
 * Well-known test numbers of the simulated processor (the demo and tests use them). Any other
 * valid card of an accepted brand succeeds.
 */
export const TEST_CARDS = {
  visa: '4242424242424242',
  mastercard: '5555555555554444',
  amex: '378282246310005',
  discover: '6011111111111117',
  genericDecline: '4000000000000002',
  insufficientFunds: '4000000000009995',
  expiredCard: '4000000000000069',
  processorError: '4000000000000119',
  timeout: '4000000000000259',
} as const;

/** US bank accounts and CLABEs whose account part ends in 0002 are returned (R01) at settlement. */
export const RETURNED_BANK_SUFFIX = '0002';
export const BANK_SETTLEMENT_DAYS = 3;

type Behaviour = 'ok' | 'decline' | 'funds' | 'expired' | 'error' | 'timeout' | 'return';

const CARD_BEHAVIOUR: Record<string, Behaviour> = {
  [TEST_CARDS.genericDecline]: 'decline',
  [TEST_CARDS.insufficientFunds]: 'funds',
  [TEST_CARDS.expiredCard]: 'expired',
  [TEST_CARDS.processorError]: 'error',
  [TEST_CARDS.timeout]: 'timeout',
};

const behaviourOf = (token: string): Behaviour => (token.split('_')[2] as Behaviour | undefined) ?? 'ok';

/**
 * The built-in processor: stateless (the behaviour is in the token), so lookups and settlements
 * give the same answer after a restart. It counts the charges it is asked for, per payment, so
 * tests can prove nothing is charged twice.
 */
export class SimulatedProcessor implements PaymentProcessor {
  readonly name = 'simulated';
  readonly charges = new Map<string, number>();

  async tokenize(details: MethodDetails, at: Date): Promise<TokenizedMethod> {
    const id = newId('x', at).slice(2);
    if (details.type === 'card') {
      const b = CARD_BEHAVIOUR[details.card.number] ?? 'ok';
      return {
        token: `tok_sim_${b}_${id}`,
        brand: details.card.brand,
        last4: details.card.last4,
        expMonth: details.card.expMonth,
        expYear: details.card.expYear,
      };
    }
    const account = details.type === 'us_bank' ? details.accountNumber : details.clabe.slice(0, 17);
    const b: Behaviour = account.endsWith(RETURNED_BANK_SUFFIX) ? 'return' : 'ok';
    const last4 = details.type === 'us_bank' ? account.slice(-4) : details.clabe.slice(-4);
    return { token: `tok_sim_${b}_${id}`, brand: null, last4, expMonth: null, expYear: null };
  }

  #outcome(req: ChargeRequest): ChargeOutcome {
    const ref = `sim_${req.paymentId}`;
    switch (behaviourOf(req.token)) {
      case 'decline':
        return { outcome: 'declined', code: 'generic_decline', message: 'The card was declined.' };
      case 'funds':
        return {
          outcome: 'declined',
          code: 'insufficient_funds',
          message: 'The card has insufficient funds.',
        };
      case 'expired':
        return { outcome: 'declined', code: 'expired_card', message: 'The card has expired.' };
      case 'error':
        return {
          outcome: 'error',
          message: 'The processor could not complete the payment; nothing was charged.',
        };
      default:
        if (req.methodType !== 'card') {
          const settlesOn = addDays(dateInZone(req.at, 'UTC'), BANK_SETTLEMENT_DAYS);
          return { outcome: 'processing', processorRef: ref, settlesOn };
        }
        return { outcome: 'succeeded', processorRef: ref };
    }
  }

  async charge(req: ChargeRequest): Promise<ChargeOutcome> {
    this.charges.set(req.paymentId, (this.charges.get(req.paymentId) ?? 0) + 1);
    // A timeout card is charged, but the answer is lost on the way back.
    if (behaviourOf(req.token) === 'timeout') throw new ProcessorTimeout(req.paymentId);
    return this.#outcome(req);
  }

  async lookup(req: ChargeRequest): Promise<ChargeOutcome | null> {
    if (!this.charges.has(req.paymentId) && behaviourOf(req.token) !== 'timeout') return null;
    return this.#outcome(req);
  }

  async settlement(req: ChargeRequest, today: CalendarDate): Promise<Settlement> {
    const due = addDays(dateInZone(req.at, 'UTC'), BANK_SETTLEMENT_DAYS);
    if (today < due) return { status: 'pending' };
    if (behaviourOf(req.token) === 'return') {
      return {
        status: 'returned',
        code: 'R01',
        message: 'Insufficient funds (R01): the bank returned the debit.',
      };
    }
    return { status: 'settled' };
  }

  /** Charges asked for (each payment id counted once per call). */
  get totalCharges(): number {
    let n = 0;
    for (const c of this.charges.values()) n += c;
    return n;
  }
}

let current: PaymentProcessor = new SimulatedProcessor();

/** The processor every payment goes through (the composition root may plug in a real one). */
export const paymentProcessor = (): PaymentProcessor => current;
export function usePaymentProcessor(p: PaymentProcessor): void {
  current = p;
}
