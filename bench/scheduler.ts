import munkres from "munkres";
import { solveAssignment } from "../x/market/solver/lap.js";
import { progress, quantile, type Benchmark } from "./report.js";

/**
 * The market scheduler's assignment solver (x/market/solver/lap.ts) against the `munkres`
 * npm package on the same seeded dense square matrices, integer costs 1..10^6. Prints a
 * table, then one JSON line per n:
 * `{"bench":"scheduler","n":1000,"ours_ms":…,"peer":"munkres","peer_ms":…,"same_cost":true}`.
 *
 * TODO(market): add the FinalizeBlock-with-1000-tasks figure once x/market schedules in
 * FinalizeBlock; it belongs here as a separate line, measured on a real block, not estimated.
 */

const SIZES = [100, 250, 500, 1000] as const;
const MAX_COST = 1_000_000;

/** xorshift32: a seeded generator so every run and machine benchmarks the same matrices. */
function xorshift32(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

/** Median wall time of `runs` calls after one warm-up call; returns [ms, last result]. */
function medianMs<T>(runs: number, fn: () => T): [number, T] {
  let result = fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    result = fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return [quantile(times, 0.5), result];
}

interface Row {
  n: number;
  oursMs: number;
  peerMs: number;
  sameCost: boolean;
}

function measure(n: number): Row {
  const next = xorshift32(0x5eed + n);
  const costs = new Float64Array(n * n);
  for (let i = 0; i < costs.length; i++) costs[i] = 1 + (next() % MAX_COST);
  const nested: number[][] = [];
  for (let r = 0; r < n; r++) nested.push(Array.from(costs.subarray(r * n, (r + 1) * n)));

  const [oursMs, ours] = medianMs(n >= 1000 ? 9 : 15, () => solveAssignment({ rows: n, cols: n, costs }));
  // munkres is O(n³) too but slower; fewer runs at the large sizes keep the bench short.
  const [peerMs, pairs] = medianMs(n >= 1000 ? 5 : 9, () => munkres(nested));
  let peerCost = 0;
  for (const [r, c] of pairs) peerCost += nested[r]![c]!;
  return { n, oursMs, peerMs, sameCost: ours.count === n && pairs.length === n && ours.totalCost === peerCost };
}

const round1 = (ms: number) => Math.round(ms * 10) / 10;

export async function benchScheduler(): Promise<void> {
  const rows: Row[] = [];
  for (const n of SIZES) {
    progress("scheduler", `n=${n}`);
    rows.push(measure(n));
  }
  console.log(`${"n".padStart(6)}${"ours ms".padStart(10)}${"munkres ms".padStart(12)}${"speedup".padStart(9)}  same cost`);
  for (const r of rows) {
    const speedup = `${(r.peerMs / r.oursMs).toFixed(2)}×`;
    console.log(`${String(r.n).padStart(6)}${round1(r.oursMs).toFixed(1).padStart(10)}${round1(r.peerMs).toFixed(1).padStart(12)}${speedup.padStart(9)}  ${r.sameCost}`);
  }
  for (const r of rows) {
    console.log(JSON.stringify({ bench: "scheduler", n: r.n, ours_ms: round1(r.oursMs), peer: "munkres", peer_ms: round1(r.peerMs), same_cost: r.sameCost }));
  }
}

export const schedulerBenchmark: Benchmark = {
  name: "scheduler",
  description: "min-cost assignment solver vs munkres on dense n×n (n = 100…1000), median ms",
  run: benchScheduler,
};
