import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Kysely, Migrator } from 'kysely';
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
