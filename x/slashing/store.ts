import { ValidatorSigningInfo } from "cosmjs-types/cosmos/slashing/v1beta1/slashing";
import { bytesKey, keyBytes } from "../../app/store/keys.js";
import type { KVStore } from "../../app/store/kvstore.js";
import { paginateFiltered } from "../../app/pagination.js";
import type { PageRequest, PageResponse } from "../../proto/gen/ogpu/query/v1/pagination.js";
import { valconsString } from "../../app/validator-address.js";

/**
 * x/slashing state, keyed by the 20-byte consensus address CometBFT puts in votes:
 *
 *   slashing/info/ ‖ cons     → ValidatorSigningInfo (Cosmos protobuf; jailed_until.seconds
 *                                holds the jail-end HEIGHT, see docs/slashing.md)
 *   slashing/missed/ ‖ cons   → missed-block bit array of the window, 1 bit per block, bit i
 *                                = window slot i (byte i>>3, bit i&7); absent = nothing missed
 */
const INFO = "slashing/info/";
const MISSED = "slashing/missed/";

/** jailed_until of a tombstoned validator: never (the SDK uses year 9999 for the same purpose). */
export const JAILED_FOREVER = 9_223_372_036_854_775_807n;

export function getSigningInfo(store: KVStore, cons: Uint8Array): ValidatorSigningInfo | undefined {
  const raw = store.get(INFO + bytesKey(cons));
  return raw === undefined ? undefined : ValidatorSigningInfo.decode(raw);
}

export function setSigningInfo(store: KVStore, cons: Uint8Array, info: ValidatorSigningInfo): void {
  store.set(INFO + bytesKey(cons), ValidatorSigningInfo.encode(info).finish());
}

/** A fresh record: liveness is counted from `startHeight`. */
export function newSigningInfo(cons: Uint8Array, startHeight: bigint): ValidatorSigningInfo {
  return { address: valconsString(cons), startHeight, indexOffset: 0n, jailedUntil: { seconds: 0n, nanos: 0 }, tombstoned: false, missedBlocksCounter: 0n };
}

/** Jail-end height of a record (stored in jailed_until.seconds). */
export const jailedUntilHeight = (info: ValidatorSigningInfo): bigint => info.jailedUntil.seconds;

export function* allSigningInfos(store: KVStore): Iterable<{ cons: Uint8Array; info: ValidatorSigningInfo }> {
  for (const [key, value] of store.iterate(INFO)) {
    yield { cons: new Uint8Array(keyBytes(key.slice(INFO.length))), info: ValidatorSigningInfo.decode(value) };
  }
}

/** One page of signing infos in consensus-address order (SigningInfos). */
export function signingInfosPage(store: KVStore, page: PageRequest | undefined): { items: ValidatorSigningInfo[]; pagination: PageResponse } {
  return paginateFiltered(store, INFO, page, (_tail, value) => ValidatorSigningInfo.decode(value));
}

/** The window's bit array, `window` bits long (a stored array of another length reads as empty). */
export function getMissedBits(store: KVStore, cons: Uint8Array, window: number): Uint8Array {
  const size = Math.ceil(window / 8);
  const raw = store.get(MISSED + bytesKey(cons));
  return raw !== undefined && raw.length === size ? new Uint8Array(raw) : new Uint8Array(size);
}

export function setMissedBits(store: KVStore, cons: Uint8Array, bits: Uint8Array): void {
  if (bits.every((b) => b === 0)) store.delete(MISSED + bytesKey(cons));
  else store.set(MISSED + bytesKey(cons), bits);
}

export const clearMissedBits = (store: KVStore, cons: Uint8Array) => store.delete(MISSED + bytesKey(cons));

export const getBit = (bits: Uint8Array, i: number) => ((bits[i >> 3]! >> (i & 7)) & 1) === 1;

export function setBit(bits: Uint8Array, i: number, on: boolean): void {
  if (on) bits[i >> 3]! |= 1 << (i & 7);
  else bits[i >> 3]! &= ~(1 << (i & 7));
}

export function popcount(bits: Uint8Array): number {
  let n = 0;
  for (let b of bits) {
    for (; b !== 0; b &= b - 1) n++;
  }
  return n;
}

/** Every stored bit array (for invariants and export). */
export function* allMissedBits(store: KVStore): Iterable<{ cons: Uint8Array; bits: Uint8Array }> {
  for (const [key, value] of store.iterate(MISSED)) yield { cons: new Uint8Array(keyBytes(key.slice(MISSED.length))), bits: new Uint8Array(value) };
}
