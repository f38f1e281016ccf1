/**
 * The peer rule of anomaly detection (docs/anomaly.md): at settlement the verified workers of a
 * task are compared with each other — same input, same units — so a worker declaring a big GPU
 * but running like a small one is jailed, whatever units the client declared; a co-worker of a
 * higher declared tier is never the yardstick; block-granularity noise is not a hit.
 */
import { afterEach, describe, expect, it } from "vitest";
import { deliverContext, expectOk, queryOnStore } from "../../app/testkit.js";
import { Branch } from "../../app/store/kvstore.js";
import type { Context } from "../../app/context.js";
import { QueryWorkerRequest, QueryWorkerResponse } from "../../proto/gen/ogpu/workers/v1/query.js";
import { TaskStatus } from "../../proto/gen/ogpu/market/v1/market.js";
import { WorkerStatus } from "../../proto/gen/ogpu/workers/v1/workers.js";
import { commitMsg, digestOf, revealMsg, startPosChain, type PosChain } from "../attest/testing.js";
import { nextTaskId } from "../market/keeper.js";
import { submitTaskMsg } from "../market/testing.js";
import { slowerThanPeers } from "./anomaly.js";
import { workersParams } from "./params.js";
import { workersQueries } from "./queries.js";

const chains: PosChain[] = [];
afterEach(async () => {
  for (const c of chains.splice(0)) await c.close();
});

async function chainOf(models: string[]): Promise<{ c: PosChain; store: Branch; ctx: Context; ops: string[] }> {
  const c = await startPosChain({ workers: models.map((model) => ({ model })) });
  chains.push(c);
  const store = new Branch(c.app.store);
  return { c, store, ctx: deliverContext(store, c.height + 1n), ops: c.workers.map((w) => w.address) };
}

const eventsOf = (ctx: Context, type: string) => ctx.events.events.filter((e) => e.type === type).map((e) => Object.fromEntries(e.attributes.map((a) => [a.key, a.value])));

describe("anomaly detection: the peer rule", () => {
  it("slowerThanPeers: above the factor AND the gap; upper median of the co-workers", () => {
    const p = workersParams.parse(undefined); // 300 %, 2 blocks
    expect(slowerThanPeers(4n, 1n, p)).toBe(true);
    expect(slowerThanPeers(3n, 1n, p)).toBe(false); // 300 % is not above 300 %, and 3 ≤ 1 + 2
    expect(slowerThanPeers(31n, 10n, p)).toBe(true);
    expect(slowerThanPeers(30n, 10n, p)).toBe(false);
    expect(slowerThanPeers(4n, 1n, { ...p, anomaly_peer_min_gap_blocks: 3 })).toBe(false); // 4 ≤ 1 + 3
  });

  it("jails and slashes a fake H100 that commits 4× later than its H100 co-workers, at 20 of 20 (reason in the worker query)", async () => {
    const { c, store, ctx, ops } = await chainOf(["H100", "H100", "H100"]);
    const [fake, h1, h2] = ops as [string, string, string];
    const bond = BigInt(c.keepers.workers.getWorker(store, fake)!.bond);
    let jailedAt = 0;
    for (let i = 1; i <= 30 && jailedAt === 0; i++) {
      // Co-workers commit in 10 or 12 blocks, the fake in 40: no units anywhere in the comparison.
      c.keepers.workers.recordPeerLatencies(ctx, [{ operator: fake, latencyBlocks: 40n }, { operator: i % 2 ? h1 : h2, latencyBlocks: i % 3 ? 10n : 12n }]);
      if (c.keepers.workers.workerStatus(store, c.keepers.workers.getWorker(store, fake)!, ctx.block.height) === WorkerStatus.WORKER_STATUS_JAILED) jailedAt = i;
    }
    expect(jailedAt).toBe(workersParams.parse(undefined).anomaly_min_samples);
    expect(eventsOf(ctx, "worker_flagged")).toEqual([expect.objectContaining({ operator: fake, rule: "peer_slow", n: "20", x: "20", jailed: "true" })]);
    expect(eventsOf(ctx, "worker_jailed").at(-1)).toMatchObject({ operator: fake, reason: "anomaly_peer_slow" });
    const after = c.keepers.workers.getWorker(store, fake)!;
    expect(BigInt(after.bond)).toBe(bond - bond / 100n);
    const view = queryOnStore(workersQueries, "/ogpu.workers.v1.Query/Worker", { request: QueryWorkerRequest, response: QueryWorkerResponse }, store, { operator: fake }).worker!;
    expect(view.worker!.anomaly).toMatchObject({ flag: "peer_slow", anomalyJails: 1n, peerSamples: 0n });
    expect(view.worker!.anomaly!.flagReason).toMatch(/^peer_slow: 20 of 20 improbable at honest rate 1000 bps/);
    // The honest co-workers were compared too (the fake is their peer) and are never slow.
    for (const h of [h1, h2]) expect(c.keepers.workers.getWorker(store, h)!.anomaly).toMatchObject({ peerSlowSamples: 0n, flag: "" });
  });

  it("compares a worker only with co-workers of its tier or below: an A100 slower than an H100 is fine, an H100 slower than an A100 is not", async () => {
    const { c, store, ctx, ops } = await chainOf(["A100", "H100", "H100"]);
    const [a100, fastH100, slowH100] = ops as [string, string, string];
    for (let i = 0; i < 25; i++) c.keepers.workers.recordPeerLatencies(ctx, [{ operator: fastH100, latencyBlocks: 5n }, { operator: a100, latencyBlocks: 40n }]);
    // The A100 has no peer at or below its tier on these tasks: nothing is counted for it.
    expect(c.keepers.workers.getWorker(store, a100)!.anomaly?.peerSamples ?? 0n).toBe(0n);
    expect(c.keepers.workers.getWorker(store, fastH100)!.anomaly).toMatchObject({ peerSamples: 25n, peerSlowSamples: 0n });
    for (let i = 0; i < 20; i++) c.keepers.workers.recordPeerLatencies(ctx, [{ operator: slowH100, latencyBlocks: 40n }, { operator: a100, latencyBlocks: 10n }]);
    expect(c.keepers.workers.getWorker(store, slowH100)!.anomaly).toMatchObject({ flag: "peer_slow", anomalyJails: 1n });
    expect(eventsOf(ctx, "worker_jailed").map((e) => e["operator"])).toEqual([slowH100]);
  });

  it("leaves honest co-workers alone: 2.5× apart, or one block against four, over 100 tasks", async () => {
    const { c, store, ctx, ops } = await chainOf(["H100", "H100"]);
    const [fast, slow] = ops as [string, string];
    for (let i = 0; i < 100; i++) {
      const pair = i % 2 ? ([10n, 25n] as const) : ([1n, 3n] as const);
      c.keepers.workers.recordPeerLatencies(ctx, [{ operator: fast, latencyBlocks: pair[0] }, { operator: slow, latencyBlocks: pair[1] }]);
    }
    expect(c.keepers.workers.getWorker(store, slow)!.anomaly).toMatchObject({ peerSamples: 100n, peerSlowSamples: 0n, flag: "" });
    expect(eventsOf(ctx, "worker_flagged")).toEqual([]);
  });

  it("settlement feeds it (x/market's resultsSettled hook, wired in app/modules.ts): the late committer of a k = 2 task gets a slow peer sample", async () => {
    const c = await startPosChain({ workers: [{ cv: 1_000_000n }, { cv: 1_000_000n }], params: { attest: { p_floor_bps: 0 } } });
    chains.push(c);
    const id = nextTaskId(c.app.store);
    expectOk(await c.run([c.client.tx([submitTaskMsg(c.client.address, { bid: 1000n, units: 10n, k: 2 })])]));
    const [early, late] = c.task(id).assignments.map((a) => c.workers.find((w) => w.address === a.worker)!);
    const digest = digestOf("the output");
    expectOk(await c.run([early!.tx([commitMsg(early!.address, id, digest)])]));
    for (let i = 0; i < 5; i++) await c.run([]);
    expectOk(await c.run([late!.tx([commitMsg(late!.address, id, digest)])]));
    expectOk(await c.run([early!.tx([revealMsg(early!.address, id, digest)]), late!.tx([revealMsg(late!.address, id, digest)])]));
    await c.run([]);
    expect(c.task(id).status).toBe(TaskStatus.TASK_STATUS_FINALIZED);
    const stats = (w: string) => c.keepers.workers.getWorker(c.app.store, w)!.anomaly!;
    expect(stats(early!.address)).toMatchObject({ peerSamples: 1n, peerSlowSamples: 0n });
    expect(stats(late!.address)).toMatchObject({ peerSamples: 1n, peerSlowSamples: 1n });
  });

  it("params are validated", () => {
    const base = workersParams.parse(undefined);
    expect(() => workersParams.parse({ ...base, anomaly_peer_slow_factor_pct: 100 })).toThrow(/anomaly_peer_slow_factor_pct/);
    expect(() => workersParams.parse({ ...base, anomaly_peer_slow_rate_bps: 0 })).toThrow(/anomaly_peer_slow_rate_bps/);
    expect(() => workersParams.parse({ ...base, anomaly_peer_min_gap_blocks: -1 })).toThrow(/anomaly_peer_min_gap_blocks/);
  });
});
