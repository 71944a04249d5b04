import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { openRuntime, type Runtime } from '../../src/runtime.ts';

/** A hash of the migrations, so a cached template is rebuilt when they change. */
function migrationsHash(): string {
  const dir = new URL('../../src/db/migrations/', import.meta.url).pathname;
  const h = createHash('sha256');
  for (const f of readdirSync(dir).sort()) h.update(f).update(readFileSync(join(dir, f)));
  return h.digest('hex').slice(0, 12);
}

const CACHE = new URL('../../node_modules/.cache/tollbooth-test/', import.meta.url).pathname;

async function embeddedTemplate(): Promise<Blob> {
  const file = join(CACHE, `template-${migrationsHash()}.tar`);
  if (!existsSync(file)) {
    const rt = await openRuntime({
      loadDataDir: undefined,
      dataDir: join(CACHE, `build-${randomBytes(4).toString('hex')}`),
    });
    const dump = await rt.handle.pglite!.dumpDataDir('none');
    await rt.close();
    mkdirSync(CACHE, { recursive: true });
    const tmp = `${file}.${process.pid}`;
    writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
    renameSync(tmp, file); // atomic: parallel test processes never read a half-written template
  }
  return new Blob([readFileSync(file)]);
}

/** A server database cloned from a migrated template (CREATE DATABASE … TEMPLATE is fast). */
async function serverDatabase(baseUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const template = `tb_template_${migrationsHash()}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query('SELECT pg_advisory_lock(4242)');
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
    if (exists.rowCount === 0) {
      await admin.query(`CREATE DATABASE ${template}`);
      const rt = await openRuntime({ databaseUrl: withDatabase(baseUrl, template) });
      await rt.close();
    }
    const name = `tb_test_${randomBytes(6).toString('hex')}`;
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
    await admin.query('SELECT pg_advisory_unlock(4242)');
    return {
      url: withDatabase(baseUrl, name),
      drop: async () => {
        const c = new pg.Client({ connectionString: baseUrl });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.end();
      },
    };
  } finally {
    await admin.end();
  }
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export interface TestRuntime extends Runtime {
  /** The server database URL, when the suite runs against a PostgreSQL server. */
  databaseUrl?: string;
}

/** A fresh, migrated database for one test file: PGlite by default, a server with DATABASE_URL. */
export async function testRuntime(opts: { simulatedClock?: string } = {}): Promise<TestRuntime> {
  const base = process.env.DATABASE_URL;
  if (base) {
    const db = await serverDatabase(base);
    const rt = await openRuntime({ databaseUrl: db.url, simulatedClock: opts.simulatedClock });
    return {
      ...rt,
      databaseUrl: db.url,
      close: async () => {
        await rt.close();
        await db.drop();
      },
    };
  }
  return openRuntime({ loadDataDir: await embeddedTemplate(), simulatedClock: opts.simulatedClock });
}
