import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { accountAddressString, moduleAddress } from "../../app/address.js";
import { lengthPrefixed, keyBytes } from "../../app/store/keys.js";
import { defineCounter } from "../../app/store/values.js";
import type { KVStore } from "../../app/store/kvstore.js";

/**
 * Accounts: number, sequence and (once it has signed) public key, keyed by the 20-byte
 * address. Stored as cosmos.auth.v1beta1.BaseAccount so queries return it unchanged.
 */
const ACCOUNT = "auth/acc/";
const NEXT_ACCOUNT_NUMBER = "auth/next_num";
const MODULE_ACCOUNT = "auth/mod/";
const MODULE_BY_ADDRESS = "auth/modaddr/";

export interface Account {
  address: Uint8Array;
  accountNumber: bigint;
  sequence: bigint;
  pubKey?: Any;
}

const accountKey = (address: Uint8Array) => ACCOUNT + lengthPrefixed(address);

export function getAccount(store: KVStore, address: Uint8Array): Account | undefined {
  const bytes = store.get(accountKey(address));
  if (bytes === undefined) return undefined;
  const acc = BaseAccount.decode(bytes);
  return { address, accountNumber: acc.accountNumber, sequence: acc.sequence, pubKey: acc.pubKey };
}

export function setAccount(store: KVStore, acc: Account): void {
  const value = BaseAccount.encode({
    address: accountAddressString(acc.address),
    pubKey: acc.pubKey,
    accountNumber: acc.accountNumber,
    sequence: acc.sequence,
  }).finish();
  store.set(accountKey(acc.address), value);
}

/** Returns the account, creating it with the next account number if it does not exist. */
export function ensureAccount(store: KVStore, address: Uint8Array): Account {
  const existing = getAccount(store, address);
  if (existing) return existing;
  const acc: Account = { address, accountNumber: takeAccountNumber(store), sequence: 0n };
  setAccount(store, acc);
  return acc;
}

const accountNumbers = defineCounter(NEXT_ACCOUNT_NUMBER, 0n);
const takeAccountNumber = accountNumbers.take;
export const nextAccountNumber = accountNumbers.peek;

/** All accounts in address order. */
export function* allAccounts(store: KVStore): Iterable<Account> {
  for (const [key, value] of store.iterate(ACCOUNT)) {
    const address = keyBytes(key.slice(ACCOUNT.length + 1));
    const acc = BaseAccount.decode(value);
    yield { address, accountNumber: acc.accountNumber, sequence: acc.sequence, pubKey: acc.pubKey };
  }
}


/** Creates (once) the account of a module such as the fee collector and records its name. */
export function ensureModuleAccount(store: KVStore, name: string): Uint8Array {
  const address = moduleAddress(name);
  ensureAccount(store, address);
  store.set(MODULE_ACCOUNT + name, address);
  store.set(MODULE_BY_ADDRESS + lengthPrefixed(address), new TextEncoder().encode(name));
  return address;
}

/** Name of the module owning `address`, if it is a module account. */
export function moduleAccountName(store: KVStore, address: Uint8Array): string | undefined {
  const name = store.get(MODULE_BY_ADDRESS + lengthPrefixed(address));
  return name === undefined ? undefined : new TextDecoder().decode(name);
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
