import { sql } from 'kysely';
import type { Ctx } from '../../context.ts';
import { addDays, dateInZone, startOfDayInZone } from '../../kernel/index.ts';

export interface ScheduledCollectionsRun {
  at: Date;
  timeZone: string;
  date: string;
}

/**
 * The daily collections check runs at 00:00 in each account time zone (like the bill run): every
 * such instant in (from, to], in order. A simulated clock stops at each.
 */
export async function collectionsRunsDue(ctx: Ctx, from: Date, to: Date): Promise<ScheduledCollectionsRun[]> {
  const zones = await sql<{ time_zone: string }>`
    SELECT DISTINCT time_zone FROM accounts WHERE status IN ('active', 'suspended', 'deactivated')`.execute(
    ctx.db,
  );
  const out: ScheduledCollectionsRun[] = [];
  for (const { time_zone: tz } of zones.rows) {
    const last = addDays(dateInZone(to, tz), 1);
    for (let d = dateInZone(from, tz); d <= last; d = addDays(d, 1)) {
      const at = startOfDayInZone(d, tz);
      if (at > from && at <= to) out.push({ at, timeZone: tz, date: d });
    }
  }
  return out.sort((a, b) => a.at.getTime() - b.at.getTime() || (a.timeZone < b.timeZone ? -1 : 1));
}
