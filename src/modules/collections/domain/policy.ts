import { type CalendarDate, daysBetween } from '../../../kernel/index.ts';

/**
 * COL-2..4 as data: the dunning schedule (days relative to an invoice's due date: negative is a
 * reminder before it, positive a notice after it), the suspension day (default 30 days past due,
 * a decision: the seeds do not give it) and the day from which deactivation is allowed (more than
 * 60 days past due).
 */
export interface DunningStep {
  days: number;
  kind: 'reminder' | 'past_due' | 'suspension_warning' | 'suspension' | 'deactivation_warning';
}

export interface CollectionPolicy {
  schedule: DunningStep[];
  suspendAfterDays: number;
  /** Deactivation is allowed when the oldest past-due item is more than this many days late. */
  deactivateAfterDays: number;
  /** Deactivate automatically when allowed (default off: staff decide, COL-4 "may be deactivated"). */
  autoDeactivate: boolean;
}

export const DEFAULT_POLICY: CollectionPolicy = {
  schedule: [
    { days: -5, kind: 'reminder' },
    { days: 1, kind: 'past_due' },
    { days: 15, kind: 'past_due' },
    { days: 25, kind: 'suspension_warning' },
    { days: 30, kind: 'suspension' },
    { days: 50, kind: 'deactivation_warning' },
  ],
  suspendAfterDays: 30,
  deactivateAfterDays: 60,
  autoDeactivate: false,
};

export function resolvePolicy(stored: Partial<CollectionPolicy> | null | undefined): CollectionPolicy {
  const p = { ...DEFAULT_POLICY, ...(stored ?? {}) };
  return { ...p, schedule: [...p.schedule].sort((a, b) => a.days - b.days) };
}

export type CollectionStatus = 'active' | 'suspended' | 'deactivated' | 'cancelled';

export interface CollectionFacts {
  status: CollectionStatus;
  pastDue: number;
  oldestPastDueDays: number;
}

/** What the daily check does to an account's status. Reactivating a deactivated one is staff's. */
export function statusDecision(
  f: CollectionFacts,
  policy: CollectionPolicy,
): 'suspend' | 'reactivate' | 'deactivate' | null {
  if (f.status === 'cancelled') return null;
  if (f.status === 'suspended' && f.pastDue <= 0) return 'reactivate';
  if (f.pastDue <= 0 || f.status === 'deactivated') return null;
  if (policy.autoDeactivate && f.oldestPastDueDays > policy.deactivateAfterDays) return 'deactivate';
  if (f.status === 'active' && f.oldestPastDueDays >= policy.suspendAfterDays) return 'suspend';
  return null;
}

export const deactivationAllowed = (f: CollectionFacts, policy: CollectionPolicy): boolean =>
  f.pastDue > 0 && f.oldestPastDueDays > policy.deactivateAfterDays;

export interface OpenInvoiceFacts {
  invoiceId: string;
  number: string;
  dueDate: CalendarDate;
  open: number;
}

export interface Notice {
  key: string;
  invoiceId: string;
  number: string;
  kind: DunningStep['kind'];
  daysPastDue: number;
  amount: number;
}

/**
 * The notices due today: for each open invoice, the latest step of the schedule it has reached,
 * unless that step was already sent (a day missed sends only the latest, not a burst).
 */
export function noticesDue(
  invoices: readonly OpenInvoiceFacts[],
  today: CalendarDate,
  policy: CollectionPolicy,
  sent: ReadonlySet<string>,
): Notice[] {
  const out: Notice[] = [];
  for (const inv of invoices) {
    if (inv.open <= 0) continue;
    const dpd = daysBetween(inv.dueDate, today);
    const reached = policy.schedule.filter((s) => s.days <= dpd && (s.days > 0 || dpd <= 0));
    const step = reached[reached.length - 1];
    if (!step) continue;
    const key = `${inv.invoiceId}:${step.days}`;
    if (sent.has(key)) continue;
    out.push({
      key,
      invoiceId: inv.invoiceId,
      number: inv.number,
      kind: step.kind,
      daysPastDue: dpd,
      amount: inv.open,
    });
  }
  return out;
}
