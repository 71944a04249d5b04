import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { Db } from './connection.ts';
import * as m001 from './migrations/001_spine.ts';
import * as m002 from './migrations/002_immutable_invoices.ts';
import * as m003 from './migrations/003_fees_and_taxes.ts';
import * as m004 from './migrations/004_deliveries.ts';
import * as m005 from './migrations/005_usage.ts';
import * as m006 from './migrations/006_payments.ts';
import * as m007 from './migrations/007_documents.ts';
import * as m008 from './migrations/008_notices.ts';
import * as m009 from './migrations/009_rated_on_arrival.ts';
import * as m010 from './migrations/010_call_sets.ts';
import * as m011 from './migrations/011_call_classes.ts';
import * as m012 from './migrations/012_direction_in_class.ts';
import * as m013 from './migrations/013_call_ids_text.ts';
import * as m014 from './migrations/014_call_id_bytewise.ts';
import * as m015 from './migrations/015_reissue.ts';
import * as m016 from './migrations/016_calling_plan_versions.ts';
import * as m017 from './migrations/017_import_by_batch.ts';
import * as m018 from './migrations/018_invoice_lines_checked_per_statement.ts';

// Versioned migrations, applied in name order; the same files serve PGlite and PostgreSQL.
export const migrations: Record<string, Migration> = {
  '001_spine': m001,
  '002_immutable_invoices': m002,
  '003_fees_and_taxes': m003,
  '004_deliveries': m004,
  '005_usage': m005,
  '006_payments': m006,
  '007_documents': m007,
  '008_notices': m008,
  '009_rated_on_arrival': m009,
  '010_call_sets': m010,
  '011_call_classes': m011,
  '012_direction_in_class': m012,
  '013_call_ids_text': m013,
  '014_call_id_bytewise': m014,
  '015_reissue': m015,
  '016_calling_plan_versions': m016,
  '017_import_by_batch': m017,
  '018_invoice_lines_checked_per_statement': m018,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
