/**
 * The scheduler's per-block candidate index (scheduler.ts). A task's candidates are the workers
 * that fit its requirement shape, are priced ≤ its bid and are not blocked from it. The first
 * task of a shape finds them with one pass over the workers (scanCandidates); from the second
 * task of a shape on, the fitting workers are indexed in (price, index) order with prefix
 * counts, so each further task's candidates are counted, and its wait reason found, in
 * O(log W + |blocked|) instead of another pass. A queue of same-shape tasks that can never be
 * placed (priced below every fitting worker, or waiting on full or offline workers) then costs
 * a block a binary search per task, not tasks × workers; only an admitted task lists its
 * candidates, and a block admits at most its free capacity.
 */
import type { SchedulerTask, SchedulerWorker } from "./scheduler.js";

/** Untrusted workers serve a k = 1 task only when no trusted worker has room (x/attest then forces an audit). */
export function scanCandidates(fits: Uint8Array, task: SchedulerTask, workers: readonly SchedulerWorker[], room: readonly number[]): { candidates: number[]; usable: number } {
  let candidates: number[] = [];
  for (let i = 0; i < workers.length; i++) {
    const w = workers[i]!;
    if (fits[i] === 1 && w.price <= task.bid && (task.blocked.size === 0 || !task.blocked.has(w.operator))) candidates.push(i);
  }
  if (task.trustedOnly === true && candidates.some((i) => workers[i]!.trusted === true && room[i]! > 0)) candidates = candidates.filter((i) => workers[i]!.trusted === true);
  return { candidates, usable: candidates.filter((i) => room[i]! > 0).length };
}

export interface ShapeFit {
  /** fits[i] = 1 when worker i meets the shape's hardware requirement. */
  fits: Uint8Array;
  /** Fitting worker indices by (price, index). */
  order: Int32Array;
  /** prices[k] = price of worker order[k] (ascending). */
  prices: bigint[];
  /** Prefix counts over `order` (length + 1): trusted, with room, trusted with room. */
  trusted: Int32Array;
  usable: Int32Array;
  trustedUsable: Int32Array;
}

/** Worker indices by (price, index): computed once a block, filtered per shape. */
export function indicesByPrice(workers: readonly SchedulerWorker[]): Int32Array {
  const order = Int32Array.from(workers.keys());
  return order.sort((a, b) => {
    const pa = workers[a]!.price;
    const pb = workers[b]!.price;
    return pa < pb ? -1 : pa > pb ? 1 : a - b;
  });
}

/** Indexes the workers `fits` marks, in `byPrice` order. */
export function shapeFit(workers: readonly SchedulerWorker[], byPrice: Int32Array, room: readonly number[], fits: Uint8Array): ShapeFit {
  const fitting: number[] = [];
  for (const i of byPrice) if (fits[i] === 1) fitting.push(i);
  const n = fitting.length;
  const trusted = new Int32Array(n + 1);
  const usable = new Int32Array(n + 1);
  const trustedUsable = new Int32Array(n + 1);
  fitting.forEach((i, k) => {
    const t = workers[i]!.trusted === true ? 1 : 0;
    const u = room[i]! > 0 ? 1 : 0;
    trusted[k + 1] = trusted[k]! + t;
    usable[k + 1] = usable[k]! + u;
    trustedUsable[k + 1] = trustedUsable[k]! + t * u;
  });
  return { fits, order: Int32Array.from(fitting), prices: fitting.map((i) => workers[i]!.price), trusted, usable, trustedUsable };
}

/** Number of prices ≤ bid (prices ascending). */
function countAtMost(prices: readonly bigint[], bid: bigint): number {
  let lo = 0;
  let hi = prices.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (prices[mid]! <= bid) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface CandidateCounts {
  /** Candidates after the trusted-only filter. */
  count: number;
  /** Of those, with room this block. */
  usable: number;
  /** Adaptive replication kept only trusted candidates (a trusted one has room). */
  trustedOnly: boolean;
  /** Fitting workers priced ≤ the bid: order[0, within) holds every candidate. */
  within: number;
}

/**
 * What the planner's scan would find for `task`: candidates are the fitting workers priced ≤ its
 * bid and not blocked; a trusted-only task keeps the trusted ones when one of them has room.
 */
export function countCandidates(fit: ShapeFit, task: SchedulerTask, workers: readonly SchedulerWorker[], room: readonly number[], indexOf: (operator: string) => number | undefined): CandidateCounts {
  const within = countAtMost(fit.prices, task.bid);
  let all = within;
  let trusted = fit.trusted[within]!;
  let usable = fit.usable[within]!;
  let trustedUsable = fit.trustedUsable[within]!;
  for (const operator of task.blocked) {
    const i = indexOf(operator);
    if (i === undefined || fit.fits[i] !== 1 || workers[i]!.price > task.bid) continue;
    const t = workers[i]!.trusted === true;
    const u = room[i]! > 0;
    all -= 1;
    if (t) trusted -= 1;
    if (u) usable -= 1;
    if (t && u) trustedUsable -= 1;
  }
  if (task.trustedOnly === true && trustedUsable > 0) return { count: trusted, usable: trustedUsable, trustedOnly: true, within };
  return { count: all, usable, trustedOnly: false, within };
}

/** The candidates `countCandidates` counted, listed (for a task the block admits). */
export function listCandidates(fit: ShapeFit, counts: CandidateCounts, task: SchedulerTask, workers: readonly SchedulerWorker[]): number[] {
  const out: number[] = [];
  for (let k = 0; k < counts.within; k++) {
    const i = fit.order[k]!;
    const w = workers[i]!;
    if (task.blocked.size > 0 && task.blocked.has(w.operator)) continue;
    if (counts.trustedOnly && w.trusted !== true) continue;
    out.push(i);
  }
  return out;
}
