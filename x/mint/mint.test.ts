/**
 * x/mint in process: block emission follows the schedule exactly with the invariants checked
 * after every block; genesis refuses a schedule that does not fit under the cap; provider
 * rewards P_i = min(C_i, ⌊B × C_i T_i λ_i / Σ⌋) paid exactly at the epoch's end; and the
 * self-dealing attack (a worker paying itself to farm emission) loses money.
 */
import { afterEach, describe, expect, it } from "vitest";
import { MAX_SUPPLY } from "../../app/coins.js";
import { startTestChain, testGenesis, testKey, type TestChain } from "../../app/testkit.js";
import { QueryParamsResponse as QueryMintParamsResponse, QueryProviderRewardsRequest, QueryProviderRewardsResponse, QueryScheduleRequest, QueryScheduleResponse } from "../../proto/gen/ogpu/mint/v1/query.js";
import { TaskStatus } from "../../proto/gen/ogpu/market/v1/market.js";
import { commitMsg, digestOf, expectOk, OGPU, revealMsg, startPosChain, type ChainSigner, type PosChain } from "../attest/testing.js";
import { nextTaskId } from "../market/keeper.js";
import { marketParams } from "../market/params.js";
import { heartbeatMsg, submitTaskMsg } from "../market/testing.js";
import { TREASURY } from "../treasury/keeper.js";
import { blockReward, scheduledBetween, scheduleTotal } from "./schedule.js";
import { QueryAnnualProvisionsResponse, QueryInflationResponse, QueryParamsResponse } from "cosmjs-types/cosmos/mint/v1beta1/query";
import { DEC_ONE } from "../../app/dec.js";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { govAuthority } from "../../app/authority.js";
import { OGPU_MSG_TYPES } from "../../proto/msg-types.js";

let chain: TestChain | undefined;
afterEach(async () => {
  await chain?.close();
  chain = undefined;
});

const alice = testKey(1);

function schedule(c: TestChain): QueryScheduleResponse {
  const res = c.query("/ogpu.mint.v1.Query/Schedule", QueryScheduleRequest.encode({}).finish());
  expect(res.code).toBe(0);
  return QueryScheduleResponse.decode(res.value);
}

describe("x/mint emission", () => {
  it("every block mints exactly the schedule's validator part; supply = genesis + minted; after the last halving nothing more", async () => {
    const params = { initial_block_reward: "1000", halving_interval_blocks: 4, provider_share_bps: 3000, reward_epoch_blocks: 6 };
    const genesisState = { ...testGenesis({ [alice.address]: 100n * OGPU }), mint: { params } };
    const c = (chain = await startTestChain(genesisState)); // invariants run after every block
    const s = { initialReward: 1000n, halvingInterval: 4n };
    let validators = 0n;
    let budget = 0n;
    for (let h = 1n; h <= 45n; h++) {
      await c.block([]);
      const r = blockReward(s, h);
      const provider = (r * 3000n) / 10_000n;
      validators += r - provider;
      budget += provider;
      const q = schedule(c);
      // No worker earned anything, so the provider budget is never minted.
      expect(q.minted).toBe(validators.toString());
      expect(q.supply).toBe((100n * OGPU + validators).toString());
      expect(q.scheduledToDate).toBe((validators + budget).toString());
      expect(BigInt(q.providerForgone) + BigInt(q.epochBudget)).toBe(budget);
      expect(q.currentBlockReward).toBe(blockReward(s, h + 1n).toString());
    }
    // 1000 halves to 0 after 10 halvings (block 41): the whole schedule is behind us.
    expect(validators + budget).toBe(scheduleTotal(s));
    const q = schedule(c);
    expect(q.nextHalvingHeight).toBe(0n);
    expect(q.remainingToCap).toBe((MAX_SUPPLY - 100n * OGPU - validators).toString());
  });

  it("cosmos.mint Inflation / AnnualProvisions / Params come from the schedule: the next blocks_per_year blocks' rewards over supply", async () => {
    const params = { initial_block_reward: "1000", halving_interval_blocks: 4, blocks_per_year: 6 };
    const c = (chain = await startTestChain({ ...testGenesis({ [alice.address]: 100n * OGPU }), mint: { params } }));
    const s = { initialReward: 1000n, halvingInterval: 4n };
    for (let h = 1n; h <= 12n; h++) {
      await c.block([]);
      const annual = scheduledBetween(s, h + 1n, h + 6n);
      const supply = BigInt(schedule(c).supply);
      const dec = (bytes: Uint8Array) => BigInt(new TextDecoder().decode(bytes));
      expect(dec(QueryAnnualProvisionsResponse.decode(c.query("/cosmos.mint.v1beta1.Query/AnnualProvisions", new Uint8Array()).value).annualProvisions)).toBe(annual * DEC_ONE);
      expect(dec(QueryInflationResponse.decode(c.query("/cosmos.mint.v1beta1.Query/Inflation", new Uint8Array()).value).inflation)).toBe((annual * DEC_ONE) / supply);
      const p = QueryParamsResponse.decode(c.query("/cosmos.mint.v1beta1.Query/Params", new Uint8Array()).value).params!;
      expect(p).toMatchObject({ mintDenom: "uogpu", blocksPerYear: 6n, inflationMax: ((annual * DEC_ONE) / supply).toString() });
    }
  });

  it("genesis refuses a schedule whose total does not fit under the cap beside the genesis allocation", async () => {
    const s = { initialReward: 41_590n, halvingInterval: 126_230_400n };
    const room = MAX_SUPPLY - scheduleTotal(s);
    const over = { ...testGenesis({ [alice.address]: room + 1n }, { max_wallet_bps: 10_000 }), mint: {} };
    await expect(startTestChain(over)).rejects.toThrow(/exceed the cap/);
    chain = await startTestChain({ ...testGenesis({ [alice.address]: room }, { max_wallet_bps: 10_000 }), mint: {} });
    await chain.block([]);
    expect(schedule(chain).remainingToCap).toBe((scheduleTotal(s) - 41_590n + 12_477n).toString()); // block 1 minted 41,590 − 30 % budget
  });
});

describe("x/mint MsgUpdateParams (gov)", () => {
  it("a new schedule is applied from the next block only if what it still emits fits in the cap room left", async () => {
    const s = { initialReward: 41_590n, halvingInterval: 126_230_400n };
    const genesis = MAX_SUPPLY - scheduleTotal(s); // the default schedule fills the cap exactly
    const c = (chain = await startTestChain({ ...testGenesis({ [alice.address]: genesis }, { max_wallet_bps: 10_000 }), mint: {} }, { midBlockCalls: true }));
    await c.block([]);
    const current = JSON.parse(QueryMintParamsResponse.decode(c.query("/ogpu.mint.v1.Query/Params", new Uint8Array()).value).paramsJson) as Record<string, unknown>;
    const update = (reward: string): Any => ({
      typeUrl: OGPU_MSG_TYPES.UpdateMintParams.typeUrl,
      value: OGPU_MSG_TYPES.UpdateMintParams.codec.encode({ authority: govAuthority(), params: JSON.stringify({ ...current, initial_block_reward: reward }) }).finish(),
    });
    const tooMuch = await c.execMsg(update("41591"));
    expect(tooMuch.error).toMatchObject({ codespace: "mint", code: 2 });
    expect(tooMuch.error!.message).toMatch(/fit under the 21000000000000uogpu cap/);
    const fits = await c.execMsg(update("20000"));
    expect(fits.error).toBeUndefined();
    const before = BigInt(schedule(c).minted);
    await c.block([]);
    expect(BigInt(schedule(c).minted) - before).toBe(20_000n - (20_000n * 3000n) / 10_000n);
  });
});

const TRUSTED = 1_000_000n; // CV so high that no audit is drawn
const OUTPUT = digestOf("the output");
const EPOCH = 40n;
const WINDOW = 10n; // heartbeat_timeout_blocks: 4 uptime windows per epoch

async function runTo(c: PosChain, height: bigint): Promise<void> {
  while (c.height < height) await c.run([]);
}

/** Submits k = 1 tasks (client, worker, units, model) in one block, commits, reveals and settles them: 4 blocks. */
async function runTasks(c: PosChain, tasks: { client: ChainSigner; worker: ChainSigner; units: bigint; model: string; bid?: bigint }[]): Promise<void> {
  const first = nextTaskId(c.app.store);
  expectOk(await c.run(tasks.map((t) => t.client.tx([submitTaskMsg(t.client.address, { units: t.units, bid: t.bid ?? 1000n, k: 1, models: [t.model] })]))));
  const ids = tasks.map((_, i) => first + BigInt(i));
  tasks.forEach((t, i) => expect(c.task(ids[i]!).assignments.map((a) => a.worker)).toEqual([t.worker.address]));
  expectOk(await c.run(tasks.map((t, i) => t.worker.tx([commitMsg(t.worker.address, ids[i]!, OUTPUT)]))));
  expectOk(await c.run(tasks.map((t, i) => t.worker.tx([revealMsg(t.worker.address, ids[i]!, OUTPUT)]))));
  await c.run([]);
  for (const id of ids) expect(c.task(id).status).toBe(TaskStatus.TASK_STATUS_FINALIZED);
}

function providerRewards(c: PosChain, worker: string): QueryProviderRewardsResponse {
  const res = c.query("/ogpu.mint.v1.Query/ProviderRewards", QueryProviderRewardsRequest.encode({ worker }).finish());
  expect(res.code).toBe(0);
  return QueryProviderRewardsResponse.decode(res.value);
}

/** λ in bps for a tier whose price moved from the floor (its genesis price) to now, clamped to [0.5, 2]. */
function lambdaOf(c: PosChain, tier: number): bigint {
  const start = BigInt(marketParams.get(c.app.store).base_price_floor[tier]!);
  const bps = (c.keepers.market.basePrice(c.app.store, tier) * 10_000n) / start;
  return bps < 5000n ? 5000n : bps > 20_000n ? 20_000n : bps;
}

function posChain(reward: bigint, workers: { model: string; price: bigint }[]): Promise<PosChain> {
  return startPosChain({
    workers: workers.map((w) => ({ cv: TRUSTED, price: w.price, model: w.model })),
    params: {
      attest: { p_floor_bps: 0 },
      workers: { heartbeat_timeout_blocks: Number(WINDOW) },
      mint: { initial_block_reward: reward.toString(), halving_interval_blocks: 1000, provider_share_bps: 3000, reward_epoch_blocks: Number(EPOCH) },
    },
  });
}

describe("provider rewards P_i = f(C_i, T_i, λ)", () => {
  it("two workers with verified compute and different uptime receive exactly ⌊B × C_i T_i λ_i / Σ⌋", async () => {
    const c = await posChain(10_000n, [{ model: "RTX4090", price: 100n }, { model: "A100", price: 300n }]);
    chain = c;
    const [w0, w1] = c.workers as [ChainSigner, ChainSigner];
    expectOk(await c.run([w0.tx([heartbeatMsg(w0.address)]), w1.tx([heartbeatMsg(w1.address)])])); // block 2, window 0
    const treasury = c.moduleBalance(TREASURY);
    await runTasks(c, [
      { client: c.client, worker: w0, units: 100_000n, model: "RTX4090" },
      { client: c.client, worker: w1, units: 100_000n, model: "A100" },
    ]);
    const fees = [100n * 100_000n * 500n / 10_000n, 300n * 100_000n * 500n / 10_000n]; // 5 % market fee of each payout
    expect(c.moduleBalance(TREASURY) - treasury).toBe(fees[0]! + fees[1]!);
    await runTo(c, 10n);
    expectOk(await c.run([w0.tx([heartbeatMsg(w0.address)]), w1.tx([heartbeatMsg(w1.address)])])); // 11, window 1
    await runTo(c, 20n);
    expectOk(await c.run([w0.tx([heartbeatMsg(w0.address)])])); // 21, window 2: w1 went quiet
    await runTo(c, 30n);
    expectOk(await c.run([w0.tx([heartbeatMsg(w0.address)])])); // 31, window 3
    await runTo(c, EPOCH);
    expect(providerRewards(c, w0.address)).toMatchObject({ feeCredit: fees[0]!.toString(), uptimeWindows: 4n });
    expect(providerRewards(c, w1.address)).toMatchObject({ feeCredit: fees[1]!.toString(), uptimeWindows: 2n });

    // The formula by hand: B = 40 blocks × 30 % of 10,000; T = 4/4 and 2/4; λ from the tiers' prices.
    const budget = EPOCH * 3_000n;
    const w = [fees[0]! * 10_000n * lambdaOf(c, 1), fees[1]! * 5_000n * lambdaOf(c, 2)];
    const total = w[0]! + w[1]!;
    const expected = w.map((x, i) => {
      const share = (budget * x) / total;
      return share < fees[i]! ? share : fees[i]!;
    });
    expect(expected[0]).toBeLessThan(fees[0]!); // the fee cap does not bind here: the formula decides
    const before = [c.balance(w0.address), c.balance(w1.address)];
    await c.run([]); // block 41 closes the epoch [1, 40]
    expect(c.balance(w0.address) - before[0]!).toBe(expected[0]);
    expect(c.balance(w1.address) - before[1]!).toBe(expected[1]);
    expect(providerRewards(c, w0.address)).toMatchObject({ totalPaid: expected[0]!.toString(), lastReward: expected[0]!.toString(), feeCredit: "0", uptimeWindows: 0n, epochStart: 41n });
    const q = schedule(c);
    expect(q.providerPaid).toBe((expected[0]! + expected[1]!).toString());
    expect(q.providerForgone).toBe((budget - expected[0]! - expected[1]!).toString());
  });

  it("self-dealing: a worker paying itself for work earns at most the fee it paid — it ends poorer than it started, while an honest worker is paid", async () => {
    // A large budget (12 OGPU per epoch) and tiny honest demand: the setting where farming emission would pay.
    const c = await posChain(1_000_000n, [{ model: "H100", price: 1n }, { model: "RTX4090", price: 100n }]);
    chain = c;
    const [attacker, honest] = c.workers as [ChainSigner, ChainSigner];
    const startBalance = c.balance(attacker.address);
    expectOk(await c.run([attacker.tx([heartbeatMsg(attacker.address)]), honest.tx([heartbeatMsg(honest.address)])]));
    await runTasks(c, [
      { client: attacker, worker: attacker, units: 1_000_000n, model: "H100", bid: 1n }, // pays itself 1 OGPU
      { client: c.client, worker: honest, units: 10n, model: "RTX4090" },
    ]);
    for (const h of [11n, 21n, 31n]) {
      await runTo(c, h - 1n);
      expectOk(await c.run([attacker.tx([heartbeatMsg(attacker.address)]), honest.tx([heartbeatMsg(honest.address)])]));
    }
    await runTo(c, EPOCH);
    const attackerFee = 1_000_000n * 500n / 10_000n;
    const honestFee = 10n * 100n * 500n / 10_000n;
    expect(providerRewards(c, attacker.address).feeCredit).toBe(attackerFee.toString());
    const budget = EPOCH * 300_000n;
    // Without the fee cap the attacker's weight would take nearly the whole budget — far more than it paid.
    const wA = attackerFee * 10_000n * lambdaOf(c, 3);
    const wH = honestFee * 10_000n * lambdaOf(c, 1);
    expect((budget * wA) / (wA + wH)).toBeGreaterThan(100n * attackerFee);
    const before = c.balance(attacker.address);
    const honestBefore = c.balance(honest.address);
    await c.run([]); // block 41: epoch paid
    expect(c.balance(attacker.address) - before).toBe(attackerFee);
    expect(c.balance(honest.address) - honestBefore).toBe(honestFee);
    // All it spent (the fee, and gas for 7 txs) is more than all it got back: net loss = its gas.
    expect(c.balance(attacker.address)).toBeLessThan(startBalance);
    expect(startBalance - c.balance(attacker.address)).toBe(7n * 1000n);
    // The budget nobody earned is never minted.
    expect(schedule(c).providerForgone).toBe((budget - attackerFee - honestFee).toString());
  });
});
