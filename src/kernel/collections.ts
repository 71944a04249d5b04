/** Map.groupBy for Node 20, which does not have it yet. */
export function groupBy<T, K>(items: Iterable<T>, key: (item: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

/**
 * A copy of `s` that holds its own characters. A string cut from a larger one (a field of a CSV
 * block) can point into it: kept as a long-lived map key, it keeps the whole block alive and makes
 * every later comparison read that far-away block. Keys kept for the length of a run are copied.
 */
export const ownCopy = (s: string): string => JSON.parse(JSON.stringify(s)) as string;
