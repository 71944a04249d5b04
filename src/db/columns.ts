import { sql } from 'kysely';
import { daysBetween } from '../kernel/index.ts';
import { ByteText, PG_EPOCH_MS } from './binary.ts';
import type { Db } from './connection.ts';
import { canCopy, copyBinaryInto } from './copy.ts';
import type { Database } from './schema.ts';

/** The SQL type of a column written by insertColumns. */
export type ColumnType = 'text' | 'date' | 'int' | 'bigint' | 'timestamptz' | 'jsonb';

/** The SQL type of each column a row has. */
export type ColumnTypes<T> = { readonly [K in keyof T]-?: ColumnType };

/** A column with one value for every row (an import's batch, a new invoice's status), written first. */
export interface FixedColumn {
  column: string;
  type: ColumnType;
  value: ColumnValue;
}

/**
 * A value as rows hold it: dates as 'YYYY-MM-DD', instants as Dates, integers as numbers, JSON
 * as its text.
 */
type ColumnValue = string | number | Date | null;

/** Rows written a statement (or a COPY piece) at a time at most. */
const COLUMN_ROWS = 20_000;

/**
 * Rows inserted a column at a time. On a server, by a binary COPY (nothing to escape or parse);
 * embedded, each column one array parameter, the rows made by unnest: the statement stays the same
 * small text whatever the rows (no query of hundreds of thousands of parameters built, sent and
 * parsed). An import writes its sums and classes so (a hundred thousand of each for 10,000
 * accounts), and a bill run its invoices and their lines: on a server a fifth of the time of an
 * INSERT from unnest or from a JSON document, and a bill run's batch holds its entity's invoice
 * numbering lock while it writes them.
 */
export async function insertColumns<T extends object>(
  db: Db,
  table: keyof Database & string,
  types: ColumnTypes<T>,
  rows: readonly T[],
  fixed: readonly FixedColumn[] = [],
): Promise<void> {
  if (rows.length === 0) return;
  const { columns, names } = columnsOf(types, fixed);
  if (await canCopy(db)) {
    await copyBinaryInto(db, copyStatement(table, names), binaryRows(types, columns, rows, fixed));
    return;
  }
  const refs = sql.join(names.map((c) => sql.ref(c)));
  const constants = fixed.map((f) => sql`${unnestable(f.value)}::${sql.raw(f.type)}`);
  for (let i = 0; i < rows.length; i += COLUMN_ROWS) {
    const some = rows.slice(i, i + COLUMN_ROWS);
    const arrays = sql.join(
      columns.map(
        (c) =>
          sql`${some.map((r) => unnestable(checked(types[c], r[c] as ColumnValue)))}::${sql.raw(types[c])}[]`,
      ),
    );
    await sql`INSERT INTO ${sql.table(table)} (${refs})
      SELECT ${sql.join([...constants, sql`*`])} FROM unnest(${arrays})`.execute(db);
  }
}

/**
 * Rows made into a server's binary COPY ahead of writing them (insertCopyRows): what an import
 * writes last is made while the server still takes the calls queued before it.
 */
export interface CopyRows {
  statement: string;
  pieces: readonly Uint8Array[];
}

/** The rows insertColumns would write on a server, made now (see CopyRows). */
export function copyRows<T extends object>(
  table: keyof Database & string,
  types: ColumnTypes<T>,
  rows: readonly T[],
  fixed: readonly FixedColumn[] = [],
): CopyRows {
  const { columns, names } = columnsOf(types, fixed);
  return { statement: copyStatement(table, names), pieces: [...binaryRows(types, columns, rows, fixed)] };
}

/** Writes rows made by copyRows (a server's connection: only it takes a COPY). */
export async function insertCopyRows(db: Db, rows: CopyRows): Promise<void> {
  if (rows.pieces.length > 0) await copyBinaryInto(db, rows.statement, rows.pieces);
}

/** The columns a row gives, and every column written (the fixed ones first). */
function columnsOf<T extends object>(types: ColumnTypes<T>, fixed: readonly FixedColumn[]) {
  const columns = Object.keys(types) as (keyof T & string)[];
  return { columns, names: [...fixed.map((f) => f.column), ...columns] };
}

const copyStatement = (table: string, names: readonly string[]) =>
  `COPY ${table} (${names.join(', ')}) FROM STDIN (FORMAT binary)`;

/** An instant as its ISO text in a parameter (the driver's own text for a Date differs by driver). */
const unnestable = (v: ColumnValue): ColumnValue => (v instanceof Date ? v.toISOString() : v);

/** The rows as binary COPY rows (the fixed columns first), COLUMN_ROWS to a piece. */
function* binaryRows<T extends object>(
  types: ColumnTypes<T>,
  columns: readonly (keyof T & string)[],
  rows: readonly T[],
  fixed: readonly FixedColumn[],
): Generator<Uint8Array> {
  // The fixed columns' fields are the same bytes on every row: written once.
  const head = new ByteText(64);
  head.int16(fixed.length + columns.length);
  for (const f of fixed) field(head, f.type, f.value);
  const prefix = head.done();
  for (let i = 0; i < rows.length; i += COLUMN_ROWS) {
    const out = new ByteText(1 << 16);
    for (const row of rows.slice(i, i + COLUMN_ROWS)) {
      out.bytes(prefix);
      for (const c of columns) field(out, types[c], row[c] as ColumnValue);
    }
    yield out.done();
  }
}

/** One value as a binary COPY field of its column's type (NULL as length -1). */
function field(out: ByteText, type: ColumnType, v: ColumnValue): void {
  if (v === null) return out.int32(-1);
  switch (type) {
    case 'text':
      return out.text(v as string);
    case 'bigint':
      return out.int8Field(checked(type, v) as number);
    case 'int':
      out.int32(4);
      return out.int32(checked(type, v) as number);
    case 'date':
      // Days since 2000-01-01.
      out.int32(4);
      return out.int32(daysBetween(PG_EPOCH_DATE, v as string));
    case 'jsonb':
      // Its format's version (1), then the JSON text.
      return out.text(`\u0001${v as string}`);
    case 'timestamptz':
      // Microseconds since 2000-01-01T00:00:00Z.
      out.int32(8);
      return out.int64(((v instanceof Date ? v.getTime() : (v as number)) - PG_EPOCH_MS) * 1000);
  }
}

const PG_EPOCH_DATE = '2000-01-01';

/**
 * A value for its column: an integer column's value is refused, whichever way rows go, when the
 * column cannot hold it (a binary field would hold wrong bytes, unnest a server's refusal).
 */
function checked(type: ColumnType, v: ColumnValue): ColumnValue {
  if (v === null || (type !== 'int' && type !== 'bigint')) return v;
  const max = type === 'int' ? 2 ** 31 - 1 : Number.MAX_SAFE_INTEGER;
  if (typeof v !== 'number' || !Number.isInteger(v) || v > max || v < -max - (type === 'int' ? 1 : 0))
    throw new RangeError(`not an integer of its column (${type}): ${String(v)}`);
  return v;
}
