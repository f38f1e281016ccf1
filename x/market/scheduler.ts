/**
 * The block scheduler's pure core: given the queued tasks (in queue order) and the workers
 * (in address order) it decides which worker gets which task slot, and why every task it
 * does not place waits. No store access, no clock, no randomness: a pure function of its
 * inputs, so every node computes the same plan. x/market/block.ts feeds it and applies it.
 *
 * Method (docs/market.md has the reasoning):
 * 1. Candidates: a worker can serve a task when one of its GPU kinds meets vram/model/tier,
 *    its price ≤ the task's bid, and it is neither on the task already nor excluded from it.
 * 2. Reasons: no candidate at all → requirements_unmet; fewer distinct candidates than open
 *    slots → redundancy_unavailable; enough candidates but too few available now (online,
 *    unjailed, bonded, with a free slot) → no_capacity.
 * 3. Admission in queue order while the open slots fit the free capacity, so priority and bid
 *    decide who is served when capacity is short; the rest wait with no_capacity.
 * 4. Rounds: round r gives each admitted task with an r-th open slot one row; columns are
 *    worker slots (a worker with f free slots is f columns with rising load penalty). Within
 *    a round, priority levels are solved highest first on the capacity left. The solver
 *    returns the min-cost maximum-cardinality assignment; a worker used by a task in an
 *    earlier round is infeasible for it later, so a task's k workers are distinct. For k = 1
 *    this is the exact optimum per priority level; for k > 1 it is optimal round by round.
 * 5. All-or-nothing per task and block: a task that did not get every open slot gives back
 *    this block's slots and waits with no_capacity (no half-started tasks hold capacity).
 */
import type { Gpu } from "../../proto/gen/ogpu/workers/v1/workers.js";
import type { GpuRequirement, HardwareMatch } from "../workers/keeper.js";
import { PendingReason } from "./keeper.js";
import { countCandidates, indicesByPrice, listCandidates, scanCandidates, shapeFit, type ShapeFit } from "./shape-fit.js";
import { solveAssignment, UNASSIGNED } from "./solver/lap.js";

export interface SchedulerTask {
  id: bigint;
  /** 0..3; higher levels are served first. */
  priority: number;
  /** Open slots to fill (redundancy minus slots held). */
  need: number;
  bid: bigint;
  units: bigint;
  requirement: GpuRequirement;
  preferredRegion: string;
  /** Workers already on the task or excluded from it (timed out on it). */
  blocked: ReadonlySet<string>;
  /** Adaptive replication (x/attest): a k = 1 task goes to trusted workers whenever one can serve it. */
  trustedOnly?: boolean;
}

export interface SchedulerWorker {
  operator: string;
  gpus: readonly Gpu[];
  /** Program runtimes advertised (x/workers Worker.runtimes). */
  runtimes: readonly string[];
  price: bigint;
  region: string;
  openTasks: number;
  maxConcurrent: number;
  ewmaSuccessBps: number;
  /** Online, not jailed, not exiting, bond ≥ min_worker_bond. */
  available: boolean;
  /** Enough consecutive valid results to run a task alone (x/attest's adaptive_min_cv). */
  trusted?: boolean;
}

export interface CostWeights {
  regionPenaltyBps: number;
  loadPenaltyBps: number;
  reliabilityCreditBps: number;
  /** Most slots one worker may receive in one block. */
  maxNewSlotsPerWorker: number;
  /**
   * Most hardware checks one block may make (see hardwareChecks; the first shape is always
   * tested, so the bound is max(this, one shape)); undefined = unbounded. Tasks
   * whose check would pass it are not examined this block (SchedulePlan.unexamined).
   */
  maxWorkerChecks?: number;
}

export interface PlannedSlot {
  taskId: bigint;
  worker: string;
  /** The worker's index in the planner's input, so the caller updates it without a lookup. */
  workerIndex: number;
  price: bigint;
}

export interface SchedulePlan {
  /** In the order they were decided (round, then queue order). */
  assignments: PlannedSlot[];
  /** Every task left waiting, with its reason. */
  waiting: Map<bigint, PendingReason>;
  /** Tasks, in input order, not examined because the check budget ran out: the first is where the next block resumes. */
  unexamined: bigint[];
  /** Hardware checks made (≤ maxWorkerChecks). */
  checks: number;
}

/**
 * Work units of testing every worker against one requirement shape: one per worker and listed
 * model (a worker's GPU kinds are compared with each model), at least one per worker. This is
 * what the per-block budget counts, so the bound holds whatever the lists hold.
 */
export const hardwareChecks = (workers: number, models: number): number => workers * Math.max(1, models);

/**
 * Budget units of reading, decoding and planning one queued task (x/market/block.ts), in
 * hardware checks. The worst-block bench's one-shape queue measured ~7.5 µs a task against
 * ~26 ns a worker×model check (≈ 290); at 100 that queue's following block was 1.91–2.03× an
 * empty one, so 200 (≤ 60 such loads beside one 8,000-check shape) keeps it well under 2×.
 */
export const TASK_LOAD_CHECKS = 200;

/** Tasks with equal keys have the same hardware fit: tested once per block. */
export const requirementShape = (req: SchedulerTask["requirement"]): string => `${req.minVramMb}|${req.tier}|${req.models.join(",")}|${req.runtime}|${req.gpus}`;


const MAX_PRIORITY = 3;

/** Exact integer division of non-negative safe integers (no float rounding can creep in). */
const idiv = (a: number, b: number) => (a - (a % b)) / b;

/**
 * Integer cost of one slot j (0-based, among the worker's free slots) of worker w for task t:
 * price × units scaled by (10000 + region penalty + load penalty − reliability credit) bps.
 * price × units ≤ 2^38 (enforced at submit), so every product stays below 2^53.
 */
export function slotCost(t: SchedulerTask, w: SchedulerWorker, slot: number, weights: CostWeights): number {
  const base = Number(w.price) * Number(t.units);
  const region = t.preferredRegion !== "" && w.region !== t.preferredRegion ? weights.regionPenaltyBps : 0;
  const load = idiv(weights.loadPenaltyBps * (w.openTasks + slot), w.maxConcurrent);
  const credit = idiv(w.ewmaSuccessBps * weights.reliabilityCreditBps, 10_000);
  return idiv(base * (10_000 + region + load - credit), 10_000);
}

export function planAssignments(tasks: readonly SchedulerTask[], workers: readonly SchedulerWorker[], weights: CostWeights, matches: HardwareMatch): SchedulePlan {
  const waiting = new Map<bigint, PendingReason>();
  // Slots each worker can still take this block.
  const room = workers.map((w) => (w.available ? Math.max(0, Math.min(w.maxConcurrent - w.openTasks, weights.maxNewSlotsPerWorker)) : 0));
  let capacity = room.reduce((a, b) => a + b, 0);

  const admitted: { task: SchedulerTask; candidates: number[]; taken: Set<number>; filled: number }[] = [];
  // Tasks mostly share a few requirement shapes: test the hardware once per shape and worker;
  // a shape's second task indexes its fitting workers by price (shape-fit.ts), so a queue of
  // same-shape tasks costs a block a binary search per task, not a pass over the workers each.
  const hardware = new Map<string, { fits: Uint8Array; index?: ShapeFit }>();
  let byPrice: Int32Array | undefined;
  let byOperator: Map<string, number> | undefined;
  const indexOf = (operator: string) => (byOperator ??= new Map(workers.map((w, i) => [w.operator, i]))).get(operator);
  const budget = weights.maxWorkerChecks ?? Number.MAX_SAFE_INTEGER;
  let checks = 0;
  /** The shape's hardware fit, or undefined when testing it would pass the block's budget. */
  const hardwareFor = (req: SchedulerTask["requirement"]) => {
    const key = requirementShape(req);
    let shape = hardware.get(key);
    if (!shape) {
      const cost = hardwareChecks(workers.length, req.models.length);
      // The block's first shape is always tested (a shape costlier than the whole budget would
      // otherwise stop the rotation at itself for ever): a block makes at most
      // max(budget, workers × max_gpu_models) checks.
      if (checks > 0 && checks + cost > budget) return undefined;
      checks += cost;
      const fits = new Uint8Array(workers.length);
      for (let i = 0; i < workers.length; i++) if (matches(workers[i]!, req)) fits[i] = 1;
      shape = { fits };
      hardware.set(key, shape);
      return { shape, first: true };
    }
    return { shape, first: false };
  };
  const unexamined: bigint[] = [];
  for (const task of tasks) {
    // Once one task is out of budget, so is every later one: the next block resumes there.
    const tested = unexamined.length === 0 ? hardwareFor(task.requirement) : undefined;
    if (tested === undefined) {
      unexamined.push(task.id);
      continue;
    }
    const { shape, first } = tested;
    let count: number;
    let usable: number;
    let list: () => number[];
    if (first) {
      const scanned = scanCandidates(shape.fits, task, workers, room);
      ({ usable } = scanned);
      count = scanned.candidates.length;
      list = () => scanned.candidates;
    } else {
      const index = (shape.index ??= shapeFit(workers, (byPrice ??= indicesByPrice(workers)), room, shape.fits));
      const counts = countCandidates(index, task, workers, room, indexOf);
      ({ count, usable } = counts);
      list = () => listCandidates(index, counts, task, workers);
    }
    if (count === 0) waiting.set(task.id, PendingReason.RequirementsUnmet);
    else if (count < task.need) waiting.set(task.id, PendingReason.RedundancyUnavailable);
    else if (usable < task.need || task.need > capacity) waiting.set(task.id, PendingReason.NoCapacity);
    else {
      capacity -= task.need;
      admitted.push({ task, candidates: list(), taken: new Set(), filled: 0 });
    }
  }

  const decided: PlannedSlot[] = [];
  const used = new Int32Array(workers.length);
  const failed = new Set<bigint>();
  const maxNeed = Math.max(0, ...admitted.map((a) => a.task.need));
  for (let round = 0; round < maxNeed; round++) {
    // Priority levels are solved one after the other, highest first: a higher level never
    // loses a slot to a lower one; within a level the solver minimises total cost.
    for (let priority = MAX_PRIORITY; priority >= 0; priority--) {
      const rows = admitted.filter((a) => a.task.priority === priority && a.task.need > round && !failed.has(a.task.id));
      if (rows.length === 0) continue;
      const picks = solveRound(rows, workers, room, used, weights);
      rows.forEach((a, r) => {
        const i = picks[r]!;
        if (i === UNASSIGNED) {
          failed.add(a.task.id);
          return;
        }
        used[i]! += 1;
        a.taken.add(i);
        a.filled += 1;
        decided.push({ taskId: a.task.id, worker: workers[i]!.operator, workerIndex: i, price: workers[i]!.price });
      });
    }
  }
  for (const a of admitted) if (a.filled < a.task.need) failed.add(a.task.id);
  for (const id of failed) waiting.set(id, PendingReason.NoCapacity);
  return { assignments: decided.filter((s) => !failed.has(s.taskId)), waiting, unexamined, checks };
}

/** Rows of one solve: a task, its candidate workers, and the workers it already took this block. */
interface Row {
  task: SchedulerTask;
  candidates: number[];
  taken: Set<number>;
}

/**
 * One min-cost assignment: each row (a task's next open slot) gets a worker slot column or
 * none. Columns are the remaining free slots, at most one per row per worker (more cannot be
 * used), in worker order then slot order (slot s carries the load penalty of open + s).
 * Returns the chosen worker index per row, or UNASSIGNED.
 */
function solveRound(rows: readonly Row[], workers: readonly SchedulerWorker[], room: readonly number[], used: Int32Array, weights: CostWeights): Int32Array {
  const colWorker: number[] = [];
  const colSlot: number[] = [];
  const firstCol = new Int32Array(workers.length).fill(-1);
  for (let i = 0; i < workers.length; i++) {
    const free = Math.min(room[i]! - used[i]!, rows.length);
    if (free > 0) firstCol[i] = colWorker.length;
    for (let s = 0; s < free; s++) {
      colWorker.push(i);
      colSlot.push(used[i]! + s);
    }
  }
  const cols = colWorker.length;
  const costs = new Float64Array(rows.length * cols);
  const feasible = new Uint8Array(rows.length * cols);
  rows.forEach((a, r) => {
    for (const i of a.candidates) {
      if (firstCol[i]! < 0 || a.taken.has(i)) continue;
      for (let c = firstCol[i]!; c < cols && colWorker[c] === i; c++) {
        costs[r * cols + c] = slotCost(a.task, workers[i]!, colSlot[c]!, weights);
        feasible[r * cols + c] = 1;
      }
    }
  });
  const { rowToCol } = solveAssignment({ rows: rows.length, cols, costs, feasible });
  return rowToCol.map((c) => (c === UNASSIGNED ? UNASSIGNED : colWorker[c]!));
}
