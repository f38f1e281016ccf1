import type { KVStore } from "./kvstore.js";
import { parseU64Key, u64Key, type StoreKey } from "./keys.js";

/**
 * An index of entries due at a block height: `prefix ‖ u64(height) ‖ rest → value`. The
 * big-endian height makes key order height order, so "everything due by H" is a prefix scan
 * that stops at the first later entry. `rest` (task id, operator, …) is the user's own key
 * tail and keeps entries of the same height apart and ordered.
 */
export interface DueEntry {
  height: bigint;
  /** The key after the height: whatever the user appended. */
  rest: StoreKey;
  key: StoreKey;
  value: Uint8Array;
}

const EMPTY = new Uint8Array();

export const dueKey = (prefix: StoreKey, height: bigint, rest: StoreKey): StoreKey => prefix + u64Key(height) + rest;

export function addDue(store: KVStore, prefix: StoreKey, height: bigint, rest: StoreKey, value: Uint8Array = EMPTY): void {
  store.set(dueKey(prefix, height, rest), value);
}

export function removeDue(store: KVStore, prefix: StoreKey, height: bigint, rest: StoreKey): void {
  store.delete(dueKey(prefix, height, rest));
}

/**
 * Entries in (height, rest) order with height ≤ `upTo` (all of them when omitted), at most
 * `limit` of them, collected before returning so callers may delete what they visit. A block
 * hook passes its per-block bound as `limit`: what it leaves stays due (its height is still
 * ≤ the next block's) and comes first in the next block, oldest first.
 */
export function dueEntries(store: KVStore, prefix: StoreKey, upTo?: bigint, limit = Number.MAX_SAFE_INTEGER): DueEntry[] {
  const out: DueEntry[] = [];
  for (const [key, value] of store.iterate(prefix)) {
    if (out.length >= limit) break;
    const height = parseU64Key(key.slice(prefix.length, prefix.length + 8));
    if (upTo !== undefined && height > upTo) break;
    out.push({ height, rest: key.slice(prefix.length + 8), key, value });
  }
  return out;
}
