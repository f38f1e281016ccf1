import { afterEach, describe, expect, it } from "vitest";
import { startTestChain, testKey, type TestChain } from "../../app/testkit.js";
import { FEE_COLLECTOR } from "../auth/keeper.js";
import { getBalance } from "../bank/keeper.js";
import { delegateMsg, gentx, OGPU, STAKING_CHAIN, stakingGenesis, testValidator, withdrawCommissionMsg, withdrawMsg } from "../staking/testing.js";
import { distributionInvariants } from "./invariants.js";
import { commissionOf, DISTRIBUTION, remainderOf, totals } from "./keeper.js";
import { moduleAddress } from "../../app/address.js";

const v1 = testValidator(11);
const v2 = testValidator(12);
const carol = testKey(19);
const FUNDS = 10_000n * OGPU;

let chain: TestChain | undefined;
afterEach(async () => {
  await chain?.close();
  chain = undefined;
});

const balance = (c: TestChain, address: Uint8Array) => getBalance(c.app.store, address, "uogpu");

describe("fee rewards", () => {
  it("splits a block's fees by power, takes commission, pays delegators lazily, carries the remainder", async () => {
    chain = await startTestChain(
      stakingGenesis({ [v1.key.address]: FUNDS, [v2.key.address]: FUNDS, [carol.address]: FUNDS }, [gentx(v1, 100n * OGPU, { commissionPct: 10 }), gentx(v2, 300n * OGPU)]), STAKING_CHAIN);
    await chain.run();
    // Block 2: carol delegates 100 OGPU to v1 (now 200 vs 300) and pays a 10,001 uogpu fee.
    await chain.run([chain.tx(carol, [delegateMsg(carol, v1.valoper, 100n * OGPU)], 10_001n)]);
    expect(balance(chain, moduleAddress(FEE_COLLECTOR))).toBe(10_001n);
    // Block 3's beginBlock hands them out: v1 floor(10001·200/500) = 4000, v2 6000, 1 carried.
    await chain.run();
    const s = chain.app.store;
    expect(balance(chain, moduleAddress(FEE_COLLECTOR))).toBe(0n);
    expect(remainderOf(s)).toBe(1n);
    expect(commissionOf(s, v1.key.addressBytes)).toBe(400n); // 10 % of 4000
    expect(commissionOf(s, v2.key.addressBytes)).toBe(0n);
    expect(chain!.keepers.distribution.pendingReward(s, carol.addressBytes, v1.key.addressBytes)).toBe(1_800n); // half of 3600
    expect(chain!.keepers.distribution.pendingReward(s, v1.key.addressBytes, v1.key.addressBytes)).toBe(1_800n);
    expect(chain!.keepers.distribution.pendingReward(s, v2.key.addressBytes, v2.key.addressBytes)).toBe(6_000n);

    const carolBefore = balance(chain, carol.addressBytes);
    const r = await chain.run([chain.tx(carol, [withdrawMsg(carol, v1.valoper)])]);
    expect(r.txResults[0]!.code).toBe(0);
    expect(balance(chain, carol.addressBytes)).toBe(carolBefore + 1_800n);
    const opBefore = balance(chain, v1.key.addressBytes);
    const w = await chain.run([chain.tx(v1.key, [withdrawMsg(v1.key, v1.valoper), withdrawCommissionMsg(v1.valoper)])]);
    expect(w.txResults[0]!.code).toBe(0);
    expect(balance(chain, v1.key.addressBytes)).toBe(opBefore + 1_800n + 400n);
    // Nothing left to withdraw: code 7 in the distribution codespace.
    const again = await chain.run([chain.tx(v1.key, [withdrawCommissionMsg(v1.valoper)])]);
    expect(again.txResults[0]).toMatchObject({ code: 7, codespace: "distribution" });

    const t = totals(chain.app.store);
    expect(t.collected).toBe(10_001n);
    expect(t.paid).toBe(1_800n + 1_800n + 400n);
    expect(balance(chain, moduleAddress(DISTRIBUTION))).toBe(t.collected - t.paid);
    for (const inv of distributionInvariants(chain.keepers.distribution, chain.keepers)) expect(inv.check(chain.app.store)).toBeNull();
  });

  it("changing a delegation settles its rewards first; a delegation joining later earns nothing from before", async () => {
    chain = await startTestChain(stakingGenesis({ [v1.key.address]: FUNDS, [carol.address]: FUNDS }, [gentx(v1, 100n * OGPU)]), STAKING_CHAIN);
    await chain.run();
    await chain.run([chain.tx(v1.key, [withdrawMsg(v1.key, v1.valoper)], 5_000n)]); // fee 5000, reward 0 so far
    await chain.run([chain.tx(carol, [delegateMsg(carol, v1.valoper, 100n * OGPU)])]); // 3: the 5000 went to v1 alone
    expect(chain!.keepers.distribution.pendingReward(chain.app.store, carol.addressBytes, v1.key.addressBytes)).toBe(0n);
    expect(chain!.keepers.distribution.pendingReward(chain.app.store, v1.key.addressBytes, v1.key.addressBytes)).toBe(5_000n);
    const before = balance(chain, v1.key.addressBytes);
    // v1 adds stake: its 5000 reward is paid out automatically by the delegation change.
    await chain.run([chain.tx(v1.key, [delegateMsg(v1.key, v1.valoper, 1n * OGPU)])]);
    expect(balance(chain, v1.key.addressBytes)).toBe(before + 5_000n - 1n * OGPU);
    expect(chain!.keepers.distribution.pendingReward(chain.app.store, v1.key.addressBytes, v1.key.addressBytes)).toBe(0n);
    const missing = await chain.run([chain.tx(carol, [withdrawMsg(carol, v2.valoper)])]);
    expect(missing.txResults[0]).toMatchObject({ code: 12, codespace: "distribution" });
  });

  it("the invariant catches rewards owed beyond what the account holds", async () => {
    chain = await startTestChain(stakingGenesis({ [v1.key.address]: FUNDS }, [gentx(v1, 100n * OGPU)]), STAKING_CHAIN);
    await chain.run();
    await chain.run([chain.tx(v1.key, [withdrawMsg(v1.key, v1.valoper)], 5_000n)]);
    await chain.run();
    const { Branch } = await import("../../app/store/kvstore.js");
    const { setRewardPerShare, rewardPerShare } = await import("./keeper.js");
    const store = new Branch(chain.app.store);
    setRewardPerShare(store, v1.key.addressBytes, rewardPerShare(store, v1.key.addressBytes) * 2n);
    expect(distributionInvariants(chain.keepers.distribution, chain.keepers)[1]!.check(store)).toMatch(/outstanding rewards 10000 exceed the distribution account's 5000/);
  });
});
