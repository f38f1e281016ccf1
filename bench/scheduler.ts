import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import munkres from "munkres";
import { packageRoot } from "../cmd/paths.js";
import { solveAssignment, type CostMatrix } from "../x/market/solver/lap.js";
import { envInt } from "./tx-harness.js";
import { median, printRatios, progress, type Benchmark, type Ratio } from "./report.js";

/**
 * The market scheduler's assignment solver (x/market/solver/lap.ts) against scipy's
 * `linear_sum_assignment` (C++, Debian python3-scipy; bench/reference/scipy_lsa.py, a
 * long-lived child so only the solve call is timed) and the `munkres` npm package, on the same
 * seeded n×n matrices, in interleaved rounds (ours, scipy, munkres, ours, …), medians:
 * - `uniform`: integer costs 1..10^6, every pair allowed;
 * - `market`: what the scheduler builds — per-worker prices on a few levels (many ties), task
 *   units 1/2/4, tiers and bids that exclude pairs (+∞ for scipy, a cost above any total for
 *   munkres), a region penalty; a perfect matching always exists, so all three must agree on
 *   the optimal cost.
 * Knobs: BENCH_SCHED_ROUNDS (default 7).
 */

const BENCH = "scheduler";
const SIZES = [250, 500, 1000] as const;
const KINDS = ["uniform", "market"] as const;
type Kind = (typeof KINDS)[number];
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

/** The seeded n×n matrix of a kind; `feasible` only where pairs are excluded. */
export function benchMatrix(kind: Kind, n: number): CostMatrix {
  const next = xorshift32((kind === "uniform" ? 0x5eed : 0xfee5) + n);
  const costs = new Float64Array(n * n);
  if (kind === "uniform") {
    for (let i = 0; i < costs.length; i++) costs[i] = 1 + (next() % MAX_COST);
    return { rows: n, cols: n, costs };
  }
  const feasible = new Uint8Array(n * n);
  const workers = Array.from({ length: n }, () => ({ tier: next() % 3, price: 100 * (1 + (next() % 5)), region: next() % 4 }));
  // Task i could always take worker i (tier and bid fit it), so a perfect matching exists.
  const tasks = workers.map((w) => ({ tier: next() % (w.tier + 1), units: 1 << next() % 3, bid: w.price + 100 * (next() % 3), region: next() % 4 }));
  for (let r = 0; r < n; r++) {
    const t = tasks[r]!;
    for (let c = 0; c < n; c++) {
      const w = workers[c]!;
      if (w.tier < t.tier || w.price > t.bid) continue;
      feasible[r * n + c] = 1;
      costs[r * n + c] = w.price * t.units + (w.region === t.region ? 0 : 500);
    }
  }
  return { rows: n, cols: n, costs, feasible };
}

/** The scipy helper: one child for the whole run, one request at a time. */
function startScipy(): { solve(rows: number, cols: number, path: string): Promise<{ ms: number; cost: number; count: number }>; stop(): void } {
  const child = spawn("/usr/bin/python3", [join(packageRoot(), "bench", "reference", "scipy_lsa.py")], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout });
  const waiting: ((line: string) => void)[] = [];
  lines.on("line", (line) => waiting.shift()?.(line));
  return {
    solve(rows, cols, path) {
      return new Promise((resolve) => {
        waiting.push((line) => resolve(JSON.parse(line) as { ms: number; cost: number; count: number }));
        child.stdin.write(`${rows} ${cols} ${path}\n`);
      });
    },
    stop: () => child.stdin.end(),
  };
}

function timeMs<T>(fn: () => T): [number, T] {
  const start = performance.now();
  const result = fn();
  return [performance.now() - start, result];
}

interface Row {
  kind: Kind;
  n: number;
  oursMs: number;
  scipyMs: number;
  munkresMs: number;
  sameCost: boolean;
}

async function measure(kind: Kind, n: number, rounds: number, scipy: ReturnType<typeof startScipy>, dir: string): Promise<Row> {
  const matrix = benchMatrix(kind, n);
  const path = join(dir, `${kind}-${n}.f64`);
  const forScipy = new Float64Array(matrix.costs);
  // munkres has no excluded pairs: a cost above any assignment's total keeps them out.
  const excludedCost = n * 4 * 1000 * 10 + 1;
  const nested: number[][] = [];
  for (let r = 0; r < n; r++) {
    const row: number[] = [];
    for (let c = 0; c < n; c++) {
      const i = r * n + c;
      const allowed = !matrix.feasible || matrix.feasible[i] !== 0;
      if (!allowed) forScipy[i] = Number.POSITIVE_INFINITY;
      row.push(allowed ? matrix.costs[i]! : excludedCost);
    }
    nested.push(row);
  }
  await writeFile(path, new Uint8Array(forScipy.buffer));
  const ours = solveAssignment(matrix); // warm-up (JIT), like scipy's first call below
  let reference = await scipy.solve(n, n, path);
  const times = { ours: [] as number[], scipy: [] as number[], munkres: [] as number[] };
  let munkresCost = 0;
  for (let round = 0; round < rounds; round++) {
    times.ours.push(timeMs(() => solveAssignment(matrix))[0]);
    reference = await scipy.solve(n, n, path);
    times.scipy.push(reference.ms);
    // munkres is an order of magnitude slower at n = 1000: fewer rounds keep the bench short.
    if (round < Math.max(1, Math.ceil(rounds / (n >= 1000 ? 3 : 1)))) {
      const [ms, pairs] = timeMs(() => munkres(nested));
      times.munkres.push(ms);
      munkresCost = pairs.reduce((sum, [r, c]) => sum + nested[r]![c]!, 0);
    }
  }
  return {
    kind,
    n,
    oursMs: median(times.ours),
    scipyMs: median(times.scipy),
    munkresMs: median(times.munkres),
    sameCost: ours.count === n && reference.count === n && ours.totalCost === reference.cost && ours.totalCost === munkresCost,
  };
}

const round2 = (ms: number) => Math.round(ms * 100) / 100;

export async function benchScheduler(): Promise<void> {
  const rounds = envInt("BENCH_SCHED_ROUNDS", 7);
  const dir = await mkdtemp(join(tmpdir(), "ogpu-bench-scheduler-"));
  const scipy = startScipy();
  const rows: Row[] = [];
  try {
    for (const kind of KINDS) {
      for (const n of SIZES) {
        progress(BENCH, `${kind} n=${n}`);
        rows.push(await measure(kind, n, rounds, scipy, dir));
      }
    }
  } finally {
    scipy.stop();
    await rm(dir, { recursive: true, force: true });
  }
  console.log(`${"matrix".padEnd(9)}${"n".padStart(6)}${"ours ms".padStart(10)}${"scipy ms".padStart(10)}${"munkres ms".padStart(12)}  same cost`);
  for (const r of rows) {
    console.log(`${r.kind.padEnd(9)}${String(r.n).padStart(6)}${round2(r.oursMs).toFixed(2).padStart(10)}${round2(r.scipyMs).toFixed(2).padStart(10)}${round2(r.munkresMs).toFixed(2).padStart(12)}  ${r.sameCost}`);
  }
  const ratios: Ratio[] = [];
  for (const r of rows) {
    ratios.push({ figure: `${r.kind}_n${r.n}_time_ratio_to_scipy`, ours: round2(r.oursMs), reference: round2(r.scipyMs), unit: "ms", referenceName: "scipy linear_sum_assignment" });
    ratios.push({ figure: `${r.kind}_n${r.n}_time_ratio_to_munkres`, ours: round2(r.oursMs), reference: round2(r.munkresMs), unit: "ms", referenceName: "munkres (npm)" });
  }
  printRatios(BENCH, ratios);
  for (const r of rows) console.log(JSON.stringify({ bench: BENCH, figure: `${r.kind}_n${r.n}_same_optimal_cost`, value: r.sameCost ? 1 : 0, unit: "bool" }));
  if (rows.some((r) => !r.sameCost)) process.exitCode = 1;
}

export const schedulerBenchmark: Benchmark = {
  name: "scheduler",
  description: "min-cost assignment solver vs scipy linear_sum_assignment and munkres, uniform and market n×n (n = 250…1000), interleaved, median ms",
  run: benchScheduler,
};
