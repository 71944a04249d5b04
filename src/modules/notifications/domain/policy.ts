// Pure rules of invoice delivery: the throttle (RUN-7), the retry policy and how an SMTP failure is
// read. No I/O, no clock: instants come in as arguments.

/** The delivery rules, stored as data (delivery_state.settings) and edited by staff. */
export interface DeliverySettings {
  /** RUN-7: monthly invoice e-mails sent per minute across the instance (may be fractional). */
  perMinute: number;
  /** RUN-7: the last day of the month the batch should reach (the window ends at its midnight). */
  windowLastDay: number;
  /** Attempts before a delivery is given up as failed. */
  maxAttempts: number;
  /** Cap of the exponential backoff between attempts. */
  maxBackoffMinutes: number;
  /**
   * A monthly invoice first seen more than this many days after its window closed (back-billing,
   * history loaded into a new instance) is not e-mailed on its own; staff can still resend it.
   */
  catchUpDays: number;
}

/** The defaults, also written as data by the migration: 10,000 invoices take about 3.5 days. */
export const DEFAULT_DELIVERY_SETTINGS: DeliverySettings = {
  perMinute: 2,
  windowLastDay: 5,
  maxAttempts: 12,
  maxBackoffMinutes: 360,
  catchUpDays: 30,
};

const LIMITS: Record<keyof DeliverySettings, { min: number; max: number; integer: boolean }> = {
  perMinute: { min: 0.01, max: 10_000, integer: false },
  windowLastDay: { min: 1, max: 28, integer: true },
  maxAttempts: { min: 1, max: 100, integer: true },
  maxBackoffMinutes: { min: 1, max: 10_080, integer: true },
  catchUpDays: { min: 0, max: 366, integer: true },
};

/** Stored settings over the defaults (a stored value out of range falls back to its default). */
export function resolveSettings(stored: Record<string, unknown>): DeliverySettings {
  const out = { ...DEFAULT_DELIVERY_SETTINGS };
  for (const key of Object.keys(LIMITS) as (keyof DeliverySettings)[]) {
    const v = stored[key];
    if (typeof v === 'number' && settingProblem(key, v) === null) out[key] = v;
  }
  return out;
}

export function settingProblem(key: keyof DeliverySettings, value: number): string | null {
  const l = LIMITS[key];
  if (!Number.isFinite(value) || value < l.min || value > l.max || (l.integer && !Number.isInteger(value))) {
    return `${key} must be ${l.integer ? 'a whole number' : 'a number'} from ${l.min} to ${l.max}.`;
  }
  return null;
}

export const isDeliverySettingKey = (k: string): k is keyof DeliverySettings => k in LIMITS;

// ---- throttle ---------------------------------------------------------------------------------

export interface WindowCursor {
  /** Slots already reserved in the month's window (the next slot's number). */
  slotsTaken: number;
  /** When the next slot opens. */
  nextAt: Date;
}

export interface SlotRequest {
  /** 00:00 of the issue date in the account's time zone: nothing goes out before. */
  windowStart: Date;
  /** Midnight ending the window's last day in the account's time zone. */
  windowEnd: Date;
}

export interface Slot {
  slot: number;
  notBefore: Date;
  /** The slot falls after the window although the window was still open. */
  beyondWindow: boolean;
}

/**
 * RUN-7: consecutive slots at `perMinute` across the whole instance, so the batch is spread over
 * the window instead of leaving in a burst. A slot never opens before the account's window starts
 * nor in the past (a pause is not caught up with a burst).
 */
export function reserveSlots(
  cursor: WindowCursor,
  requests: readonly SlotRequest[],
  perMinute: number,
  now: Date,
): { slots: Slot[]; cursor: WindowCursor } {
  const interval = 60_000 / perMinute;
  let next = cursor.nextAt.getTime();
  let slotsTaken = cursor.slotsTaken;
  const slots = requests.map((r) => {
    const at = Math.max(next, now.getTime(), r.windowStart.getTime());
    next = at + interval;
    // Past the end of a window that was still open: the rate is too low for the batch. (An
    // invoice first seen after its window closed is merely late.)
    const beyondWindow = at >= r.windowEnd.getTime() && now.getTime() < r.windowEnd.getTime();
    return { slot: slotsTaken++, notBefore: new Date(at), beyondWindow };
  });
  return { slots, cursor: { slotsTaken, nextAt: new Date(next) } };
}

// ---- retries ----------------------------------------------------------------------------------

/** Exponential backoff after the n-th failed attempt: 1, 2, 4 … minutes, capped. */
export function retryDelayMs(attempt: number, maxBackoffMinutes: number): number {
  const minutes = Math.min(2 ** Math.max(0, attempt - 1), maxBackoffMinutes);
  return minutes * 60_000;
}

export type FailureKind = 'transient' | 'permanent';

export interface SmtpFailure {
  kind: FailureKind;
  /** The server's reply, when it gave one ("550 5.1.1 No such user"). */
  response: string | null;
  message: string;
}

/**
 * How an error from the mail transport is read: the receiving server's permanent rejection of the
 * recipients or the message (5xx) bounces; anything else — refused or dropped connection, timeout,
 * a temporary 4xx, our own credentials refused — is retried.
 */
export function classifySmtpFailure(error: unknown): SmtpFailure {
  const e = (error ?? {}) as {
    code?: unknown;
    responseCode?: unknown;
    response?: unknown;
    message?: unknown;
  };
  const message = typeof e.message === 'string' ? e.message : String(error);
  const response = typeof e.response === 'string' ? e.response : null;
  const status = typeof e.responseCode === 'number' ? e.responseCode : null;
  const permanent = status !== null && status >= 500 && status < 600 && e.code !== 'EAUTH';
  return { kind: permanent ? 'permanent' : 'transient', response, message };
}
