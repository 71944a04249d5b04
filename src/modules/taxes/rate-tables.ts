import type { Ctx } from '../../context.ts';
import {
  conflict,
  groupBy,
  invalid,
  isBillingError,
  newId,
  notFound,
  parseDate,
} from '../../kernel/index.ts';
import { anyOf, appendEvents } from '../../db/index.ts';
import { getAccount } from '../accounts/index.ts';
import { type FeeSchedule, validateFeeSchedule } from './domain/fees.ts';
import { type TaxTable, validateTaxTable } from './domain/taxes.ts';
import type { ExemptionCertificate } from './domain/rates.ts';

export interface RateTables {
  fees: FeeSchedule | null;
  taxes: TaxTable | null;
  versions: { fees: number | null; taxes: number | null };
}

/**
 * The fee schedule and tax table in force: the latest version of each. An instance without them
 * bills no fees and no taxes (rates are data: staff load them, the demo loads its own).
 */
export async function loadRateTables(ctx: Ctx): Promise<RateTables> {
  const latest = (kind: 'fees' | 'taxes') =>
    ctx.db
      .selectFrom('rate_tables')
      .select(['version', 'document'])
      .where('kind', '=', kind)
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
  const [fees, taxes] = [await latest('fees'), await latest('taxes')];
  return {
    fees: (fees?.document as FeeSchedule | undefined) ?? null,
    taxes: (taxes?.document as TaxTable | undefined) ?? null,
    versions: { fees: fees?.version ?? null, taxes: taxes?.version ?? null },
  };
}

async function saveVersion(ctx: Ctx, kind: 'fees' | 'taxes', document: unknown): Promise<number> {
  return ctx.db.transaction().execute(async (trx) => {
    const last = await trx
      .selectFrom('rate_tables')
      .select((e) => e.fn.max('version').as('v'))
      .where('kind', '=', kind)
      .executeTakeFirst();
    const version = Number(last?.v ?? 0) + 1;
    try {
      await trx
        .insertInto('rate_tables')
        .values({
          kind,
          version,
          document: JSON.stringify(document),
          created_at: ctx.clock.now(),
          created_by: ctx.actor,
        })
        .execute();
    } catch (e) {
      if ((e as { code?: string }).code === '23505') {
        throw conflict(
          'rate_table_changed',
          `Another ${kind} version was saved at the same time; try again.`,
        );
      }
      throw e;
    }
    await appendEvents(trx, ctx.actor, ctx.clock.now(), [
      { type: `rate_tables.${kind}_published`, subjectId: `${kind}:${version}`, payload: { version } },
    ]);
    return version;
  });
}

/** Wraps a kernel validation failure as a clear 422 naming the table. */
function validated<T>(what: string, doc: T, validate: (d: T) => void): T {
  try {
    validate(doc);
    return doc;
  } catch (e) {
    if (isBillingError(e)) throw e;
    throw invalid(`invalid_${what}`, `The ${what.replace('_', ' ')} is not valid: ${(e as Error).message}`);
  }
}

export async function publishFeeSchedule(ctx: Ctx, schedule: FeeSchedule): Promise<number> {
  return saveVersion(ctx, 'fees', validated('fee_schedule', schedule, validateFeeSchedule));
}

export async function publishTaxTable(ctx: Ctx, table: TaxTable): Promise<number> {
  return saveVersion(ctx, 'taxes', validated('tax_table', table, validateTaxTable));
}

// ---- exemption certificates (ACC-4) -------------------------------------------------------------

export interface GrantExemptionInput {
  certificateNumber: string;
  jurisdictions: string[];
  validFrom: string;
  validTo?: string | null;
}

export interface StoredCertificate extends ExemptionCertificate {
  accountId: string;
  certificateNumber: string;
}

/** Staff grant a tax exemption on a submitted certificate; it removes the tax lines it covers. */
export async function grantExemption(
  ctx: Ctx,
  accountId: string,
  input: GrantExemptionInput,
): Promise<StoredCertificate> {
  const account = await getAccount(ctx, accountId);
  if (!input.certificateNumber?.trim())
    throw invalid('certificate_number_required', 'Give the certificate number.');
  if (!Array.isArray(input.jurisdictions) || input.jurisdictions.length === 0) {
    throw invalid('jurisdictions_required', 'Name the jurisdictions the certificate covers, e.g. ["US-TX"].');
  }
  const validFrom = parseDate(input.validFrom, 'validFrom');
  const validTo = input.validTo ? parseDate(input.validTo, 'validTo') : null;
  if (validTo && validTo < validFrom) throw invalid('invalid_validity', 'validTo is before validFrom.');
  const id = newId('cert', ctx.clock.now());
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('exemption_certificates')
      .values({
        id,
        account_id: account.id,
        certificate_number: input.certificateNumber.trim(),
        jurisdictions: JSON.stringify(input.jurisdictions),
        valid_from: validFrom,
        valid_to: validTo,
        created_at: ctx.clock.now(),
        created_by: ctx.actor,
      })
      .execute();
    await appendEvents(trx, ctx.actor, ctx.clock.now(), [
      {
        type: 'account.tax_exemption_granted',
        subjectId: id,
        accountId: account.id,
        payload: {
          certificateNumber: input.certificateNumber,
          jurisdictions: input.jurisdictions,
          validFrom,
          validTo,
        },
      },
    ]);
  });
  const [cert] = (await certificatesOf(ctx, [account.id])).get(account.id)!.filter((c) => c.id === id);
  if (!cert) throw notFound('certificate_not_found', `No certificate ${id}.`);
  return cert;
}

/** Certificates of many accounts (the bill run). */
export async function certificatesOf(
  ctx: Ctx,
  accountIds: readonly string[],
): Promise<Map<string, StoredCertificate[]>> {
  if (accountIds.length === 0) return new Map();
  const rows = await ctx.db
    .selectFrom('exemption_certificates')
    .selectAll()
    .where('account_id', '=', anyOf(accountIds))
    .orderBy('valid_from')
    .execute();
  const certs = rows.map((r) => ({
    id: r.id,
    accountId: r.account_id,
    certificateNumber: r.certificate_number,
    jurisdictions: r.jurisdictions as string[],
    validFrom: r.valid_from,
    validTo: r.valid_to,
  }));
  return groupBy(certs, (c) => c.accountId);
}
