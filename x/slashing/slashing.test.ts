import { afterEach, describe, expect, it } from "vitest";
import { QueryParamsRequest, QueryParamsResponse, QuerySigningInfoRequest, QuerySigningInfoResponse, QuerySigningInfosRequest, QuerySigningInfosResponse } from "cosmjs-types/cosmos/slashing/v1beta1/query";
import type { Event } from "cosmjs-types/tendermint/abci/types";
import { startTestChain, testKey, type TestChain } from "../../app/testkit.js";
import { getBalance, getSupply } from "../bank/keeper.js";
import { BONDED_POOL, isTombstoned, NOT_BONDED_POOL, tokensFromShares } from "../staking/keeper.js";
import { consensusPower, NO_COMPUTE } from "../staking/power.js";
import { getDelegation, getUnbonding, getValidator } from "../staking/keeper.js";
import { Branch } from "../../app/store/kvstore.js";
import { delegateMsg, gentx, hex, OGPU, powersOf, stakingGenesis, testValidator, undelegateMsg, type TestValidator } from "../staking/testing.js";
import { slashingInvariants } from "./invariants.js";
import { maxMissedBlocks, slashingParams } from "./params.js";
import { getMissedBits, getSigningInfo, popcount, setMissedBits } from "./store.js";
import { consOf, duplicateVote, SLASHING_CHAIN, unjailMsg } from "./testing.js";
import { valconsString, valoperString } from "../../app/validator-address.js";
import { moduleAddress } from "../../app/address.js";

const validators = [1, 2, 3, 4].map(testValidator);
const [v1, , , v4] = validators as [TestValidator, TestValidator, TestValidator, TestValidator];
const delegator = testKey(9);
const STAKE = 10_000n * OGPU;
const BPS = 10_000n;

let chain: TestChain | undefined;
afterEach(async () => {
  await chain?.close();
  chain = undefined;
});

/** Four equal validators (10,000 OGPU each) and a funded delegator. */
async function start(slashing: Record<string, unknown> = {}): Promise<TestChain> {
  const balances = Object.fromEntries([...validators.map((v) => [v.key.address, 2n * STAKE] as const), [delegator.address, STAKE]]);
  const state = { ...stakingGenesis(balances, validators.map((v) => gentx(v, STAKE)), { unbonding_blocks: 1_000 }), slashing: { params: slashing } };
  chain = await startTestChain(state, SLASHING_CHAIN);
  await chain.block();
  return chain;
}

const bondDenomBalance = (c: TestChain, module: string) => getBalance(c.app.store, moduleAddress(module), "uogpu");
const tokensOf = (c: TestChain, v: TestValidator) => BigInt(getValidator(c.app.store, v.key.addressBytes)!.tokens);
const delegationValue = (c: TestChain, who: Uint8Array, v: TestValidator) =>
  tokensFromShares(getValidator(c.app.store, v.key.addressBytes)!, BigInt(getDelegation(c.app.store, who, v.key.addressBytes)!.shares));
const slashEvents = (events: Event[]) =>
  events.filter((e) => e.type === "slash" && e.attributes.some((a) => a.key === "reason")).map((e) => Object.fromEntries(e.attributes.map((a) => [a.key, a.value])));

describe("double sign", () => {
  it("slashes 5 % of the validator's and its delegators' stake, tombstones it, removes it, and it can never unjail", async () => {
    const c = await start();
    const bps = BigInt(slashingParams.get(c.app.store).slash_fraction_double_sign_bps);
    await c.run([c.tx(delegator, [delegateMsg(delegator, v1.valoper, 1_000n * OGPU)])]);
    // An undelegation before the infraction (not slashable) and one after it (slashable).
    await c.run([c.tx(delegator, [undelegateMsg(delegator, v1.valoper, 100n * OGPU)])]);
    const infraction = c.height + 1n;
    await c.run();
    await c.run([c.tx(delegator, [undelegateMsg(delegator, v1.valoper, 200n * OGPU)])]);
    const ubd = getUnbonding(c.app.store, delegator.addressBytes, v1.key.addressBytes)!;
    expect(ubd.entries.map((e) => e.creationHeight < infraction)).toEqual([true, false]);

    const before = {
      tokens: tokensOf(c, v1),
      self: delegationValue(c, v1.key.addressBytes, v1),
      delegated: delegationValue(c, delegator.addressBytes, v1),
      bonded: bondDenomBalance(c, BONDED_POOL),
      notBonded: bondDenomBalance(c, NOT_BONDED_POOL),
      supply: getSupply(c.app.store, "uogpu"),
    };
    const res = await c.run([], { misbehavior: [duplicateVote(v1, infraction, 10_000n)] });

    const fromValidator = (before.tokens * bps) / BPS;
    const fromLateEntry = (BigInt(ubd.entries[1]!.initialBalance) * bps) / BPS;
    expect(tokensOf(c, v1)).toBe(before.tokens - fromValidator);
    expect(delegationValue(c, v1.key.addressBytes, v1)).toBe(before.self - (before.self * bps) / BPS);
    expect(delegationValue(c, delegator.addressBytes, v1)).toBe(before.delegated - (before.delegated * bps) / BPS);
    expect(bondDenomBalance(c, BONDED_POOL)).toBe(before.bonded - fromValidator);
    expect(bondDenomBalance(c, NOT_BONDED_POOL)).toBe(before.notBonded - fromLateEntry);
    expect(getSupply(c.app.store, "uogpu")).toBe(before.supply - fromValidator - fromLateEntry);
    const entries = getUnbonding(c.app.store, delegator.addressBytes, v1.key.addressBytes)!.entries;
    expect(entries.map((e) => e.balance)).toEqual([ubd.entries[0]!.balance, (BigInt(ubd.entries[1]!.balance) - fromLateEntry).toString()]);

    expect(slashEvents(res.events)).toEqual([{ address: valconsString(consOf(v1)), reason: "double_sign", power: "10000", burned: `${fromValidator + fromLateEntry}uogpu` }]);
    expect(powersOf(res.validatorUpdates)).toEqual({ [hex(v1)]: 0n });
    expect(getValidator(c.app.store, v1.key.addressBytes)!.jailed).toBe(true);
    expect(isTombstoned(c.app.store, consOf(v1))).toBe(true);
    expect(getSigningInfo(c.app.store, consOf(v1))!.tombstoned).toBe(true);

    // The same evidence again, or evidence against an unknown key, changes nothing.
    const supply = getSupply(c.app.store, "uogpu");
    const again = await c.run([], { misbehavior: [duplicateVote(v1, infraction, 10_000n), duplicateVote(testValidator(77), infraction, 5n)] });
    expect(slashEvents(again.events)).toEqual([]);
    expect(getSupply(c.app.store, "uogpu")).toBe(supply);

    const [unjail] = (await c.run([c.tx(v1.key, [unjailMsg(v1.valoper)])])).txResults;
    expect(unjail).toMatchObject({ code: 9, codespace: "slashing" });
    expect(unjail!.log).toContain("tombstoned");
  });
});

describe("downtime", () => {
  const JAIL_BLOCKS = 10;

  it("missing exactly half the window is tolerated; one more miss jails, slashes 0.01 % and removes the validator", async () => {
    const c = await start({ downtime_jail_blocks: JAIL_BLOCKS });
    const p = slashingParams.get(c.app.store);
    expect(maxMissedBlocks(p)).toBe(50n);
    // Absent every other block: any full window holds exactly 50 misses.
    const first = c.height + 1n;
    while (c.height < first + BigInt(p.signed_blocks_window) * 2n) {
      const res = await c.run([], { absent: (c.height + 1n) % 2n === 0n ? [v4] : [] });
      expect(res.validatorUpdates).toEqual([]);
    }
    const info = getSigningInfo(c.app.store, consOf(v4))!;
    expect(info.missedBlocksCounter).toBe(maxMissedBlocks(p));
    expect(info.startHeight).toBe(first);
    expect(getValidator(c.app.store, v4.key.addressBytes)!.jailed).toBe(false);

    // Absent at an odd height too: its slot held a signed block, so the count passes 50.
    if ((c.height + 1n) % 2n === 0n) await c.run([], { absent: [v4] });
    const tokens = tokensOf(c, v4);
    const supply = getSupply(c.app.store, "uogpu");
    const res = await c.run([], { absent: [v4] });
    const burned = (tokens * BigInt(p.slash_fraction_downtime_bps)) / BPS;
    expect(burned).toBe(OGPU); // 0.01 % of 10,000 OGPU
    expect(tokensOf(c, v4)).toBe(tokens - burned);
    expect(getSupply(c.app.store, "uogpu")).toBe(supply - burned);
    expect(slashEvents(res.events)).toEqual([{ address: valconsString(consOf(v4)), reason: "missing_signature", power: "10000", burned: `${burned}uogpu` }]);
    expect(powersOf(res.validatorUpdates)).toEqual({ [hex(v4)]: 0n });
    const jailedAt = c.height;
    expect(getSigningInfo(c.app.store, consOf(v4))).toMatchObject({ missedBlocksCounter: 0n, indexOffset: 0n, jailedUntil: { seconds: jailedAt + BigInt(JAIL_BLOCKS) } });
    expect(popcount(getMissedBits(c.app.store, consOf(v4), p.signed_blocks_window))).toBe(0);

    // Still jailed: refused with slashing code 4, and the validator stays out of the set.
    const early = await c.run([c.tx(v4.key, [unjailMsg(v4.valoper)])]);
    expect(early.txResults[0]).toMatchObject({ code: 4, codespace: "slashing" });
    expect(early.txResults[0]!.log).toContain(`jailed until height ${jailedAt + BigInt(JAIL_BLOCKS)}`);
    expect(early.validatorUpdates).toEqual([]);

    while (c.height + 1n < jailedAt + BigInt(JAIL_BLOCKS)) await c.run();
    const back = await c.run([c.tx(v4.key, [unjailMsg(v4.valoper)])]);
    expect(back.txResults[0]).toMatchObject({ code: 0 });
    const v = getValidator(c.app.store, v4.key.addressBytes)!;
    expect(v.jailed).toBe(false);
    expect(powersOf(back.validatorUpdates)).toEqual({ [hex(v4)]: consensusPower(BigInt(v.tokens), 0n, BPS, NO_COMPUTE) });
    expect(back.validatorUpdates[0]!.power).toBe(9_999n);
    // Liveness counting restarts: a returning validator gets a whole window.
    expect(getSigningInfo(c.app.store, consOf(v4))!.startHeight).toBe(c.height);
  });

  it("a validator is not judged before it has been tracked for a whole window", async () => {
    const c = await start();
    const window = BigInt(slashingParams.get(c.app.store).signed_blocks_window);
    const first = c.height + 1n;
    for (let h = first; h <= first + window; h++) expect((await c.run([], { absent: [v4] })).validatorUpdates).toEqual([]);
    expect(getSigningInfo(c.app.store, consOf(v4))!.missedBlocksCounter).toBe(window);
    expect(powersOf((await c.run([], { absent: [v4] })).validatorUpdates)).toEqual({ [hex(v4)]: 0n });
  });
});

describe("MsgUnjail input errors", () => {
  it("not jailed (5), not a validator (2), bad address (sdk 7), wrong signer (sdk)", async () => {
    const c = await start();
    const notValidator = valoperString(delegator.addressBytes);
    const results = (
      await c.run([
          c.tx(v1.key, [unjailMsg(v1.valoper)]),
          c.tx(delegator, [unjailMsg(notValidator)]),
          c.tx(v1.key, [unjailMsg("ogpuvaloper1notanaddress")]),
        ])
    ).txResults;
    expect(results[0]).toMatchObject({ code: 5, codespace: "slashing" });
    expect(results[1]).toMatchObject({ code: 2, codespace: "slashing" });
    expect(results[2]).toMatchObject({ code: 7, codespace: "sdk" });
    // Signed by someone other than the operator: the tx's signer does not match the message's.
    const [wrong] = (await c.run([c.tx(delegator, [unjailMsg(v1.valoper)])])).txResults;
    expect(wrong!.codespace).toBe("sdk");
    expect(wrong!.code).not.toBe(0);
  });
});

describe("queries and invariants", () => {
  it("SigningInfo, SigningInfos and Params in the Cosmos shapes", async () => {
    const c = await start({ signed_blocks_window: 20 });
    for (let i = 0; i < 3; i++) await c.run([], { absent: [v4] });
    const one = c.query("/cosmos.slashing.v1beta1.Query/SigningInfo", QuerySigningInfoRequest.encode({ consAddress: valconsString(consOf(v4)) }).finish());
    expect(one.code).toBe(0);
    expect(QuerySigningInfoResponse.decode(one.value).valSigningInfo).toMatchObject({ address: valconsString(consOf(v4)), missedBlocksCounter: 3n, indexOffset: 3n, tombstoned: false });
    const all = QuerySigningInfosResponse.decode(c.query("/cosmos.slashing.v1beta1.Query/SigningInfos", QuerySigningInfosRequest.encode({}).finish()).value);
    expect(all.info.map((i) => i.address).sort()).toEqual(validators.map((v) => valconsString(consOf(v))).sort());
    const params = QueryParamsResponse.decode(c.query("/cosmos.slashing.v1beta1.Query/Params", QueryParamsRequest.encode({}).finish()).value).params;
    expect(params.signedBlocksWindow).toBe(20n);
    expect(new TextDecoder().decode(params.minSignedPerWindow)).toBe("500000000000000000"); // Dec 0.5
    expect(new TextDecoder().decode(params.slashFractionDoubleSign)).toBe("50000000000000000"); // Dec 0.05
    const missing = c.query("/cosmos.slashing.v1beta1.Query/SigningInfo", QuerySigningInfoRequest.encode({ consAddress: valconsString(consOf(testValidator(50))) }).finish());
    expect(missing).toMatchObject({ code: 22, codespace: "sdk" });
    const bad = c.query("/cosmos.slashing.v1beta1.Query/SigningInfo", QuerySigningInfoRequest.encode({ consAddress: "ogpu1xyz" }).finish());
    expect(bad.code).toBe(18);
  });

  it("the missed counter must equal the bit array's popcount; genesis export round-trips", async () => {
    const c = await start({ signed_blocks_window: 20 });
    for (let i = 0; i < 3; i++) await c.run([], { absent: [v4] });
    expect(slashingInvariants.map((inv) => inv.check(c.app.store))).toEqual([null]);
    const exported = c.app.exportAppState().slashing as { signing_infos: { address: string; missed_indices: number[] }[] };
    expect(exported.signing_infos.find((s) => s.address === valconsString(consOf(v4)))!.missed_indices).toEqual([0, 1, 2]);
    const tampered = new Branch(c.app.store);
    setMissedBits(tampered, consOf(v4), new Uint8Array(3));
    expect(slashingInvariants[0]!.check(tampered)).toMatch(/counts 3 missed blocks but its bit array has 0/);
  });
});
