import type { Clock } from './kernel/index.ts';
import type { Db } from './db/index.ts';

/** What every use case receives: the database (or the open transaction) and the clock. */
export interface Ctx {
  db: Db;
  clock: Clock;
  /** Who acts: an API key id, "cli", "scheduler" — recorded on every event. */
  actor: string;
}

export const withDb = (ctx: Ctx, db: Db): Ctx => ({ ...ctx, db });
