import type { Selectable } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { Ctx } from '../../context.ts';
import {
  type CalendarDate,
  addMonths,
  conflict,
  invalid,
  newId,
  notFound,
  parseDate,
} from '../../kernel/index.ts';
import { anyOf, appendEvents } from '../../db/index.ts';
import { getAccount } from '../accounts/index.ts';

export interface Contract {
  id: string;
  accountId: string;
  signatureDate: CalendarDate;
  freeMonths: number;
  billingStartDate: CalendarDate;
  termMonths: number | null;
  commitments: Record<string, unknown>;
}

export interface CreateContractInput {
  /** CON-1: the service start date. */
  signatureDate: CalendarDate;
  freeMonths?: number;
  /** From the quote; defaults to the signature date plus the free months (CON-2). */
  billingStartDate?: CalendarDate;
  /** null or absent = month-to-month. */
  termMonths?: number | null;
  commitments?: Record<string, unknown>;
}

/** CON-2: billing starts after the free months, which run from the signature date. */
export function billingStartFor(signatureDate: CalendarDate, freeMonths: number): CalendarDate {
  return addMonths(signatureDate, freeMonths);
}

export async function createContract(
  ctx: Ctx,
  accountId: string,
  input: CreateContractInput,
): Promise<Contract> {
  const account = await getAccount(ctx, accountId);
  const signatureDate = parseDate(input.signatureDate, 'signatureDate');
  const freeMonths = input.freeMonths ?? 0;
  if (!Number.isInteger(freeMonths) || freeMonths < 0 || freeMonths > 24) {
    throw invalid('invalid_free_months', 'freeMonths must be a whole number from 0 to 24.');
  }
  const earliestStart = billingStartFor(signatureDate, freeMonths);
  const billingStartDate = input.billingStartDate
    ? parseDate(input.billingStartDate, 'billingStartDate')
    : earliestStart;
  if (billingStartDate < earliestStart) {
    throw invalid(
      'billing_starts_in_free_months',
      `Billing cannot start on ${billingStartDate}: the ${freeMonths} free month(s) from ${signatureDate} run until ${earliestStart}.`,
    );
  }
  const term = input.termMonths ?? null;
  if (term !== null && (!Number.isInteger(term) || term < 1 || term > 120)) {
    throw invalid('invalid_term', 'termMonths must be a whole number of months from 1 to 120, or null.');
  }
  const existing = await ctx.db
    .selectFrom('contracts')
    .select('id')
    .where('account_id', '=', account.id)
    .executeTakeFirst();
  if (existing) {
    throw conflict('contract_exists', `Account ${account.number} already has contract ${existing.id}.`);
  }
  const id = newId('con', ctx.clock.now());
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('contracts')
      .values({
        id,
        account_id: account.id,
        signature_date: signatureDate,
        free_months: freeMonths,
        billing_start_date: billingStartDate,
        term_months: term,
        commitments: JSON.stringify(input.commitments ?? {}),
        created_at: ctx.clock.now(),
      })
      .execute();
    await appendEvents(trx, ctx.actor, ctx.clock.now(), [
      {
        type: 'contract.created',
        subjectId: id,
        accountId: account.id,
        payload: { signatureDate, freeMonths, billingStartDate, termMonths: term },
      },
    ]);
  });
  return (await listContracts(ctx, account.id))[0]!;
}

type ContractRow = Selectable<Database['contracts']>;

const toContract = (r: ContractRow): Contract => ({
  id: r.id,
  accountId: r.account_id,
  signatureDate: r.signature_date,
  freeMonths: r.free_months,
  billingStartDate: r.billing_start_date,
  termMonths: r.term_months,
  commitments: r.commitments as Record<string, unknown>,
});

export async function listContracts(ctx: Ctx, accountId: string): Promise<Contract[]> {
  const rows = await ctx.db
    .selectFrom('contracts')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('signature_date')
    .execute();
  return rows.map(toContract);
}

export async function contractOf(ctx: Ctx, accountId: string): Promise<Contract> {
  const contract = (await listContracts(ctx, accountId))[0];
  if (!contract) {
    throw invalid(
      'no_contract',
      `Account ${accountId} has no contract yet: create the contract before adding services.`,
    );
  }
  return contract;
}

/** Contracts of many accounts at once (the bill run). */
export async function contractsOf(ctx: Ctx, accountIds: readonly string[]): Promise<Map<string, Contract>> {
  if (accountIds.length === 0) return new Map();
  const rows = await ctx.db
    .selectFrom('contracts')
    .selectAll()
    .where('account_id', '=', anyOf(accountIds))
    .orderBy('signature_date', 'desc')
    .execute();
  return new Map(rows.map((r) => [r.account_id, toContract(r)]));
}

export async function getContract(ctx: Ctx, id: string): Promise<Contract> {
  const row = await ctx.db.selectFrom('contracts').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('contract_not_found', `No contract ${id}.`);
  return toContract(row);
}
