import { type Kysely, sql } from 'kysely';

// RUN-10: exactly one rental invoice per account and month, however often or on however many
// workers the rental run starts (the same guard as the monthly invoice's invoices_one_monthly).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE UNIQUE INDEX invoices_one_rental ON invoices(account_id, billing_month) WHERE kind = 'rental'
  `.execute(db);
}
