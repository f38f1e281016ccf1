import { afterEach, describe, expect, it } from "vitest";
import { TaskStatus } from "../../proto/gen/ogpu/market/v1/market.js";
import { MARKET_ESCROW, marketFixture, TREASURY, WORKER_BONDS, type MarketFixture } from "./fixture.js";
import { emptyBlocks, eventsOf, TX_FEE } from "../../app/testkit.js";
import { cancelTaskMsg, heartbeatMsg, MIN_BOND, submitTaskMsg, type TaskSpec } from "./testing.js";

let fx: MarketFixture | undefined;
afterEach(async () => {
  await fx?.chain.close();
  fx = undefined;
});

const H100_ONLY: Partial<TaskSpec> = { models: ["H100"] };

/** Submits tasks in one block (one tx each); returns their ids. */
async function submit(f: MarketFixture, specs: TaskSpec[]): Promise<bigint[]> {
  const first = f.nextTaskId();
  const results = await f.chain.block(specs.map((s) => f.client.tx([submitTaskMsg(f.client.address, s)])));
  results.forEach((r) => expect(r.log).toBe(""));
  return specs.map((_, i) => first + BigInt(i));
}

const workerOf = (f: MarketFixture, id: bigint) => f.task(id).assignments.map((a) => a.worker);

describe("scheduling on chain", () => {
  it("assigns by requirements and price in the block of submission; the escrow holds exactly the open escrows", async () => {
    fx = await marketFixture();
    const [w1, w2, w3] = fx.workers.map((w) => w.address);
    const [big, any, h100] = await submit(fx, [{ bid: 1000n, minVramMb: 40_000 }, { bid: 1000n }, { bid: 1000n, ...H100_ONLY }]);
    expect(workerOf(fx, big!)).toEqual([w2]); // 80 GB: A100 (300) beats H100 (500)
    expect(workerOf(fx, any!)).toEqual([w1]); // cheapest of all
    expect(workerOf(fx, h100!)).toEqual([w3]);
    for (const id of [big!, any!, h100!]) expect(fx.task(id).status).toBe(TaskStatus.TASK_STATUS_ASSIGNED);
    expect(fx.moduleBalance(MARKET_ESCROW)).toBe(3n * 1000n * 10n);
    expect(fx.chain.app.brokenInvariants()).toEqual([]);
  });

  it("tells why a task waits: requirements_unmet, price_below_base, redundancy_unavailable, no_capacity", async () => {
    fx = await marketFixture({ market: { base_price_floor: ["1", "1", "1", "800"] } });
    const ids = await submit(fx, [
      { bid: 50n }, // every worker asks more than 50
      { bid: 600n, tier: 3 }, // tier-3 base price is 800
      { bid: 400n, minVramMb: 40_000, k: 2 }, // A100 (300) fits the bid, H100 (500) does not: one candidate for two slots
      { bid: 1000n, models: ["RTX4090"], priority: 3 },
      { bid: 1000n, models: ["RTX4090"], priority: 2 },
      { bid: 1000n, models: ["RTX4090"], priority: 1 }, // w1 has only two slots
    ]);
    const reasons = ids.map((id) => fx!.task(id).pendingReason);
    expect(reasons).toEqual(["requirements_unmet", "price_below_base", "redundancy_unavailable", "", "", "no_capacity"]);
    expect(fx.task(ids[5]!).status).toBe(TaskStatus.TASK_STATUS_PENDING);
    // Freeing w1 by cancelling a task lets the waiting one in at the next block.
    await fx.chain.block([fx.client.tx([cancelTaskMsg(fx.client.address, ids[3]!)])]);
    expect(fx.task(ids[5]!).status).toBe(TaskStatus.TASK_STATUS_ASSIGNED);
  });

  it("a worker that stops heartbeating gets no new tasks", async () => {
    fx = await marketFixture({ workers: { heartbeat_timeout_blocks: 3 } });
    const [w1, w2, w3] = fx.workers;
    // w2 and w3 keep beating; w1 (the cheapest) falls silent.
    for (let i = 0; i < 4; i++) await fx.chain.block([w2!.tx([heartbeatMsg(w2!.address)]), w3!.tx([heartbeatMsg(w3!.address)])]);
    const [id] = await submit(fx, [{ bid: 1000n }]);
    expect(workerOf(fx, id!)).toEqual([w2!.address]);
    await fx.chain.block([w1!.tx([heartbeatMsg(w1!.address)])]);
    const [next] = await submit(fx, [{ bid: 1000n }]);
    expect(workerOf(fx, next!)).toEqual([w1!.address]);
  });
});

describe("failover, expiry and cancel settle exactly", () => {
  it("a commit timeout reassigns to another worker, slashes and marks down the silent one; max retries expire with a full refund", async () => {
    fx = await marketFixture({ market: { commit_timeout_blocks: 3, max_retries: 1, timeout_slash_bps: 100 } });
    const f = fx;
    const [w1, w2] = f.workers;
    const before = f.balance(f.client.address);
    const treasuryBefore = f.moduleBalance(TREASURY);
    const [id] = await submit(f, [{ bid: 1000n, units: 7n }]);
    expect(workerOf(f, id!)).toEqual([w1!.address]);
    await emptyBlocks(f.chain, 2);
    const { events } = await f.chain.run([]);
    // Slot lost at assigned + 3: w1 is excluded, the task goes straight to w2.
    expect(eventsOf(events, "task_slot_timeout")).toEqual([{ task_id: String(id), worker: w1!.address, reason: "commit_timeout" }]);
    expect(workerOf(f, id!)).toEqual([w2!.address]);
    expect(f.task(id!)).toMatchObject({ retries: 1, excludedWorkers: [w1!.address], status: TaskStatus.TASK_STATUS_ASSIGNED });
    expect(f.bond(w1!)).toBe(MIN_BOND - MIN_BOND / 100n);
    expect(f.moduleBalance(TREASURY) - treasuryBefore).toBe(MIN_BOND / 100n);
    expect(eventsOf(events, "worker_reliability")[0]).toMatchObject({ operator: w1!.address, cv: "0", ewma_success_bps: "4500" });
    // Second timeout: retries used up → EXPIRED, every escrowed uogpu back.
    await emptyBlocks(f.chain, 2);
    const last = await f.chain.run([]);
    expect(f.task(id!)).toMatchObject({ status: TaskStatus.TASK_STATUS_EXPIRED, statusReason: "max_retries", escrow: "0", assignments: [] });
    expect(eventsOf(last.events, "task_status").at(-1)).toMatchObject({ task_id: String(id), from: "assigned", to: "expired", reason: "max_retries" });
    expect(f.balance(f.client.address)).toBe(before - TX_FEE);
    expect(f.moduleBalance(MARKET_ESCROW)).toBe(0n);
    expect(f.moduleBalance(WORKER_BONDS)).toBe(f.bond(f.workers[0]!) + f.bond(f.workers[1]!) + f.bond(f.workers[2]!));
  });

  it("a task past its deadline expires with a full refund", async () => {
    fx = await marketFixture();
    const before = fx.balance(fx.client.address);
    const [id] = await submit(fx, [{ bid: 50n, deadlineBlocks: 2n }]);
    await emptyBlocks(fx.chain, 2);
    expect(fx.task(id!)).toMatchObject({ status: TaskStatus.TASK_STATUS_EXPIRED, statusReason: "deadline" });
    expect(fx.balance(fx.client.address)).toBe(before - TX_FEE);
  });

  it("cancel refunds a pending or assigned task and frees the worker's slot", async () => {
    fx = await marketFixture();
    const before = fx.balance(fx.client.address);
    const [assigned, pending] = await submit(fx, [{ bid: 1000n, k: 2 }, { bid: 50n }]);
    const held = fx.task(assigned!).assignments.map((a) => a.worker);
    expect(held).toHaveLength(2);
    const results = await fx.chain.block([fx.client.tx([cancelTaskMsg(fx.client.address, assigned!), cancelTaskMsg(fx.client.address, pending!)])]);
    expect(results[0]!.code).toBe(0);
    expect(fx.task(assigned!).status).toBe(TaskStatus.TASK_STATUS_CANCELLED);
    expect(fx.task(pending!).status).toBe(TaskStatus.TASK_STATUS_CANCELLED);
    expect(fx.balance(fx.client.address)).toBe(before - 3n * TX_FEE); // two submits, one cancel
    expect(fx.chain.app.brokenInvariants()).toEqual([]);
  });
});

describe("bad input fails with a clear market error and changes nothing but the fee", () => {
  // Stateless checks (ValidateBasic) reject the tx before the ante handler: not even a fee is taken.
  const cases: { name: string; spec?: TaskSpec; cancelOther?: boolean; stateless?: boolean; code: number; log: RegExp }[] = [
    { name: "zero units", spec: { bid: 100n, units: 0n }, stateless: true, code: 3, log: /units must be positive/ },
    { name: "k above the possible workers", spec: { bid: 1000n, k: 3, minVramMb: 40_000 }, code: 5, log: /redundancy 3 exceeds the 2 registered worker/ },
    { name: "unknown GPU model", spec: { bid: 1000n, models: ["GTX-9999"] }, code: 4, log: /unknown GPU model "GTX-9999"/ },
    { name: "price overflow", spec: { bid: 10n ** 30n, units: 10n ** 9n }, stateless: true, code: 6, log: /price overflow/ },
    { name: "cancelling another client's task", cancelOther: true, code: 8, log: /belongs to ogpu1/ },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      fx = await marketFixture();
      const [own] = await submit(fx, [{ bid: 50n }]);
      const snapshot = { tasks: fx.nextTaskId(), escrow: fx.moduleBalance(MARKET_ESCROW), task: fx.task(own!) };
      const signer = c.cancelOther ? fx.other : fx.client;
      const before = fx.balance(signer.address);
      const msg = c.cancelOther ? cancelTaskMsg(signer.address, own!) : submitTaskMsg(signer.address, c.spec!);
      const [res] = await fx.chain.block([signer.tx([msg])]);
      expect(res).toMatchObject({ code: c.code, codespace: "market" });
      expect(res!.log).toMatch(c.log);
      expect(fx.balance(signer.address)).toBe(before - (c.stateless ? 0n : TX_FEE));
      expect({ tasks: fx.nextTaskId(), escrow: fx.moduleBalance(MARKET_ESCROW), task: fx.task(own!) }).toEqual({ ...snapshot, task: { ...snapshot.task } });
    });
  }
});
