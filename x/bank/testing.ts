/**
 * Fixtures for benchmarks that build large states directly (bench/state-size.ts): a balance
 * written as the store holds it, with no supply bookkeeping — for measuring load time and
 * memory, never for a chain that must keep its invariants.
 */
import type { KVStore } from "../../app/store/kvstore.js";
import { setBalance } from "./store.js";

export const writeBalanceRecord = (store: KVStore, address: Uint8Array, denom: string, amount: bigint): void => setBalance(store, address, denom, amount);
