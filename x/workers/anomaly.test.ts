/**
 * Anomaly detection against adversaries and bad luck, driven through the wired x/workers keeper
 * on an in-process chain (the calls x/market and x/attest make), plus one real commit through
 * the market to show the latency hook is wired.
 */
import { afterEach, describe, expect, it } from "vitest";
import { deliverContext, expectOk, queryOnStore, type TestChain } from "../../app/testkit.js";
import { marketFixture, OFFERS } from "../market/fixture.js";
import { submitTaskMsg } from "../market/testing.js";
import { workersQueries } from "./queries.js";
import { Branch } from "../../app/store/kvstore.js";
import type { Context } from "../../app/context.js";
import { QueryWorkerRequest, QueryWorkerResponse } from "../../proto/gen/ogpu/workers/v1/query.js";
import { WorkerStatus } from "../../proto/gen/ogpu/workers/v1/workers.js";
import { committedTaskChain, startPosChain, type PosChain } from "../attest/testing.js";
import { binomialTailBelow } from "./anomaly-stats.js";
import { workersParams } from "./params.js";
import { getLatencyHistogram } from "./store.js";

const chains: TestChain[] = [];
afterEach(async () => {
  for (const c of chains.splice(0)) await c.close();
});

/** A chain with H100 workers and a branch of its state the tests drive keeper calls on. */
async function h100Chain(n: number): Promise<{ c: PosChain; store: Branch; at: (height: bigint) => Context }> {
  const c = await startPosChain({ workers: Array.from({ length: n }, () => ({ model: "H100" })) });
  chains.push(c);
  const store = new Branch(c.app.store);
  return { c, store, at: (height) => deliverContext(store, height) };
}

/** `count` commits of `worker`, each `latencyBlocks` after assignment, on tasks of 1000 units (per-unit latency = latencyBlocks milli-blocks). */
function commits(c: PosChain, ctx: Context, worker: string, count: number, latencyBlocks: bigint): void {
  for (let i = 0; i < count; i++) c.keepers.workers.recordCommitLatency(ctx, worker, latencyBlocks, 1000n);
}

const eventsOf = (ctx: Context, type: string) => ctx.events.events.filter((e) => e.type === type).map((e) => Object.fromEntries(e.attributes.map((a) => [a.key, a.value])));

describe("anomaly detection: failures", () => {
  it("jails a worker that fails a third of its tasks, slashes anomaly_slash_bps and shows the reason in the worker query", async () => {
    const { c, store, at } = await h100Chain(1);
    const w = c.workers[0]!.address;
    const bond = BigInt(c.keepers.workers.getWorker(store, w)!.bond);
    let jailedAt = 0;
    const ctx = at(c.height + 1n);
    for (let i = 1; i <= 100 && jailedAt === 0; i++) {
      c.keepers.workers.recordResult(ctx, w, i % 3 !== 0, i % 3 !== 0 ? "result_verified" : "commit_timeout");
      if (c.keepers.workers.workerStatus(store, c.keepers.workers.getWorker(store, w)!, ctx.block.height) === WorkerStatus.WORKER_STATUS_JAILED) jailedAt = i;
    }
    // 11 failures of 33 at an honest 5 %: P[X ≥ 11] ≈ 3.4·10⁻⁷ < 10⁻⁶; 10 of 30 (≈ 1.16·10⁻⁶) is still above it.
    expect(jailedAt).toBe(33);
    expect(binomialTailBelow(33n, 11n, 500n, 1000n)).toBe(true);
    expect(binomialTailBelow(30n, 10n, 500n, 1000n)).toBe(false);
    const [flagged] = eventsOf(ctx, "worker_flagged");
    expect(flagged).toMatchObject({ operator: w, rule: "failure_rate", n: "33", x: "11", jailed: "true" });
    expect(eventsOf(ctx, "worker_jailed").at(-1)).toMatchObject({ operator: w, reason: "anomaly_failure_rate" });
    const after = c.keepers.workers.getWorker(store, w)!;
    expect(BigInt(after.bond)).toBe(bond - bond / 100n);
    expect(after.anomaly).toMatchObject({ flag: "failure_rate", outcomes: 0n, failures: 0n, anomalyJails: 1n });
    expect(after.anomaly!.flagReason).toMatch(/^failure_rate: 11 of 33 improbable at honest rate 500 bps/);
    // The Worker query shows the flag, the reason and the jail.
    const view = queryOnStore(workersQueries, "/ogpu.workers.v1.Query/Worker", { request: QueryWorkerRequest, response: QueryWorkerResponse }, store, { operator: w }).worker!;
    expect(view.worker!.anomaly!.flag).toBe("failure_rate");
    expect(view.worker!.reliability!.jailedUntil).toBe(ctx.block.height + BigInt(workersParams.get(c.app.store).anomaly_jail_blocks));
  });

  it("leaves an honest worker with bad luck alone: 5 failures in its first 20 results (P ≈ 0.26 % at 5 %)", async () => {
    const { c, store, at } = await h100Chain(1);
    const w = c.workers[0]!.address;
    const ctx = at(c.height + 1n);
    for (let i = 0; i < 20; i++) c.keepers.workers.recordResult(ctx, w, i >= 5, i >= 5 ? "result_verified" : "commit_timeout");
    expect(eventsOf(ctx, "worker_flagged")).toEqual([]);
    expect(c.keepers.workers.getWorker(store, w)!.anomaly).toMatchObject({ outcomes: 20n, failures: 5n, flag: "" });
  });

  it("false-positive rate: an honest worker at exactly the assumed 5 % is flagged within its first 200 results with probability < 10⁻⁵", () => {
    // Exact critical counts from the chain's own test, then the probability of ever reaching
    // one (a Markov chain over (results, failures); floats are fine here, off-chain).
    const p = workersParams.parse(undefined);
    const falsePositive = (trueRate: number) => {
      let dist = new Map<number, number>([[0, 1]]);
      let flagged = 0;
      for (let n = 1; n <= p.anomaly_window; n++) {
        const next = new Map<number, number>();
        for (const [x, pr] of dist) {
          next.set(x, (next.get(x) ?? 0) + pr * (1 - trueRate));
          if (n >= p.anomaly_min_samples && binomialTailBelow(BigInt(n), BigInt(x + 1), BigInt(p.anomaly_fail_rate_bps), BigInt(p.anomaly_tail_per_billion))) flagged += pr * trueRate;
          else next.set(x + 1, (next.get(x + 1) ?? 0) + pr * trueRate);
        }
        dist = next;
      }
      return flagged;
    };
    const atAssumed = falsePositive(0.05);
    const atTwoPercent = falsePositive(0.02);
    expect(atAssumed).toBeLessThan(1e-5);
    expect(atAssumed).toBeGreaterThan(1e-6);
    expect(atTwoPercent).toBeLessThan(1e-9);
  });
});

describe("anomaly detection: the jailed worker on chain", () => {
  it("gets no assignments: a k = 2 task goes to the two other workers", async () => {
    const fx = await marketFixture({}, OFFERS, { midBlockCalls: true });
    chains.push(fx.chain);
    const [cheap, mid, dear] = fx.workers.map((w) => w.address);
    // 11 failures in 33 results (x/market and x/attest report them this way) jail the cheapest worker.
    const outcome = await fx.chain.run([], {
      during: (ctx) => {
        for (let i = 1; i <= 33; i++) fx.chain.keepers.workers.recordResult(ctx, cheap!, i % 3 !== 0, i % 3 !== 0 ? "result_verified" : "commit_timeout");
      },
    });
    expect(outcome.events.filter((e) => e.type === "worker_flagged")).toHaveLength(1);
    const id = fx.nextTaskId();
    expectOk(await fx.chain.run([fx.client.tx([submitTaskMsg(fx.client.address, { bid: 1000n, k: 2 })])]));
    expect(fx.task(id).assignments.map((a) => a.worker).sort()).toEqual([mid!, dear!].sort());
    const view = fx.chain.query("/ogpu.workers.v1.Query/Worker", QueryWorkerRequest.encode({ operator: cheap! }).finish());
    expect(QueryWorkerResponse.decode(view.value).worker).toMatchObject({ status: WorkerStatus.WORKER_STATUS_JAILED, worker: { anomaly: { flag: "failure_rate" } } });
  });
});

describe("anomaly detection: latency (the fake H100)", () => {
  it("flags (without jailing) an 'H100' that runs 4× slower than its tier's median, but not a worker less than 2× slower", async () => {
    const { c, store, at } = await h100Chain(4);
    const [h1, h2, slower, fake] = c.workers.map((w) => w.address);
    const ctx = at(c.height + 1n);
    // Honest H100s: 10 blocks per 1000 units (per-unit 10 milli-blocks), some 12.
    commits(c, ctx, h1!, 30, 10n);
    commits(c, ctx, h2!, 30, 12n);
    expect(getLatencyHistogram(store, 3)!.total).toBe(60n);
    // The tier's median becomes 12 (bucket edge 14): slow means above 3 × 14 = 42 milli-blocks per unit.
    commits(c, ctx, slower!, 40, 20n);
    for (let i = 0; i < 40; i++) {
      commits(c, ctx, fake!, 1, 50n);
      commits(c, ctx, h1!, 1, 10n);
    }
    const status = (w: string) => c.keepers.workers.workerStatus(store, c.keepers.workers.getWorker(store, w)!, ctx.block.height);
    // Flagged, not jailed: the latency rule cannot tell a slow GPU from a client's understated units.
    expect(status(fake!)).toBe(WorkerStatus.WORKER_STATUS_ONLINE);
    expect(c.keepers.workers.getWorker(store, fake!)!.anomaly).toMatchObject({ flag: "slow", anomalyJails: 0n });
    expect(status(slower!)).toBe(WorkerStatus.WORKER_STATUS_ONLINE);
    expect(c.keepers.workers.getWorker(store, slower!)!.anomaly).toMatchObject({ latencySamples: 40n, slowSamples: 0n, flag: "" });
    // All 20 of its first 20 compared commits were slow: 20 of 20 at an honest 10 % is far below 10⁻⁶ (min sample 20).
    // …and each later slow commit flags it again (40 of 40 by the end); nothing is jailed or slashed.
    const flags = eventsOf(ctx, "worker_flagged");
    expect(flags[0]).toEqual(expect.objectContaining({ operator: fake, rule: "slow", n: "20", x: "20", jailed: "false" }));
    expect(flags).toHaveLength(21);
    expect(flags.every((e) => e["operator"] === fake && e["jailed"] === "false")).toBe(true);
    expect(eventsOf(ctx, "worker_jailed")).toEqual([]);
    expect(eventsOf(ctx, "worker_slashed")).toEqual([]);
  });

  it("anomaly: a client that understates units cannot get an honest worker jailed or slashed", async () => {
    const { c, store, at } = await h100Chain(3);
    const [h1, h2, honest] = c.workers.map((w) => w.address);
    const ctx = at(c.height + 1n);
    // The tier's honest record: 10 blocks per 1000 units.
    commits(c, ctx, h1!, 30, 10n);
    commits(c, ctx, h2!, 30, 10n);
    const bondBefore = c.keepers.workers.getWorker(store, honest!)!.bond;
    // The client's tasks are heavy (the honest H100 needs its usual 10 blocks per 1000 real units)
    // but declare 1/10 of their units: per unit the honest worker looks 10× slower than its tier.
    for (let i = 0; i < 40; i++) c.keepers.workers.recordCommitLatency(ctx, honest!, 100n, 1000n);
    const w = c.keepers.workers.getWorker(store, honest!)!;
    // The old rule jailed at 20 of 20 slow commits; the latency rule now only flags.
    expect(w.anomaly).toMatchObject({ latencySamples: 40n, slowSamples: 40n, flag: "slow", anomalyJails: 0n });
    expect(c.keepers.workers.workerStatus(store, w, ctx.block.height)).toBe(WorkerStatus.WORKER_STATUS_ONLINE);
    expect(w.reliability?.jailedUntil ?? 0n).toBe(0n);
    expect(w.bond).toBe(bondBefore);
    expect(eventsOf(ctx, "worker_flagged").every((e) => e["jailed"] === "false")).toBe(true);
    expect(eventsOf(ctx, "worker_jailed")).toEqual([]);
    expect(eventsOf(ctx, "worker_slashed")).toEqual([]);
  });

  it("does not judge latency before the tier has anomaly_min_tier_samples commits", async () => {
    const { c, store, at } = await h100Chain(1);
    const w = c.workers[0]!.address;
    commits(c, at(c.height + 1n), w, 49, 40n);
    expect(getLatencyHistogram(store, 3)!.total).toBe(49n);
    expect(c.keepers.workers.getWorker(store, w)!.anomaly).toBeUndefined();
  });

  it("the market's commit feeds the tier histogram (hook wired in app/modules.ts)", async () => {
    const { c } = await committedTaskChain({ workers: [{}] });
    chains.push(c);
    // RTX4090 is tier 1; the one commit is in its histogram.
    expect(getLatencyHistogram(c.app.store, 1)?.total).toBe(1n);
  });
});

describe("anomaly detection: declines", () => {
  it("flags a worker that declines everything but does not jail it (a client can cause declines)", async () => {
    const { c, store, at } = await h100Chain(1);
    const w = c.workers[0]!.address;
    const ctx = at(c.height + 1n);
    for (let i = 0; i < 20; i++) c.keepers.workers.recordDecline(ctx, w, "declined");
    expect(eventsOf(ctx, "worker_flagged")).toEqual([expect.objectContaining({ operator: w, rule: "decline_rate", n: "20", x: "20", jailed: "false" })]);
    expect(c.keepers.workers.workerStatus(store, c.keepers.workers.getWorker(store, w)!, ctx.block.height)).toBe(WorkerStatus.WORKER_STATUS_ONLINE);
  });
});

describe("anomaly params", () => {
  it("are validated", () => {
    const base = workersParams.parse(undefined);
    expect(() => workersParams.parse({ ...base, anomaly_min_samples: base.anomaly_window + 1 })).toThrow(/anomaly_min_samples/);
    expect(() => workersParams.parse({ ...base, anomaly_fail_rate_bps: 0 })).toThrow(/anomaly_fail_rate_bps/);
    expect(() => workersParams.parse({ ...base, anomaly_window: 1001 })).toThrow(/anomaly_window/);
    expect(() => workersParams.parse({ ...base, anomaly_slow_factor_pct: 100 })).toThrow(/anomaly_slow_factor_pct/);
  });
});
