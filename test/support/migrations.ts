import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Kysely, Migrator, sql } from 'kysely';
import { connect } from '../../src/db/connection.ts';
import { migrations } from '../../src/db/migrate.ts';

/**
 * A migration's test: a fresh embedded database migrated up to `before` (the version just before
 * the one tested), handed to `body` with its migrator (to migrate further), closed and removed after.
 */
export async function fromMigration(
  before: string,
  body: (db: Kysely<unknown>, migrator: Migrator) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `tollbooth-${before}-`));
  const handle = await connect({ dataDir: dir });
  try {
    const db = handle.db as unknown as Kysely<unknown>;
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
    assert.equal((await migrator.migrateTo(before)).error, undefined);
    await body(db, migrator);
  } finally {
    await handle.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A billing entity 'ent_1' (US, USD) and its account 'acc_1', as a migration's test needs them. */
export async function entityAndAccount(db: Kysely<unknown>, companyName: string): Promise<void> {
  await sql`
    INSERT INTO billing_entities (id, code, country, currency, time_zone, locale, billing_email,
      invoice_number_base, remittance, rules, created_at)
    VALUES ('ent_1', 'US', 'US', 'USD', 'America/Chicago', 'en-US', 'billing@example.com', 10000000000,
      '{}', '{}', now())`.execute(db);
  await sql`
    INSERT INTO accounts (id, number, company_name, entity_id, currency, time_zone, locale, type, tax_status,
      status, address, created_at)
    VALUES ('acc_1', '800000001', ${companyName}, 'ent_1', 'USD', 'America/Chicago', 'en-US', 'online',
      'taxable', 'active', '{"country": "US"}', now())`.execute(db);
}
