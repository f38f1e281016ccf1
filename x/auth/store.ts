import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { accountAddressString } from "../../app/address.js";
import { lengthPrefixed, keyBytes } from "../../app/store/keys.js";
import { defineCounter, setBigInt } from "../../app/store/values.js";
import type { KVStore } from "../../app/store/kvstore.js";

/**
 * x/auth state:
 *   auth/acc/ ‖ lp(address)      → cosmos.auth.v1beta1.BaseAccount (number, sequence, pubkey once
 *                                  it has signed), so queries return it unchanged
 *   auth/next_num                → next account number (decimal)
 *   auth/mod/ ‖ name             → module account address
 *   auth/modaddr/ ‖ lp(address)  → module name (UTF-8)
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

const accountNumbers = defineCounter(NEXT_ACCOUNT_NUMBER, 0n);
export const takeAccountNumber = accountNumbers.take;
export const nextAccountNumber = accountNumbers.peek;
export const setNextAccountNumber = (store: KVStore, next: bigint) => setBigInt(store, NEXT_ACCOUNT_NUMBER, next);

/** All accounts in address order. */
export function* allAccounts(store: KVStore): Iterable<Account> {
  for (const [key, value] of store.iterate(ACCOUNT)) {
    const address = keyBytes(key.slice(ACCOUNT.length + 1));
    const acc = BaseAccount.decode(value);
    yield { address, accountNumber: acc.accountNumber, sequence: acc.sequence, pubKey: acc.pubKey };
  }
}

/** Records `address` as the account of module `name`, both ways. */
export function setModuleAccount(store: KVStore, name: string, address: Uint8Array): void {
  store.set(MODULE_ACCOUNT + name, address);
  store.set(MODULE_BY_ADDRESS + lengthPrefixed(address), new TextEncoder().encode(name));
}

/** Name of the module owning `address`, if it is a module account. */
export function moduleAccountName(store: KVStore, address: Uint8Array): string | undefined {
  const name = store.get(MODULE_BY_ADDRESS + lengthPrefixed(address));
  return name === undefined ? undefined : new TextDecoder().decode(name);
}
