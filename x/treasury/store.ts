import type { KVStore } from "../../app/store/kvstore.js";
import { u64Key } from "../../app/store/keys.js";
import { defineCounter, getBigInt, setBigInt } from "../../app/store/values.js";
import { Spend } from "../../proto/gen/ogpu/treasury/v1/treasury.js";

/**
 * The treasury's books (its coins are the `treasury` module account's bank balance):
 *   treasury/in/ ‖ reason     → uogpu ever deposited for that reason (decimal)
 *   treasury/spent            → uogpu ever paid out by spends (decimal)
 *   treasury/s/ ‖ u64(id)     → Spend, one per executed MsgSpend, in id order
 *   treasury/next_spend_id    → the next spend's id (first 1)
 * Invariant: balance = Σ treasury/in − treasury/spent.
 */
export const TOTAL_IN = "treasury/in/";
const SPENT = "treasury/spent";
export const SPEND = "treasury/s/";
const NEXT_SPEND_ID = "treasury/next_spend_id";
const spendIds = defineCounter(NEXT_SPEND_ID, 1n);

export const totalIn = (store: KVStore, reason: string) => getBigInt(store, TOTAL_IN + reason);
export const setTotalIn = (store: KVStore, reason: string, amount: bigint) => setBigInt(store, TOTAL_IN + reason, amount, 0n);

export function* allTotalsIn(store: KVStore): Iterable<{ reason: string; amount: bigint }> {
  for (const [key] of store.iterate(TOTAL_IN)) {
    const reason = key.slice(TOTAL_IN.length);
    yield { reason, amount: totalIn(store, reason) };
  }
}

export const totalSpent = (store: KVStore) => getBigInt(store, SPENT);
export const setTotalSpent = (store: KVStore, amount: bigint) => setBigInt(store, SPENT, amount, 0n);

export const takeSpendId = (store: KVStore) => spendIds.take(store);
export const nextSpendId = (store: KVStore) => spendIds.peek(store);
export const setNextSpendId = (store: KVStore, id: bigint) => setBigInt(store, NEXT_SPEND_ID, id);

export function putSpend(store: KVStore, spend: Spend): void {
  store.set(SPEND + u64Key(spend.id), Spend.encode(spend).finish());
}

export function* allSpends(store: KVStore): Iterable<Spend> {
  for (const [, raw] of store.iterate(SPEND)) yield Spend.decode(raw);
}
