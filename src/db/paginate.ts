import { invalid } from '../kernel/index.ts';

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export const MAX_PAGE = 200;

export function pageLimit(limit: number | undefined): number {
  const l = limit ?? 50;
  if (!Number.isInteger(l) || l < 1 || l > MAX_PAGE) {
    throw invalid('invalid_limit', `limit must be a whole number from 1 to ${MAX_PAGE}.`);
  }
  return l;
}

/** Turns limit+1 rows fetched in cursor order into a page and the cursor of the next one. */
export function toPage<T>(rows: T[], limit: number, cursorOf: (row: T) => string): Page<T> {
  const more = rows.length > limit;
  const data = more ? rows.slice(0, limit) : rows;
  const last = data[data.length - 1];
  return { data, nextCursor: more && last ? cursorOf(last) : null };
}

/** Cursor pagination over a list already in memory (short lists: catalog, contracts, inventory). */
export function pageArray<T>(
  items: readonly T[],
  opts: { cursor?: string | undefined; limit?: number | undefined },
  key: (item: T) => string,
): Page<T> {
  const limit = pageLimit(opts.limit);
  const sorted = [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const after = opts.cursor ? sorted.filter((i) => key(i) > opts.cursor!) : sorted;
  return toPage(after.slice(0, limit + 1), limit, key);
}
