import { SimulatedClock, conflict, invalid } from './kernel/index.ts';
import { billRun, billRunsDue, rentalRun, rentalRunsDue } from './modules/invoicing/index.ts';
import {
  type DeliveryRunResult,
  type InvoiceDelivery,
  deliverInvoices,
  invoiceDeliveryOf,
  nextDeliveryDueAt,
} from './modules/notifications/index.ts';
import {
  type CollectionsRunResult,
  collectionsRunsDue,
  runCollections,
} from './modules/collections/index.ts';
import type { Runtime } from './runtime.ts';

export interface ScheduledRunReport {
  at: string;
  month: string;
  timeZone: string;
  invoicesCreated: number;
  /** 'rental' for a rental run (RUN-10); absent for the monthly bill run. */
  kind?: 'rental';
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

/** The daily collections checks run while the clock moved (PAY-6 autopay, COL-2..4). */
export interface CollectionsReport {
  runs: number;
  notices: number;
  suspended: number;
  reactivated: number;
  deactivated: number;
  autopayAttempted: number;
  autopayFailed: number;
}

export interface AdvanceReport {
  from: string;
  to: string;
  billRuns: ScheduledRunReport[];
  /** RUN-10: rental invoices, on the entity's rental business day at 00:00 in each time zone. */
  rentalRuns: ScheduledRunReport[];
  deliveries: DeliveryReport;
  collections: CollectionsReport;
}

function addCollectionsRun(report: CollectionsReport, r: CollectionsRunResult) {
  report.runs++;
  report.notices += r.notices;
  report.suspended += r.suspended;
  report.reactivated += r.reactivated;
  report.deactivated += r.deactivated;
  report.autopayAttempted += r.autopay.attempted;
  report.autopayFailed += r.autopay.failed;
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
  for (const ev of await rentalRunsDue(ctx, from, to)) {
    setClock(ev.at);
    const r = await rentalRun(rt.ctx(actor), { month: ev.month });
    reports.push({
      at: ev.at.toISOString(),
      month: ev.month,
      timeZone: ev.timeZone,
      invoicesCreated: r.invoicesCreated,
      kind: 'rental',
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
  const rentals = await rentalRunsDue(ctx, from, to);
  let nextRental = 0;
  const rentalRuns: ScheduledRunReport[] = [];
  // The daily collections check at 00:00 in each account time zone (after that instant's bill run).
  const daily = await collectionsRunsDue(ctx, from, to);
  let nextDaily = 0;
  const collections: CollectionsReport = {
    runs: 0,
    notices: 0,
    suspended: 0,
    reactivated: 0,
    deactivated: 0,
    autopayAttempted: 0,
    autopayFailed: 0,
  };
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
    const rental = rentals[nextRental];
    if (rental && rental.at < stop) stop = rental.at;
    const day = daily[nextDaily];
    if (day && day.at < stop) stop = day.at;
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
    for (let ev = rentals[nextRental]; ev && ev.at.getTime() <= t.getTime(); ev = rentals[++nextRental]) {
      const r = await rentalRun(rt.ctx(actor), { month: ev.month });
      rentalRuns.push({
        at: ev.at.toISOString(),
        month: ev.month,
        timeZone: ev.timeZone,
        invoicesCreated: r.invoicesCreated,
      });
    }
    for (let ev = daily[nextDaily]; ev && ev.at.getTime() <= t.getTime(); ev = daily[++nextDaily]) {
      addCollectionsRun(collections, await runCollections(rt.ctx(actor), { timeZones: [ev.timeZone] }));
    }
    await deliver();
  }
  clock.set(to);
  await rt.saveClock();
  return { from: from.toISOString(), to: to.toISOString(), billRuns, rentalRuns, deliveries, collections };
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
          log(
            `${r.kind === 'rental' ? 'rental run' : 'bill run'} ${r.month} (${r.timeZone}): ${r.invoicesCreated} invoices`,
          );
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
  return everyInterval(intervalMs, () => {
    const sweep = ticks++ % sweepEvery === 0;
    return deliverInvoices(rt.ctx('scheduler'), delivery, { sweep })
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
      .catch((e: unknown) => log(`deliveries: ${(e as Error).message}`));
  });
}

/**
 * Collections on either clock (PAY-6, PAY-7, COL-2..4): every `intervalMs`, the payment janitor,
 * autopay (on the 10th), dunning notices, suspension and reactivation for every account. Each
 * pass is idempotent, so running it often (or on several workers) changes nothing twice.
 */
export function startCollectionsScheduler(
  rt: Runtime,
  intervalMs = 15 * 60_000,
  log: (m: string) => void = () => {},
): () => Promise<void> {
  return everyInterval(intervalMs, () =>
    runCollections(rt.ctx('scheduler'))
      .then((r) => {
        if (r.notices || r.suspended || r.reactivated || r.deactivated || r.autopay.attempted)
          log(
            `collections: ${r.autopay.attempted} autopay (${r.autopay.failed} failed), ${r.notices} notices, ` +
              `${r.suspended} suspended, ${r.reactivated} reactivated, ${r.deactivated} deactivated`,
          );
      })
      .catch((e: unknown) => log(`collections: ${(e as Error).message}`)),
  );
}

/**
 * Runs `pass` now and every `intervalMs`, never two at once (a slow pass makes the next tick
 * skip). The returned function stops it and waits for a pass in flight.
 */
function everyInterval(intervalMs: number, pass: () => Promise<void>): () => Promise<void> {
  let current: Promise<void> | null = null;
  const tick = () => {
    if (current) return;
    current = pass().finally(() => (current = null));
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await current;
  };
}
