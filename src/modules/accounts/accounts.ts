import type { Ctx } from '../../context.ts';
import { conflict, groupBy, invalid, newId, notFound, parseTimeZone } from '../../kernel/index.ts';
import { type Address, type Db, type Page, anyOf, appendEvents, pageLimit, toPage } from '../../db/index.ts';
import { accountColumns, contactsOf, findEntity } from './repo.ts';
import { sql } from 'kysely';

export type AccountStatus = 'active' | 'suspended' | 'deactivated' | 'cancelled';

export interface InvoiceRecipient {
  email: string;
  name?: string | null;
  primary: boolean;
}

export interface Account {
  id: string;
  number: string;
  companyName: string;
  entityId: string;
  entityCode: string;
  currency: string;
  timeZone: string;
  locale: string;
  type: 'online' | 'corporate';
  taxStatus: 'taxable' | 'exempt';
  status: AccountStatus;
  address: Address;
  poNumber: string | null;
  invoiceRecipients: InvoiceRecipient[];
  receiptEmail: string | null;
  createdAt: string;
}

export interface CreateAccountInput {
  companyName: string;
  /** Billing entity code (US, CA, MX) or id. */
  entity: string;
  timeZone?: string;
  locale?: string;
  type?: 'online' | 'corporate';
  taxStatus?: 'taxable' | 'exempt';
  address: Address;
  poNumber?: string | null;
  invoiceRecipients: InvoiceRecipient[];
  receiptEmail?: string;
  /** Import an existing account number; assigned from a sequence otherwise. */
  number?: string;
}

export const MAX_INVOICE_RECIPIENTS = 5;
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const SUPPORTED_LOCALES = ['en-US', 'en-CA', 'fr-CA', 'es-MX', 'es-ES', 'pt-BR'];

/** ACC-3: up to 5 recipients, exactly one primary, valid and distinct addresses. */
export function validateRecipients(recipients: InvoiceRecipient[], receiptEmail: string | undefined): void {
  if (!Array.isArray(recipients) || recipients.length === 0) {
    throw invalid('billing_contact_required', 'An account needs a primary billing contact from set-up on.');
  }
  if (recipients.length > MAX_INVOICE_RECIPIENTS) {
    throw invalid(
      'too_many_recipients',
      `An invoice goes to at most ${MAX_INVOICE_RECIPIENTS} addresses; ${recipients.length} were given.`,
    );
  }
  const primaries = recipients.filter((r) => r.primary).length;
  if (primaries !== 1) {
    throw invalid(
      'one_primary_contact',
      `Exactly one recipient must be the primary billing contact (${primaries} given).`,
    );
  }
  const seen = new Set<string>();
  for (const r of recipients) {
    if (!EMAIL_RE.test(r.email)) throw invalid('invalid_email', `"${r.email}" is not an e-mail address.`);
    const key = r.email.toLowerCase();
    if (seen.has(key)) throw invalid('duplicate_recipient', `${r.email} is listed twice.`);
    seen.add(key);
  }
  if (receiptEmail !== undefined && !EMAIL_RE.test(receiptEmail)) {
    throw invalid(
      'invalid_email',
      `"${receiptEmail}" is not an e-mail address (receipts go to one address).`,
    );
  }
}

function validateAddress(address: Address): void {
  if (!address || typeof address.country !== 'string' || !/^[A-Z]{2}$/.test(address.country)) {
    throw invalid('invalid_address', 'address.country must be a two-letter ISO country code such as US.');
  }
  if (['US', 'CA', 'MX'].includes(address.country) && !address.state) {
    throw invalid(
      'invalid_address',
      `address.state is required for ${address.country} (taxes depend on it).`,
    );
  }
}

export async function createAccount(ctx: Ctx, input: CreateAccountInput): Promise<Account> {
  const entity = await findEntity(ctx.db, input.entity);
  if (!entity) throw invalid('unknown_entity', `No billing entity "${input.entity}" (use US, CA or MX).`);
  if (!input.companyName?.trim()) throw invalid('company_name_required', 'companyName is required.');
  validateAddress(input.address);
  validateRecipients(input.invoiceRecipients, input.receiptEmail);
  const timeZone = input.timeZone ? parseTimeZone(input.timeZone) : entity.time_zone;
  const locale = input.locale ?? entity.locale;
  if (!SUPPORTED_LOCALES.includes(locale)) {
    throw invalid('unsupported_locale', `locale must be one of ${SUPPORTED_LOCALES.join(', ')}.`);
  }
  const now = ctx.clock.now();
  const id = newId('acc', now);
  await ctx.db.transaction().execute(async (trx) => {
    let number = input.number;
    if (number) {
      const taken = await trx
        .selectFrom('accounts')
        .select('id')
        .where('number', '=', number)
        .executeTakeFirst();
      if (taken) throw conflict('account_number_taken', `Account number ${number} is already used.`);
    } else {
      const r = await sql<{ n: number }>`SELECT nextval('account_numbers') AS n`.execute(trx);
      number = String(r.rows[0]!.n);
    }
    await trx
      .insertInto('accounts')
      .values({
        id,
        number,
        company_name: input.companyName.trim(),
        entity_id: entity.id,
        currency: entity.currency,
        time_zone: timeZone,
        locale,
        type: input.type ?? 'online',
        tax_status: input.taxStatus ?? 'taxable',
        status: 'active',
        address: JSON.stringify(input.address),
        po_number: input.poNumber ?? null,
        created_at: now,
      })
      .execute();
    await writeContacts(trx, id, input.invoiceRecipients, input.receiptEmail);
    await appendEvents(trx, ctx.actor, now, [
      { type: 'account.created', subjectId: id, accountId: id, payload: { number, entity: entity.code } },
    ]);
  });
  return getAccount(ctx, id);
}

async function writeContacts(db: Db, accountId: string, recipients: InvoiceRecipient[], receipt?: string) {
  await db.deleteFrom('account_contacts').where('account_id', '=', accountId).execute();
  // Primary first: it is the address shown as "billing contact" and the first one mailed.
  const ordered = [...recipients].sort((a, b) => Number(b.primary) - Number(a.primary));
  const primary = ordered[0]!;
  await db
    .insertInto('account_contacts')
    .values([
      ...ordered.map((r, i) => ({
        account_id: accountId,
        role: 'invoice' as const,
        position: i,
        email: r.email,
        name: r.name ?? null,
        is_primary: r.primary,
      })),
      {
        account_id: accountId,
        role: 'receipt' as const,
        position: 0,
        email: receipt ?? primary.email,
        name: null,
        is_primary: false,
      },
    ])
    .execute();
}

export async function setInvoiceRecipients(
  ctx: Ctx,
  accountId: string,
  recipients: InvoiceRecipient[],
  receiptEmail?: string,
): Promise<Account> {
  const account = await getAccount(ctx, accountId);
  validateRecipients(recipients, receiptEmail);
  await ctx.db.transaction().execute(async (trx) => {
    await writeContacts(trx, account.id, recipients, receiptEmail ?? account.receiptEmail ?? undefined);
    await appendEvents(trx, ctx.actor, ctx.clock.now(), [
      {
        type: 'account.recipients_changed',
        subjectId: account.id,
        accountId: account.id,
        payload: { recipients: recipients.map((r) => r.email), receiptEmail: receiptEmail ?? null },
      },
    ]);
  });
  return getAccount(ctx, account.id);
}

type AccountRow = Awaited<ReturnType<ReturnType<typeof accountQuery>['execute']>>[number];

type ContactRow = Awaited<ReturnType<typeof contactsOf>>[number];

function toAccount(row: AccountRow, contacts: readonly ContactRow[]): Account {
  const mine = contacts.filter((c) => c.account_id === row.id);
  return {
    id: row.id,
    number: row.number,
    companyName: row.company_name,
    entityId: row.entity_id,
    entityCode: row.entity_code,
    currency: row.currency,
    timeZone: row.time_zone,
    locale: row.locale,
    type: row.type,
    taxStatus: row.tax_status,
    status: row.status,
    address: row.address as Address,
    poNumber: row.po_number,
    invoiceRecipients: mine
      .filter((c) => c.role === 'invoice')
      .map((c) => ({ email: c.email, name: c.name, primary: c.is_primary })),
    receiptEmail: mine.find((c) => c.role === 'receipt')?.email ?? null,
    createdAt: row.created_at.toISOString(),
  };
}

function accountQuery(db: Db) {
  return db
    .selectFrom('accounts')
    .innerJoin('billing_entities', 'billing_entities.id', 'accounts.entity_id')
    .select(accountColumns.map((c) => `accounts.${c}` as const))
    .select('billing_entities.code as entity_code');
}

export async function getAccount(ctx: Ctx, idOrNumber: string): Promise<Account> {
  const row = await accountQuery(ctx.db)
    .where((eb) => eb.or([eb('accounts.id', '=', idOrNumber), eb('accounts.number', '=', idOrNumber)]))
    .executeTakeFirst();
  if (!row) throw notFound('account_not_found', `No account ${idOrNumber}.`);
  return toAccount(row, await contactsOf(ctx.db, [row.id]));
}

/** Accounts by id, for modules that work on many at once (the bill run). */
export async function getAccounts(ctx: Ctx, ids: readonly string[]): Promise<Account[]> {
  if (ids.length === 0) return [];
  const rows = await accountQuery(ctx.db).where('accounts.id', '=', anyOf(ids)).execute();
  const contacts = groupBy(await contactsOf(ctx.db, ids), (c) => c.account_id);
  return rows.map((r) => toAccount(r, contacts.get(r.id) ?? []));
}

export interface AccountFilter {
  entity?: string;
  status?: AccountStatus;
  cursor?: string;
  limit?: number;
}

export async function listAccounts(ctx: Ctx, filter: AccountFilter = {}): Promise<Page<Account>> {
  const limit = pageLimit(filter.limit);
  let q = accountQuery(ctx.db)
    .orderBy('accounts.id')
    .limit(limit + 1);
  if (filter.cursor) q = q.where('accounts.id', '>', filter.cursor);
  if (filter.status) q = q.where('accounts.status', '=', filter.status);
  if (filter.entity) q = q.where('billing_entities.code', '=', filter.entity.toUpperCase());
  const rows = await q.execute();
  const contacts = await contactsOf(
    ctx.db,
    rows.map((r) => r.id),
  );
  return toPage(
    rows.map((r) => toAccount(r, contacts)),
    limit,
    (a) => a.id,
  );
}
