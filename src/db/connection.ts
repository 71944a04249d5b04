import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { installCopy, limitImportSlots } from './copy.ts';
import { PGliteDialect } from './pglite-dialect.ts';
import type { Database } from './schema.ts';
import { PG_DATE, PG_INT8, parseDateText, parseInt8 } from './types.ts';

export type Db = Kysely<Database>;

export interface DbHandle {
  db: Db;
  kind: 'embedded' | 'server';
  /** The embedded engine, when embedded (tests dump and restore it). */
  pglite?: PGlite;
  /** A pg pool, when on a server (the bill run and benchmarks use COPY and raw queries). */
  pool?: pg.Pool;
  close(): Promise<void>;
}

pg.types.setTypeParser(PG_INT8, parseInt8);
pg.types.setTypeParser(PG_DATE, parseDateText);

export interface ConnectOptions {
  databaseUrl?: string | undefined;
  dataDir?: string | undefined;
  /** Embedded only: start from a dumped data directory (tests). */
  loadDataDir?: Blob | File | undefined;
  poolSize?: number;
}

export async function connect(opts: ConnectOptions): Promise<DbHandle> {
  if (opts.databaseUrl) {
    const connections = opts.poolSize ?? 10;
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: connections });
    pool.on('connect', installCopy);
    // An idle connection the server closes (restart, failover, a dropped test database) is
    // discarded by the pool and replaced on next use; without a listener it would end the process.
    pool.on('error', (e) => {
      if (!pool.ending) console.warn(`database: idle connection closed by the server (${e.message})`);
    });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    await sql`SELECT 1`.execute(db);
    limitImportSlots(db, connections);
    return { db, kind: 'server', pool, close: () => db.destroy() };
  }
  const parsers = { [PG_INT8]: parseInt8, [PG_DATE]: parseDateText };
  let pglite: PGlite;
  if (opts.loadDataDir) {
    pglite = new PGlite({ loadDataDir: opts.loadDataDir, parsers });
  } else {
    const dir = opts.dataDir ?? './data';
    mkdirSync(dir, { recursive: true });
    pglite = new PGlite(`${dir}/pg`, { parsers });
  }
  await pglite.waitReady;
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return {
    db,
    kind: 'embedded',
    pglite,
    close: async () => {
      await db.destroy();
      await pglite.close();
    },
  };
}
