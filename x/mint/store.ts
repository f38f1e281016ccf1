import { bytesKey, lengthPrefixed } from "../../app/store/keys.js";
import { decodeBigInt, getBigInt, setBigInt } from "../../app/store/values.js";
import type { KVStore } from "../../app/store/kvstore.js";

/**
 * x/mint state (amounts decimal ASCII, zero values deleted):
 *   mint/params                         → JSON params (app/params.ts)
 *   mint/epoch/start                    → first height of the open provider-reward epoch
 *   mint/epoch/budget                   → provider uogpu budgeted so far in the open epoch (not minted)
 *   mint/epoch/price/ ‖ tier(1 byte)    → the tier's base price at the epoch start (λ's denominator)
 *   mint/fee/ ‖ lp(worker)              → C_i: market fee the worker's verified results paid this epoch
 *   mint/up/ ‖ lp(worker)               → T_i's count: "windows,lastWindow" heartbeat windows seen this epoch
 *   mint/paid/ ‖ lp(worker)             → provider rewards ever paid to the worker
 *   mint/last/ ‖ lp(worker)             → the worker's reward for the last closed epoch it earned in
 *   mint/total/block_minted             → block rewards ever minted for validators and delegators
 *   mint/total/provider_paid            → provider rewards ever minted
 *   mint/total/provider_forgone         → provider budget never minted (cap room left untouched)
 * The fee/ and up/ entries exist only for the open epoch: closing it reads and deletes them,
 * so a close costs the entries its epoch created — O(1) per heartbeat or settlement.
 */
const EPOCH_START = "mint/epoch/start";
const EPOCH_BUDGET = "mint/epoch/budget";
const EPOCH_PRICE = "mint/epoch/price/";
const FEE = "mint/fee/";
const UPTIME = "mint/up/";
const PAID = "mint/paid/";
const LAST = "mint/last/";
const BLOCK_MINTED = "mint/total/block_minted";
const PROVIDER_PAID = "mint/total/provider_paid";
const PROVIDER_FORGONE = "mint/total/provider_forgone";

const workerKey = (prefix: string, worker: Uint8Array) => prefix + lengthPrefixed(worker);
const workerOf = (prefix: string, key: string): Uint8Array => {
  const rest = Buffer.from(key.slice(prefix.length), "latin1");
  return new Uint8Array(rest.subarray(1, 1 + rest[0]!));
};

export const epochStart = (store: KVStore) => getBigInt(store, EPOCH_START, 1n);
export const setEpochStart = (store: KVStore, height: bigint) => setBigInt(store, EPOCH_START, height);
export const epochBudget = (store: KVStore) => getBigInt(store, EPOCH_BUDGET);
export const setEpochBudget = (store: KVStore, amount: bigint) => setBigInt(store, EPOCH_BUDGET, amount, 0n);

export const epochPrice = (store: KVStore, tier: number) => getBigInt(store, EPOCH_PRICE + bytesKey(Uint8Array.of(tier)));
export const setEpochPrice = (store: KVStore, tier: number, price: bigint) => setBigInt(store, EPOCH_PRICE + bytesKey(Uint8Array.of(tier)), price, 0n);

export const feeCredit = (store: KVStore, worker: Uint8Array) => getBigInt(store, workerKey(FEE, worker));
export const setFeeCredit = (store: KVStore, worker: Uint8Array, amount: bigint) => setBigInt(store, workerKey(FEE, worker), amount, 0n);

/** Heartbeat windows a worker was seen in this epoch, and the index of the last one. */
export interface UptimeEntry {
  windows: bigint;
  lastWindow: bigint;
}

export function uptimeOf(store: KVStore, worker: Uint8Array): UptimeEntry | undefined {
  const raw = store.get(workerKey(UPTIME, worker));
  if (raw === undefined) return undefined;
  const [windows, lastWindow] = Buffer.from(raw).toString("latin1").split(",");
  return { windows: BigInt(windows!), lastWindow: BigInt(lastWindow!) };
}

export function setUptime(store: KVStore, worker: Uint8Array, e: UptimeEntry): void {
  store.set(workerKey(UPTIME, worker), Buffer.from(`${e.windows},${e.lastWindow}`, "latin1"));
}

/** Workers with a fee credit this epoch, in key order. */
export function* creditedWorkers(store: KVStore): Iterable<{ worker: Uint8Array; fee: bigint }> {
  for (const [key, value] of store.iterate(FEE)) yield { worker: workerOf(FEE, key), fee: decodeBigInt(value) };
}

/** Forgets the open epoch's fee and uptime entries (the epoch is closed). */
export function clearEpochEntries(store: KVStore): void {
  for (const prefix of [FEE, UPTIME]) for (const [key] of [...store.iterate(prefix)]) store.delete(key);
}

export const paidTo = (store: KVStore, worker: Uint8Array) => getBigInt(store, workerKey(PAID, worker));
export const setPaidTo = (store: KVStore, worker: Uint8Array, amount: bigint) => setBigInt(store, workerKey(PAID, worker), amount, 0n);
export const lastRewardOf = (store: KVStore, worker: Uint8Array) => getBigInt(store, workerKey(LAST, worker));
export const setLastReward = (store: KVStore, worker: Uint8Array, amount: bigint) => setBigInt(store, workerKey(LAST, worker), amount, 0n);

/** Every worker ever paid (for export), in key order. */
export function* allPaid(store: KVStore): Iterable<{ worker: Uint8Array; paid: bigint; last: bigint }> {
  for (const [key, value] of store.iterate(PAID)) {
    const worker = workerOf(PAID, key);
    yield { worker, paid: decodeBigInt(value), last: lastRewardOf(store, worker) };
  }
}

export const providerPaidTotal = (store: KVStore) => getBigInt(store, PROVIDER_PAID);
export const setProviderPaidTotal = (store: KVStore, amount: bigint) => setBigInt(store, PROVIDER_PAID, amount, 0n);
export const providerForgoneTotal = (store: KVStore) => getBigInt(store, PROVIDER_FORGONE);
export const setProviderForgoneTotal = (store: KVStore, amount: bigint) => setBigInt(store, PROVIDER_FORGONE, amount, 0n);

/** The open epoch's uptime entries (for export), in key order. */
export function* allUptime(store: KVStore): Iterable<{ worker: Uint8Array; entry: UptimeEntry }> {
  for (const [key] of store.iterate(UPTIME)) {
    const worker = workerOf(UPTIME, key);
    yield { worker, entry: uptimeOf(store, worker)! };
  }
}

export const blockMintedTotal = (store: KVStore) => getBigInt(store, BLOCK_MINTED);
export const setBlockMintedTotal = (store: KVStore, amount: bigint) => setBigInt(store, BLOCK_MINTED, amount, 0n);
