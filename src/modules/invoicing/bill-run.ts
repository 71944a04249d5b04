import type { Ctx } from '../../context.ts';
import {
  type BillingMonth,
  addMonthsToMonth,
  type DraftLine,
  firstDayOf,
  isBillingError,
  groupBy,
  invalid,
  lastDayOf,
  newId,
  parseMonth,
  sum,
} from '../../kernel/index.ts';
import { appendEvents } from '../../db/index.ts';
import { getAccounts, listBillingEntities } from '../accounts/index.ts';
import { loadPriceBook } from '../catalog/index.ts';
import { WHOLE_HISTORY, contractsOf, inWindow, inventoryOf } from '../inventory/index.ts';
import { type AccountUsage, recordBilledCalls, usageRater } from '../usage/index.ts';
import { type InvoiceStage, composeInvoice } from './domain/compose.ts';
import { MissingPriceError, type MonthlyChargeInput, monthlyCharges } from './domain/monthly-charges.ts';
import {
  type BillingContext,
  type RateTables,
  FEE_LINE_TYPES,
  TAX_LINE_TYPE,
  certificatesOf,
  feeStage,
  loadRateTables,
  tableTaxProvider,
  taxStage,
} from '../taxes/index.ts';
import { draftInvoice, issueInvoices } from './issue.ts';
import { type NewInvoice, claimDueAccounts, countDueAccounts, invoicesToReplace } from './repo.ts';

export interface BillRunOptions {
  month: BillingMonth;
  /** Accounts claimed and invoiced per transaction. */
  batchSize?: number;
  /** Restrict the run to these accounts (staff re-runs, tests). */
  accountIds?: readonly string[];
  onProgress?: (p: { done: number; total: number; invoices: number }) => void;
  /**
   * Fault injection for crash tests: after this many committed batches, the next batch writes its
   * invoices and then fails before committing, as a process killed mid-transaction would.
   */
  failAfterBatches?: number;
  /**
   * Batches in flight at once, each in its own transaction on its own connection (servers only:
   * the embedded database has one connection). Default 1.
   */
  concurrency?: number;
}

export interface BillRunResult {
  runId: string;
  month: BillingMonth;
  invoicesCreated: number;
  nothingToBill: number;
  failures: { accountId: string; code: string; message: string }[];
  totals: Record<string, number>;
}

/** What every stage of the monthly invoice sees: the account's charges context and its tax context. */
export type MonthlyInvoiceInput = MonthlyChargeInput &
  BillingContext & {
    /** RUN-4: the rated usage lines of the previous month (and of late calls of older months). */
    usage?: readonly DraftLine[];
  };

const recurringStage: InvoiceStage<MonthlyInvoiceInput> = {
  name: 'recurring',
  lines: (input) => monthlyCharges(input),
};

/** Usage is rated before composing (it reads the database); the stage places its lines. */
const usageStage: InvoiceStage<MonthlyInvoiceInput> = {
  name: 'usage',
  lines: (input) => [...(input.usage ?? [])],
};

/**
 * The stages of the monthly invoice in order: recurring charges, usage, then the
 * regulatory fees computed on them, then taxes on the subtotal. Fee and tax stages exist only
 * when their rate tables are loaded.
 */
export function monthlyStages(rates: RateTables): InvoiceStage<MonthlyInvoiceInput>[] {
  return [recurringStage, usageStage, ...feeAndTaxStages<MonthlyInvoiceInput>(rates)];
}

/** Regulatory fees on the charges, then taxes on the subtotal: the tail of every invoice. */
export function feeAndTaxStages<I extends BillingContext>(rates: RateTables): InvoiceStage<I>[] {
  return [
    ...(rates.fees ? [feeStage<I>(rates.fees)] : []),
    ...(rates.taxes ? [taxStage<I>(tableTaxProvider(rates.taxes))] : []),
  ];
}

/** The subtotal counts charges only: regulatory fees and taxes come on top of it. */
export const isCharge = (l: DraftLine) =>
  !FEE_LINE_TYPES.includes(l.lineType) && l.lineType !== TAX_LINE_TYPE;

const UNIQUE_VIOLATION = '23505';
const isUniqueViolation = (e: unknown) => (e as { code?: string })?.code === UNIQUE_VIOLATION;

async function ensureRun(ctx: Ctx, month: BillingMonth): Promise<string> {
  await ctx.db
    .insertInto('bill_runs')
    .values({ id: newId('run', ctx.clock.now()), month, status: 'running', started_at: ctx.clock.now() })
    .onConflict((oc) => oc.column('month').doNothing())
    .execute();
  const run = await ctx.db
    .selectFrom('bill_runs')
    .select('id')
    .where('month', '=', month)
    .executeTakeFirstOrThrow();
  return run.id;
}

/**
 * RUN-1..3, RUN-9, RUN-11: issues the month's invoice to every due account exactly once. Safe to
 * start twice, on several workers, or again after a crash: accounts are claimed in batches with
 * SKIP LOCKED, each batch (invoices, lines, numbers, events) commits as one transaction, and the
 * unique (account, month) index turns any race into a retried batch, never a second invoice.
 */
export async function billRun(ctx: Ctx, opts: BillRunOptions): Promise<BillRunResult> {
  const month = parseMonth(opts.month);
  const batchSize = opts.batchSize ?? 500;
  const runId = await ensureRun(ctx, month);
  const firstDay = firstDayOf(month);
  const prevFirst = firstDayOf(addMonthsToMonth(month, -1));
  const lastDay = lastDayOf(month);
  const now = ctx.clock.now();
  const { items: catalog, prices } = await loadPriceBook(ctx);
  const entities = new Map((await listBillingEntities(ctx)).map((e) => [e.id, e]));
  const stages = monthlyStages(await loadRateTables(ctx));
  const rater = await usageRater(ctx, month, opts.accountIds);
  const filter = { month, firstDay, now, onlyIds: opts.accountIds };
  const total = await countDueAccounts(ctx.db, filter);

  const result: BillRunResult = {
    runId,
    month,
    invoicesCreated: 0,
    nothingToBill: 0,
    failures: [],
    totals: {},
  };
  let done = 0;
  let batches = 0;
  opts.onProgress?.({ done, total, invoices: 0 });

  let failed = false;
  // Each worker claims its own batches (SKIP LOCKED keeps them apart): one prepares a batch while
  // the other writes, so the application and the database work at the same time.
  const worker = async () => {
    let afterId = '';
    while (!failed) {
      let claimed: string[];
      let batch: { invoices: NewInvoice[]; empty: number; failures: BillRunResult['failures'] };
      try {
        ({ claimed, batch } = await ctx.db.transaction().execute(async (trx) => {
          const claimed = await claimDueAccounts(trx, { ...filter, afterId, limit: batchSize });
          if (claimed.length === 0) return { claimed, batch: { invoices: [], empty: 0, failures: [] } };
          const tctx = { ...ctx, db: trx };
          const accounts = await getAccounts(tctx, claimed);
          const contracts = await contractsOf(tctx, claimed);
          // Every item the accounts ever had (late calls are rated with the inventory of their
          // month), read once: the invoice takes those in force from the month before on.
          const items = await inventoryOf(tctx, claimed, ...WHOLE_HISTORY);
          const itemsByAccount = groupBy(
            items.filter((i) => inWindow(i, prevFirst, lastDay)),
            (i) => i.accountId,
          );
          const certificates = await certificatesOf(tctx, claimed);
          const replaces = await invoicesToReplace(trx, claimed, month);
          const usage = await rater.rate(
            trx,
            accounts.map((a) => ({
              id: a.id,
              currency: a.currency,
              billingStartDate: contracts.get(a.id)!.billingStartDate,
            })),
            month,
            { accounts, contracts, items },
          );
          const billedUsage: { invoiceId: string; usage: AccountUsage }[] = [];
          const batch = { invoices: [] as NewInvoice[], empty: 0, failures: [] as BillRunResult['failures'] };
          for (const account of accounts.sort((a, b) => (a.id < b.id ? -1 : 1))) {
            const entity = entities.get(account.entityId)!;
            const contract = contracts.get(account.id)!;
            try {
              const usageError = usage.get(account.id)?.error;
              if (usageError) throw invalid(usageError.code, usageError.message);
              const composed = composeInvoice(
                {
                  month,
                  currency: account.currency,
                  billingStartDate: contract.billingStartDate,
                  proration: entity.rules.proration,
                  // RUN-10: rented equipment goes on its own rental invoice (rentals.ts).
                  items: (itemsByAccount.get(account.id) ?? []).filter(
                    (i) => catalog.get(i.itemCode)?.chargeType !== 'rental',
                  ),
                  catalog,
                  priceOn: (code, cur, on) => prices.priceOn(code, cur, on),
                  issueDate: firstDay,
                  address: account.address,
                  taxStatus: account.taxStatus,
                  exemptionCertificates: certificates.get(account.id) ?? [],
                  usage: usage.get(account.id)?.lines ?? [],
                },
                stages,
                isCharge,
              );
              if (!composed.lines.some(isCharge)) {
                batch.empty++;
                continue;
              }
              const invoice = draftInvoice(
                ctx,
                entity,
                account,
                {
                  kind: 'monthly',
                  issueDate: firstDay,
                  billingMonth: month,
                  billRunId: runId,
                  replaces: replaces.get(account.id) ?? null,
                },
                composed,
              );
              batch.invoices.push(invoice);
              const accountUsage = usage.get(account.id);
              if (accountUsage) billedUsage.push({ invoiceId: invoice.id, usage: accountUsage });
            } catch (e) {
              // A rule the account's data cannot satisfy (no price, no USF factor for the quarter)
              // fails that account, loudly, and never the rest of the run.
              if (e instanceof MissingPriceError) {
                batch.failures.push({ accountId: account.id, code: 'missing_price', message: e.message });
              } else if (isBillingError(e) && e.kind === 'invalid') {
                batch.failures.push({ accountId: account.id, code: e.code, message: e.message });
              } else {
                throw e;
              }
            }
          }
          // Rated calls first: issuing takes the entity's numbering lock, held until commit.
          await recordBilledCalls(trx, billedUsage);
          await issueInvoices(trx, ctx, batch.invoices, entities);
          await appendEvents(trx, ctx.actor, ctx.clock.now(), [
            ...batch.failures.map((f) => ({
              type: 'bill_run.account_failed',
              subjectId: runId,
              accountId: f.accountId,
              payload: { month, code: f.code, message: f.message },
            })),
            // Calls the deck or the inventory cannot price yet stay unbilled and are tried again.
            ...[...usage.entries()]
              .filter(([, u]) => u.unrated.length > 0)
              .map(([accountId, u]) => ({
                type: 'usage.calls_unrated',
                subjectId: runId,
                accountId,
                payload: { month, count: u.unrated.length, examples: u.unrated.slice(0, 10) },
              })),
          ]);
          if (opts.failAfterBatches !== undefined && batches >= opts.failAfterBatches) {
            throw new Error(`fault injected after ${batches} committed batch(es)`);
          }
          return { claimed, batch };
        }));
      } catch (e) {
        // Another worker invoiced one of these accounts between our read and our insert:
        // nothing was written; claim again and the committed invoices are excluded.
        if (isUniqueViolation(e)) continue;
        throw e;
      }
      if (claimed.length === 0) break;
      afterId = claimed[claimed.length - 1]!;
      done += claimed.length;
      batches++;
      result.invoicesCreated += batch.invoices.length;
      result.nothingToBill += batch.empty;
      result.failures.push(...batch.failures);
      for (const inv of batch.invoices)
        result.totals[inv.currency] = (result.totals[inv.currency] ?? 0) + inv.total;
      opts.onProgress?.({ done, total: Math.max(total, done), invoices: result.invoicesCreated });
    }
  };
  const workers = Math.max(1, opts.concurrency ?? 1);
  const outcomes = await Promise.allSettled(
    Array.from({ length: workers }, () =>
      worker().catch((e: unknown) => {
        failed = true;
        throw e;
      }),
    ),
  );
  for (const o of outcomes) if (o.status === 'rejected') throw o.reason;

  await finishRun(ctx, runId, month);
  return result;
}

async function finishRun(ctx: Ctx, runId: string, month: BillingMonth) {
  const stats = await ctx.db
    .selectFrom('invoices')
    .select([
      'currency',
      (eb) => eb.fn.countAll<number>().as('n'),
      (eb) => eb.fn.sum<number>('total').as('total'),
    ])
    .where('billing_month', '=', month)
    .where('kind', '=', 'monthly')
    .where('status', '<>', 'void')
    .groupBy('currency')
    .execute();
  await ctx.db
    .updateTable('bill_runs')
    .set({
      status: 'completed',
      finished_at: ctx.clock.now(),
      invoices_created: sum(stats.map((s) => Number(s.n))),
      total_billed: JSON.stringify(Object.fromEntries(stats.map((s) => [s.currency, Number(s.total)]))),
    })
    .where('id', '=', runId)
    .execute();
  await appendEvents(ctx.db, ctx.actor, ctx.clock.now(), [
    { type: 'bill_run.completed', subjectId: runId, payload: { month } },
  ]);
}
