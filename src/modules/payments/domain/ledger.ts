import { type CalendarDate, daysBetween } from '../../../kernel/index.ts';

/**
 * COL-1: an account's money is an append-only list of entries; everything else — balance, what is
 * open on each invoice, account credit, past-due balance, aging — is derived by replaying it.
 * Amounts are signed minor units: positive is owed by the customer (invoice, refund, a returned
 * payment, a debit adjustment), negative is owed to them (payment, credit note, a void, a credit
 * adjustment).
 */
export type LedgerKind =
  'invoice' | 'invoice_void' | 'payment' | 'payment_return' | 'refund' | 'credit_note' | 'adjustment';

export interface LedgerEntry {
  kind: LedgerKind;
  amount: number;
  /** Effective calendar date (account time zone). */
  date: CalendarDate;
  /** The invoice an 'invoice' or 'invoice_void' entry is, or the invoice a credit is for. */
  invoiceId?: string | null;
  /** Due date of an 'invoice' entry (it may move when the invoice is sent, so it is read at replay). */
  dueDate?: CalendarDate | null;
  /** The payment a 'payment' or 'payment_return' entry belongs to. */
  paymentId?: string | null;
  /** Invoices a payment was made against, paid in this order before any other open item. */
  targets?: readonly string[] | null;
}

/** Something the customer owes: an invoice, or a debit (refund, returned payment) aged from its date. */
export interface OpenItem {
  key: string;
  invoiceId: string | null;
  dueDate: CalendarDate;
  amount: number;
  open: number;
}

export interface LedgerState {
  /** Sum of every entry: positive owed, negative is account credit. */
  balance: number;
  /** Unapplied credit (overpayments, credit notes beyond what was open); never with open items. */
  credit: number;
  items: OpenItem[];
  /** What each payment paid, per item key (a return reopens exactly these). */
  allocations: Map<string, Map<string, number>>;
}

const CREDIT_KINDS: ReadonlySet<LedgerKind> = new Set(['payment', 'credit_note', 'invoice_void']);

/** Replays entries in order. Invariant: sum(open) − credit = balance = sum(amounts). */
export function replayLedger(entries: readonly LedgerEntry[]): LedgerState {
  const items: OpenItem[] = [];
  const byInvoice = new Map<string, OpenItem>();
  const allocations = new Map<string, Map<string, number>>();
  const returned = new Set<string>();
  let credit = 0;
  let balance = 0;

  const apply = (item: OpenItem, available: number, record?: Map<string, number>): number => {
    const take = Math.min(item.open, available);
    if (take <= 0) return 0;
    item.open -= take;
    if (record) record.set(item.key, (record.get(item.key) ?? 0) + take);
    return take;
  };
  const addItem = (item: OpenItem) => {
    items.push(item);
    if (item.invoiceId) byInvoice.set(item.invoiceId, item);
  };
  // Credit never sits beside open items: it pays the oldest first.
  const settleCredit = () => {
    for (const item of items) {
      if (credit <= 0) break;
      credit -= apply(item, credit);
    }
  };

  entries.forEach((e, seq) => {
    balance += e.amount;
    if (e.kind === 'payment_return') {
      const paid = e.paymentId ? allocations.get(e.paymentId) : undefined;
      let rest = e.amount;
      if (e.paymentId && !returned.has(e.paymentId) && paid) {
        returned.add(e.paymentId);
        for (const [key, a] of paid) {
          const item = items.find((i) => i.key === key);
          if (!item) continue;
          const back = Math.min(a, rest);
          item.open += back;
          rest -= back;
        }
      }
      const fromCredit = Math.min(credit, rest);
      credit -= fromCredit;
      rest -= fromCredit;
      if (rest > 0)
        addItem({ key: `debit:${seq}`, invoiceId: null, dueDate: e.date, amount: rest, open: rest });
      settleCredit();
      return;
    }
    if (e.amount > 0) {
      const key = e.kind === 'invoice' && e.invoiceId ? e.invoiceId : `debit:${seq}`;
      const item: OpenItem = {
        key,
        invoiceId: e.kind === 'invoice' ? (e.invoiceId ?? null) : null,
        dueDate: e.kind === 'invoice' ? (e.dueDate ?? e.date) : e.date,
        amount: e.amount,
        open: e.amount,
      };
      addItem(item);
      settleCredit();
      return;
    }
    if (e.amount < 0) {
      let available = -e.amount;
      const record = e.kind === 'payment' && e.paymentId ? new Map<string, number>() : undefined;
      const targets = [
        ...(e.targets ?? []),
        ...(e.invoiceId && CREDIT_KINDS.has(e.kind) ? [e.invoiceId] : []),
      ];
      for (const id of targets) {
        const item = byInvoice.get(id);
        if (item) available -= apply(item, available, record);
      }
      for (const item of items) {
        if (available <= 0) break;
        available -= apply(item, available, record);
      }
      credit += available;
      if (record && e.paymentId) allocations.set(e.paymentId, record);
    }
  });
  return { balance, credit, items, allocations };
}

export interface Aging {
  current: number;
  days1to30: number;
  days31to60: number;
  days61plus: number;
}

export interface AccountPosition {
  balance: number;
  pastDue: number;
  credit: number;
  aging: Aging;
  /** Days past due of the oldest open item that is past due; 0 when nothing is. */
  oldestPastDueDays: number;
  /** Open amount per invoice id (0 = paid). */
  invoiceOpen: Map<string, number>;
}

/** Aging buckets on `asOf`: by days past each item's due date; credit shows as a negative current. */
export function positionOf(state: LedgerState, asOf: CalendarDate): AccountPosition {
  const aging: Aging = { current: -state.credit, days1to30: 0, days31to60: 0, days61plus: 0 };
  let oldest = 0;
  const invoiceOpen = new Map<string, number>();
  for (const item of state.items) {
    if (item.invoiceId) invoiceOpen.set(item.invoiceId, item.open);
    if (item.open <= 0) continue;
    const days = daysBetween(item.dueDate, asOf);
    if (days <= 0) aging.current += item.open;
    else if (days <= 30) aging.days1to30 += item.open;
    else if (days <= 60) aging.days31to60 += item.open;
    else aging.days61plus += item.open;
    if (days > oldest) oldest = days;
  }
  return {
    balance: state.balance,
    pastDue: aging.days1to30 + aging.days31to60 + aging.days61plus,
    credit: state.credit,
    aging,
    oldestPastDueDays: oldest,
    invoiceOpen,
  };
}

/** Balance due now: everything open (credit already netted). */
export const amountDue = (state: LedgerState): number => Math.max(0, state.balance);
