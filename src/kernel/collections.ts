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

/**
 * A cache of at most `limit` entries (values never undefined), in two generations: entries go
 * into the young one; when it holds half the limit it becomes the old one (the previous old one is
 * let go), and an entry found in the old one moves back into the young. What is used stays, what
 * is not goes, and every operation takes constant time — unlike evicting a Map's oldest entry
 * (`keys().next()` walks past every entry deleted before it until the Map is rehashed: at 100,000
 * entries that made each new entry cost tens of microseconds).
 */
export class BoundedCache<K, V> {
  #young = new Map<K, V>();
  #old = new Map<K, V>();
  readonly #half: number;

  constructor(readonly limit: number) {
    if (!Number.isSafeInteger(limit) || limit < 2) throw new Error(`bad cache limit: ${limit}`);
    this.#half = Math.floor(limit / 2);
  }

  get size(): number {
    return this.#young.size + this.#old.size;
  }

  get(key: K): V | undefined {
    const young = this.#young.get(key);
    if (young !== undefined) return young;
    const old = this.#old.get(key);
    if (old !== undefined) {
      this.#old.delete(key);
      this.#add(key, old);
    }
    return old;
  }

  set(key: K, value: V): void {
    if (this.#young.has(key)) this.#young.set(key, value);
    else {
      this.#old.delete(key);
      this.#add(key, value);
    }
  }

  #add(key: K, value: V): void {
    if (this.#young.size >= this.#half) {
      this.#old = this.#young;
      this.#young = new Map();
    }
    this.#young.set(key, value);
  }
}
