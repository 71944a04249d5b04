import { type Db, anyOf } from '../../db/index.ts';

// SQL for the accounts module's own tables: billing_entities, billing_entity_names, accounts,
// account_contacts, invoice_sequences' owner rows.

export const entityColumns = [
  'id',
  'code',
  'country',
  'currency',
  'time_zone',
  'locale',
  'billing_email',
  'invoice_number_base',
  'remittance',
  'rules',
] as const;

export async function findEntity(db: Db, idOrCode: string) {
  return db
    .selectFrom('billing_entities')
    .select(entityColumns)
    .where((eb) => eb.or([eb('id', '=', idOrCode), eb('code', '=', idOrCode.toUpperCase())]))
    .executeTakeFirst();
}

export async function entityNames(db: Db, entityIds: readonly string[]) {
  if (entityIds.length === 0) return [];
  return db
    .selectFrom('billing_entity_names')
    .selectAll()
    .where('entity_id', 'in', entityIds)
    .orderBy('valid_from')
    .execute();
}

export const accountColumns = [
  'id',
  'number',
  'company_name',
  'entity_id',
  'currency',
  'time_zone',
  'locale',
  'type',
  'tax_status',
  'status',
  'address',
  'po_number',
  'created_at',
] as const;

export async function contactsOf(db: Db, accountIds: readonly string[]) {
  if (accountIds.length === 0) return [];
  return db
    .selectFrom('account_contacts')
    .selectAll()
    .where('account_id', '=', anyOf(accountIds))
    .orderBy('account_id')
    .orderBy('role')
    .orderBy('position')
    .execute();
}
