/**
 * Issue 10 item 2: every unit of work in a block is paid by gas, and a block has a gas limit.
 * Pure state machine, so in process: ProcessProposal / PrepareProposal against max_gas and the
 * stateless checks, list caps, gas for a failing submission's worker scan, the scheduler's
 * per-block check budget with its rotation, and EndBlock's per-block bound on due work.
 * Work is asserted through counters (the `schedule` event, task states), never wall-clock time.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ResponseProcessProposal_ProposalStatus, type RequestProcessProposal } from "cosmjs-types/tendermint/abci/types";
import { afterEach, describe, expect, it } from "vitest";
import { OgpuApp } from "../../app/app.js";
import { createAppWiring } from "../../app/modules.js";
import { MAX_MSG_LIST_LENGTH } from "../../app/string-caps.js";
import { eventsOf, initChainRequest, sendMsg, signTx, testGenesis, testKey } from "../../app/testkit.js";
import { TaskStatus } from "../../proto/gen/ogpu/market/v1/market.js";
import { marketFixture, type MarketFixture } from "../../x/market/fixture.js";
import { planAssignments, type SchedulerTask, type SchedulerWorker } from "../../x/market/scheduler.js";
import { OGPU, submitTaskMsg } from "../../x/market/testing.js";

const { ACCEPT, REJECT } = ResponseProcessProposal_ProposalStatus;
const cleanup: (() => Promise<void>)[] = [];
let fx: MarketFixture | undefined;
afterEach(async () => {
  for (const f of cleanup.splice(0)) await f();
  await fx?.chain.close();
  fx = undefined;
});

/** An app whose genesis sets consensus_params.block.max_gas, block 1 committed. */
async function appWithMaxGas(maxGas: bigint): Promise<OgpuApp> {
  const dir = mkdtempSync(join(tmpdir(), "ogpu-blockgas-"));
  const app = await OgpuApp.open(join(dir, "db"), createAppWiring(), { minGasPrices: [], checkInvariants: true });
  cleanup.push(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });
  app.initChain({ ...initChainRequest(testGenesis({ [testKey(1).address]: 1_000n * OGPU })), consensusParams: { block: { maxBytes: 4_000_000n, maxGas } } });
  return app;
}

const send = (sequence: bigint, gas: bigint, amount = "1") =>
  signTx(testKey(1), [sendMsg(testKey(1).address, testKey(2).address, amount)], { accountNumber: 0n, sequence, gas });

function proposal(txs: Uint8Array[]): RequestProcessProposal {
  return { txs, proposedLastCommit: { round: 0, votes: [] }, misbehavior: [], hash: new Uint8Array(32), height: 1n, time: { seconds: 1_700_000_001n, nanos: 0 }, nextValidatorsHash: new Uint8Array(), proposerAddress: new Uint8Array(20) };
}

/** Attacker tasks: hardware-feasible (so submission accepts them) but priced below every worker. */
const heavyModels = (n: number) => Array.from({ length: n }, (_, i) => ["RTX4090", "A100", "H100", "L40S"][i % 4]!);

describe("issue 10 item 2: gas pays for every unit of work; blocks have a gas limit", () => {
  it("item 2: ProcessProposal rejects a proposal over max_gas or with a tx that fails stateless checks; PrepareProposal packs within max_gas", async () => {
    const app = await appWithMaxGas(1_000_000n);
    const within = [send(0n, 400_000n), send(1n, 400_000n)];
    const over = [...within, send(2n, 400_000n)];
    expect((await app.processProposal(proposal(within))).status).toBe(ACCEPT);
    // A byzantine proposer stuffing the block past max_gas (1.2M > 1M gas_wanted).
    expect((await app.processProposal(proposal(over))).status).toBe(REJECT);
    // Txs that can never run: undecodable bytes, a message failing its own validation.
    expect((await app.processProposal(proposal([within[0]!, new Uint8Array([10, 1, 0])]))).status).toBe(REJECT);
    expect((await app.processProposal(proposal([send(0n, 100_000n, "0")]))).status).toBe(REJECT);
    // An honest proposer packs what fits and skips what never runs.
    const req = { maxTxBytes: 1_000_000n, txs: [new Uint8Array([1, 2, 3]), ...over], localLastCommit: { round: 0, votes: [] }, misbehavior: [], height: 1n, time: { seconds: 0n, nanos: 0 }, nextValidatorsHash: new Uint8Array(), proposerAddress: new Uint8Array(20) };
    const { txs } = await app.prepareProposal(req);
    expect(txs).toEqual(within);
    expect((await app.processProposal(proposal(txs))).status).toBe(ACCEPT);
  });

  it("item 2: requirements.gpu_models is capped by max_gpu_models, and every Msg list by MAX_MSG_LIST_LENGTH", async () => {
    fx = await marketFixture({ market: { max_gpu_models: 16 } });
    const [ok, tooMany, huge] = await fx.chain.block([
      fx.client.tx([submitTaskMsg(fx.client.address, { bid: 1000n, models: heavyModels(16) })]),
      fx.client.tx([submitTaskMsg(fx.client.address, { bid: 1000n, models: heavyModels(17) })]),
      fx.client.tx([submitTaskMsg(fx.client.address, { bid: 1000n, models: heavyModels(MAX_MSG_LIST_LENGTH + 1) })]),
    ]);
    expect(ok!.code).toBe(0);
    expect(tooMany!.codespace).toBe("market");
    expect(tooMany!.log).toContain("max_gpu_models 16");
    // Stateless: rejected by the ante handler's validation, before any state is read.
    expect([huge!.codespace, huge!.code]).toEqual(["sdk", 18]);
    expect(huge!.log).toContain(`the limit is ${MAX_MSG_LIST_LENGTH}`);
  });

  it("item 2: a failing MsgSubmitTask pays gas for every worker its scan examines", async () => {
    // k = 3 H100s but one H100 worker is registered: the scan examines all 3 workers and fails.
    const failing = (f: MarketFixture) => f.client.tx([submitTaskMsg(f.client.address, { bid: 1000n, k: 3, models: ["H100"] })]);
    fx = await marketFixture();
    const [cheap] = await fx.chain.block([failing(fx)]);
    expect(cheap!.log).toContain("registered worker(s) whose GPUs meet the requirements");
    await fx.chain.close();
    // The same tx with its 2M gas limit runs out of gas once the scan costs 1M per worker.
    fx = await marketFixture({ market: { submit_gas_per_worker: 1_000_000 } });
    const [paid] = await fx.chain.block([failing(fx)]);
    expect([paid!.codespace, paid!.code]).toEqual(["sdk", 11]);
    expect(paid!.log).toContain("market: worker scan");
    expect(paid!.gasUsed - cheap!.gasUsed).toBeGreaterThanOrEqual(2n * 1_000_000n - 3n * 100n);
  });

  it("item 2: the scheduler makes at most max_worker_checks_per_block hardware checks a block and rotates, so no task starves", async () => {
    // 3 workers × 16 models = 48 checks per attacker shape: a budget of 48 examines one shape a block.
    fx = await marketFixture({ market: { max_worker_checks_per_block: 48 } });
    const attack = [0, 1, 2].map((i) => fx!.client.tx([submitTaskMsg(fx!.client.address, { bid: 50n, priority: 3, minVramMb: i, models: heavyModels(16) })]));
    const honest = fx.other.tx([submitTaskMsg(fx.other.address, { bid: 1000n, priority: 0 })]);
    const first = await fx.chain.run([...attack, honest]);
    first.txResults.forEach((r) => expect(r.log).toBe(""));
    const honestId = fx.nextTaskId() - 1n;
    const checks = [eventsOf(first.events, "schedule")];
    for (let i = 0; i < 4 && fx.task(honestId).status !== TaskStatus.TASK_STATUS_ASSIGNED; i++) checks.push(eventsOf((await fx.chain.run([])).events, "schedule"));
    // Every scheduling block reports its checks (no event would make the bound below vacuous).
    expect(checks.every((events) => events.length === 1)).toBe(true);
    for (const events of checks) for (const e of events) expect(Number(e.worker_checks)).toBeLessThanOrEqual(48);
    // Queue order puts the three attacker tasks (priority 3) first; the rotation still reaches the honest one.
    expect(fx.task(honestId).status).toBe(TaskStatus.TASK_STATUS_ASSIGNED);
    expect(checks.length).toBeLessThanOrEqual(4);
  });

  it("item 2: below-base-price tasks at the head of the queue don't starve the tasks behind them", async () => {
    // Base price 100 on every tier; max_tasks_per_block 3: three priority-3 tasks bidding 50 fill
    // a block's whole load at the head of the queue. They used to be loaded, marked
    // price_below_base and skipped without moving the cursor, so every block stopped at them.
    fx = await marketFixture({ market: { max_tasks_per_block: 3, base_price_floor: ["100", "100", "100", "100"] } });
    const attack = [0, 1, 2].map(() => fx!.client.tx([submitTaskMsg(fx!.client.address, { bid: 50n, priority: 3 })]));
    const honest = fx.other.tx([submitTaskMsg(fx.other.address, { bid: 1000n, priority: 0 })]);
    (await fx.chain.run([...attack, honest])).txResults.forEach((r) => expect(r.log).toBe(""));
    const honestId = fx.nextTaskId() - 1n;
    for (let i = 0; i < 4 && fx.task(honestId).status !== TaskStatus.TASK_STATUS_ASSIGNED; i++) await fx.chain.run([]);
    expect(fx.task(honestId).status).toBe(TaskStatus.TASK_STATUS_ASSIGNED);
    for (const id of [honestId - 3n, honestId - 2n, honestId - 1n]) expect(fx.task(id).status).toBe(TaskStatus.TASK_STATUS_PENDING);
  });

  it("item 2: the pure planner stops at its check budget and reports where to resume", () => {
    const card = { vendor: "nvidia", model: "A100", vramMb: 81_920n, pciId: "", count: 1 };
    const workers: SchedulerWorker[] = Array.from({ length: 500 }, (_, i) => ({ operator: `w${i}`, gpus: [card], runtimes: [], price: 100n, region: "eu", openTasks: 0, maxConcurrent: 4, ewmaSuccessBps: 5000, available: true }));
    const tasks: SchedulerTask[] = Array.from({ length: 100 }, (_, i) => ({ id: BigInt(i + 1), priority: 0, need: 1, bid: 1000n, units: 1n, requirement: { minVramMb: BigInt(i), models: heavyModels(16), tier: 0, runtime: "", gpus: 0 }, preferredRegion: "", blocked: new Set() }));
    let matcherCalls = 0;
    const matches = () => (matcherCalls++, true);
    const budget = 500 * 16 * 10;
    const plan = planAssignments(tasks, workers, { regionPenaltyBps: 0, loadPenaltyBps: 0, reliabilityCreditBps: 0, maxNewSlotsPerWorker: 4, maxWorkerChecks: budget }, matches);
    expect(plan.checks).toBeLessThanOrEqual(budget);
    expect(matcherCalls).toBe(500 * 10);
    expect(plan.assignments).toHaveLength(10);
    expect(plan.unexamined).toEqual(tasks.slice(10).map((t) => t.id));
  });

  it("item 2: EndBlock expires at most max_due_per_block tasks a block and carries the rest", async () => {
    fx = await marketFixture({ market: { max_due_per_block: 2 } });
    const results = await fx.chain.block(Array.from({ length: 5 }, () => fx!.client.tx([submitTaskMsg(fx!.client.address, { bid: 50n, deadlineBlocks: 1n })])));
    results.forEach((r) => expect(r.log).toBe(""));
    const ids = Array.from({ length: 5 }, (_, i) => fx!.nextTaskId() - 5n + BigInt(i));
    const expired = () => ids.filter((id) => fx!.task(id).status === TaskStatus.TASK_STATUS_EXPIRED).length;
    const counts: number[] = [];
    for (let i = 0; i < 3; i++) {
      await fx.chain.block([]);
      counts.push(expired());
    }
    expect(counts).toEqual([2, 4, 5]);
  });
});
