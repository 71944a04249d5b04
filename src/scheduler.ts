import { SimulatedClock, conflict, invalid } from './kernel/index.ts';
import { billRun, billRunsDue } from './modules/invoicing/index.ts';
import type { Runtime } from './runtime.ts';

export interface ScheduledRunReport {
  at: string;
  month: string;
  timeZone: string;
  invoicesCreated: number;
}

export interface AdvanceReport {
  from: string;
  to: string;
  billRuns: ScheduledRunReport[];
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
 * clock): the month's bill run at 00:00 on the 1st in every account time zone.
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
  const billRuns = await runDue(rt, from, to, (at) => clock.set(at), actor);
  clock.set(to);
  await rt.saveClock();
  return { from: from.toISOString(), to: to.toISOString(), billRuns };
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
