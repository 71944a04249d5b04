import type { Ctx } from '../../context.ts';
import {
  type CalendarDate,
  conflict,
  newId,
  notFound,
  parseDate,
  parseTimeZone,
} from '../../kernel/index.ts';
import { appendEvents } from '../../db/index.ts';
import { entityNames, findEntity } from './repo.ts';

export type ProrationConvention = 'after-start' | 'inclusive';

export interface EntityRules {
  /** RUN-2: how the charged days of a partial month are counted. */
  proration: ProrationConvention;
  /** RUN-8: days from sending to due date. */
  dueDays: number;
  /** CXL-2 notice, kept with the entity because it differs by country. */
  cancellationNotice: { kind: 'days-before-month-end' | 'days-before-next-cycle'; days: number };
}

export interface Remittance {
  cheque?: { payableTo: string; lockbox: string[]; overnight: string[] };
  ach?: { bank: string; accountName: string; accountNumber: string; routingNumber: string };
  bankTransfer?: { bank: string; accountName: string; accountNumber: string; clabe?: string; swift: string };
  /** SPEI/TEF: the reference to quote is the invoice number. */
  speiReferenceIsInvoiceNumber?: boolean;
}

export interface BillingEntityInput {
  code: string;
  country: string;
  currency: string;
  timeZone: string;
  locale: string;
  billingEmail: string;
  invoiceNumberBase: number;
  legalNames: { validFrom: CalendarDate; legalName: string }[];
  remittance: Remittance;
  rules: EntityRules;
}

/** An entity as stored: its input plus the id. */
export interface BillingEntity extends BillingEntityInput {
  id: string;
}

type EntityRow = NonNullable<Awaited<ReturnType<typeof findEntity>>>;

function toEntity(row: EntityRow, names: { valid_from: string; legal_name: string }[]): BillingEntity {
  return {
    id: row.id,
    code: row.code,
    country: row.country,
    currency: row.currency,
    timeZone: row.time_zone,
    locale: row.locale,
    billingEmail: row.billing_email,
    invoiceNumberBase: row.invoice_number_base,
    legalNames: names.map((n) => ({ validFrom: n.valid_from, legalName: n.legal_name })),
    remittance: row.remittance as Remittance,
    rules: row.rules as unknown as EntityRules,
  };
}

/** ACC-2: the legal name an invoice dated `on` must show. */
export function legalNameOn(entity: BillingEntity, on: CalendarDate): string {
  let name = entity.legalNames[0]?.legalName ?? entity.code;
  for (const n of entity.legalNames) if (n.validFrom <= on) name = n.legalName;
  return name;
}

export async function createBillingEntity(ctx: Ctx, input: BillingEntityInput): Promise<BillingEntity> {
  parseTimeZone(input.timeZone);
  for (const n of input.legalNames) parseDate(n.validFrom, 'legalNames.validFrom');
  if (await findEntity(ctx.db, input.code)) {
    throw conflict('entity_exists', `A billing entity with code ${input.code} already exists.`);
  }
  const id = newId('ent', ctx.clock.now());
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('billing_entities')
      .values({
        id,
        code: input.code.toUpperCase(),
        country: input.country,
        currency: input.currency,
        time_zone: input.timeZone,
        locale: input.locale,
        billing_email: input.billingEmail,
        invoice_number_base: input.invoiceNumberBase,
        remittance: JSON.stringify(input.remittance),
        rules: JSON.stringify(input.rules),
        created_at: ctx.clock.now(),
      })
      .execute();
    await trx
      .insertInto('billing_entity_names')
      .values(
        input.legalNames.map((n) => ({ entity_id: id, valid_from: n.validFrom, legal_name: n.legalName })),
      )
      .execute();
    await appendEvents(trx, ctx.actor, ctx.clock.now(), [
      { type: 'billing_entity.created', subjectId: id, payload: { code: input.code } },
    ]);
  });
  return getBillingEntity(ctx, id);
}

export async function getBillingEntity(ctx: Ctx, idOrCode: string): Promise<BillingEntity> {
  const row = await findEntity(ctx.db, idOrCode);
  if (!row) throw notFound('entity_not_found', `No billing entity ${idOrCode}.`);
  return toEntity(row, await entityNames(ctx.db, [row.id]));
}

export async function listBillingEntities(ctx: Ctx): Promise<BillingEntity[]> {
  const rows = await ctx.db.selectFrom('billing_entities').selectAll().orderBy('code').execute();
  const names = await entityNames(
    ctx.db,
    rows.map((r) => r.id),
  );
  return rows.map((r) =>
    toEntity(
      r,
      names.filter((n) => n.entity_id === r.id),
    ),
  );
}

/** Adds a legal name valid from a date (a rename keeps the old name on older invoices). */
export async function renameBillingEntity(
  ctx: Ctx,
  idOrCode: string,
  legalName: string,
  validFrom: CalendarDate,
): Promise<BillingEntity> {
  const entity = await getBillingEntity(ctx, idOrCode);
  parseDate(validFrom, 'validFrom');
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('billing_entity_names')
      .values({ entity_id: entity.id, valid_from: validFrom, legal_name: legalName })
      .onConflict((oc) => oc.columns(['entity_id', 'valid_from']).doUpdateSet({ legal_name: legalName }))
      .execute();
    await appendEvents(trx, ctx.actor, ctx.clock.now(), [
      { type: 'billing_entity.renamed', subjectId: entity.id, payload: { legalName, validFrom } },
    ]);
  });
  return getBillingEntity(ctx, entity.id);
}
