import type { StoreKey } from "./keys.js";

/**
 * Synchronous key-value view of state. All state lives in memory (see docs/store.md), so
 * keepers read and write without awaiting; LevelDB only makes commits durable.
 */
export interface KVStore {
  get(key: StoreKey): Uint8Array | undefined;
  has(key: StoreKey): boolean;
  set(key: StoreKey, value: Uint8Array): void;
  delete(key: StoreKey): void;
  /**
   * Entries whose key starts with `prefix`, in ascending byte order; with `from`, only keys
   * ≥ `from` (a page resumes there without reading what came before).
   */
  iterate(prefix: StoreKey, from?: StoreKey): Iterable<[StoreKey, Uint8Array]>;
}

/** A pending write: a value, or null for a deletion. */
export type ChangeSet = Map<StoreKey, Uint8Array | null>;

/** Sorted array of keys kept in order by binary search; used for prefix scans. */
export class SortedKeys {
  private readonly keys: StoreKey[] = [];

  get size(): number {
    return this.keys.length;
  }

  /** Index of the first key >= `key`. */
  lowerBound(key: StoreKey): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.keys[mid]! < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  insert(key: StoreKey): void {
    const i = this.lowerBound(key);
    if (this.keys[i] !== key) this.keys.splice(i, 0, key);
  }

  clear(): void {
    this.keys.length = 0;
  }

  remove(key: StoreKey): void {
    const i = this.lowerBound(key);
    if (this.keys[i] === key) this.keys.splice(i, 1);
  }

  /**
   * Keys starting with `prefix`, ascending, produced lazily (a scan that stops early costs
   * only what it read). The set may change between steps: each step resumes after the last
   * key yielded, wherever it now sits.
   */
  *withPrefix(prefix: StoreKey, from?: StoreKey): Iterable<StoreKey> {
    let i = this.lowerBound(from !== undefined && from > prefix ? from : prefix);
    while (i < this.keys.length) {
      const key = this.keys[i]!;
      if (!key.startsWith(prefix)) return;
      yield key;
      i = this.keys[i] === key ? i + 1 : this.lowerBound(key + "\u0000");
    }
  }
}

/** A map-backed store with sorted prefix scans: the in-memory image of committed state. */
export class MemStore implements KVStore {
  private readonly values = new Map<StoreKey, Uint8Array>();
  private readonly order = new SortedKeys();

  get size(): number {
    return this.values.size;
  }

  get(key: StoreKey): Uint8Array | undefined {
    return this.values.get(key);
  }

  has(key: StoreKey): boolean {
    return this.values.has(key);
  }

  set(key: StoreKey, value: Uint8Array): void {
    if (!this.values.has(key)) this.order.insert(key);
    this.values.set(key, value);
  }

  delete(key: StoreKey): void {
    if (this.values.delete(key)) this.order.remove(key);
  }

  *iterate(prefix: StoreKey, from?: StoreKey): Iterable<[StoreKey, Uint8Array]> {
    for (const key of this.order.withPrefix(prefix, from)) {
      const value = this.values.get(key);
      if (value !== undefined) yield [key, value];
    }
  }

  apply(changes: ChangeSet): void {
    for (const [key, value] of changes) {
      if (value === null) this.delete(key);
      else this.set(key, value);
    }
  }
}

/**
 * A copy-on-write layer over another store. Writes stay in the layer until `writeToParent`
 * (a tx's messages succeeded) or are dropped with the branch (they failed). Block execution
 * runs on one branch of committed state, each tx on a branch of that.
 */
export class Branch implements KVStore {
  private readonly writes: ChangeSet = new Map();
  /** The written keys in order, so prefix scans do not sort every write on each call. */
  private readonly written = new SortedKeys();

  constructor(private readonly parent: KVStore) {}

  get(key: StoreKey): Uint8Array | undefined {
    const w = this.writes.get(key);
    if (w !== undefined) return w ?? undefined;
    return this.parent.get(key);
  }

  has(key: StoreKey): boolean {
    const w = this.writes.get(key);
    if (w !== undefined) return w !== null;
    return this.parent.has(key);
  }

  set(key: StoreKey, value: Uint8Array): void {
    if (!this.writes.has(key)) this.written.insert(key);
    this.writes.set(key, value);
  }

  delete(key: StoreKey): void {
    if (!this.writes.has(key)) this.written.insert(key);
    this.writes.set(key, null);
  }

  *iterate(prefix: StoreKey, from?: StoreKey): Iterable<[StoreKey, Uint8Array]> {
    const own = [...this.written.withPrefix(prefix, from)];
    const base = this.parent.iterate(prefix, from)[Symbol.iterator]();
    let next = base.next();
    let i = 0;
    // Merge two ascending streams; the branch's own write wins on equal keys.
    while (!next.done || i < own.length) {
      const ownKey = own[i];
      if (ownKey !== undefined && (next.done || ownKey <= next.value[0])) {
        if (!next.done && ownKey === next.value[0]) next = base.next();
        const value = this.writes.get(ownKey)!;
        i++;
        if (value !== null) yield [ownKey, value];
      } else if (!next.done) {
        yield next.value;
        next = base.next();
      }
    }
  }

  /** The pending writes (keys unsorted; sort before hashing). */
  changes(): ChangeSet {
    return this.writes;
  }

  writeToParent(): void {
    for (const [key, value] of this.writes) {
      if (value === null) this.parent.delete(key);
      else this.parent.set(key, value);
    }
    this.writes.clear();
    this.written.clear();
  }
}
