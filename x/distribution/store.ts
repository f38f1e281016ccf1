import { lengthPrefixed, splitLengthPrefixed } from "../../app/store/keys.js";
import { decodeBigInt, getBigInt, setBigInt } from "../../app/store/values.js";
import type { KVStore } from "../../app/store/kvstore.js";

/**
 * Fee distribution with a lazy per-share accumulator (F1-style):
 *   dist/rps/ ‖ lp(operator)              → Σ (delegators' reward / validator shares), scaled by 10^36
 *   dist/start/ ‖ lp(del) ‖ lp(operator)  → rps when the delegation was last settled
 *   dist/comm/ ‖ lp(operator)             → commission not yet withdrawn
 *   dist/remainder                        → rounding remainder, added to the next block's pot
 *   dist/collected, dist/paid             → totals ever moved in from fees / paid out
 * A delegator's pending reward is shares × (rps − start) / 10^36: no per-delegator work per block.
 */
const RPS = "dist/rps/";
const START = "dist/start/";
const COMMISSION = "dist/comm/";
const REMAINDER = "dist/remainder";
const COLLECTED = "dist/collected";
const PAID = "dist/paid";
/** Share atomics are already 10^18 per token, so 10^36 keeps sub-uogpu precision per share. */
export const RPS_SCALE = 10n ** 36n;

const getBig = (store: KVStore, key: string) => getBigInt(store, key);
const setBig = (store: KVStore, key: string, n: bigint) => setBigInt(store, key, n, 0n);

export const rewardPerShare = (store: KVStore, operator: Uint8Array) => getBig(store, RPS + lengthPrefixed(operator));
export const setRewardPerShare = (store: KVStore, operator: Uint8Array, v: bigint) => setBig(store, RPS + lengthPrefixed(operator), v);
const startKey = (delegator: Uint8Array, operator: Uint8Array) => START + lengthPrefixed(delegator) + lengthPrefixed(operator);
export const startOf = (store: KVStore, delegator: Uint8Array, operator: Uint8Array) => getBig(store, startKey(delegator, operator));
export const setStart = (store: KVStore, delegator: Uint8Array, operator: Uint8Array, v: bigint) => setBig(store, startKey(delegator, operator), v);
export const commissionOf = (store: KVStore, operator: Uint8Array) => getBig(store, COMMISSION + lengthPrefixed(operator));
export const setCommission = (store: KVStore, operator: Uint8Array, v: bigint) => setBig(store, COMMISSION + lengthPrefixed(operator), v);
export const remainderOf = (store: KVStore) => getBig(store, REMAINDER);
export const totals = (store: KVStore) => ({ collected: getBig(store, COLLECTED), paid: getBig(store, PAID) });
export function setTotals(store: KVStore, t: { collected: bigint; paid: bigint; remainder: bigint }): void {
  setBig(store, COLLECTED, t.collected);
  setBig(store, PAID, t.paid);
  setBig(store, REMAINDER, t.remainder);
}

/** Every settled-delegation start, for export. */
export function* allStarts(store: KVStore): Iterable<{ delegator: Uint8Array; operator: Uint8Array; value: bigint }> {
  for (const [key, raw] of store.iterate(START)) {
    const [delegator, operator] = splitLengthPrefixed(key.slice(START.length)) as [Uint8Array, Uint8Array];
    yield { delegator, operator, value: decodeBigInt(raw) };
  }
}

/** Adds to the running totals (fees collected, rewards paid). */
export const addPaid = (store: KVStore, amount: bigint) => setBig(store, PAID, getBig(store, PAID) + amount);
export const addCollected = (store: KVStore, amount: bigint) => setBig(store, COLLECTED, getBig(store, COLLECTED) + amount);
export const setRemainder = (store: KVStore, amount: bigint) => setBig(store, REMAINDER, amount);
