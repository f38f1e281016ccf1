import { afterEach, describe, expect, it } from "vitest";
import { Branch } from "../../app/store/kvstore.js";
import type { Context } from "../../app/context.js";
import { deliverContext, startTestChain, testKey, type TestChain } from "../../app/testkit.js";
import { getBalance, getSupply } from "../bank/keeper.js";
import { BONDED_POOL, NOT_BONDED_POOL, tokensFromShares, validatorByConsAddress } from "./keeper.js";
import { consensusPower, NO_COMPUTE } from "./power.js";
import { getDelegation, getValidator, getUnbonding } from "./store.js";
import { stakingInvariants } from "./invariants.js";
import {
  delegateMsg,
  gentx,
  hex,
  OGPU,
  powersOf,
  redelegateMsg,
  stakingGenesis,
  STAKING_CHAIN,
  testValidator,
  undelegateMsg,
} from "./testing.js";
import { consAddressOf } from "../../app/validator-address.js";
import { moduleAddress } from "../../app/address.js";
import { Worker } from "../../proto/gen/ogpu/workers/v1/workers.js";

const v1 = testValidator(1);
const v2 = testValidator(2);
const v3 = testValidator(3);
const carol = testKey(9);
const FUNDS = 10_000n * OGPU;
const funded = (...keys: { address: string }[]) => Object.fromEntries(keys.map((k) => [k.address, FUNDS]));

let chain: TestChain | undefined;
afterEach(async () => {
  await chain?.close();
  chain = undefined;
});

const ctxOn = deliverContext;

describe("consensus power formula", () => {
  it("stake plus a compute bonus capped by κ × stake and by the fee credit, × reliability, in basis points", () => {
    const w = { alphaBps: 10_000n, kappa: 3n };
    expect(consensusPower(1_500_000n * OGPU + 999_999n, 0n, 10_000n, w)).toBe(1_500_000n);
    expect(consensusPower(100n * OGPU, 150n * OGPU, 10_000n, w)).toBe(250n); // 100 + min(300, 150)
    expect(consensusPower(101n * OGPU, 50n * OGPU, 5_000n, w)).toBe(75n); // floor((101 + 50) × 0.5)
    expect(consensusPower(100n * OGPU, 40n * OGPU + 999_999n, 10_000n, w)).toBe(140n); // credit in whole OGPU (bps) counts
    expect(consensusPower(100n * OGPU, 1_000n * OGPU, 10_000n, w)).toBe(400n); // bonus capped at κ × stake
    expect(consensusPower(100n * OGPU, 1_000n * OGPU, 10_000n, { alphaBps: 5_000n, kappa: 3n })).toBe(250n); // α = 0.5
    expect(consensusPower(100n * OGPU, 1_000n * OGPU, 10_000n, NO_COMPUTE)).toBe(100n);
  });
});

describe("genesis validators from gentxs", () => {
  it("InitChain returns the set computed by x/staking", async () => {
    chain = await startTestChain(stakingGenesis(funded(v1.key, v2.key), [gentx(v1, 100n * OGPU), gentx(v2, 250n * OGPU + 5n)]), STAKING_CHAIN);
    expect(powersOf(chain.genesisValidators)).toEqual({ [hex(v1)]: 100n, [hex(v2)]: 250n });
    const { validatorUpdates: updates } = await chain.run();
    expect(updates).toEqual([]); // block 1 changes nothing
    expect(getBalance(chain.app.store, moduleAddress(BONDED_POOL), "uogpu")).toBe(350n * OGPU + 5n);
  });

  it("a failing gentx stops genesis with a clear error", async () => {
    await expect(startTestChain(stakingGenesis(funded(v1.key), [gentx(v1, 100n * OGPU), gentx(v1, 100n * OGPU)]), STAKING_CHAIN)).rejects.toThrow(
      /genutil.gen_txs\[1\] failed: codespace sdk code 32/, // same signer, sequence 0 again
    );
    await expect(startTestChain(stakingGenesis(funded(v2.key), [gentx(v2, FUNDS + 1n)]), STAKING_CHAIN)).rejects.toThrow(/gen_txs\[0\] failed: codespace sdk code 5: .*insufficient funds/);
  });
});

describe("validator updates", () => {
  it("sends only changed powers; stake changes apply at once; max_validators and tie-break", async () => {
    chain = await startTestChain(
      stakingGenesis(funded(v1.key, v2.key, v3.key, carol), [gentx(v1, 100n * OGPU), gentx(v2, 100n * OGPU), gentx(v3, 50n * OGPU)], { max_validators: 2 }), STAKING_CHAIN);
    // Tie at 100: both kept; v3 (50) is outside the set of two.
    expect(powersOf(chain.genesisValidators)).toEqual({ [hex(v1)]: 100n, [hex(v2)]: 100n });
    await chain.run();
    const r = await chain.run([chain.tx(carol, [delegateMsg(carol, v3.valoper, 60n * OGPU)])]);
    expect(r.txResults[0]!.code).toBe(0);
    // v3 (110) enters; of the tied pair the larger operator address leaves.
    const [keep, drop] = Buffer.compare(Buffer.from(v1.key.addressBytes), Buffer.from(v2.key.addressBytes)) < 0 ? [v1, v2] : [v2, v1];
    expect(powersOf(r.validatorUpdates)).toEqual({ [hex(v3)]: 110n, [hex(drop)]: 0n });
    expect(getValidator(chain.app.store, keep.key.addressBytes)!.status).toBe(3);
    expect((await chain.run()).validatorUpdates).toEqual([]);
    const j = await chain.run([chain.tx(carol, [delegateMsg(carol, keep.valoper, 1n * OGPU)])]);
    expect(powersOf(j.validatorUpdates)).toEqual({ [hex(keep)]: 101n });
  });

  it("a jailed validator gets power 0 and leaves the set", async () => {
    chain = await startTestChain(stakingGenesis(funded(v1.key, v2.key), [gentx(v1, 100n * OGPU), gentx(v2, 100n * OGPU)]), STAKING_CHAIN);
    await chain.run();
    const r = await chain.run([], { during: (ctx) => chain!.keepers.staking.jail(ctx, consAddressOf(v1.consensusKey)) });
    expect(powersOf(r.validatorUpdates)).toEqual({ [hex(v1)]: 0n });
  });
});

describe("compute bonus", () => {
  it("recordVerifiedCompute changes power only at the epoch boundary, and leaves the window", async () => {
    chain = await startTestChain(
      stakingGenesis(funded(v1.key, v2.key, v3.key), [gentx(v1, 100n * OGPU), gentx(v2, 100n * OGPU), gentx(v3, 100n * OGPU)], { epoch_blocks: 5, compute_window_blocks: 5 }), STAKING_CHAIN);
    await chain.run(); // 1
    const attest = (ctx: Context) => {
      chain!.keepers.staking.recordVerifiedCompute(ctx.store, v1.key.addressBytes, 300n * OGPU, ctx.block.height);
      chain!.keepers.staking.recordVerifiedCompute(ctx.store, v2.key.addressBytes, 100n * OGPU, ctx.block.height);
    };
    expect((await chain.run([], { during: attest })).validatorUpdates).toEqual([]); // 2
    for (let h = 3; h <= 4; h++) expect((await chain.run()).validatorUpdates).toEqual([]);
    // Epoch at 5: credits (300, 100, 0) OGPU of fees → bonus min(κ × 100, credit): v1 +300, v2 +100,
    // v3 +0 (unchanged, not sent).
    expect(powersOf((await chain.run()).validatorUpdates)).toEqual({ [hex(v1)]: 400n, [hex(v2)]: 200n });
    for (let h = 6; h <= 9; h++) expect((await chain.run()).validatorUpdates).toEqual([]);
    // Epoch at 10: the records at height 2 left the 5-block window → no credit, no bonus.
    expect(powersOf((await chain.run()).validatorUpdates)).toEqual({ [hex(v1)]: 100n, [hex(v2)]: 100n });
  });
});

describe("reliability from x/workers", () => {
  it("a validator operator's worker EWMA becomes its r_i (floored at 5000 bps); other workers change no power", async () => {
    chain = await startTestChain(stakingGenesis(funded(v1.key, v2.key), [gentx(v1, 100n * OGPU), gentx(v2, 100n * OGPU)]), STAKING_CHAIN);
    await chain.run(); // 1
    const workerResults = (ctx: Context) => {
      const { workers } = chain!.keepers;
      for (const key of [v1.key, carol]) workers.setWorker(ctx.store, Worker.fromPartial({ operator: key.address, bond: "0", reliability: { ewmaSuccessBps: 5000 } }));
      expect(workers.recordResult(ctx, v1.key.address, false, "test").ewmaSuccessBps).toBe(4500);
      workers.recordResult(ctx, carol.address, false, "test");
    };
    // r = clamp(4500, 5000, 10000) = 5000 → v1's power halves in the same block; v2 unchanged.
    expect(powersOf((await chain.run([], { during: workerResults })).validatorUpdates)).toEqual({ [hex(v1)]: 50n });
    expect(consensusPower(100n * OGPU, 0n, 5_000n, NO_COMPUTE)).toBe(50n);
  });
});

describe("unbonding and redelegation", () => {
  it("an undelegation is paid exactly in the endBlock of its maturity height", async () => {
    chain = await startTestChain(stakingGenesis(funded(v1.key, carol), [gentx(v1, 100n * OGPU)], { unbonding_blocks: 3 }), STAKING_CHAIN);
    await chain.run();
    await chain.run([chain.tx(carol, [delegateMsg(carol, v1.valoper, 50n * OGPU)])]); // 2
    const before = getBalance(chain.app.store, carol.addressBytes, "uogpu");
    const supply = getSupply(chain.app.store, "uogpu");
    const r = await chain.run([chain.tx(carol, [undelegateMsg(carol, v1.valoper, 20n * OGPU)])]); // 3 → matures at 6
    expect(r.txResults[0]!.code).toBe(0);
    expect(powersOf(r.validatorUpdates)).toEqual({ [hex(v1)]: 130n });
    expect(getBalance(chain.app.store, moduleAddress(NOT_BONDED_POOL), "uogpu")).toBe(20n * OGPU);
    expect(getUnbonding(chain.app.store, carol.addressBytes, v1.key.addressBytes)!.entries[0]!.balance).toBe((20n * OGPU).toString());
    await chain.run(); // 4
    await chain.run(); // 5
    expect(getBalance(chain.app.store, carol.addressBytes, "uogpu")).toBe(before);
    await chain.run(); // 6
    expect(getBalance(chain.app.store, carol.addressBytes, "uogpu")).toBe(before + 20n * OGPU);
    expect(getBalance(chain.app.store, moduleAddress(NOT_BONDED_POOL), "uogpu")).toBe(0n);
    expect(getUnbonding(chain.app.store, carol.addressBytes, v1.key.addressBytes)).toBeUndefined();
    expect(getSupply(chain.app.store, "uogpu")).toBe(supply); // staking moves coins, never mints or burns them
  });

  it("a redelegation moves power at once and may not hop again while in progress", async () => {
    chain = await startTestChain(stakingGenesis(funded(v1.key, v2.key, v3.key, carol), [gentx(v1, 100n * OGPU), gentx(v2, 100n * OGPU), gentx(v3, 100n * OGPU)], { unbonding_blocks: 3 }), STAKING_CHAIN);
    await chain.run();
    await chain.run([chain.tx(carol, [delegateMsg(carol, v1.valoper, 40n * OGPU)])]);
    const r = await chain.run([chain.tx(carol, [redelegateMsg(carol, v1.valoper, v2.valoper, 30n * OGPU)])]); // 3
    expect(r.txResults[0]!.code).toBe(0);
    expect(powersOf(r.validatorUpdates)).toEqual({ [hex(v1)]: 110n, [hex(v2)]: 130n });
    const hop = await chain.run([chain.tx(carol, [redelegateMsg(carol, v2.valoper, v3.valoper, 10n * OGPU)])]); // 4
    expect(hop.txResults[0]).toMatchObject({ code: 32, codespace: "staking" });
    await chain.run(); // 5
    await chain.run(); // 6: the entry expired
    const ok = await chain.run([chain.tx(carol, [redelegateMsg(carol, v2.valoper, v3.valoper, 10n * OGPU)])]);
    expect(ok.txResults[0]!.code).toBe(0);
  });
});

describe("bad input: clear staking errors, nothing changed", () => {
  it("rejects each with its code", async () => {
    chain = await startTestChain(stakingGenesis(funded(v1.key, v2.key, carol), [gentx(v1, 100n * OGPU)], { min_self_delegation: String(10n * OGPU) }), STAKING_CHAIN);
    await chain.run();
    const bonded = () => getBalance(chain!.app.store, moduleAddress(BONDED_POOL), "uogpu");
    const start = bonded();
    const c = chain;
    const cases: [() => Uint8Array, number, RegExp][] = [
      [() => c.tx(v1.key, [delegateMsg(v1.key, v2.valoper, OGPU)]), 3, /validator ogpuvaloper1.* does not exist/],
      [() => c.tx(carol, [undelegateMsg(carol, v1.valoper, OGPU)]), 19, /no delegation for \(address, validator\) tuple/],
      [() => c.tx(v1.key, [undelegateMsg(v1.key, v1.valoper, 101n * OGPU)]), 22, /cannot take 101000000 from a delegation worth 100000000/],
      [() => c.tx(v1.key, [redelegateMsg(v1.key, v1.valoper, v1.valoper, OGPU)]), 29, /same validator/],
    ];
    for (const [tx, code, log] of cases) {
      const [res] = (await chain.run([tx()])).txResults;
      expect(res).toMatchObject({ code, codespace: "staking" });
      expect(res!.log).toMatch(log);
      expect(bonded()).toBe(start);
    }
    // Gentx-shaped create-validator txs signed at a normal height: exists, below min, commission.
    const { createValidatorMsg } = await import("../genutil/gentx.js");
    const { pct } = await import("./testing.js");
    const create = (v: typeof v1, amount: bigint, rate: string, maxRate = pct(50)) =>
      createValidatorMsg({ operator: v.key.addressBytes, consensusKey: v.consensusKey, amount, moniker: "m", commissionRate: rate, commissionMaxRate: maxRate, commissionMaxChangeRate: pct(1), minSelfDelegation: 1n });
    const more: [() => Uint8Array, number][] = [
      [() => c.tx(v1.key, [create(v1, 20n * OGPU, pct(5))]), 4],
      [() => c.tx(v2.key, [create(v2, 9n * OGPU, pct(5))]), 16],
      [() => c.tx(v2.key, [create(v2, 20n * OGPU, pct(60))]), 11],
      [() => c.tx(v2.key, [create(v2, 20n * OGPU, pct(5), pct(101))]), 10],
      [() => c.tx(v2.key, [create({ ...v2, consensusKey: v1.consensusKey }, 20n * OGPU, pct(5))]), 5],
    ];
    for (const [tx, code] of more) {
      const [res] = (await chain.run([tx()])).txResults;
      expect(res).toMatchObject({ code, codespace: "staking" });
      expect(bonded()).toBe(start);
      expect(getValidator(chain.app.store, v2.key.addressBytes)).toBeUndefined();
    }
  });
});

describe("slash", () => {
  it("burns bonded stake and the unbonding/redelegation entries created at or after the infraction", async () => {
    chain = await startTestChain(stakingGenesis(funded(v1.key, v2.key, carol), [gentx(v1, 100n * OGPU), gentx(v2, 100n * OGPU)], { unbonding_blocks: 50 }), STAKING_CHAIN);
    await chain.run();
    await chain.run([chain.tx(carol, [delegateMsg(carol, v1.valoper, 100n * OGPU)])]); // 2
    await chain.run([chain.tx(carol, [undelegateMsg(carol, v1.valoper, 10n * OGPU)])]); // 3: before the infraction
    await chain.run([chain.tx(carol, [undelegateMsg(carol, v1.valoper, 20n * OGPU)])]); // 4: at the infraction
    await chain.run([chain.tx(carol, [redelegateMsg(carol, v1.valoper, v2.valoper, 40n * OGPU)])]); // 5: after
    const store = new Branch(chain.app.store);
    const supply = getSupply(store, "uogpu");
    const cons = consAddressOf(v1.consensusKey);
    const burned = chain.keepers.staking.slash(ctxOn(store, 6n), cons, 4n, 1_000n); // 10 %
    // v1 holds 100 + 100 − 10 − 20 − 40 = 130 → 13; unbonding at 4: 2; redelegation at 5: 4 from v2.
    expect(burned).toBe((13n + 2n + 4n) * OGPU);
    expect(getSupply(store, "uogpu")).toBe(supply - burned);
    const ubd = getUnbonding(store, carol.addressBytes, v1.key.addressBytes)!;
    expect(ubd.entries.map((e) => e.balance)).toEqual([(10n * OGPU).toString(), (18n * OGPU).toString()]);
    expect(BigInt(validatorByConsAddress(store, cons)!.validator.tokens)).toBe(117n * OGPU);
    const v2state = getValidator(store, v2.key.addressBytes)!;
    expect(tokensFromShares(v2state, BigInt(getDelegation(store, carol.addressBytes, v2.key.addressBytes)!.shares))).toBe(36n * OGPU);
    for (const inv of stakingInvariants(chain.keepers.bank)) expect(inv.check(store)).toBeNull();
    expect(getBalance(store, moduleAddress(NOT_BONDED_POOL), "uogpu")).toBe(28n * OGPU);
  });
});
