import { moduleAddress } from "../../app/address.js";
import type { KVStore } from "../../app/store/kvstore.js";
import { getAccount, moduleAccountName, setAccount, setModuleAccount, takeAccountNumber, type Account } from "./store.js";

/** Account reads for x/auth's own files, tools and tests (the layout stays in store.ts). */
export { allAccounts, getAccount, moduleAccountName, nextAccountNumber, setAccount, setNextAccountNumber, type Account } from "./store.js";

/** Returns the account, creating it with the next account number if it does not exist. */
export function ensureAccount(store: KVStore, address: Uint8Array): Account {
  const existing = getAccount(store, address);
  if (existing) return existing;
  const acc: Account = { address, accountNumber: takeAccountNumber(store), sequence: 0n };
  setAccount(store, acc);
  return acc;
}

/** Creates (once) the account of a module such as the fee collector and records its name. */
export function ensureModuleAccount(store: KVStore, name: string): Uint8Array {
  const address = moduleAddress(name);
  ensureAccount(store, address);
  setModuleAccount(store, name, address);
  return address;
}

export const FEE_COLLECTOR = "fee_collector";

/** x/auth's surface for other modules (the ante handler, bank, module genesis). */
export interface AuthKeeper {
  /** Name of the module account that collects tx fees (x/distribution pays them out). */
  readonly feeCollector: string;
  getAccount(store: KVStore, address: Uint8Array): Account | undefined;
  /** Creates the account (next account number) on first use. */
  ensureAccount(store: KVStore, address: Uint8Array): Account;
  ensureModuleAccount(store: KVStore, name: string): Uint8Array;
  moduleAccountName(store: KVStore, address: Uint8Array): string | undefined;
}

export function createAuthKeeper(): AuthKeeper {
  return { feeCollector: FEE_COLLECTOR, getAccount, ensureAccount, ensureModuleAccount, moduleAccountName };
}
