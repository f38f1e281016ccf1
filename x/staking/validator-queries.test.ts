/**
 * Issue 10 item 3 (list queries): the Validators query pages over the validators in operator
 * order with PageRequest semantics; the status filter applies per page (FilteredPaginate).
 * Pure state machine, so in process on a plain store.
 */
import { QueryValidatorsRequest, QueryValidatorsResponse } from "cosmjs-types/cosmos/staking/v1beta1/query";
import { BondStatus, bondStatusToJSON, Validator } from "cosmjs-types/cosmos/staking/v1beta1/staking";
import { describe, expect, it } from "vitest";
import { MemStore, type KVStore } from "../../app/store/kvstore.js";
import { CountingStore, pageRequest as page } from "../../app/testkit.js";
import { stakingQueries } from "./queries.js";
import { setValidator } from "./store.js";
import { testValidator } from "./testing.js";
import { PubKey as Ed25519PubKeyProto } from "cosmjs-types/cosmos/crypto/ed25519/keys";
import { ED25519_PUBKEY_TYPE_URL } from "../../app/validator-address.js";

const VALIDATORS = 3_000;
const validatorsQuery = stakingQueries({ getBalance: () => 0n }).find((q) => q.path === "/cosmos.staking.v1beta1.Query/Validators")!;
const block = { chainId: "t", height: 1n, timeSeconds: 0n, beacon: new Uint8Array() };

function queryValidators(store: KVStore, req: Partial<QueryValidatorsRequest>): QueryValidatorsResponse {
  return QueryValidatorsResponse.decode(validatorsQuery.handle({ store, block }, QueryValidatorsRequest.encode(QueryValidatorsRequest.fromPartial(req)).finish()));
}

/** Follows next_key to the end, in pages of `limit`. */
function allPages(store: KVStore, status: string, limit: bigint): string[] {
  const out: string[] = [];
  for (let key: Uint8Array = new Uint8Array(); ; ) {
    const res = queryValidators(store, { status, pagination: page({ key, limit }) });
    out.push(...res.validators.map((v) => v.operatorAddress));
    key = res.pagination!.nextKey;
    if (key.length === 0) return out;
  }
}

/** VALIDATORS unbonded validators (a spam of create-validator), every 20th one bonded. */
function crowdedStore(): MemStore {
  const store = new MemStore();
  for (let i = 1; i <= VALIDATORS; i++) {
    const v = testValidator(i);
    setValidator(store, Validator.fromPartial({
      operatorAddress: v.valoper,
      consensusPubkey: { typeUrl: ED25519_PUBKEY_TYPE_URL, value: Ed25519PubKeyProto.encode({ key: v.consensusKey }).finish() },
      status: i % 20 === 0 ? BondStatus.BOND_STATUS_BONDED : BondStatus.BOND_STATUS_UNBONDED,
    }));
  }
  return store;
}

describe("staking Validators query pages", () => {
  const base = crowdedStore();
  const all = allPages(base, "", 1000n);
  const bonded = allPages(base, bondStatusToJSON(BondStatus.BOND_STATUS_BONDED), 4n);

  it("item 3: the Validators query reads only the page it returns", () => {
    const store = new CountingStore(base);
    const res = queryValidators(store, { pagination: page({ limit: 5n }) });
    expect(res.validators.map((v) => v.operatorAddress)).toEqual(all.slice(0, 5));
    // Before paging this decoded all 3,000 validators and returned them in one response.
    expect(store.visited).toBe(6); // the 5 returned and the one that makes next_key

    const unpaged = new CountingStore(base);
    const res100 = queryValidators(unpaged, {});
    expect(res100.validators).toHaveLength(100);
    expect(unpaged.visited).toBe(101);

    // The status filter walks only until the page is full: up to the 3rd bonded one, plus one.
    const filtered = new CountingStore(base);
    const bondedPage = queryValidators(filtered, { status: "BOND_STATUS_BONDED", pagination: page({ limit: 3n }) });
    expect(bondedPage.validators.map((v) => v.operatorAddress)).toEqual(bonded.slice(0, 3));
    expect(filtered.visited).toBe(all.indexOf(bonded[2]!) + 2);
  });

  it("item 3: Validators next_key round-trips: pages cover every validator exactly once, filtered or not", () => {
    expect(all).toHaveLength(VALIDATORS);
    expect(new Set(all).size).toBe(VALIDATORS);
    expect(bonded).toHaveLength(VALIDATORS / 20);
    expect(bonded).toEqual(all.filter((a) => bonded.includes(a)));
    const counted = queryValidators(base, { status: "BOND_STATUS_BONDED", pagination: page({ limit: 1n, countTotal: true }) });
    expect(counted.pagination!.total).toBe(BigInt(VALIDATORS / 20));
    const capped = queryValidators(base, { pagination: page({ limit: 5000n }) });
    expect(capped.validators).toHaveLength(1000);
  });
});
