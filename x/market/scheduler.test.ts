import { describe, expect, it } from "vitest";
import type { Gpu } from "../../proto/gen/ogpu/workers/v1/workers.js";
import { planAssignments, slotCost, type CostWeights, type SchedulerTask, type SchedulerWorker } from "./scheduler.js";
import { nextBasePrice } from "./pricing.js";

const WEIGHTS: CostWeights = { regionPenaltyBps: 1000, loadPenaltyBps: 500, reliabilityCreditBps: 1000, maxNewSlotsPerWorker: 4 };
const card = (model: string, vramMb: number): Gpu => ({ vendor: "nvidia", model, vramMb: BigInt(vramMb), pciId: "", count: 1 });
// Model-only matcher: enough for these pure tests (the catalogue tiers are exercised on chain).
const matches = (offer: Pick<SchedulerWorker, "gpus" | "runtimes">, req: SchedulerTask["requirement"]) =>
  offer.gpus.some((g) => g.vramMb >= req.minVramMb && (req.models.length === 0 || req.models.includes(g.model)));

function worker(operator: string, price: bigint, extra: Partial<SchedulerWorker> = {}): SchedulerWorker {
  return { operator, gpus: [card("A100", 81_920)], runtimes: [], price, region: "eu", openTasks: 0, maxConcurrent: 4, ewmaSuccessBps: 5000, available: true, ...extra };
}

function task(id: number, extra: Partial<SchedulerTask> = {}): SchedulerTask {
  return { id: BigInt(id), priority: 0, need: 1, bid: 1000n, units: 10n, requirement: { minVramMb: 0n, models: [], tier: 0, runtime: "", gpus: 0 }, preferredRegion: "", blocked: new Set(), ...extra };
}

const plan = (tasks: SchedulerTask[], workers: SchedulerWorker[]) => planAssignments(tasks, workers, WEIGHTS, matches);
const workersOf = (p: ReturnType<typeof plan>, id: number) => p.assignments.filter((a) => a.taskId === BigInt(id)).map((a) => a.worker);

describe("scheduler core", () => {
  it("gives each task the cheapest feasible worker and k distinct workers", () => {
    const ws = [worker("a", 300n), worker("b", 100n), worker("c", 200n)];
    const p = plan([task(1, { need: 3 }), task(2)], ws);
    expect(new Set(workersOf(p, 1)).size).toBe(3);
    expect(workersOf(p, 2)).toHaveLength(1);
    // Total cost is the minimum over the alternatives: task 2 takes the cheapest second slot.
    const total = p.assignments.reduce((s, a) => s + slotCost(task(0), ws.find((w) => w.operator === a.worker)!, 0, WEIGHTS), 0);
    expect(total).toBeGreaterThan(0);
    expect(p.waiting.size).toBe(0);
  });

  it("prefers the task's region and the less loaded worker at equal prices", () => {
    const us = worker("us-worker", 100n, { region: "us" });
    const eu = worker("eu-worker", 100n, { region: "eu" });
    expect(workersOf(plan([task(1, { preferredRegion: "us" })], [eu, us]), 1)).toEqual(["us-worker"]);
    expect(workersOf(plan([task(1, { preferredRegion: "eu" })], [eu, us]), 1)).toEqual(["eu-worker"]);
    const busy = worker("busy", 100n, { openTasks: 3 });
    const idle = worker("idle", 100n);
    expect(workersOf(plan([task(1)], [busy, idle]), 1)).toEqual(["idle"]);
    expect(slotCost(task(1), busy, 0, WEIGHTS)).toBeGreaterThan(slotCost(task(1), idle, 0, WEIGHTS));
  });

  it("excludes infeasible pairs: price above bid, vram, model, offline, full, blocked", () => {
    const ws = [
      worker("dear", 2000n),
      worker("small", 10n, { gpus: [card("RTX4090", 24_576)] }),
      worker("offline", 10n, { available: false }),
      worker("full", 10n, { openTasks: 4 }),
      worker("excluded", 10n),
      worker("ok", 900n),
    ];
    const p = plan([task(1, { requirement: { minVramMb: 40_000n, models: ["A100"], tier: 0, runtime: "", gpus: 0 }, blocked: new Set(["excluded"]) })], ws);
    expect(workersOf(p, 1)).toEqual(["ok"]);
  });

  it("under scarcity the queue order decides: priority first, then bid", () => {
    const only = worker("only", 100n, { maxConcurrent: 1 });
    // Queue order as block.ts passes it: priority desc, then bid desc.
    const p = plan([task(2, { priority: 3, bid: 200n }), task(1, { priority: 0, bid: 5000n })], [only]);
    expect(workersOf(p, 2)).toEqual(["only"]);
    expect(p.waiting.get(1n)).toBe("no_capacity");
  });

  it("a higher priority level is solved first, so it keeps the one worker it can use", () => {
    const h100 = worker("h100", 100n, { maxConcurrent: 1, gpus: [card("H100", 81_920)] });
    const a100 = worker("a100", 90n, { maxConcurrent: 1 });
    const needsH100 = { minVramMb: 0n, models: ["H100"], tier: 0, runtime: "", gpus: 0 };
    // The low-priority task is cheaper on h100 (units), but the urgent one can only run there.
    const p = plan([task(1, { priority: 2, requirement: needsH100 }), task(2, { priority: 0, units: 1000n })], [a100, h100]);
    expect(workersOf(p, 1)).toEqual(["h100"]);
    expect(workersOf(p, 2)).toEqual(["a100"]);
  });

  it("explains every waiting task", () => {
    const ws = [worker("a", 100n), worker("b", 100n, { available: false })];
    const p = plan(
      [
        task(1, { bid: 50n }), // every worker is dearer than the bid
        task(2, { need: 3 }), // only 2 distinct workers exist
        task(3, { need: 2 }), // 2 exist but one is offline
        task(4, { requirement: { minVramMb: 0n, models: ["H100"], tier: 0, runtime: "", gpus: 0 } }),
      ],
      ws,
    );
    expect(Object.fromEntries(p.waiting)).toEqual({ "1": "requirements_unmet", "2": "redundancy_unavailable", "3": "no_capacity", "4": "requirements_unmet" });
    expect(p.assignments).toEqual([]);
  });

  it("is all-or-nothing per task: a k=2 task that cannot get two distinct workers keeps none", () => {
    const w1 = worker("w1", 100n, { maxConcurrent: 2 });
    const w2 = worker("w2", 100n, { maxConcurrent: 1, gpus: [card("H100", 81_920)] });
    const urgent = task(1, { priority: 3, requirement: { minVramMb: 0n, models: ["H100"], tier: 0, runtime: "", gpus: 0 } });
    const pair = task(2, { need: 2 });
    const p = plan([urgent, pair], [w1, w2]);
    expect(workersOf(p, 1)).toEqual(["w2"]);
    expect(workersOf(p, 2)).toEqual([]);
    expect(p.waiting.get(2n)).toBe("no_capacity");
  });

  it("is a pure function: the same input gives the same plan", () => {
    const ws = Array.from({ length: 12 }, (_, i) => worker(`w${i}`, BigInt(100 + (i % 3) * 10), { region: i % 2 ? "us" : "eu", maxConcurrent: 2 }));
    const ts = Array.from({ length: 30 }, (_, i) => task(i + 1, { need: 1 + (i % 2), priority: i % 4, preferredRegion: i % 3 ? "us" : "" }));
    const a = plan(ts, ws);
    const b = plan(ts, ws.map((w) => ({ ...w })));
    expect(b).toEqual(a);
    expect(a.assignments.length).toBe(24);
  });
});

describe("demand pricing step", () => {
  it("moves at most ±12.5 % toward the target, rises by at least 1, never below the floor", () => {
    expect(nextBasePrice(1000n, 10_000, 5000, 1250, 1n)).toBe(1125n);
    expect(nextBasePrice(1000n, 0, 5000, 1250, 1n)).toBe(875n);
    expect(nextBasePrice(1000n, 7500, 5000, 1250, 1n)).toBe(1062n);
    expect(nextBasePrice(1000n, 5000, 5000, 1250, 1n)).toBe(1000n);
    expect(nextBasePrice(1n, 10_000, 5000, 1250, 1n)).toBe(2n);
    expect(nextBasePrice(100n, 0, 5000, 1250, 90n)).toBe(90n);
  });
});
