// COL-1 property tests: whatever the sequence of invoices, full and partial payments, refunds,
// returned payments and credit notes, the derived position agrees with the sum of the ledger.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { addDays } from '../../../kernel/index.ts';
import { type LedgerEntry, amountDue, positionOf, replayLedger } from './ledger.ts';

type Op =
  | { op: 'invoice'; amount: number }
  | { op: 'payFull' }
  | { op: 'payPartial'; pct: number }
  | { op: 'overpay'; extra: number }
  | { op: 'payInvoice'; pick: number; pct: number }
  | { op: 'refund'; pct: number }
  | { op: 'return'; pick: number }
  | { op: 'creditNote'; pick: number; pct: number }
  | { op: 'adjustment'; amount: number }
  | { op: 'void'; pick: number };

const amount = fc.integer({ min: 1, max: 500_000 });
const pct = fc.integer({ min: 1, max: 100 });
const pick = fc.nat({ max: 1000 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('invoice' as const), amount }),
  fc.record({ op: fc.constant('payFull' as const) }),
  fc.record({ op: fc.constant('payPartial' as const), pct }),
  fc.record({ op: fc.constant('overpay' as const), extra: amount }),
  fc.record({ op: fc.constant('payInvoice' as const), pick, pct }),
  fc.record({ op: fc.constant('refund' as const), pct }),
  fc.record({ op: fc.constant('return' as const), pick }),
  fc.record({ op: fc.constant('creditNote' as const), pick, pct }),
  fc.record({ op: fc.constant('adjustment' as const), amount: fc.integer({ min: -50_000, max: 50_000 }) }),
  fc.record({ op: fc.constant('void' as const), pick }),
);

/** Turns operations into ledger entries the way the use cases do (a day apart each). */
function build(ops: Op[]): LedgerEntry[] {
  const entries: LedgerEntry[] = [];
  const invoices: string[] = [];
  const voided = new Set<string>();
  const payments: { id: string; amount: number; returned: boolean }[] = [];
  let date = '2026-01-01';
  const pay = (amt: number, targets: string[] = []) => {
    if (amt <= 0) return;
    const id = `pay${entries.length}`;
    payments.push({ id, amount: amt, returned: false });
    entries.push({ kind: 'payment', amount: -amt, date, paymentId: id, targets });
  };
  for (const o of ops) {
    date = addDays(date, 1);
    const state = replayLedger(entries);
    const due = amountDue(state);
    switch (o.op) {
      case 'invoice': {
        const id = `inv${entries.length}`;
        invoices.push(id);
        entries.push({ kind: 'invoice', amount: o.amount, date, invoiceId: id, dueDate: addDays(date, 15) });
        break;
      }
      case 'payFull':
        pay(due);
        break;
      case 'payPartial':
        pay(Math.floor((due * o.pct) / 100));
        break;
      case 'overpay':
        pay(due + o.extra);
        break;
      case 'payInvoice': {
        if (invoices.length === 0) break;
        const id = invoices[o.pick % invoices.length]!;
        const open = positionOf(state, date).invoiceOpen.get(id) ?? 0;
        pay(Math.floor((open * o.pct) / 100), [id]);
        break;
      }
      case 'refund': {
        const r = Math.floor((state.credit * o.pct) / 100);
        if (r > 0) entries.push({ kind: 'refund', amount: r, date });
        break;
      }
      case 'return': {
        const open = payments.filter((p) => !p.returned);
        if (open.length === 0) break;
        const p = open[o.pick % open.length]!;
        p.returned = true;
        entries.push({ kind: 'payment_return', amount: p.amount, date, paymentId: p.id });
        break;
      }
      case 'creditNote': {
        if (invoices.length === 0) break;
        const id = invoices[o.pick % invoices.length]!;
        const inv = entries.find((e) => e.kind === 'invoice' && e.invoiceId === id)!;
        const c = Math.max(1, Math.floor((inv.amount * o.pct) / 100));
        entries.push({ kind: 'credit_note', amount: -c, date, invoiceId: id });
        break;
      }
      case 'adjustment':
        if (o.amount !== 0) entries.push({ kind: 'adjustment', amount: o.amount, date });
        break;
      case 'void': {
        const candidates = invoices.filter((i) => !voided.has(i));
        if (candidates.length === 0) break;
        const id = candidates[o.pick % candidates.length]!;
        const inv = entries.find((e) => e.kind === 'invoice' && e.invoiceId === id)!;
        voided.add(id);
        entries.push({ kind: 'invoice_void', amount: -inv.amount, date, invoiceId: id });
        break;
      }
    }
  }
  return entries;
}

const sumOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

test('COL-1: balance = sum of the ledger; open items − credit = balance; aging sums to the balance', () => {
  fc.assert(
    fc.property(
      fc.array(opArb, { minLength: 1, maxLength: 80, size: 'max' }),
      fc.integer({ min: 0, max: 200 }),
      (ops, later) => {
        const entries = build(ops);
        const state = replayLedger(entries);
        const asOf = addDays('2026-01-01', ops.length + later);
        const pos = positionOf(state, asOf);
        const ledgerSum = sumOf(entries.map((e) => e.amount));
        assert.equal(state.balance, ledgerSum, 'balance is the sum of the ledger');
        assert.equal(
          sumOf(state.items.map((i) => i.open)) - state.credit,
          ledgerSum,
          'open − credit = balance',
        );
        const a = pos.aging;
        assert.equal(
          a.current + a.days1to30 + a.days31to60 + a.days61plus,
          ledgerSum,
          'aging sums to balance',
        );
        assert.equal(
          pos.pastDue,
          a.days1to30 + a.days31to60 + a.days61plus,
          'past due is the overdue buckets',
        );
        assert.ok(state.credit >= 0, 'credit is never negative');
        for (const i of state.items) {
          assert.ok(i.open >= 0 && i.open <= i.amount, `item ${i.key} open ${i.open} within 0..${i.amount}`);
        }
        if (state.credit > 0) {
          assert.equal(sumOf(state.items.map((i) => i.open)), 0, 'credit never sits beside open items');
        }
      },
    ),
    { numRuns: 400 },
  );
});

test('COL-1: an overpayment becomes account credit that the next invoice consumes', () => {
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 40, size: 'max' }), amount, amount, (ops, extra, next) => {
      const entries = build(ops);
      const before = replayLedger(entries);
      const due = amountDue(before);
      const creditBefore = before.credit;
      entries.push({ kind: 'payment', amount: -(due + extra), date: '2027-01-01', paymentId: 'over' });
      const after = replayLedger(entries);
      assert.equal(after.credit, creditBefore + extra, 'the excess over the balance due is account credit');
      assert.equal(amountDue(after), 0, 'nothing is due after paying more than the balance');
      entries.push({
        kind: 'invoice',
        amount: next,
        date: '2027-01-02',
        invoiceId: 'next',
        dueDate: '2027-01-17',
      });
      const last = replayLedger(entries);
      const open = last.items.find((i) => i.invoiceId === 'next')!.open;
      assert.equal(open, Math.max(0, next - after.credit), 'the next invoice is paid from the credit first');
      assert.equal(last.credit, Math.max(0, after.credit - next), 'what credit is left is still credit');
    }),
    { numRuns: 300 },
  );
});

test('a returned payment reopens exactly what it paid', () => {
  const entries: LedgerEntry[] = [
    { kind: 'invoice', amount: 10_000, date: '2026-09-01', invoiceId: 'a', dueDate: '2026-09-16' },
    { kind: 'payment', amount: -10_000, date: '2026-09-05', paymentId: 'p', targets: ['a'] },
  ];
  assert.equal(positionOf(replayLedger(entries), '2026-09-06').invoiceOpen.get('a'), 0, 'paid');
  entries.push({ kind: 'payment_return', amount: 10_000, date: '2026-09-09', paymentId: 'p' });
  const pos = positionOf(replayLedger(entries), '2026-09-20');
  assert.equal(pos.invoiceOpen.get('a'), 10_000, 'reopened');
  assert.equal(pos.aging.days1to30, 10_000, 'aged from its own due date: 4 days past due');
});

test('aging buckets: current, 1–30, 31–60, 61+ by days past the due date', () => {
  const inv = (id: string, amt: number, due: string): LedgerEntry => ({
    kind: 'invoice',
    amount: amt,
    date: '2026-01-01',
    invoiceId: id,
    dueDate: due,
  });
  const pos = positionOf(
    replayLedger([
      inv('a', 100, '2026-06-30'), // 62 days on 31 Aug → 61+
      inv('b', 200, '2026-07-01'), // 61 → 61+
      inv('c', 300, '2026-07-02'), // 60 → 31–60
      inv('d', 400, '2026-08-01'), // 30 → 1–30
      inv('e', 500, '2026-08-30'), // 1 → 1–30
      inv('f', 600, '2026-08-31'), // 0 → current
    ]),
    '2026-08-31',
  );
  assert.deepEqual(pos.aging, { current: 600, days1to30: 900, days31to60: 300, days61plus: 300 }, 'buckets');
  assert.equal(pos.oldestPastDueDays, 62, 'oldest past due');
  assert.equal(pos.pastDue, 1500, 'past due');
});
