import { SimulatedClock, conflict, invalid } from './kernel/index.ts';
import { billRun, billRunsDue } from './modules/invoicing/index.ts';
import {
  type DeliveryRunResult,
  type InvoiceDelivery,
  deliverInvoices,
  invoiceDeliveryOf,
  nextDeliveryDueAt,
} from './modules/notifications/index.ts';
import type { Runtime } from './runtime.ts';

export interface ScheduledRunReport {
  at: string;
  month: string;
  timeZone: string;
  invoicesCreated: number;
}

/** Invoice e-mails queued and attempted while the clock moved (RUN-7). */
export interface DeliveryReport {
  queued: number;
  attempted: number;
  sent: number;
  retrying: number;
  failed: number;
  bounced: number;
}

export interface AdvanceReport {
  from: string;
  to: string;
  billRuns: ScheduledRunReport[];
  deliveries: DeliveryReport;
}

/** While invoice e-mails are pending, a simulated clock moves in steps of this size. */
export const DELIVERY_STEP_MS = 15 * 60_000;

function addDeliveryRun(report: DeliveryReport, r: DeliveryRunResult) {
  report.queued += r.queue.queued;
  if (!r.dispatch) return;
  report.attempted += r.dispatch.attempted;
  report.sent += r.dispatch.sent;
  report.retrying += r.dispatch.retrying;
  report.failed += r.dispatch.failed;
  report.bounced += r.dispatch.bounced;
}

/** Runs every scheduled billing event in (from, to], in order, with the clock set to each. */
async function runDue(rt: Runtime, from: Date, to: Date, setClock: (at: Date) => void, actor: string) {
  const ctx = rt.ctx(actor);
  const reports: ScheduledRunReport[] = [];
  for (const ev of await billRunsDue(ctx, from, to)) {
    setClock(ev.at);
    const r = await billRun(rt.ctx(actor), { month: ev.month });
    reports.push({
      at: ev.at.toISOString(),
      month: ev.month,
      timeZone: ev.timeZone,
      invoicesCreated: r.invoicesCreated,
    });
  }
  return reports;
}

/**
 * Moves a simulated clock forward to `to`, running each scheduled event on the way (like a test
 * clock): the month's bill run at 00:00 on the 1st in every account time zone, and the invoice
 * e-mails as they come due (when the instance has a mail transport attached).
 */
export function advanceClock(rt: Runtime, to: Date, actor: string): Promise<AdvanceReport> {
  // One advance at a time: a second request waits and then starts from where the first ended.
  const next = advancing.then(() => advanceOnce(rt, to, actor));
  advancing = next.catch(() => undefined);
  return next;
}

let advancing: Promise<unknown> = Promise.resolve();

async function advanceOnce(rt: Runtime, to: Date, actor: string): Promise<AdvanceReport> {
  const clock = rt.clock;
  if (!(clock instanceof SimulatedClock)) {
    throw conflict(
      'real_clock',
      'This instance runs on the real clock; start it with --simulated-clock 2026-07-01 (or TOLLBOOTH_CLOCK=simulated:2026-07-01) to move time.',
    );
  }
  const from = clock.now();
  if (to.getTime() < from.getTime()) {
    throw invalid(
      'clock_backwards',
      `The clock is at ${from.toISOString()} and never moves backwards (asked for ${to.toISOString()}).`,
    );
  }
  const ctx = rt.ctx(actor);
  const delivery = invoiceDeliveryOf(rt);
  const runs = await billRunsDue(ctx, from, to);
  const billRuns: ScheduledRunReport[] = [];
  const deliveries: DeliveryReport = { queued: 0, attempted: 0, sent: 0, retrying: 0, failed: 0, bounced: 0 };
  const deliver = async (sweep = false) =>
    addDeliveryRun(deliveries, await deliverInvoices(rt.ctx(actor), delivery, { sweep }));

  // Whatever was due before the move (and any invoice the outbox cursor may have passed over).
  await deliver(true);
  let next = 0;
  let t = from;
  while (t < to) {
    // The next stop: a bill run's exact instant, the end, or — while e-mails are pending — the
    // next one due, no sooner than a step away (idle stretches are skipped in one jump).
    let stop = to;
    const run = runs[next];
    if (run && run.at < stop) stop = run.at;
    if (delivery) {
      const due = await nextDeliveryDueAt(ctx);
      if (due) {
        const step = new Date(Math.max(due.getTime(), t.getTime() + DELIVERY_STEP_MS));
        if (step < stop) stop = step;
      }
    }
    clock.set(stop);
    t = stop;
    for (let ev = runs[next]; ev && ev.at.getTime() <= t.getTime(); ev = runs[++next]) {
      const r = await billRun(rt.ctx(actor), { month: ev.month });
      billRuns.push({
        at: ev.at.toISOString(),
        month: ev.month,
        timeZone: ev.timeZone,
        invoicesCreated: r.invoicesCreated,
      });
    }
    await deliver();
  }
  clock.set(to);
  await rt.saveClock();
  return { from: from.toISOString(), to: to.toISOString(), billRuns, deliveries };
}

/** On a real clock: checks every `intervalMs` for events that came due since the last check. */
export function startRealClockScheduler(
  rt: Runtime,
  intervalMs = 60_000,
  log: (m: string) => void = () => {},
) {
  // Catch up on start: a run that was due while the instance was down runs now (runs are idempotent).
  let last = new Date(rt.clock.now().getTime() - 35 * 86_400_000);
  let running = false;
  const tick = () => {
    if (running) return;
    running = true;
    const now = rt.clock.now();
    runDue(rt, last, now, () => {}, 'scheduler')
      .then((reports) => {
        last = now;
        for (const r of reports.filter((x) => x.invoicesCreated > 0))
          log(`bill run ${r.month} (${r.timeZone}): ${r.invoicesCreated} invoices`);
      })
      .catch((e: unknown) => log(`scheduler: ${(e as Error).message}`))
      .finally(() => (running = false));
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Invoice e-mails (RUN-7): every `intervalMs`, queues the invoices announced since the last pass
 * and sends the deliveries that are due — on either clock (on a simulated one, what is due at its
 * current time). Every few minutes the whole outbox is re-read, for an invoice whose transaction
 * committed after a later one was read. The returned function stops it and waits for a pass in
 * flight.
 */
export function startDeliveryScheduler(
  rt: Runtime,
  delivery: InvoiceDelivery,
  intervalMs = 15_000,
  log: (m: string) => void = () => {},
): () => Promise<void> {
  const sweepEvery = Math.max(1, Math.round(600_000 / intervalMs));
  let ticks = 0;
  let current: Promise<void> | null = null;
  const tick = () => {
    if (current) return;
    const sweep = ticks++ % sweepEvery === 0;
    current = deliverInvoices(rt.ctx('scheduler'), delivery, { sweep })
      .then(({ queue, dispatch }) => {
        if (queue.beyondWindow > 0)
          log(
            `deliveries: ${queue.beyondWindow} monthly invoice e-mail(s) fall after the window; raise perMinute`,
          );
        const d = dispatch;
        if (queue.queued > 0 || (d && d.attempted > 0))
          log(
            `deliveries: ${queue.queued} queued` +
              (d ? `, ${d.sent} sent, ${d.retrying} to retry, ${d.failed} failed, ${d.bounced} bounced` : ''),
          );
      })
      .catch((e: unknown) => log(`deliveries: ${(e as Error).message}`))
      .finally(() => (current = null));
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await current;
  };
}
