export { connect, type Db, type DbHandle, type ConnectOptions } from './connection.ts';
export { migrateToLatest } from './migrate.ts';
export type { Database, Address } from './schema.ts';
export { appendEvents, type DomainEvent } from './outbox.ts';
export { toPage, pageLimit, pageArray, type Page, MAX_PAGE } from './paginate.ts';
export { anyOf } from './any-of.ts';
export { canCopy, copyBinaryInto, copyInto, withImportSlot } from './copy.ts';
export {
  type ColumnTypes,
  type CopyRows,
  type FixedColumn,
  copyRows,
  insertColumns,
  insertCopyRows,
} from './columns.ts';
export {
  ByteText,
  INT8_OID,
  PG_EPOCH_MS,
  arrayHeader,
  bytesAt,
  fieldAt,
  grown,
  kept,
  int32At,
  int64At,
  int64Of,
} from './binary.ts';
