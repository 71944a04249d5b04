import type { Ctx } from '../../context.ts';
import { formatDecimal, invalid, parseMonth } from '../../kernel/index.ts';
import { getAccount } from '../accounts/index.ts';
import { formatMinutes, formatRate } from './domain/rounding.ts';
import { detailAllocator } from './domain/arrival.ts';
import { type CallDetailKey, type CallDetailRow, callDetailKeys, callDetailRows, monthCuts } from './repo.ts';

/**
 * USG-5: a usage month's billed calls, exactly the SPEC's columns, in start order. The month's
 * call sets (repo.ts) give the calls' keys in start order a window at a time; the calls are read
 * by id a page at a time and written as they come, so a month of a million calls streams in
 * constant memory. Each invoice's calls are replayed in start order with the allowance it had
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
/** Pages of keys found at a time: a window of 50,000 calls' keys (a few MB) per read of the sets. */
const KEY_PAGES = 10;

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
      for await (const rows of cutRows(ctx, account.id, m, window, pageSize)) {
        yield rows.map((r) => {
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
    }
  }
  return { account, month: m, pages };
}

/**
 * The calls of an account-month a cut billed, in start order, a page at a time: keys a window
 * of pages at a time (finding them reads the month's call sets), the calls of a page by id.
 */
async function* cutRows(
  ctx: Ctx,
  accountId: string,
  month: string,
  window: { after: number; through: number },
  pageSize: number,
): AsyncGenerator<CallDetailRow[]> {
  let after: CallDetailKey | null = null;
  for (;;) {
    const keys = await callDetailKeys(ctx.db, accountId, month, after, pageSize * KEY_PAGES);
    for (let i = 0; i < keys.length; i += pageSize) {
      const page = keys.slice(i, i + pageSize);
      const rows = await callDetailRows(
        ctx.db,
        page.map((k) => k.callId),
        window,
      );
      const byId = new Map(rows.map((r) => [r.call_id, r]));
      // Calls another invoice billed, or none did, are not in this cut's rows.
      const ordered = page.flatMap((k) => byId.get(k.callId) ?? []);
      if (ordered.length > 0) yield ordered;
    }
    if (keys.length < pageSize * KEY_PAGES) return;
    after = keys[keys.length - 1]!;
  }
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
