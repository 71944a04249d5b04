import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CompiledQuery } from 'kysely';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Db } from './connection.ts';

/**
 * COPY … FROM STDIN through a Kysely handle, inside whatever transaction it stands for. Kysely
 * only sends statements, so each server connection of the pool learns two exact statements of
 * its own: a probe that answers "yes" (the embedded database runs it as written and answers
 * "no"), and a COPY request whose rows travel as one parameter that never reaches the server as
 * such. Anything else goes to the driver unchanged.
 */
const PROBE = 'SELECT false AS copy_from_stdin';
const COPY = '/* copy from stdin */';

interface CopyRequest {
  statement: string;
  chunks: Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>;
}

const isCopyRequest = (v: unknown): v is CopyRequest =>
  typeof v === 'object' && v !== null && typeof (v as CopyRequest).statement === 'string';

/** Installed on each new server connection (pool 'connect' event). */
export function installCopy(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const [text, values] = args;
    if (text === PROBE)
      return Promise.resolve({ command: 'SELECT', rowCount: 1, rows: [{ copy_from_stdin: true }] });
    if (text === COPY && Array.isArray(values) && isCopyRequest(values[0])) {
      const request = values[0];
      const stream = query(copyFrom(request.statement)) as NodeJS.WritableStream & { rowCount?: number };
      // Up to 32 chunks are taken ahead of the server: whoever makes them goes on meanwhile.
      return pipeline(Readable.from(request.chunks, { highWaterMark: 32 }), stream).then(() => ({
        command: 'COPY',
        rowCount: stream.rowCount ?? 0,
        rows: [],
      }));
    }
    return query(...args);
  };
}

/** Whether `db` (or the transaction it is) can COPY: true on a server, false embedded. */
export async function canCopy(db: Db): Promise<boolean> {
  const r = await db.executeQuery<{ copy_from_stdin: boolean }>(CompiledQuery.raw(PROBE));
  return r.rows[0]?.copy_from_stdin === true;
}

/**
 * Runs `COPY table (…) FROM STDIN` (text format) with the given chunks on `db`'s connection.
 * Only where canCopy(db) is true.
 */
export async function copyInto(
  db: Db,
  statement: string,
  chunks: Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>,
): Promise<void> {
  await db.executeQuery(CompiledQuery.raw(COPY, [{ statement, chunks } satisfies CopyRequest]));
}

/** A COPY text-format field: backslash, tab, newline and carriage return escaped; null as \N. */
export const copyField = (s: string | null): string =>
  s === null ? '\\N' : /[\t\n\r\\]/.test(s) ? s.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c]!) : s;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
