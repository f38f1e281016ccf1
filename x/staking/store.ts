import { Delegation, Redelegation, UnbondingDelegation, Validator } from "cosmjs-types/cosmos/staking/v1beta1/staking";
import { addDue, dueEntries } from "../../app/store/due-index.js";
import { bytesKey, keyBytes, lengthPrefixed, parseU64Key, splitLengthPrefixed, u64Key } from "../../app/store/keys.js";
import { decodeBigInt, defineCounter, encodeBigInt, getBigInt, setBigInt } from "../../app/store/values.js";
import type { KVStore } from "../../app/store/kvstore.js";
import { paginateFiltered } from "../../app/pagination.js";
import type { PageRequest, PageResponse } from "../../proto/gen/ogpu/query/v1/pagination.js";
import { consAddressOf, consensusKeyOf, parseValoper } from "../../app/validator-address.js";

/**
 * x/staking state. Records that clients read as-is are the Cosmos protobuf types
 * (Validator, Delegation, UnbondingDelegation, Redelegation) so queries return them
 * unchanged; our own facts (last power, compute, reliability, queues) are small keys.
 *
 *   staking/val/ ‖ lp(operator)                    → Validator
 *   staking/cons/ ‖ consAddress(20)                → operator
 *   staking/del/ ‖ lp(delegator) ‖ lp(operator)    → Delegation   (+ staking/delv/ ‖ lp(op) ‖ lp(del) index)
 *   staking/ubd/ ‖ lp(delegator) ‖ lp(operator)    → UnbondingDelegation (+ staking/ubdv/ index)
 *   staking/ubdq/ ‖ u64(height) ‖ u64(id)          → lp(del) ‖ lp(op): matures at height
 *   staking/red/ ‖ lp(del) ‖ lp(src) ‖ lp(dst)     → Redelegation (+ staking/reds/ ‖ lp(src) ‖ … index)
 *   staking/redq/ ‖ u64(height) ‖ u64(id)          → lp(del) ‖ lp(src) ‖ lp(dst): entry expires at height
 *   staking/last/ ‖ lp(operator)                   → power last sent to CometBFT
 *   staking/rel/ ‖ lp(operator)                    → reliability, bps
 *   staking/credit/ ‖ lp(operator)                 → compute credit (uogpu) as of the last epoch
 *   staking/cu/ ‖ lp(operator) ‖ u64(height)       → compute credit (market fee paid, uogpu) recorded at height
 *   staking/tomb/ ‖ consAddress                    → tombstoned
 */
const VAL = "staking/val/";
const CONS = "staking/cons/";
const DEL = "staking/del/";
const DEL_BY_VAL = "staking/delv/";
const UBD = "staking/ubd/";
const UBD_BY_VAL = "staking/ubdv/";
export const UBD_QUEUE = "staking/ubdq/";
const RED = "staking/red/";
const RED_BY_SRC = "staking/reds/";
export const RED_QUEUE = "staking/redq/";
const LAST_POWER = "staking/last/";
const RELIABILITY = "staking/rel/";
const CREDIT = "staking/credit/";
export const COMPUTE = "staking/cu/";
const TOMBSTONE = "staking/tomb/";
const NEXT_ENTRY_ID = "staking/next_id";

export const BPS = 10_000n;

// ---- validators ----
export function getValidator(store: KVStore, operator: Uint8Array): Validator | undefined {
  const raw = store.get(VAL + lengthPrefixed(operator));
  return raw === undefined ? undefined : Validator.decode(raw);
}

export function setValidator(store: KVStore, v: Validator): void {
  const operator = parseValoper(v.operatorAddress);
  store.set(VAL + lengthPrefixed(operator), Validator.encode(v).finish());
  store.set(CONS + bytesKey(consAddressOf(consensusKeyOf(v))), operator);
}

/** The prefix under which validators lie in operator-address order (list queries page over it). */
export const VALIDATOR_PREFIX = VAL;

/** Every validator in operator-address order. */
export function* allValidators(store: KVStore): Iterable<{ operator: Uint8Array; validator: Validator }> {
  for (const [key, value] of store.iterate(VAL)) {
    yield { operator: splitLengthPrefixed(key.slice(VAL.length))[0]!, validator: Validator.decode(value) };
  }
}

export function operatorByConsAddress(store: KVStore, cons: Uint8Array): Uint8Array | undefined {
  const raw = store.get(CONS + bytesKey(cons));
  return raw === undefined ? undefined : new Uint8Array(raw);
}

// ---- delegations ----
export function getDelegation(store: KVStore, delegator: Uint8Array, operator: Uint8Array): Delegation | undefined {
  const raw = store.get(DEL + lengthPrefixed(delegator) + lengthPrefixed(operator));
  return raw === undefined ? undefined : Delegation.decode(raw);
}

export function setDelegation(store: KVStore, delegator: Uint8Array, operator: Uint8Array, d: Delegation): void {
  const key = lengthPrefixed(delegator) + lengthPrefixed(operator);
  if (BigInt(d.shares) === 0n) {
    store.delete(DEL + key);
    store.delete(DEL_BY_VAL + lengthPrefixed(operator) + lengthPrefixed(delegator));
    return;
  }
  store.set(DEL + key, Delegation.encode(d).finish());
  store.set(DEL_BY_VAL + lengthPrefixed(operator) + lengthPrefixed(delegator), new Uint8Array());
}

export function* delegationsOf(store: KVStore, delegator?: Uint8Array): Iterable<Delegation> {
  for (const [, value] of store.iterate(DEL + (delegator ? lengthPrefixed(delegator) : ""))) yield Delegation.decode(value);
}

export function* delegationsTo(store: KVStore, operator: Uint8Array): Iterable<Delegation> {
  const prefix = DEL_BY_VAL + lengthPrefixed(operator);
  for (const [key] of store.iterate(prefix)) {
    const delegator = splitLengthPrefixed(key.slice(prefix.length))[0]!;
    yield getDelegation(store, delegator, operator)!;
  }
}

/** One page of a delegator's delegations in operator order (DelegatorDelegations). */
export function delegationsOfPage(store: KVStore, delegator: Uint8Array, page: PageRequest | undefined): { items: Delegation[]; pagination: PageResponse } {
  return paginateFiltered(store, DEL + lengthPrefixed(delegator), page, (_tail, value) => Delegation.decode(value));
}

/** One page of a validator's delegations in delegator order, over the delv index (ValidatorDelegations). */
export function delegationsToPage(store: KVStore, operator: Uint8Array, page: PageRequest | undefined): { items: Delegation[]; pagination: PageResponse } {
  return paginateFiltered(store, DEL_BY_VAL + lengthPrefixed(operator), page, (tail) => getDelegation(store, splitLengthPrefixed(tail)[0]!, operator)!);
}

// ---- unbonding delegations ----
export function getUnbonding(store: KVStore, delegator: Uint8Array, operator: Uint8Array): UnbondingDelegation | undefined {
  const raw = store.get(UBD + lengthPrefixed(delegator) + lengthPrefixed(operator));
  return raw === undefined ? undefined : UnbondingDelegation.decode(raw);
}

export function setUnbonding(store: KVStore, delegator: Uint8Array, operator: Uint8Array, u: UnbondingDelegation): void {
  const key = UBD + lengthPrefixed(delegator) + lengthPrefixed(operator);
  const index = UBD_BY_VAL + lengthPrefixed(operator) + lengthPrefixed(delegator);
  if (u.entries.length === 0) {
    store.delete(key);
    store.delete(index);
    return;
  }
  store.set(key, UnbondingDelegation.encode(u).finish());
  store.set(index, new Uint8Array());
}

export function* unbondingsOf(store: KVStore, delegator?: Uint8Array): Iterable<UnbondingDelegation> {
  for (const [, value] of store.iterate(UBD + (delegator ? lengthPrefixed(delegator) : ""))) yield UnbondingDelegation.decode(value);
}

/** One page of a delegator's unbonding delegations in operator order (DelegatorUnbondingDelegations). */
export function unbondingsOfPage(store: KVStore, delegator: Uint8Array, page: PageRequest | undefined): { items: UnbondingDelegation[]; pagination: PageResponse } {
  return paginateFiltered(store, UBD + lengthPrefixed(delegator), page, (_tail, value) => UnbondingDelegation.decode(value));
}

export function* unbondingsFrom(store: KVStore, operator: Uint8Array): Iterable<{ delegator: Uint8Array; ubd: UnbondingDelegation }> {
  const prefix = UBD_BY_VAL + lengthPrefixed(operator);
  for (const [key] of store.iterate(prefix)) {
    const delegator = splitLengthPrefixed(key.slice(prefix.length))[0]!;
    yield { delegator, ubd: getUnbonding(store, delegator, operator)! };
  }
}

// ---- redelegations ----
const redKey = (del: Uint8Array, src: Uint8Array, dst: Uint8Array) => lengthPrefixed(del) + lengthPrefixed(src) + lengthPrefixed(dst);

export function getRedelegation(store: KVStore, del: Uint8Array, src: Uint8Array, dst: Uint8Array): Redelegation | undefined {
  const raw = store.get(RED + redKey(del, src, dst));
  return raw === undefined ? undefined : Redelegation.decode(raw);
}

export function setRedelegation(store: KVStore, del: Uint8Array, src: Uint8Array, dst: Uint8Array, r: Redelegation): void {
  const index = RED_BY_SRC + lengthPrefixed(src) + lengthPrefixed(del) + lengthPrefixed(dst);
  if (r.entries.length === 0) {
    store.delete(RED + redKey(del, src, dst));
    store.delete(index);
    return;
  }
  store.set(RED + redKey(del, src, dst), Redelegation.encode(r).finish());
  store.set(index, new Uint8Array());
}

export function* redelegationsOf(store: KVStore, delegator?: Uint8Array): Iterable<Redelegation> {
  for (const [, value] of store.iterate(RED + (delegator ? lengthPrefixed(delegator) : ""))) yield Redelegation.decode(value);
}

/** One page of a delegator's redelegations in (source, destination) order (Redelegations). */
export function redelegationsOfPage(store: KVStore, delegator: Uint8Array, page: PageRequest | undefined, keep: (r: Redelegation) => boolean = () => true): { items: Redelegation[]; pagination: PageResponse } {
  return paginateFiltered(store, RED + lengthPrefixed(delegator), page, (_tail, value) => {
    const r = Redelegation.decode(value);
    return keep(r) ? r : undefined;
  });
}

export function* redelegationsFrom(store: KVStore, src: Uint8Array): Iterable<{ delegator: Uint8Array; dst: Uint8Array; red: Redelegation }> {
  const prefix = RED_BY_SRC + lengthPrefixed(src);
  for (const [key] of store.iterate(prefix)) {
    const [delegator, dst] = splitLengthPrefixed(key.slice(prefix.length)) as [Uint8Array, Uint8Array];
    yield { delegator, dst, red: getRedelegation(store, delegator, src, dst)! };
  }
}

// ---- maturity queues ----
const entryIds = defineCounter(NEXT_ENTRY_ID, 1n);
export const nextEntryId = entryIds.take;
/** The id the next queue entry will get (genesis export). */
export const peekNextEntryId = entryIds.peek;

export function setNextEntryId(store: KVStore, id: bigint): void {
  setBigInt(store, NEXT_ENTRY_ID, id);
}

export function enqueue(store: KVStore, queue: string, height: bigint, id: bigint, parts: Uint8Array[]): void {
  addDue(store, queue, height, u64Key(id), keyBytes(parts.map((p) => lengthPrefixed(p)).join("")));
}

export interface QueueItem {
  height: bigint;
  id: bigint;
  parts: Uint8Array[];
  key: string;
}

/** Queue items in (height, id) order, optionally only those due at or before `upTo`, at most `limit`. */
export function queueItems(store: KVStore, queue: string, upTo?: bigint, limit?: number): QueueItem[] {
  return dueEntries(store, queue, upTo, limit).map((e) => ({ height: e.height, id: parseU64Key(e.rest), parts: splitLengthPrefixed(bytesKey(e.value)), key: e.key }));
}

// ---- consensus power inputs and outputs ----
export const getLastPower = (store: KVStore, operator: Uint8Array) => getBigInt(store, LAST_POWER + lengthPrefixed(operator), 0n);

export function setLastPower(store: KVStore, operator: Uint8Array, power: bigint): void {
  if (power === 0n) store.delete(LAST_POWER + lengthPrefixed(operator));
  else store.set(LAST_POWER + lengthPrefixed(operator), encodeBigInt(power));
}

/** The set CometBFT currently has: operator → power, in operator order. */
export function lastPowers(store: KVStore): { operator: Uint8Array; power: bigint }[] {
  return [...store.iterate(LAST_POWER)].map(([key, value]) => ({ operator: splitLengthPrefixed(key.slice(LAST_POWER.length))[0]!, power: decodeBigInt(value) }));
}

export const getComputeCredit = (store: KVStore, operator: Uint8Array) => getBigInt(store, CREDIT + lengthPrefixed(operator), 0n);
export function setComputeCredit(store: KVStore, operator: Uint8Array, uogpu: bigint): void {
  if (uogpu === 0n) store.delete(CREDIT + lengthPrefixed(operator));
  else store.set(CREDIT + lengthPrefixed(operator), encodeBigInt(uogpu));
}
export const getReliabilityBps = (store: KVStore, operator: Uint8Array) => getBigInt(store, RELIABILITY + lengthPrefixed(operator), BPS);
export const storeReliabilityBps = (store: KVStore, operator: Uint8Array, bps: bigint) => store.set(RELIABILITY + lengthPrefixed(operator), encodeBigInt(bps));

/** Stored reliability and compute credit per operator (absent = the defaults), in operator order. */
export interface PowerInputs {
  operator: Uint8Array;
  reliabilityBps?: bigint;
  credit?: bigint;
}
export function allPowerInputs(store: KVStore): PowerInputs[] {
  const byOperator = new Map<string, PowerInputs>();
  const entry = (key: string, prefix: string) => {
    const tail = key.slice(prefix.length);
    const found = byOperator.get(tail);
    if (found) return found;
    const created: PowerInputs = { operator: splitLengthPrefixed(tail)[0]! };
    byOperator.set(tail, created);
    return created;
  };
  for (const [key, value] of store.iterate(RELIABILITY)) entry(key, RELIABILITY).reliabilityBps = decodeBigInt(value);
  for (const [key, value] of store.iterate(CREDIT)) entry(key, CREDIT).credit = decodeBigInt(value);
  return [...byOperator].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
}

export function addComputeUnits(store: KVStore, operator: Uint8Array, height: bigint, units: bigint): void {
  const key = COMPUTE + lengthPrefixed(operator) + u64Key(height);
  store.set(key, encodeBigInt(getBigInt(store, key, 0n) + units));
}

/** Σ credit recorded at heights in (from, to]; prunes records at or before `from` (they can never count again). */
export function computeInWindow(store: KVStore, operator: Uint8Array, from: bigint, to: bigint): bigint {
  const prefix = COMPUTE + lengthPrefixed(operator);
  let sum = 0n;
  for (const [key, value] of store.iterate(prefix)) {
    const h = parseU64Key(key.slice(prefix.length));
    if (h <= from) store.delete(key);
    else if (h <= to) sum += decodeBigInt(value);
  }
  return sum;
}

export function* allComputeRecords(store: KVStore): Iterable<{ operator: Uint8Array; height: bigint; units: bigint }> {
  for (const [key, value] of store.iterate(COMPUTE)) {
    const rest = key.slice(COMPUTE.length);
    const operator = splitLengthPrefixed(rest.slice(0, 1 + rest.charCodeAt(0)))[0]!;
    yield { operator, height: parseU64Key(rest.slice(1 + rest.charCodeAt(0))), units: decodeBigInt(value) };
  }
}

export const isTombstoned = (store: KVStore, cons: Uint8Array) => store.has(TOMBSTONE + bytesKey(cons));
export const setTombstoned = (store: KVStore, cons: Uint8Array) => store.set(TOMBSTONE + bytesKey(cons), new Uint8Array([1]));
export function* allTombstoned(store: KVStore): Iterable<Uint8Array> {
  for (const [key] of store.iterate(TOMBSTONE)) yield new Uint8Array(keyBytes(key.slice(TOMBSTONE.length)));
}
