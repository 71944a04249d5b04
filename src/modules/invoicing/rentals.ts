import type { Ctx } from '../../context.ts';
import {
  type BillingMonth,
  type CalendarDate,
  addMonthsToMonth,
  firstDayOf,
  groupBy,
  isBillingError,
  lastDayOf,
  parseMonth,
  startOfDayInZone,
} from '../../kernel/index.ts';
import { appendEvents } from '../../db/index.ts';
import { getAccounts, listBillingEntities } from '../accounts/index.ts';
import { loadPriceBook } from '../catalog/index.ts';
import { contractsOf, inventoryOf } from '../inventory/index.ts';
import { type BillingContext, certificatesOf, loadRateTables } from '../taxes/index.ts';
import { feeAndTaxStages, isCharge } from './bill-run.ts';
import { nthBusinessDayOfMonth } from './domain/business-days.ts';
import { type InvoiceStage, composeInvoice } from './domain/compose.ts';
import { MissingPriceError, type MonthlyChargeInput, monthlyCharges } from './domain/monthly-charges.ts';
import { draftInvoice, issueInvoices } from './issue.ts';
import { type NewInvoice, claimRentalAccounts } from './repo.ts';

/**
 * RUN-10: rental invoices go out in the first five business days of the month, on their own
 * invoice (not with the service invoice): on this business day of the entity's country.
 */
export const RENTAL_INVOICE_BUSINESS_DAY = 1;

/** The issue date of month M's rental invoices for an entity in `country`. */
export const rentalIssueDate = (country: string, month: BillingMonth): CalendarDate =>
  nthBusinessDayOfMonth(country, firstDayOf(month), RENTAL_INVOICE_BUSINESS_DAY);

/** Whether a catalog item is rented equipment (billed on the rental invoice, not the monthly one). */
export const isRentalItem = (item: { chargeType: string } | undefined) => item?.chargeType === 'rental';

export interface ScheduledRentalRun {
  at: Date;
  month: BillingMonth;
  timeZone: string;
  entityId: string;
}

/**
 * The month-M rental run of an entity starts at 00:00 on its rental issue date in each account
 * time zone. Returns those instants in (from, to], oldest first.
 */
export async function rentalRunsDue(ctx: Ctx, from: Date, to: Date): Promise<ScheduledRentalRun[]> {
  const pairs = await ctx.db.selectFrom('accounts').select(['entity_id', 'time_zone']).distinct().execute();
  if (pairs.length === 0) return [];
  const countries = new Map((await listBillingEntities(ctx)).map((e) => [e.id, e.country]));
  const out: ScheduledRentalRun[] = [];
  const startMonth = addMonthsToMonth(from.toISOString().slice(0, 7), -1);
  const endMonth = addMonthsToMonth(to.toISOString().slice(0, 7), 1);
  for (const { entity_id: entityId, time_zone: timeZone } of pairs) {
    const country = countries.get(entityId) ?? 'US';
    for (let m = startMonth; m <= endMonth; m = addMonthsToMonth(m, 1)) {
      const at = startOfDayInZone(rentalIssueDate(country, m), timeZone);
      if (at > from && at <= to) out.push({ at, month: m, timeZone, entityId });
    }
  }
  return out.sort((a, b) => a.at.getTime() - b.at.getTime() || a.month.localeCompare(b.month));
}

export interface RentalRunOptions {
  month: BillingMonth;
  /** Restrict the run to these accounts (staff re-runs, tests). */
  accountIds?: readonly string[];
  /** Accounts per transaction. Default 200. */
  batchSize?: number;
}

export interface RentalRunResult {
  month: BillingMonth;
  invoicesCreated: number;
  failures: { accountId: string; code: string; message: string }[];
  totals: Record<string, number>;
}

type RentalInput = MonthlyChargeInput & BillingContext;

const rentalStage: InvoiceStage<RentalInput> = { name: 'rentals', lines: (input) => monthlyCharges(input) };

const isUniqueViolation = (e: unknown) => (e as { code?: string })?.code === '23505';

/**
 * RUN-10: issues month M's rental invoice — the rented equipment for M, plus the part of the
 * previous month for equipment installed during it (RUN-3), with taxes — to every account whose
 * rental issue date has begun, exactly once per account and month: accounts are claimed with SKIP
 * LOCKED, a batch commits as one transaction, and a unique index turns a race into a retried batch.
 * Safe to run again at any time; nothing is issued twice.
 */
export async function rentalRun(ctx: Ctx, opts: RentalRunOptions): Promise<RentalRunResult> {
  const month = parseMonth(opts.month);
  const { items: catalog, prices } = await loadPriceBook(ctx);
  const rentalCodes = [...catalog.values()].filter(isRentalItem).map((i) => i.code);
  const result: RentalRunResult = { month, invoicesCreated: 0, failures: [], totals: {} };
  if (rentalCodes.length === 0) return result;
  const entities = await listBillingEntities(ctx);
  const byId = new Map(entities.map((e) => [e.id, e]));
  const stages = [rentalStage, ...feeAndTaxStages<RentalInput>(await loadRateTables(ctx))];
  const prevFirst = firstDayOf(addMonthsToMonth(month, -1));

  for (const entity of entities) {
    const issueDate = rentalIssueDate(entity.country, month);
    let afterId = '';
    for (;;) {
      let claimed: string[];
      let invoices: NewInvoice[];
      let failures: RentalRunResult['failures'];
      try {
        ({ claimed, invoices, failures } = await ctx.db.transaction().execute(async (trx) => {
          const claimed = await claimRentalAccounts(trx, {
            entityId: entity.id,
            month,
            issueDate,
            now: ctx.clock.now(),
            rentalCodes,
            afterId,
            limit: opts.batchSize ?? 200,
            onlyIds: opts.accountIds,
          });
          const invoices: NewInvoice[] = [];
          const failures: RentalRunResult['failures'] = [];
          if (claimed.length === 0) return { claimed, invoices, failures };
          const tctx = { ...ctx, db: trx };
          const accounts = await getAccounts(tctx, claimed);
          const contracts = await contractsOf(tctx, claimed);
          const items = (await inventoryOf(tctx, claimed, prevFirst, lastDayOf(month))).filter((i) =>
            isRentalItem(catalog.get(i.itemCode)),
          );
          const itemsByAccount = groupBy(items, (i) => i.accountId);
          const certificates = await certificatesOf(tctx, claimed);
          for (const account of accounts.sort((a, b) => (a.id < b.id ? -1 : 1))) {
            const contract = contracts.get(account.id);
            if (!contract) continue;
            try {
              const composed = composeInvoice<RentalInput>(
                {
                  month,
                  currency: account.currency,
                  billingStartDate: contract.billingStartDate,
                  proration: entity.rules.proration,
                  items: itemsByAccount.get(account.id) ?? [],
                  catalog,
                  priceOn: (code, cur, on) => prices.priceOn(code, cur, on),
                  issueDate,
                  address: account.address,
                  taxStatus: account.taxStatus,
                  exemptionCertificates: certificates.get(account.id) ?? [],
                },
                stages,
                isCharge,
              );
              if (!composed.lines.some(isCharge)) continue;
              invoices.push(
                draftInvoice(
                  ctx,
                  entity,
                  account,
                  { kind: 'rental', issueDate, billingMonth: month, billRunId: null },
                  composed,
                ),
              );
            } catch (e) {
              if (e instanceof MissingPriceError) {
                failures.push({ accountId: account.id, code: 'missing_price', message: e.message });
              } else if (isBillingError(e) && e.kind === 'invalid') {
                failures.push({ accountId: account.id, code: e.code, message: e.message });
              } else {
                throw e;
              }
            }
          }
          await issueInvoices(trx, ctx, invoices, byId);
          await appendEvents(
            trx,
            ctx.actor,
            ctx.clock.now(),
            failures.map((f) => ({
              type: 'rental_run.account_failed',
              subjectId: f.accountId,
              accountId: f.accountId,
              payload: { month, code: f.code, message: f.message },
            })),
          );
          return { claimed, invoices, failures };
        }));
      } catch (e) {
        // Another worker invoiced one of these accounts first: claim again without it.
        if (isUniqueViolation(e)) continue;
        throw e;
      }
      if (claimed.length === 0) break;
      afterId = claimed[claimed.length - 1]!;
      result.invoicesCreated += invoices.length;
      result.failures.push(...failures);
      for (const inv of invoices)
        result.totals[inv.currency] = (result.totals[inv.currency] ?? 0) + inv.total;
    }
  }
  return result;
}
