/**
 * The ValidatorPowers query (issue 15: the dashboard's real compute multiplier): each
 * validator's power comes out as consensusPower gives it, with the stake, credit, bonus and
 * reliability parts that make it up, and a jailed validator shows power 0.
 */
import { Validator } from "cosmjs-types/cosmos/staking/v1beta1/staking";
import { describe, expect, it } from "vitest";
import { MemStore } from "../../app/store/kvstore.js";
import { QueryValidatorPowersRequest, QueryValidatorPowersResponse } from "../../proto/gen/ogpu/staking/v1/query.js";
import { PubKey as Ed25519PubKeyProto } from "cosmjs-types/cosmos/crypto/ed25519/keys";
import { ED25519_PUBKEY_TYPE_URL } from "../../app/validator-address.js";
import { consensusPower, computeWeightsOf } from "./power.js";
import { stakingParams } from "./params.js";
import { stakingQueries } from "./queries.js";
import { setComputeCredit, setValidator, storeReliabilityBps } from "./store.js";
import { OGPU, testValidator } from "./testing.js";

const query = stakingQueries({ getBalance: () => 0n }).find((q) => q.path === "/ogpu.staking.v1.Query/ValidatorPowers")!;
const block = { chainId: "t", height: 1n, timeSeconds: 0n, beacon: new Uint8Array() };

function putValidator(store: MemStore, i: number, tokens: bigint, jailed = false) {
  const v = testValidator(i);
  setValidator(store, Validator.fromPartial({
    operatorAddress: v.valoper,
    consensusPubkey: { typeUrl: ED25519_PUBKEY_TYPE_URL, value: Ed25519PubKeyProto.encode({ key: v.consensusKey }).finish() },
    tokens: tokens.toString(),
    jailed,
  }));
  return v;
}

function powers(store: MemStore): QueryValidatorPowersResponse {
  const req = QueryValidatorPowersRequest.fromPartial({});
  return QueryValidatorPowersResponse.decode(query.handle({ store, block }, QueryValidatorPowersRequest.encode(req).finish()));
}

describe("ValidatorPowers query", () => {
  it("shows each validator's power with the stake, compute and reliability parts of the formula", () => {
    const store = new MemStore();
    const plain = putValidator(store, 1, 100n * OGPU);
    const computing = putValidator(store, 2, 100n * OGPU + 999_999n);
    setComputeCredit(store, testValidator(2).key.addressBytes, 150n * OGPU);
    const unreliable = putValidator(store, 3, 101n * OGPU);
    setComputeCredit(store, testValidator(3).key.addressBytes, 50n * OGPU);
    storeReliabilityBps(store, testValidator(3).key.addressBytes, 5_000n);
    const jailed = putValidator(store, 4, 200n * OGPU, true);

    const res = powers(store);
    const byValoper = new Map(res.validators.map((v) => [v.operatorAddress, v]));
    const weights = computeWeightsOf(stakingParams.get(store));
    expect({ alpha: res.computeAlphaBps, kappa: res.computeKappa }).toEqual({ alpha: weights.alphaBps, kappa: weights.kappa });
    expect(res.validators).toHaveLength(4);

    expect(byValoper.get(plain.valoper)).toMatchObject({ stake: "100", computeCredit: "0", computeBonusBps: "0", reliabilityBps: 10_000n, power: "100", multiplierBps: "10000", jailed: false });
    // 100 OGPU staked (the 0.999999 below a whole OGPU does not count) + min(3 × 100, 150) = 250.
    expect(byValoper.get(computing.valoper)).toMatchObject({ stake: "100", computeCredit: (150n * OGPU).toString(), computeBonusBps: "1500000", power: "250", multiplierBps: "25000" });
    expect(byValoper.get(computing.valoper)!.power).toBe(consensusPower(100n * OGPU + 999_999n, 150n * OGPU, 10_000n, weights).toString());
    // floor((101 + 50) × 0.5) = 75: reliability lowers the multiplier below 1.
    expect(byValoper.get(unreliable.valoper)).toMatchObject({ stake: "101", computeBonusBps: "500000", reliabilityBps: 5_000n, power: "75", multiplierBps: "7425" });
    expect(byValoper.get(jailed.valoper)).toMatchObject({ stake: "200", power: "0", multiplierBps: "0", jailed: true });
  });

  it("pages: the pages together are the whole list, each validator once", () => {
    const store = new MemStore();
    for (let i = 1; i <= 5; i++) putValidator(store, i, BigInt(i) * OGPU);
    const all = powers(store).validators.map((v) => v.operatorAddress);
    const paged: string[] = [];
    for (let key: Uint8Array = new Uint8Array(); ; ) {
      const req = QueryValidatorPowersRequest.fromPartial({ pagination: { key, limit: 2n } });
      const res = QueryValidatorPowersResponse.decode(query.handle({ store, block }, QueryValidatorPowersRequest.encode(req).finish()));
      expect(res.validators.length).toBeLessThanOrEqual(2);
      paged.push(...res.validators.map((v) => v.operatorAddress));
      key = res.pagination!.nextKey;
      if (key.length === 0) break;
    }
    expect(paged).toEqual(all);
    expect(new Set(all).size).toBe(5);
  });
});
