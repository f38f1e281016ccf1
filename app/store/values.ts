import type { KVStore } from "./kvstore.js";
import type { StoreKey } from "./keys.js";

/**
 * Integer values in state: decimal ASCII, so a bigint of any size round-trips exactly and a
 * raw store dump stays readable. Every module stores amounts, totals and counters this way.
 */
export function encodeBigInt(n: bigint): Uint8Array {
  return Buffer.from(n.toString(), "latin1");
}

export function decodeBigInt(bytes: Uint8Array): bigint {
  return BigInt(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1"));
}

export function getBigInt(store: KVStore, key: StoreKey, fallback = 0n): bigint {
  const raw = store.get(key);
  return raw === undefined ? fallback : decodeBigInt(raw);
}

/** Writes `value`; a value equal to `deleteAt` (default: none) removes the key instead. */
export function setBigInt(store: KVStore, key: StoreKey, value: bigint, deleteAt?: bigint): void {
  if (deleteAt !== undefined && value === deleteAt) store.delete(key);
  else store.set(key, encodeBigInt(value));
}

/** A monotonically increasing id source kept in state (account numbers, task ids, …). */
export interface Counter {
  /** The id the next `take` will return. */
  peek(store: KVStore): bigint;
  take(store: KVStore): bigint;
}

export function defineCounter(key: StoreKey, first: bigint): Counter {
  const peek = (store: KVStore) => getBigInt(store, key, first);
  return {
    peek,
    take(store) {
      const id = peek(store);
      setBigInt(store, key, id + 1n);
      return id;
    },
  };
}

/** amount × bps / 10,000, rounded down: every basis-point share in the chain. */
export function bpsOf(amount: bigint, bps: bigint | number): bigint {
  return (amount * BigInt(bps)) / 10_000n;
}
