import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { SchedulerTask, SchedulerWorker } from "./scheduler.js";
import { countCandidates, indicesByPrice, listCandidates, scanCandidates, shapeFit } from "./shape-fit.js";

const workerArb = fc.record({ price: fc.bigInt({ min: 1n, max: 8n }), trusted: fc.boolean(), room: fc.integer({ min: 0, max: 2 }), fits: fc.boolean() });
const taskArb = fc.record({ bid: fc.bigInt({ min: 0n, max: 9n }), trustedOnly: fc.boolean(), blocked: fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 6 }) });

describe("scheduler candidate index (shape-fit.ts)", () => {
  it("the price index counts and lists exactly the candidates a pass over every worker finds, with ties in price, blocked and unknown workers, trusted-only tasks", () => {
    fc.assert(
      fc.property(fc.array(workerArb, { maxLength: 30 }), fc.array(taskArb, { minLength: 1, maxLength: 8 }), (specs, taskSpecs) => {
        const workers: SchedulerWorker[] = specs.map((s, i) => ({ operator: `w${i}`, gpus: [], runtimes: [], price: s.price, region: "eu", openTasks: 0, maxConcurrent: 4, ewmaSuccessBps: 0, available: true, trusted: s.trusted }));
        const room = specs.map((s) => s.room);
        const fits = Uint8Array.from(specs.map((s) => (s.fits ? 1 : 0)));
        const fit = shapeFit(workers, indicesByPrice(workers), room, fits);
        const indexOf = (operator: string) => (workers.findIndex((w) => w.operator === operator) >= 0 ? workers.findIndex((w) => w.operator === operator) : undefined);
        for (const [n, t] of taskSpecs.entries()) {
          // Operators w30..w40 are not among the workers (exited ones, say).
          const task: SchedulerTask = { id: BigInt(n), priority: 0, need: 1, bid: t.bid, units: 1n, requirement: { minVramMb: 0n, models: [], tier: 0, runtime: "", gpus: 0 }, preferredRegion: "", blocked: new Set(t.blocked.map((b) => `w${b}`)), trustedOnly: t.trustedOnly };
          const expected = scanCandidates(fits, task, workers, room);
          const counts = countCandidates(fit, task, workers, room, indexOf);
          expect({ count: counts.count, usable: counts.usable }).toEqual({ count: expected.candidates.length, usable: expected.usable });
          expect([...listCandidates(fit, counts, task, workers)].sort((a, b) => a - b)).toEqual(expected.candidates);
        }
      }),
      { numRuns: 500, seed: 10 },
    );
  });

  it("orders workers by price, then by index", () => {
    const w = (price: bigint): SchedulerWorker => ({ operator: `p${price}`, gpus: [], runtimes: [], price, region: "", openTasks: 0, maxConcurrent: 1, ewmaSuccessBps: 0, available: true });
    expect([...indicesByPrice([w(3n), w(1n), w(3n), w(2n)])]).toEqual([1, 3, 0, 2]);
  });
});
