/**
 * Issue 10 item 3 (list queries): SigningInfos pages over the signing-info prefix in
 * consensus-address order with PageRequest semantics (one record per validator that ever
 * signed: it grows with every create-validator). Pure state machine, so in process.
 */
import { QuerySigningInfosRequest, QuerySigningInfosResponse } from "cosmjs-types/cosmos/slashing/v1beta1/query";
import { describe, expect, it } from "vitest";
import { MemStore, type KVStore } from "../../app/store/kvstore.js";
import { collectPages, CountingStore, pageRequest, queryOnStore } from "../../app/testkit.js";
import { consAddressOf } from "../../app/validator-address.js";
import type { PageRequest } from "../../proto/gen/ogpu/query/v1/pagination.js";
import { testValidator } from "../staking/testing.js";
import { slashingQueries } from "./queries.js";
import { newSigningInfo, setSigningInfo } from "./store.js";

const VALIDATORS = 3_000;

function crowdedStore(): MemStore {
  const store = new MemStore();
  for (let i = 1; i <= VALIDATORS; i++) {
    const cons = consAddressOf(testValidator(i).consensusKey);
    setSigningInfo(store, cons, newSigningInfo(cons, BigInt(i)));
  }
  return store;
}

const signingInfos = (store: KVStore, pagination?: PageRequest) =>
  queryOnStore(slashingQueries, "/cosmos.slashing.v1beta1.Query/SigningInfos", { request: QuerySigningInfosRequest, response: QuerySigningInfosResponse }, store,
    QuerySigningInfosRequest.fromPartial({ pagination }));

describe("slashing SigningInfos pages", () => {
  const base = crowdedStore();
  const all = collectPages((key) => {
    const res = signingInfos(base, pageRequest({ key, limit: 11n }));
    return { items: res.info.map((i) => i.address), nextKey: res.pagination!.nextKey };
  });

  it("item 3: SigningInfos reads only the page it returns", () => {
    const store = new CountingStore(base);
    const res = signingInfos(store, pageRequest({ limit: 5n }));
    expect(res.info.map((i) => i.address)).toEqual(all.slice(0, 5));
    // Before paging this decoded every validator's record into one response.
    expect(store.visited).toBe(6); // the 5 returned and the one that makes next_key
    const unpaged = new CountingStore(base);
    expect(signingInfos(unpaged).info).toHaveLength(100);
    expect(unpaged.visited).toBe(101);
  });

  it("item 3: SigningInfos next_key round-trips over every record exactly once", () => {
    expect(all).toHaveLength(VALIDATORS);
    expect(new Set(all).size).toBe(VALIDATORS);
    expect(signingInfos(base, pageRequest({ limit: 1n, countTotal: true })).pagination!.total).toBe(BigInt(VALIDATORS));
    expect(signingInfos(base, pageRequest({ offset: 2999n })).info.map((i) => i.address)).toEqual(all.slice(2999));
  });
});
