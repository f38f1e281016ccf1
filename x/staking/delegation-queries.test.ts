/**
 * Issue 10 item 3 (list queries): the per-account staking lists page with PageRequest
 * semantics — DelegatorDelegations and DelegatorUnbondingDelegations over the delegator's
 * prefix, ValidatorDelegations over the delegations-by-validator index — so a response reads
 * only the records it returns. Pure state machine, so in process on a plain store.
 */
import {
  QueryDelegatorDelegationsRequest,
  QueryDelegatorDelegationsResponse,
  QueryDelegatorUnbondingDelegationsRequest,
  QueryDelegatorUnbondingDelegationsResponse,
  QueryValidatorDelegationsRequest,
  QueryValidatorDelegationsResponse,
} from "cosmjs-types/cosmos/staking/v1beta1/query";
import { BondStatus, Delegation, UnbondingDelegation, Validator } from "cosmjs-types/cosmos/staking/v1beta1/staking";
import { PubKey as Ed25519PubKeyProto } from "cosmjs-types/cosmos/crypto/ed25519/keys";
import { describe, expect, it } from "vitest";
import { DEC_ONE } from "../../app/dec.js";
import { MemStore, type KVStore } from "../../app/store/kvstore.js";
import { collectPages, CountingStore, pageRequest, queryOnStore, testKey } from "../../app/testkit.js";
import { ED25519_PUBKEY_TYPE_URL, parseValoper } from "../../app/validator-address.js";
import type { PageRequest } from "../../proto/gen/ogpu/query/v1/pagination.js";
import { stakingQueries } from "./queries.js";
import { setDelegation, setUnbonding, setValidator } from "./store.js";
import { testValidator } from "./testing.js";

const COUNT = 2_000;
const DELEGATION_RECORDS = "staking/del/";
const queries = stakingQueries({ getBalance: () => 0n });
const whale = testKey(100_000);
const popular = testValidator(1);

/**
 * COUNT validators; `whale` delegates to and unbonds from every one of them, and COUNT
 * delegators each delegate to `popular`.
 */
function crowdedStore(): MemStore {
  const store = new MemStore();
  for (let i = 1; i <= COUNT; i++) {
    const v = testValidator(i);
    setValidator(store, Validator.fromPartial({
      operatorAddress: v.valoper,
      consensusPubkey: { typeUrl: ED25519_PUBKEY_TYPE_URL, value: Ed25519PubKeyProto.encode({ key: v.consensusKey }).finish() },
      status: BondStatus.BOND_STATUS_BONDED,
      tokens: "2000",
      delegatorShares: (2000n * DEC_ONE).toString(),
    }));
    const operator = parseValoper(v.valoper);
    setDelegation(store, whale.addressBytes, operator, Delegation.fromPartial({ delegatorAddress: whale.address, validatorAddress: v.valoper, shares: DEC_ONE.toString() }));
    setUnbonding(store, whale.addressBytes, operator, UnbondingDelegation.fromPartial({ delegatorAddress: whale.address, validatorAddress: v.valoper, entries: [{ balance: "1", initialBalance: "1" }] }));
    const delegator = testKey(10_000 + i);
    setDelegation(store, delegator.addressBytes, parseValoper(popular.valoper), Delegation.fromPartial({ delegatorAddress: delegator.address, validatorAddress: popular.valoper, shares: DEC_ONE.toString() }));
  }
  return store;
}

const delegatorDelegations = (store: KVStore, pagination?: PageRequest) =>
  queryOnStore(queries, "/cosmos.staking.v1beta1.Query/DelegatorDelegations", { request: QueryDelegatorDelegationsRequest, response: QueryDelegatorDelegationsResponse }, store,
    QueryDelegatorDelegationsRequest.fromPartial({ delegatorAddr: whale.address, pagination }));
const validatorDelegations = (store: KVStore, pagination?: PageRequest) =>
  queryOnStore(queries, "/cosmos.staking.v1beta1.Query/ValidatorDelegations", { request: QueryValidatorDelegationsRequest, response: QueryValidatorDelegationsResponse }, store,
    QueryValidatorDelegationsRequest.fromPartial({ validatorAddr: popular.valoper, pagination }));
const delegatorUnbondings = (store: KVStore, pagination?: PageRequest) =>
  queryOnStore(queries, "/cosmos.staking.v1beta1.Query/DelegatorUnbondingDelegations", { request: QueryDelegatorUnbondingDelegationsRequest, response: QueryDelegatorUnbondingDelegationsResponse }, store,
    QueryDelegatorUnbondingDelegationsRequest.fromPartial({ delegatorAddr: whale.address, pagination }));

describe("staking per-account list queries page", () => {
  const base = crowdedStore();
  const whaleValidators = collectPages((key) => {
    const res = delegatorDelegations(base, pageRequest({ key, limit: 7n }));
    return { items: res.delegationResponses.map((d) => d.delegation!.validatorAddress), nextKey: res.pagination!.nextKey };
  });
  const popularDelegators = collectPages((key) => {
    const res = validatorDelegations(base, pageRequest({ key, limit: 1000n }));
    return { items: res.delegationResponses.map((d) => d.delegation!.delegatorAddress), nextKey: res.pagination!.nextKey };
  });

  it("item 3: DelegatorDelegations reads only the page it returns", () => {
    const store = new CountingStore(base);
    const res = delegatorDelegations(store, pageRequest({ limit: 5n }));
    expect(res.delegationResponses.map((d) => d.delegation!.validatorAddress)).toEqual(whaleValidators.slice(0, 5));
    expect(res.delegationResponses[0]!.balance).toEqual({ denom: "uogpu", amount: "1" });
    // Before paging this decoded all 2,000 delegations (and their validators) into one response.
    expect(store.visited).toBe(6); // the 5 returned and the one that makes next_key
    const unpaged = new CountingStore(base);
    expect(delegatorDelegations(unpaged).delegationResponses).toHaveLength(100);
    expect(unpaged.visited).toBe(101);
  });

  it("item 3: ValidatorDelegations reads only the page it returns", () => {
    const store = new CountingStore(base, DELEGATION_RECORDS);
    const res = validatorDelegations(store, pageRequest({ limit: 5n }));
    expect(res.delegationResponses.map((d) => d.delegation!.delegatorAddress)).toEqual(popularDelegators.slice(0, 5));
    // Walks 6 keys of the by-validator index and reads the 5 delegations it returns, of 2,001.
    expect(store.visited).toBe(6);
    expect(store.reads).toBe(5);
    const unpaged = new CountingStore(base, DELEGATION_RECORDS);
    expect(validatorDelegations(unpaged).delegationResponses).toHaveLength(100);
    expect(unpaged.reads).toBe(100);
  });

  it("item 3: DelegatorUnbondingDelegations reads only the page it returns", () => {
    const store = new CountingStore(base);
    const res = delegatorUnbondings(store, pageRequest({ limit: 5n }));
    expect(res.unbondingResponses.map((u) => u.validatorAddress)).toEqual(whaleValidators.slice(0, 5));
    expect(store.visited).toBe(6);
    const unpaged = new CountingStore(base);
    expect(delegatorUnbondings(unpaged).unbondingResponses).toHaveLength(100);
    expect(unpaged.visited).toBe(101);
  });

  it("item 3: staking per-account lists: next_key round-trips over every record exactly once", () => {
    expect(whaleValidators).toHaveLength(COUNT);
    expect(new Set(whaleValidators).size).toBe(COUNT);
    // `popular` also has the whale's delegation.
    expect(popularDelegators).toHaveLength(COUNT + 1);
    expect(new Set(popularDelegators).size).toBe(COUNT + 1);
    const unbondings = collectPages((key) => {
      const res = delegatorUnbondings(base, pageRequest({ key, limit: 333n }));
      return { items: res.unbondingResponses.map((u) => u.validatorAddress), nextKey: res.pagination!.nextKey };
    });
    expect(unbondings).toEqual(whaleValidators);
    expect(validatorDelegations(base, pageRequest({ limit: 1n, countTotal: true })).pagination!.total).toBe(BigInt(COUNT + 1));
    expect(delegatorDelegations(base, pageRequest({ offset: 1998n })).delegationResponses.map((d) => d.delegation!.validatorAddress)).toEqual(whaleValidators.slice(1998));
  });
});
