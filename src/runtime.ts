import { type Clock, RealClock, SimulatedClock, invalid } from './kernel/index.ts';
import { type DbHandle, connect, migrateToLatest } from './db/index.ts';
import type { Ctx } from './context.ts';

export interface RuntimeOptions {
  databaseUrl?: string | undefined;
  dataDir?: string | undefined;
  /** ISO date or instant to start a simulated clock at; absent = the clock the instance already has. */
  simulatedClock?: string | undefined;
  loadDataDir?: Blob | undefined;
  poolSize?: number;
}

export interface Runtime {
  handle: DbHandle;
  clock: Clock;
  ctx(actor: string): Ctx;
  /** Persists a simulated clock's time so a restarted instance resumes where it was. */
  saveClock(): Promise<void>;
  close(): Promise<void>;
}

/** TOLLBOOTH_CLOCK=simulated:2026-07-01 → "2026-07-01". */
export function simulatedClockFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  const v = env.TOLLBOOTH_CLOCK;
  if (!v || v === 'real') return undefined;
  const m = /^simulated:(.+)$/.exec(v);
  if (!m)
    throw invalid('invalid_clock', `TOLLBOOTH_CLOCK must be "real" or "simulated:2026-07-01", got "${v}".`);
  return m[1];
}

export function parseInstant(text: string, field = 'time'): Date {
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text;
  const d = new Date(iso);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(d.getTime())) {
    throw invalid(
      'invalid_time',
      `${field} must be a date (2026-08-01) or an ISO instant (2026-08-01T05:00:00Z), got "${text}".`,
    );
  }
  return d;
}

export async function openRuntime(opts: RuntimeOptions): Promise<Runtime> {
  const handle = await connect({
    databaseUrl: opts.databaseUrl,
    dataDir: opts.dataDir,
    loadDataDir: opts.loadDataDir,
    poolSize: opts.poolSize,
  });
  await migrateToLatest(handle.db);
  const saved = await handle.db
    .selectFrom('instance_settings')
    .select('value')
    .where('key', '=', 'clock')
    .executeTakeFirst();
  const savedNow = (saved?.value as { kind?: string; now?: string } | undefined)?.now;
  let clock: Clock;
  if (opts.simulatedClock) {
    const start = parseInstant(opts.simulatedClock, 'simulated clock');
    // A data directory that already ran on a simulated clock resumes from its own time.
    clock = new SimulatedClock(savedNow && new Date(savedNow) > start ? new Date(savedNow) : start);
  } else if (savedNow) {
    clock = new SimulatedClock(new Date(savedNow));
  } else {
    clock = new RealClock();
  }
  const saveClock = async () => {
    if (clock.kind !== 'simulated') return;
    const value = JSON.stringify({ kind: 'simulated', now: clock.now().toISOString() });
    await handle.db
      .insertInto('instance_settings')
      .values({ key: 'clock', value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute();
  };
  await saveClock();
  return {
    handle,
    clock,
    ctx: (actor) => ({ db: handle.db, clock, actor }),
    saveClock,
    close: () => handle.close(),
  };
}
