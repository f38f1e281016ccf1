/**
 * Issue 10 item 3 (list queries): AllBalances and TotalSupply page over their store prefix in
 * denom order with PageRequest semantics, so a response reads only the page it returns however
 * many denoms an account or the supply holds. Pure state machine, so in process on a plain store.
 */
import {
  QueryAllBalancesRequest,
  QueryAllBalancesResponse,
  QueryTotalSupplyRequest,
  QueryTotalSupplyResponse,
} from "cosmjs-types/cosmos/bank/v1beta1/query";
import { describe, expect, it } from "vitest";
import { MemStore, type KVStore } from "../../app/store/kvstore.js";
import { collectPages, CountingStore, pageRequest, queryOnStore, testKey } from "../../app/testkit.js";
import type { PageRequest } from "../../proto/gen/ogpu/query/v1/pagination.js";
import { bankQueries } from "./queries.js";
import { setBalance, setSupply } from "./store.js";

const DENOMS = 3_000;
const holder = testKey(1);
const other = testKey(2);
const denomOf = (i: number) => `ud${String(i).padStart(5, "0")}`;

/** `holder` and the supply hold DENOMS denoms each; `other` holds a few, next to them in key order. */
function crowdedStore(): MemStore {
  const store = new MemStore();
  for (let i = 1; i <= DENOMS; i++) {
    setBalance(store, holder.addressBytes, denomOf(i), BigInt(i));
    setSupply(store, denomOf(i), BigInt(i) * 10n);
  }
  for (let i = 1; i <= 3; i++) setBalance(store, other.addressBytes, denomOf(i), 7n);
  return store;
}

const allBalances = (store: KVStore, address: string, pagination?: PageRequest) =>
  queryOnStore(bankQueries, "/cosmos.bank.v1beta1.Query/AllBalances", { request: QueryAllBalancesRequest, response: QueryAllBalancesResponse }, store,
    QueryAllBalancesRequest.fromPartial({ address, pagination }));
const totalSupply = (store: KVStore, pagination?: PageRequest) =>
  queryOnStore(bankQueries, "/cosmos.bank.v1beta1.Query/TotalSupply", { request: QueryTotalSupplyRequest, response: QueryTotalSupplyResponse }, store,
    QueryTotalSupplyRequest.fromPartial({ pagination }));

describe("bank list queries page", () => {
  const base = crowdedStore();
  const everyDenom = Array.from({ length: DENOMS }, (_, i) => denomOf(i + 1));

  it("item 3: AllBalances reads only the page it returns", () => {
    const store = new CountingStore(base);
    const res = allBalances(store, holder.address, pageRequest({ limit: 5n }));
    expect(res.balances).toEqual(everyDenom.slice(0, 5).map((denom, i) => ({ denom, amount: String(i + 1) })));
    // Before paging this read all 3,000 balances into one response.
    expect(store.visited).toBe(6); // the 5 returned and the one that makes next_key

    const unpaged = new CountingStore(base);
    const res100 = allBalances(unpaged, holder.address);
    expect(res100.balances).toHaveLength(100);
    expect(unpaged.visited).toBe(101);
    expect(Buffer.from(res100.pagination!.nextKey).toString()).toBe(denomOf(101));
  });

  it("item 3: TotalSupply reads only the page it returns", () => {
    const store = new CountingStore(base);
    const res = totalSupply(store, pageRequest({ limit: 5n }));
    expect(res.supply).toEqual(everyDenom.slice(0, 5).map((denom, i) => ({ denom, amount: String((i + 1) * 10) })));
    expect(store.visited).toBe(6);
    const unpaged = new CountingStore(base);
    expect(totalSupply(unpaged).supply).toHaveLength(100);
    expect(unpaged.visited).toBe(101);
  });

  it("item 3: AllBalances and TotalSupply next_key round-trips: pages cover every denom exactly once", () => {
    const balances = collectPages((key) => {
      const res = allBalances(base, holder.address, pageRequest({ key, limit: 7n }));
      return { items: res.balances.map((c) => c.denom), nextKey: res.pagination!.nextKey };
    });
    expect(balances).toEqual(everyDenom);
    const supply = collectPages((key) => {
      const res = totalSupply(base, pageRequest({ key, limit: 1000n }));
      return { items: res.supply.map((c) => c.denom), nextKey: res.pagination!.nextKey };
    });
    expect(supply).toEqual(everyDenom);
    // The prefix stops at the account: the next account's balances never leak into a page.
    expect(allBalances(base, other.address).balances.map((c) => c.denom)).toEqual(everyDenom.slice(0, 3));
    expect(allBalances(base, other.address).pagination!.nextKey).toHaveLength(0);
    expect(allBalances(base, holder.address, pageRequest({ limit: 1n, countTotal: true })).pagination!.total).toBe(BigInt(DENOMS));
    expect(allBalances(base, holder.address, pageRequest({ offset: 2998n })).balances.map((c) => c.denom)).toEqual(everyDenom.slice(2998));
    expect(totalSupply(base, pageRequest({ limit: 5000n })).supply).toHaveLength(1000);
  });
});
