import type { Coin } from "../../app/coins.js";
import { lengthPrefixed } from "../../app/store/keys.js";
import { decodeBigInt as decodeAmount, getBigInt, setBigInt } from "../../app/store/values.js";
import type { KVStore } from "../../app/store/kvstore.js";
import { paginateFiltered } from "../../app/pagination.js";
import type { PageRequest, PageResponse } from "../../proto/gen/ogpu/query/v1/pagination.js";

/**
 * x/bank state (amounts are decimal ASCII; zero amounts are deleted, never stored):
 *   bank/bal/ ‖ lp(address) ‖ denom   → balance
 *   bank/sup/ ‖ denom                 → total supply
 *   bank/iss/ ‖ kind ‖ "/" ‖ denom    → issuance counters: kind "genesis" (allocated at genesis),
 *                                       "minted" (ever minted since), "burned" (ever burned);
 *                                       supply = genesis + minted − burned
 */
const BALANCE = "bank/bal/";
const SUPPLY = "bank/sup/";
const ISSUANCE = "bank/iss/";

/** The three issuance counters of a denom. */
export type IssuanceKind = "genesis" | "minted" | "burned";
export const ISSUANCE_KINDS: readonly IssuanceKind[] = ["genesis", "minted", "burned"];

const balanceKey = (address: Uint8Array, denom: string) => BALANCE + lengthPrefixed(address) + denom;

export function getBalance(store: KVStore, address: Uint8Array, denom: string): bigint {
  return getBigInt(store, balanceKey(address, denom));
}

/** All non-zero balances of an address, sorted by denom. */
export function getAllBalances(store: KVStore, address: Uint8Array): Coin[] {
  const prefix = BALANCE + lengthPrefixed(address);
  return [...store.iterate(prefix)].map(([key, value]) => ({ denom: key.slice(prefix.length), amount: decodeAmount(value) }));
}

/** One page of an address's balances in denom order (AllBalances); next_key is the next denom. */
export function balancesPage(store: KVStore, address: Uint8Array, page: PageRequest | undefined): { coins: Coin[]; pagination: PageResponse } {
  const { items, pagination } = paginateFiltered(store, BALANCE + lengthPrefixed(address), page, (denom, value) => ({ denom, amount: decodeAmount(value) }));
  return { coins: items, pagination };
}

/** Every (address, coin) balance entry, in key order: for invariants and export. */
export function* allBalances(store: KVStore): Iterable<{ address: Uint8Array; coin: Coin }> {
  for (const [key, value] of store.iterate(BALANCE)) {
    const rest = Buffer.from(key.slice(BALANCE.length), "latin1");
    const len = rest[0]!;
    yield {
      address: new Uint8Array(rest.subarray(1, 1 + len)),
      coin: { denom: rest.subarray(1 + len).toString("latin1"), amount: decodeAmount(value) },
    };
  }
}

export function setBalance(store: KVStore, address: Uint8Array, denom: string, amount: bigint): void {
  if (amount < 0n) throw new Error(`negative balance for ${denom}`);
  setBigInt(store, balanceKey(address, denom), amount, 0n);
}

export function getSupply(store: KVStore, denom: string): bigint {
  return getBigInt(store, SUPPLY + denom);
}

export function allSupply(store: KVStore): Coin[] {
  return [...store.iterate(SUPPLY)].map(([key, value]) => ({ denom: key.slice(SUPPLY.length), amount: decodeAmount(value) }));
}

/** One page of the supply in denom order (TotalSupply); next_key is the next denom. */
export function supplyPage(store: KVStore, page: PageRequest | undefined): { coins: Coin[]; pagination: PageResponse } {
  const { items, pagination } = paginateFiltered(store, SUPPLY, page, (denom, value) => ({ denom, amount: decodeAmount(value) }));
  return { coins: items, pagination };
}

export function setSupply(store: KVStore, denom: string, amount: bigint): void {
  setBigInt(store, SUPPLY + denom, amount, 0n);
}

export function getIssuance(store: KVStore, kind: IssuanceKind, denom: string): bigint {
  return getBigInt(store, `${ISSUANCE}${kind}/${denom}`);
}

export function setIssuance(store: KVStore, kind: IssuanceKind, denom: string, amount: bigint): void {
  setBigInt(store, `${ISSUANCE}${kind}/${denom}`, amount, 0n);
}

/** Every non-zero counter of one kind, sorted by denom. */
export function allIssuance(store: KVStore, kind: IssuanceKind): Coin[] {
  const prefix = `${ISSUANCE}${kind}/`;
  return [...store.iterate(prefix)].map(([key, value]) => ({ denom: key.slice(prefix.length), amount: decodeAmount(value) }));
}
