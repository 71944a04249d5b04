/**
 * One error type for the whole product. `code` is stable and documented; HTTP statuses and
 * customer-facing wording are mapped from it in one place (src/http/errors.ts).
 */
export const ErrorKind = {
  invalid: 'invalid',
  notFound: 'not_found',
  conflict: 'conflict',
  unauthorized: 'unauthorized',
  forbidden: 'forbidden',
  unavailable: 'unavailable',
  internal: 'internal',
  /** The processor refused a payment (declined card, processor error): HTTP 402. */
  paymentFailed: 'payment_failed',
} as const;
export type ErrorKind = (typeof ErrorKind)[keyof typeof ErrorKind];

export class BillingError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly details: Record<string, unknown>;

  constructor(kind: ErrorKind, code: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'BillingError';
    this.kind = kind;
    this.code = code;
    this.details = details;
  }
}

export const invalid = (code: string, message: string, details?: Record<string, unknown>) =>
  new BillingError(ErrorKind.invalid, code, message, details);
export const notFound = (code: string, message: string, details?: Record<string, unknown>) =>
  new BillingError(ErrorKind.notFound, code, message, details);
export const conflict = (code: string, message: string, details?: Record<string, unknown>) =>
  new BillingError(ErrorKind.conflict, code, message, details);
export const forbidden = (code: string, message: string, details?: Record<string, unknown>) =>
  new BillingError(ErrorKind.forbidden, code, message, details);
export const unauthorized = (code: string, message: string, details?: Record<string, unknown>) =>
  new BillingError(ErrorKind.unauthorized, code, message, details);

export const isBillingError = (e: unknown): e is BillingError => e instanceof BillingError;
