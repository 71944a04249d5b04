import type { Ctx } from '../../context.ts';
import { type BillingMonth, addMonthsToMonth, firstDayOf, startOfDayInZone } from '../../kernel/index.ts';

export interface ScheduledBillRun {
  at: Date;
  month: BillingMonth;
  timeZone: string;
}

/**
 * The month-M bill run starts at 00:00 on the 1st in each account's time zone. Returns those
 * instants in (from, to], oldest first, one per month and time zone in use.
 */
export async function billRunsDue(ctx: Ctx, from: Date, to: Date): Promise<ScheduledBillRun[]> {
  const zones = await ctx.db.selectFrom('accounts').select('time_zone').distinct().execute();
  const out: ScheduledBillRun[] = [];
  // One month either side covers every zone's offset from UTC.
  const startMonth = addMonthsToMonth(from.toISOString().slice(0, 7), -1);
  const endMonth = addMonthsToMonth(to.toISOString().slice(0, 7), 1);
  for (const { time_zone: timeZone } of zones) {
    for (let m = startMonth; m <= endMonth; m = addMonthsToMonth(m, 1)) {
      const at = startOfDayInZone(firstDayOf(m), timeZone);
      if (at > from && at <= to) out.push({ at, month: m, timeZone });
    }
  }
  return out.sort((a, b) => a.at.getTime() - b.at.getTime() || a.month.localeCompare(b.month));
}
