/**
 * 1,000 tasks (k = 2) over 14 workers on an in-process chain, through the wired x/workers keeper
 * calls x/market and x/attest make (commit latency, verified result, timeout, decline): twelve
 * honest workers of varied speeds in two tiers with honest bad luck (2 % failures, 3 % declines,
 * 3 % of commits 2–5× slow), one fake H100 (4× slower than its tier: flagged by the tier rule,
 * jailed by the peer rule — settlement compares the verified co-workers of each task) and one
 * H100 that fails 30 % of its tasks (jailed). Fixed seed, so the figures in docs/anomaly.md reproduce.
 */
import { afterEach, describe, expect, it } from "vitest";
import { deliverContext } from "../../app/testkit.js";
import { Branch } from "../../app/store/kvstore.js";
import { WorkerStatus } from "../../proto/gen/ogpu/workers/v1/workers.js";
import { startPosChain, type PosChain } from "../attest/testing.js";

const TASKS = 1000;

/** 64-bit LCG (Knuth's MMIX constants): test-side randomness with a fixed seed. */
function rng(seed: bigint): (below: number) => number {
  let s = seed;
  return (below) => {
    s = (s * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n);
    return Number((s >> 33n) % BigInt(below));
  };
}

interface SimWorker {
  model: string;
  /** Per-unit time in percent of the tier's nominal speed (100 = nominal). */
  speedPct: number;
  failBps: number;
  declineBps: number;
  honest: boolean;
}

const honest = (model: string, speedPct: number): SimWorker => ({ model, speedPct, failBps: 200, declineBps: 300, honest: true });
const WORKERS: SimWorker[] = [
  ...[80, 90, 100, 100, 110, 120, 130].map((s) => honest("H100", s)),
  ...[150, 180, 200, 220, 250].map((s) => honest("A100", s)),
  { model: "H100", speedPct: 400, failBps: 0, declineBps: 0, honest: false }, // the fake H100
  { model: "H100", speedPct: 100, failBps: 3000, declineBps: 0, honest: false }, // the failing one
];

let chain: PosChain | undefined;
afterEach(async () => {
  await chain?.close();
  chain = undefined;
});

describe("anomaly detection simulation (1,000 tasks)", () => {
  it("jails the fake H100 (peer rule) and the failing worker; no honest worker is flagged, jailed or slashed", async () => {
    chain = await startPosChain({ workers: WORKERS.map((w) => ({ model: w.model })) });
    const c = chain;
    const keeper = c.keepers.workers;
    const store = new Branch(c.app.store);
    const next = rng(20261129n);
    const addresses = c.workers.map((w) => w.address);
    const jailedAtTask = new Map<number, number>();
    const flaggedAtTask = new Map<number, number>();
    const slashed = new Set<number>();
    const peerJail: string[] = [];

    for (let t = 0; t < TASKS; t++) {
      const height = c.height + 1n + BigInt(t);
      const ctx = deliverContext(store, height);
      const free = addresses.map((_, i) => i).filter((i) => keeper.workerStatus(store, keeper.getWorker(store, addresses[i]!)!, height) !== WorkerStatus.WORKER_STATUS_JAILED);
      const first = free[next(free.length)]!;
      const rest = free.filter((i) => i !== first);
      const units = BigInt(200 + next(1801));
      const verified: { operator: string; latencyBlocks: bigint }[] = [];
      for (const i of [first, rest[next(rest.length)]!]) {
        const w = WORKERS[i]!;
        const operator = addresses[i]!;
        if (next(10_000) < w.declineBps) {
          keeper.recordDecline(ctx, operator, "declined");
        } else if (next(10_000) < w.failBps) {
          keeper.recordResult(ctx, operator, false, "commit_timeout");
        } else {
          // Nominal: 1 block per 100 units; honest jitter 80–120 %, and 3 % of commits 2–5× slow.
          const jitter = 80 + next(41);
          const spike = w.honest && next(100) < 3 ? 200 + next(301) : 100;
          const latency = 1n + (units * BigInt(w.speedPct * jitter * spike)) / 100_000_000n;
          keeper.recordCommitLatency(ctx, operator, latency, units);
          verified.push({ operator, latencyBlocks: latency });
        }
      }
      // Settlement, as x/attest runs it: the market's resultsSettled hook (both verified), then each result.
      if (verified.length === 2) keeper.recordPeerLatencies(ctx, verified);
      for (const v of verified) keeper.recordResult(ctx, v.operator, true, "result_verified");
      for (const e of ctx.events.events) {
        const operator = e.attributes.find((a) => a.key === "operator")?.value;
        const i = addresses.indexOf(operator ?? "");
        if (e.type === "worker_flagged" && !flaggedAtTask.has(i)) flaggedAtTask.set(i, t + 1);
        if (e.type === "worker_flagged" && e.attributes.some((a) => a.key === "rule" && a.value === "peer_slow")) peerJail.push(e.attributes.find((a) => a.key === "reason")!.value);
        if (e.type === "worker_slashed") slashed.add(i);
        if (e.type === "worker_jailed" && !jailedAtTask.has(i)) jailedAtTask.set(i, t + 1);
      }
    }

    const fake = WORKERS.length - 2;
    const failing = WORKERS.length - 1;
    const honestIdx = WORKERS.map((w, i) => (w.honest ? i : -1)).filter((i) => i >= 0);
    const falsePositives = honestIdx.filter((i) => flaggedAtTask.has(i) || jailedAtTask.has(i) || slashed.has(i));
    // The report's figures (docs/anomaly.md).
    const honestPeer = honestIdx.map((i) => keeper.getWorker(store, addresses[i]!)!.anomaly!).map((a) => `${a.peerSlowSamples}/${a.peerSamples}`);
    console.log(
      `anomaly simulation: fake H100 flagged at task ${flaggedAtTask.get(fake)}, jailed (peer_slow) at task ${jailedAtTask.get(fake)} (${peerJail.join("; ")}); failing worker jailed at task ${jailedAtTask.get(failing)}; ` +
        `honest flagged, jailed or slashed: ${falsePositives.length} of ${honestIdx.length}; honest peer-slow/peer samples at the end: ${honestPeer.join(" ")}`,
    );
    expect(keeper.getWorker(store, addresses[failing]!)!.anomaly!.anomalyJails).toBeGreaterThanOrEqual(1n);
    expect(keeper.getWorker(store, addresses[failing]!)!.anomaly!.flag).toBe("failure_rate");
    expect(jailedAtTask.get(failing)).toBeLessThan(500);
    // The fake H100: flagged slow against its tier first, then jailed (and slashed) against its co-workers.
    expect(flaggedAtTask.get(fake)).toBeLessThan(300);
    expect(jailedAtTask.get(fake)).toBeLessThan(400);
    expect(slashed.has(fake)).toBe(true);
    expect(keeper.getWorker(store, addresses[fake]!)!.anomaly).toMatchObject({ flag: "peer_slow" });
    expect(peerJail).toHaveLength(1);
    expect(keeper.getWorker(store, addresses[fake]!)!.anomaly!.anomalyJails).toBeGreaterThanOrEqual(1n);
    expect(falsePositives).toEqual([]);
  });
});
