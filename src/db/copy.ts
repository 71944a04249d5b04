import { Readable, type Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
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

type Chunks = Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>;

interface CopyRequest {
  statement: string;
  chunks: Chunks;
  written: (() => void) | undefined;
}

/** Chunks made ahead of the server at most: whoever makes them goes on meanwhile. */
const AHEAD = 32;

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
      const stream = query(copyFrom(request.statement)) as Writable & {
        rowCount?: number;
      };
      return feed(stream, request.chunks, request.written).then(() => ({
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
 * Writes the chunks to a COPY stream, AHEAD chunks made ahead of the server at most, and ends it;
 * on a failure of the chunks the COPY is failed (the server rolls it back), on the server's the
 * chunks stop. `written` is told, chunk after chunk in order, that the connection has taken a
 * chunk's bytes (its memory may be written again).
 */
async function feed(stream: Writable, chunks: Chunks, written: (() => void) | undefined): Promise<void> {
  // The driver reports the server's refusal as an 'error' event only: nothing is written after it.
  let refused = false;
  stream.on('error', () => (refused = true));
  const ended = finished(stream);
  ended.catch(() => undefined); // awaited below; a failure while chunks are made is not unhandled
  const ahead = Readable.from(chunks, { highWaterMark: AHEAD });
  try {
    for await (const chunk of ahead) {
      if (refused) break;
      // One chunk at a time in the driver, taken before the next is given: none is left in it
      // to write once the server refuses (it has let go of its connection by then).
      await Promise.race([new Promise((taken) => stream.write(chunk, taken)), ended]);
      written?.();
      // A turn of the event loop, so what the server says (a refusal) is heard between chunks.
      await new Promise(setImmediate);
    }
    if (!refused) stream.end();
  } catch (e) {
    if (refused)
      throw await ended.then(
        () => e,
        (refusal: unknown) => refusal,
      );
    stream.destroy(e as Error);
    await ended.catch(() => undefined);
    throw e;
  } finally {
    ahead.destroy();
  }
  await ended;
}

/**
 * Runs `COPY table (…) FROM STDIN` (text format) with the given chunks on `db`'s connection.
 * Only where canCopy(db) is true. `written` is called once per chunk, in order, when the
 * connection has taken its bytes.
 */
export async function copyInto(
  db: Db,
  statement: string,
  chunks: Chunks,
  written?: () => void,
): Promise<void> {
  await db.executeQuery(CompiledQuery.raw(COPY, [{ statement, chunks, written } satisfies CopyRequest]));
}

/**
 * Runs a binary COPY (`statement` says `FORMAT binary`) of the given rows: the format's header
 * first and its trailer last, around the chunks. `written` is told once per chunk of rows, as
 * copyInto tells it.
 */
export async function copyBinaryInto(
  db: Db,
  statement: string,
  rows: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  written?: () => void,
): Promise<void> {
  let given = 0;
  let taken = -1; // the header is taken first
  await copyInto(
    db,
    statement,
    (async function* () {
      yield BINARY_COPY_HEADER;
      for await (const chunk of rows) {
        given++;
        yield chunk;
      }
      yield BINARY_COPY_TRAILER;
    })(),
    written &&
      (() => {
        // Neither the header nor the trailer is one of the caller's chunks.
        if (taken >= 0 && taken < given) written();
        taken++;
      }),
  );
}

/** What a binary COPY starts with (signature, flags, header extension length) and ends with. */
const BINARY_COPY_HEADER = Uint8Array.from([
  ...Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'),
  ...[0, 0, 0, 0],
  ...[0, 0, 0, 0],
]);
const BINARY_COPY_TRAILER = Uint8Array.from([0xff, 0xff]);

/**
 * A COPY import holds its transaction's connection while it looks accounts up through another
 * (the COPY streams on the first); a bill run learning the usage watermark holds a connection
 * while it waits for the imports in progress to end. Both run in one of a pool's import slots,
 * half its connections: whatever else waits, an import always finds the second connection it
 * needs to finish. Unbounded, as many imports (or bill runs waiting on one) as the pool has
 * connections would hold them all and wait forever. Where no slots were set up (the embedded
 * database: one connection, no COPY) the work just runs.
 */
export async function withImportSlot<T>(db: Db, work: () => Promise<T>): Promise<T> {
  const slots = importSlots.get(db);
  if (slots === undefined) return work();
  await slots.take();
  try {
    return await work();
  } finally {
    slots.give();
  }
}

/** Sets up the import slots of a pool of `connections` (at least one slot). */
export function limitImportSlots(db: Db, connections: number): void {
  importSlots.set(db, new Slots(Math.max(1, Math.floor(connections / 2))));
}

const importSlots = new WeakMap<Db, Slots>();

/** A counting semaphore, first come first served. */
class Slots {
  #free: number;
  readonly #waiting: (() => void)[] = [];
  constructor(count: number) {
    this.#free = count;
  }
  async take(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }
  give(): void {
    const next = this.#waiting.shift();
    if (next !== undefined) next();
    else this.#free++;
  }
}
