import { type Kysely, sql } from 'kysely';

// An import that meets a call id stored already names the import that stored it, found by the
// call's batch: an index, as every API batch is an import of its own and the table only grows.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX cdr_imports_batch ON cdr_imports (batch)`.execute(db);
}
