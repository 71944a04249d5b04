import type { Ctx } from '../context.ts';
import {
  type BillingMonth,
  addMonthsToMonth,
  firstDayOf,
  monthOf,
  startOfDayInZone,
} from '../kernel/index.ts';
import { type CdrRow, importCdrs, seedDemoDecks } from '../modules/usage/index.ts';

/**
 * Demo calls (SPEC §6): a few dozen CDRs a month for every demo account from its billing start,
 * so the demo invoices carry plan minutes, overage, premium and international lines and the
 * call details have something to show. Deterministic: the same demo every time.
 */
export interface DemoCallAccount {
  id: string;
  country: string;
  timeZone: string;
  billingStartDate: string;
  /** Its toll-free numbers in force since its billing start (some demo calls come in on them). */
  tollFree: readonly string[];
}

const DESTINATIONS: Record<string, { domestic: string; premium: string | null; international: string[] }> = {
  US: {
    domestic: '+1 512 736 ',
    premium: '+1 787 555 0100',
    international: ['+52 55 1234 5678', '+44 20 7946 0000', '+55 11 98765 4321', '+1 416 736 0101'],
  },
  CA: { domestic: '+1 416 736 ', premium: null, international: ['+1 212 736 5000', '+44 20 7946 0000'] },
  MX: { domestic: '+52 55 8736 ', premium: null, international: ['+1 212 736 5000', '+34 91 123 4567'] },
};

export async function loadDemoUsage(
  ctx: Ctx,
  accounts: readonly DemoCallAccount[],
  untilMonth: BillingMonth,
): Promise<{ calls: number }> {
  await seedDemoDecks(ctx);
  const rows: CdrRow[] = [];
  accounts.forEach((account, a) => {
    const places = DESTINATIONS[account.country];
    if (!places) return;
    let x = 2654435761 ^ (a + 1);
    const next = (n: number) => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>> 0) % n;
    };
    for (
      let month = monthOf(account.billingStartDate);
      month < untilMonth;
      month = addMonthsToMonth(month, 1)
    ) {
      const monthStart = startOfDayInZone(firstDayOf(month), account.timeZone).getTime();
      for (let i = 0; i < 40; i++) {
        const kind = next(20);
        const day = 1 + next(27);
        const start = monthStart + day * 86_400_000 + (9 + next(8)) * 3_600_000 + next(3600) * 1000;
        const seconds = kind === 0 ? 0 : 20 + next(kind < 14 ? 900 : 400);
        const ext = String(101 + next(5));
        let origin = ext;
        let destination = `${places.domestic}${String(1000 + next(9000))}`;
        let direction = 'outbound';
        if (kind >= 14 && kind < 17) destination = places.international[next(places.international.length)]!;
        else if (kind === 17 && places.premium) destination = places.premium;
        else if (kind >= 18) {
          direction = 'inbound';
          // to the account's main line (the demo inventory names no extensions), or one of its
          // toll-free numbers (rated at the deck's toll-free rate)
          origin = destination;
          destination =
            kind === 19 && account.tollFree.length > 0
              ? account.tollFree[next(account.tollFree.length)]!
              : `${places.domestic}0100`;
        }
        if (start < startOfDayInZone(account.billingStartDate, account.timeZone).getTime()) continue;
        rows.push({
          row: rows.length + 1,
          raw: {
            callId: `demo-${account.id}-${month}-${i}`,
            account: account.id,
            origin,
            destination,
            startTime: new Date(start).toISOString(),
            endTime: new Date(start + seconds * 1000).toISOString(),
            direction,
            originDevice: direction === 'outbound' ? ext : null,
          },
        });
      }
    }
  });
  const report = await importCdrs(ctx, rows, { source: 'demo' });
  return { calls: report.accepted };
}
