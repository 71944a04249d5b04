import type { Ctx } from '../../context.ts';
import { formatDecimal, invalid, parseMonth } from '../../kernel/index.ts';
import { getAccount } from '../accounts/index.ts';
import { formatMinutes, formatRate } from './domain/rounding.ts';
import { detailAllocator } from './domain/arrival.ts';
import { type CallDetailKey, callDetailPage, monthCuts } from './repo.ts';

/**
 * USG-5: a usage month's billed calls, exactly the SPEC's columns, in start order. Rows are read
 * a page at a time by keyset over the month's call sets (repo.ts) and written as they come, so a
 * month of a million calls streams in constant memory: a page reads the month's call sets and,
 * by id, only its own calls. Each invoice's calls are replayed in start order with the allowance it had
 * (domain/arrival.ts), so the costs add up to the month's usage lines on the invoice.
 */
export const CALL_DETAIL_COLUMNS = [
  'origin_number',
  'destination_number',
  'start_time_utc',
  'end_time_utc',
  'duration_seconds',
  'billable_minutes',
  'total_cost',
  'rate',
  'call_type',
] as const;

export interface CallDetail {
  originNumber: string;
  destinationNumber: string;
  startTimeUtc: string;
  endTimeUtc: string;
  durationSeconds: number;
  /** Decimal minutes: 36 s → "0.60". */
  billableMinutes: string;
  /** Decimal in the currency: "0.09". */
  totalCost: string;
  /** Per minute, decimal: "0.085". */
  rate: string;
  callType: string;
}

const PAGE = 5_000;

export async function callDetailsOf(ctx: Ctx, accountId: string, month: string, pageSize = PAGE) {
  const account = await getAccount(ctx, accountId);
  const m = parseMonth(month);
  async function* pages(): AsyncGenerator<CallDetail[]> {
    // Each invoice that billed calls of the month is a cut: replayed in start order (detailAllocator).
    for (const cut of await monthCuts(ctx.db, account.id, m)) {
      const charge = detailAllocator({
        currency: account.currency,
        planAvailable: cut.plan_available,
        lowUsage: cut.low_usage,
        overageRate: cut.overage_rate,
        lowUsageRate: cut.low_usage_rate,
      });
      const window = { after: cut.after_batch, through: cut.through_batch };
      let after: CallDetailKey | null = null;
      for (;;) {
        const page = await callDetailPage(ctx.db, account.id, m, window, after, pageSize);
        if (page.rows.length > 0) {
          yield page.rows.map((r) => {
            const c = charge({
              callType: r.call_type,
              allowance: r.allowance,
              billableSeconds: r.billable_seconds,
              ratePerMinute: r.rate_per_minute,
              ratePrefix: r.rate_prefix,
              rateFrom: r.rate_from,
            });
            return {
              originNumber: r.origin,
              destinationNumber: r.destination,
              startTimeUtc: r.started_at.toISOString(),
              endTimeUtc: new Date(r.started_at.getTime() + r.duration_seconds * 1000).toISOString(),
              durationSeconds: r.duration_seconds,
              billableMinutes: formatMinutes(r.billable_seconds),
              totalCost: formatDecimal(c.amount, account.currency),
              rate: formatRate(c.ratePerMinute),
              callType: r.call_type,
            };
          });
        }
        if (page.last === null || page.keys < pageSize) break;
        after = page.last;
      }
    }
  }
  return { account, month: m, pages };
}

const csvField = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export async function* callDetailsCsv(pages: () => AsyncGenerator<CallDetail[]>): AsyncGenerator<string> {
  yield CALL_DETAIL_COLUMNS.join(',') + '\r\n';
  for await (const page of pages()) {
    let text = '';
    for (const d of page) {
      text +=
        [
          csvField(d.originNumber),
          csvField(d.destinationNumber),
          d.startTimeUtc,
          d.endTimeUtc,
          d.durationSeconds,
          d.billableMinutes,
          d.totalCost,
          d.rate,
          d.callType,
        ].join(',') + '\r\n';
    }
    yield text;
  }
}

export async function* callDetailsJson(
  head: { accountId: string; month: string; currency: string },
  pages: () => AsyncGenerator<CallDetail[]>,
): AsyncGenerator<string> {
  yield `{"accountId":${JSON.stringify(head.accountId)},"month":"${head.month}","currency":"${head.currency}","calls":[`;
  let first = true;
  for await (const page of pages()) {
    if (page.length === 0) continue;
    yield (first ? '' : ',') + page.map((d) => JSON.stringify(d)).join(',');
    first = false;
  }
  yield ']}';
}

export function checkDetailsFormat(format: string | undefined): 'csv' | 'json' {
  if (format === undefined || format === 'csv') return 'csv';
  if (format === 'json') return 'json';
  throw invalid('invalid_format', `format must be csv or json, got "${format}".`);
}
