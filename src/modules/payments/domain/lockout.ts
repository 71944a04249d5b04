/** PAY-5: a declined payment can be resubmitted one hour after the decline, not before. */
export const RETRY_AFTER_DECLINE_MS = 60 * 60_000;

/** The instant a new attempt is allowed, or null when it is allowed now. */
export function retryAllowedAt(lastDeclineAt: Date | null, now: Date): Date | null {
  if (!lastDeclineAt) return null;
  const at = new Date(lastDeclineAt.getTime() + RETRY_AFTER_DECLINE_MS);
  return now.getTime() < at.getTime() ? at : null;
}
