import { afterEach, describe, expect, it } from "vitest";
import { branchContext, replayChain } from "../../app/testkit.js";
import { BASE_DENOM } from "../../app/coins.js";
import { TaskStatus } from "../../proto/gen/ogpu/market/v1/market.js";
import { getBalance } from "../bank/keeper.js";
import { parseAccountAddress } from "../../app/address.js";
import { MARKET_ESCROW, marketFixture, TREASURY, type MarketFixture } from "./fixture.js";
import { assignedWorkers } from "./keeper.js";
import { getTask } from "./store.js";
import { cancelTaskMsg, exitWorkerMsg, submitTaskMsg } from "./testing.js";
import { marketMsgs } from "./msgs.js";
import { MsgCancelTask } from "../../proto/gen/ogpu/market/v1/tx.js";
import { moduleAddress } from "../../app/address.js";

let fx: MarketFixture | undefined;
afterEach(async () => {
  await fx?.chain.close();
  fx = undefined;
});

const branchCtx = (f: MarketFixture) => branchContext(f.chain);

describe("settlement API for x/attest", () => {
  it("settleFinalized pays each worker minus the fee, the fee to the treasury and the rest to the client, exactly", async () => {
    fx = await marketFixture();
    await fx.chain.block([fx.client.tx([submitTaskMsg(fx.client.address, { bid: 1000n, units: 33n, k: 2 })])]);
    const ctx = branchCtx(fx);
    const task = getTask(ctx.store, 1n)!;
    const workers = assignedWorkers(task);
    expect(workers).toHaveLength(2);
    const { markCommitted, settleFinalized } = fx.chain.keepers.market;
    for (const w of workers) markCommitted(ctx, 1n, w);
    expect(getTask(ctx.store, 1n)!.status).toBe(TaskStatus.TASK_STATUS_COMMITTED);
    const bal = (addr: Uint8Array) => getBalance(ctx.store, addr, BASE_DENOM);
    const addrs = workers.map((w) => parseAccountAddress(w));
    const before = { workers: addrs.map(bal), treasury: bal(moduleAddress(TREASURY)), client: bal(parseAccountAddress(fx.client.address)) };
    const payouts = task.assignments.map((a) => ({ worker: a.worker, amount: BigInt(a.pricePerUnit) * task.units }));
    const { fee, refunded } = settleFinalized(ctx, 1n, payouts);
    const paid = payouts.reduce((s, p) => s + p.amount, 0n);
    const fees = payouts.map((p) => (p.amount * 500n) / 10_000n);
    expect(fee).toBe(fees[0]! + fees[1]!);
    expect(refunded).toBe(2n * 1000n * 33n - paid);
    addrs.forEach((a, i) => expect(bal(a) - before.workers[i]!).toBe(payouts[i]!.amount - fees[i]!));
    expect(bal(moduleAddress(TREASURY)) - before.treasury).toBe(fee);
    expect(bal(parseAccountAddress(fx.client.address)) - before.client).toBe(refunded);
    expect(bal(moduleAddress(MARKET_ESCROW))).toBe(0n);
    expect(getTask(ctx.store, 1n)).toMatchObject({ status: TaskStatus.TASK_STATUS_FINALIZED, escrow: "0" });
    expect(fx.chain.app.brokenInvariants(ctx.store)).toEqual([]);
  });

  it("a task with a committed result cannot be cancelled, even while still ASSIGNED", async () => {
    fx = await marketFixture();
    await fx.chain.block([fx.client.tx([submitTaskMsg(fx.client.address, { bid: 1000n, units: 33n, k: 2 })])]);
    const ctx = branchCtx(fx);
    const [first] = assignedWorkers(getTask(ctx.store, 1n)!);
    fx.chain.keepers.market.markCommitted(ctx, 1n, first!);
    expect(getTask(ctx.store, 1n)!.status).toBe(TaskStatus.TASK_STATUS_ASSIGNED);
    const msgCancelTask = marketMsgs(fx.chain.keepers.market, fx.chain.keepers).find((m) => m.typeUrl === "/ogpu.market.v1.MsgCancelTask")!;
    const cancel = msgCancelTask.decode(MsgCancelTask.encode({ client: fx.client.address, taskId: 1n }).finish());
    expect(() => cancel.handle(ctx)).toThrow(/has committed results/);
    expect(getTask(ctx.store, 1n)!.status).toBe(TaskStatus.TASK_STATUS_ASSIGNED);
  });

  it("rejects payouts above price × units or to a worker not on the task", async () => {
    fx = await marketFixture();
    await fx.chain.block([fx.client.tx([submitTaskMsg(fx.client.address, { bid: 1000n })])]);
    const ctx = branchCtx(fx);
    const [a] = getTask(ctx.store, 1n)!.assignments;
    const { settleFinalized } = fx.chain.keepers.market;
    expect(() => settleFinalized(ctx, 1n, [{ worker: a!.worker, amount: BigInt(a!.pricePerUnit) * 10n + 1n }])).toThrow(/exceeds price × units/);
    expect(() => settleFinalized(ctx, 1n, [{ worker: fx!.client.address, amount: 1n }])).toThrow(/not \(or twice\) an assigned worker/);
  });
});

describe("worker exit", () => {
  it("is refused while tasks are open; afterwards the bond returns after unbonding_blocks", async () => {
    fx = await marketFixture({ workers: { unbonding_blocks: 2 } });
    const [w1] = fx.workers;
    await fx.chain.block([fx.client.tx([submitTaskMsg(fx.client.address, { bid: 1000n, models: ["RTX4090"] })])]);
    const [refused] = await fx.chain.block([w1!.tx([exitWorkerMsg(w1!.address)])]);
    expect(refused).toMatchObject({ code: 7, codespace: "workers" });
    expect(refused!.log).toContain("has 1 open task(s)");
    await fx.chain.block([fx.client.tx([cancelTaskMsg(fx.client.address, 1n)])]);
    const balance = fx.balance(w1!.address);
    const bond = fx.bond(w1!);
    const [ok] = await fx.chain.block([w1!.tx([exitWorkerMsg(w1!.address)])]);
    expect(ok!.code).toBe(0);
    await fx.chain.block([]);
    expect(fx.balance(w1!.address)).toBe(balance - 1000n);
    await fx.chain.block([]);
    expect(fx.balance(w1!.address)).toBe(balance - 1000n + bond);
    expect(fx.chain.app.brokenInvariants()).toEqual([]);
  });
});

describe("determinism", () => {
  it("a second app instance replaying the same blocks reaches the same app hash", async () => {
    fx = await marketFixture({ market: { commit_timeout_blocks: 2 } });
    await fx.chain.block([fx.client.tx([submitTaskMsg(fx.client.address, { bid: 1000n, k: 2 }), submitTaskMsg(fx.client.address, { bid: 400n, priority: 2 })])]);
    for (let i = 0; i < 4; i++) await fx.chain.block([]);
    const twin = await replayChain(fx.genesisRequest, fx.chain.requests);
    expect(Buffer.from(twin).toString("hex")).toBe(Buffer.from(fx.chain.app.lastCommit.appHash).toString("hex"));
  });
});
