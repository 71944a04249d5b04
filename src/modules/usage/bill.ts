import type { Ctx } from '../../context.ts';
import {
  type BillingMonth,
  type DraftLine,
  RATE_SCALE,
  addMonthsToMonth,
  LINE_TEXT,
  conflict,
  divRound,
  firstDayOf,
  groupBy,
  minorDigits,
  sum,
} from '../../kernel/index.ts';
import { type Db, withImportSlot } from '../../db/index.ts';
import { type ArrivalRating, ArrivalTotals, type UsageSum, priceUsageMonth } from './domain/arrival.ts';
import type { UsageLine } from './domain/rating.ts';
import { type KnownAccounts, type UsageAccount, arrivalRater } from './rating-context.ts';
import {
  type UsageCut,
  cutsBilledBy,
  cutsOf,
  insertCuts,
  insertUsageTotals,
  laterCutInvoice,
  monthRuns,
  nextCallBatch,
  releaseCuts,
  type UsageSumRow,
  totalRow,
  unbilledSums,
  updateRatings,
  usageWatermark,
  waitingCalls,
  windowCallPages,
} from './repo.ts';

/**
 * RUN-4: usage is billed in arrears. The invoice of month M carries the calls of M − 1, and any
 * older calls that arrived after their month was invoiced (each line labelled with its month).
 * Calls were rated when they arrived (import.ts); here each account-month is priced from the sums
 * its imports recorded, and what the invoice billed is recorded as a cut (the calls up to a batch,
 * the allowance left and drawn, the plan rates), so a call is billed once and its details never
 * change.
 */
export interface AccountUsage {
  lines: DraftLine[];
  /** What the invoice bills, to store with its id. */
  cuts: Omit<UsageCut, 'invoice_id' | 'reissued'>[];
  /** Calls that could not be rated (no deck entry…): they stay unbilled and are tried again. */
  unrated: { callId: string; reason: string }[];
  /** Set when the account's usage cannot be rated at all (its bill run fails, loudly). */
  error?: { code: string; message: string };
}

/**
 * One per bill run. First rates again the calls that were waiting for a rating (a deck entry or a
 * contract added since), then fixes the watermark: the batches this run may bill. `onlyIds`: a
 * run for these accounts only (a reissue, a staff re-run) rates only their waiting calls.
 */
export async function usageRater(ctx: Ctx, invoiceMonth: BillingMonth, onlyIds?: readonly string[]) {
  // Both wait for the imports in progress (their batch lock) while holding a connection: in an
  // import slot, so the imports always have one left to finish with.
  const watermark = await withImportSlot(ctx.db, async () => {
    await rateWaitingCalls(ctx, invoiceMonth, onlyIds);
    return usageWatermark(ctx.db);
  });
  // What calls would be rated with now (to compare with what they were rated with), and the plan
  // terms, devices and deck entries a month is priced with.
  const rater = arrivalRater(ctx);

  /**
   * Prices the unbilled usage of these accounts for the invoice of `month`; `known`: what the
   * caller read of them already (their inventory's whole history), not read again.
   */
  async function rate(
    db: Db,
    accounts: readonly Pick<UsageAccount, 'id' | 'currency' | 'billingStartDate'>[],
    month: BillingMonth,
    known?: KnownAccounts,
  ) {
    const out = new Map<string, AccountUsage>();
    if (accounts.length === 0) return out;
    const ids = accounts.map((a) => a.id);
    const [found, waiting] = await Promise.all([
      unbilledSums(db, ids, month, watermark),
      waitingCalls(db, { accountIds: ids, beforeMonth: month, limit: 10_000 }),
    ]);
    await rater.load(db, new Set(found.map((s) => s.account_id)), { known });
    const monthsOf = monthRuns(found);
    const unratedOf = groupBy(waiting, (w) => w.account_id);
    const late = found
      .filter((s) => s.after_batch >= 0)
      .map((s) => ({ accountId: s.account_id, month: s.usage_month }));
    const cuts = groupBy(await cutsOf(db, late), (c) => `${c.account_id}|${c.usage_month}`);
    const usualMonth = addMonthsToMonth(month, -1);

    for (const account of accounts) {
      const months = monthsOf.get(account.id) ?? [];
      const unrated = (unratedOf.get(account.id) ?? []).map((w) => ({
        callId: w.call_id,
        reason: w.unrated_reason ?? 'not_rated',
      }));
      if (months.length === 0 && unrated.length === 0) continue;
      const usage: AccountUsage = { lines: [], cuts: [], unrated };
      out.set(account.id, usage);
      if (months.length === 0) continue;
      for (const stored of months) {
        const monthSums = await rateAgainIfChanged(db, stored);
        // Rated again, none of its calls can be rated now: they wait, unbilled.
        if (monthSums.length === 0) continue;
        const usageMonth = stored[0]!.usage_month;
        const m = usageMonth as BillingMonth;
        // The plan version in force in the calls' month, wherever the invoice falls.
        const terms = rater.termsOf(account.currency, m);
        const before = cuts.get(`${account.id}|${usageMonth}`) ?? [];
        const lowUsageSecondsByDevice = new Map<string, number>();
        for (const c of before) {
          for (const [device, a] of Object.entries(c.low_usage)) {
            lowUsageSecondsByDevice.set(device, (lowUsageSecondsByDevice.get(device) ?? 0) + a.drawn);
          }
        }
        const priced = priceUsageMonth(
          {
            month: m,
            currency: account.currency,
            billingStartDate: account.billingStartDate ?? firstDayOf(m),
            plan: { ...terms, billableDevices: rater.billableDevicesOf(account.id, usageMonth) },
            drawnBefore: { planSeconds: sum(before.map((c) => c.plan_seconds)), lowUsageSecondsByDevice },
          },
          monthSums.map((s) => ({
            callType: s.call_type as UsageSum['callType'],
            allowance: s.allowance,
            billableSeconds: s.billable_seconds,
            rate:
              s.rate_prefix === null || s.rate_per_minute === null
                ? null
                : {
                    prefix: s.rate_prefix,
                    validFrom: s.rate_from ?? '',
                    ratePerMinute: s.rate_per_minute,
                    description:
                      rater.deckEntry(account.currency, s.call_type, s.rate_prefix, s.rate_from)
                        ?.description ?? `${s.call_type} ${s.rate_prefix}`,
                  },
          })),
        );
        const isLate = usageMonth !== usualMonth;
        usage.lines.push(
          ...priced.lines.map((l) => draftLine(l, account.currency, isLate ? usageMonth : null)),
        );
        usage.cuts.push({
          account_id: account.id,
          usage_month: usageMonth,
          after_batch: monthSums[0]!.after_batch,
          through_batch: watermark,
          plan_available: priced.allowances.planAvailable,
          plan_seconds: priced.allowances.planDrawn,
          low_usage: priced.allowances.lowUsage,
          overage_rate: terms.overageRatePerMinute,
          low_usage_rate: terms.lowUsageRatePerMinute,
        });
      }
    }
    // Priced: the run will not rate these accounts again.
    rater.forget(ids);
    return out;
  }

  /**
   * An account-month whose calls were rated with another inventory, contract, deck or plan than
   * the one in force now (a number added with an earlier date, a corrected deck) is rated again
   * here, call by call, before it is billed: the calls keep their batch and get the new rating,
   * and the month is priced from the new sums. An unchanged month keeps its sums as they are.
   */
  async function rateAgainIfChanged(
    db: Db,
    monthSums: readonly UsageSumRow[],
  ): Promise<readonly UsageSumRow[]> {
    const { account_id: accountId, usage_month: usageMonth, after_batch: after } = monthSums[0]!;
    const now = rater.fingerprintOf(accountId, usageMonth);
    if (monthSums.every((s) => s.context === now)) return monthSums;
    const cx = rater.contextOf(accountId, usageMonth);
    const totals = new ArrivalTotals();
    // A page at a time, each page's new ratings written before the next is read.
    for await (const page of windowCallPages(db, accountId, usageMonth, { after, through: watermark })) {
      const rated: { callId: string; rating: ArrivalRating }[] = [];
      for (const c of page) {
        if (c.call_type === null) continue; // waiting for a rating: rated again on its own
        const rating = rater.rateIn(cx, {
          startedAt: c.started_at.getTime(),
          durationSeconds: c.duration_seconds,
          direction: c.direction,
          origin: c.origin,
          destination: c.destination,
          originDevice: c.origin_device,
        });
        rated.push({ callId: c.call_id, rating });
        totals.add(accountId, usageMonth, rating, now);
      }
      await updateRatings(db, null, rated);
    }
    return totals.rows().map((t) => ({ ...totalRow(t), after_batch: after }));
  }

  return { rate, heldAccounts: rater.heldAccounts };
}

/**
 * Rates again, in one batch, the calls that were waiting for a rating (months before `month`), of
 * every account or of `accountIds`.
 */
async function rateWaitingCalls(
  ctx: Ctx,
  month: BillingMonth,
  accountIds?: readonly string[],
): Promise<void> {
  let afterCallId = '';
  for (;;) {
    const waiting = await waitingCalls(ctx.db, {
      beforeMonth: month,
      accountIds,
      afterCallId,
      limit: 10_000,
    });
    if (waiting.length === 0) return;
    afterCallId = waiting[waiting.length - 1]!.call_id;
    await ctx.db.transaction().execute(async (trx) => {
      const rater = arrivalRater({ ...ctx, db: trx });
      await rater.load(
        trx,
        waiting.map((w) => w.account_id),
      );
      const totals = new ArrivalTotals();
      const rated: { callId: string; rating: ArrivalRating }[] = [];
      for (const w of waiting) {
        const call = {
          accountId: w.account_id,
          usageMonth: w.usage_month,
          startedAt: w.started_at.getTime(),
          durationSeconds: w.duration_seconds,
          direction: w.direction,
          origin: w.origin,
          destination: w.destination,
          originDevice: w.origin_device,
        };
        const rating = rater.rate(call);
        if (rating.callType === null) continue;
        rated.push({ callId: w.call_id, rating });
        totals.add(
          call.accountId,
          call.usageMonth,
          rating,
          rater.fingerprintOf(call.accountId, call.usageMonth),
        );
      }
      if (rated.length === 0) return;
      const batch = await nextCallBatch(trx);
      await updateRatings(trx, batch, rated);
      await insertUsageTotals(trx, batch, totals.rows());
    });
    if (waiting.length < 10_000) return;
  }
}

/**
 * RUN-12: the calls an invoice voided for a reissue billed are billed again, by its replacement
 * (in the voiding transaction). Its cuts stop counting as billed and the month's sums come back,
 * marked as rated with something no longer in force, so the replacement's bill run rates those
 * calls again with the inventory, contract and deck of then: a reissue corrects usage too.
 * Refused when calls of the same month that arrived later were billed after it, by another
 * invoice: those drew on the allowances this one left, and would be billed twice.
 */
export async function releaseBilledUsage(db: Db, invoice: { id: string; number: string }): Promise<void> {
  const cuts = await cutsBilledBy(db, invoice.id);
  for (const cut of cuts) {
    const later = await laterCutInvoice(db, cut);
    if (later !== undefined) {
      throw conflict(
        'usage_billed_later',
        `Calls of ${cut.usage_month} that arrived after invoice ${invoice.number} were billed on invoice ` +
          `${later}, from what ${invoice.number} left of the allowances: ${invoice.number} cannot be ` +
          'reissued; issue a credit note instead.',
        { usageMonth: cut.usage_month, laterInvoice: later },
      );
    }
  }
  await releaseCuts(db, invoice.id, cuts);
}

/** Stores what each issued invoice billed (in the bill run's transaction). */
export async function recordBilledCalls(
  db: Db,
  billed: readonly { invoiceId: string; usage: AccountUsage }[],
): Promise<void> {
  await insertCuts(
    db,
    billed.flatMap(({ invoiceId, usage }) => usage.cuts.map((c) => ({ ...c, invoice_id: invoiceId }))),
  );
}

/** RUN-5 line types as invoices, fee schedules and documents name them. */
const LINE_TYPE: Record<UsageLine['lineType'], string> = {
  plan_minutes: 'plan_minutes',
  premium_domestic: 'premium_domestic',
  outbound_overage: 'outbound_overage',
  low_usage_minutes: 'low_usage_minutes',
  toll_free: 'toll_free_inbound',
  international: 'international',
};

function draftLine(l: UsageLine, currency: string, lateMonth: string | null): DraftLine {
  return {
    lineType: LINE_TYPE[l.lineType],
    description: lateMonth === null ? l.description : LINE_TEXT.lateCalls(l.description, lateMonth),
    itemCode: l.itemCode,
    quantity: l.quantity,
    unitPrice: divRound(
      BigInt(l.ratePerMinute) * 10n ** BigInt(minorDigits(currency)),
      RATE_SCALE,
      'half-up',
    ),
    periodStart: l.periodStart,
    periodEnd: l.periodEnd,
    prorateDays: null,
    periodDays: null,
    amount: l.amount,
    ratePerMinute: l.ratePerMinute,
  };
}
