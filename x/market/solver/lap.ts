/**
 * Min-cost rectangular linear assignment (tasks × workers) for the FinalizeBlock scheduler:
 * Jonker–Volgenant augmenting row reduction, then shortest augmenting paths with potentials.
 *
 * Consensus contract: the result is a pure function of the input — no randomness, clock, or
 * Map/Set iteration. Costs are integers held in a Float64Array (Int32 cannot hold ±2^40;
 * bigint would be several times slower). Every finite value the solver computes is an
 * integer of magnitude < 2^53, so every `+`/`-` is exact, and ECMAScript's bit-exact IEEE-754
 * binary64 (no fused or extended precision) makes the run identical on every machine.
 *
 * Why < 2^53. C = MAX_ABS_COST = 2^40; k = min(rows, cols) ≤ MAX_SOLVER_SIDE augmentations.
 * Column potentials v start at 0, only fall, and stay 0 on free columns; a matched row's
 * potential is u = w(row, its column) − v(its column); w − u − v ≥ 0 on every allowed pair.
 *  (A) No excluded pair (raw costs, w ∈ [−C, C]): while a column is free every matched row may
 *      take it, so u ≤ C and v ≥ −2C; a search's distances are ≤ the direct edge to a free
 *      column ≤ C, and every relaxed value lies in [−3C, 5C].
 *  (B) Exclusions (each line shifted to minimum 0, w ∈ [0, C'], C' = 2C): bidding stops once a
 *      v falls below V_FLOOR = −16·C', leaving v ≥ V0 = −33·C'. An augmentation lowers a v by
 *      at most its path length; the lengths telescope to final − initial cost ≤ k·C'. So
 *      |v| ≤ 33·C' + k·C', u ≤ 34·C' + k·C', and a relaxed value (d − u) + (w − v) stays within
 *      (2k + 34)·C' ≤ 4034·2^41 < 2^53.
 * +Infinity marks excluded pairs; it only meets comparisons and `Infinity − finite`.
 *
 * Tie-break rule: among minimal candidates the lowest column index wins, and rows are visited
 * in ascending index. Precisely: a greedy start gives each row, ascending, the lowest-index
 * free column of least reduced cost; bidding takes free rows in ascending index (a row evicted by
 * a strictly higher bid re-bids at once, one evicted on a tie waits for the next pass) and
 * each bids for its cheapest column (lowest index; on a tie with an occupied column, its
 * second-cheapest); each row still free then gets a shortest augmenting path (ascending row
 * order), settling columns by least distance, a free column before an occupied one, then the
 * lowest index.
 */

/** Largest accepted |cost| (2^40): worker price × units + penalties fit comfortably. */
export const MAX_ABS_COST = 2 ** 40;
/** Largest accepted min(rows, cols): the number of augmentations k in the bound above. */
export const MAX_SOLVER_SIDE = 2000;
/** Value of `rowToCol[r]` / `colToRow[c]` for an unassigned row / column. */
export const UNASSIGNED = -1;
/** `null` entries in `costMatrixFromRows` input mark excluded pairs. */
export const INFEASIBLE = null;

/**
 * Dense row-major cost matrix. `costs[r * cols + c]` is the integer cost of giving row r
 * (a task) to column c (a worker). `feasible`, when present, has the same layout: 0 marks
 * an excluded pair (its cost is then ignored), anything else an allowed one. Typed arrays
 * keep the hot loops monomorphic and unboxed; the solver never writes to either array.
 */
export interface CostMatrix {
  rows: number;
  cols: number;
  costs: Float64Array;
  feasible?: Uint8Array;
}

export interface Assignment {
  /** Column per row, or UNASSIGNED. */
  rowToCol: Int32Array;
  /** Row per column, or UNASSIGNED. */
  colToRow: Int32Array;
  /** Sum of the assigned pairs' costs (exact integer). */
  totalCost: number;
  /** Number of assigned pairs: always the maximum possible. */
  count: number;
}

/** Builds a CostMatrix from nested rows; `INFEASIBLE` (null) marks an excluded pair. */
export function costMatrixFromRows(table: readonly (readonly (number | null)[])[], cols = table[0]?.length ?? 0): CostMatrix {
  const rows = table.length;
  const costs = new Float64Array(rows * cols);
  const feasible = new Uint8Array(rows * cols);
  let anyExcluded = false;
  for (let r = 0; r < rows; r++) {
    const row = table[r]!;
    if (row.length !== cols) throw new Error(`lap: row ${r} has ${row.length} entries, expected ${cols}`);
    for (let c = 0; c < cols; c++) {
      const value = row[c];
      if (value === null || value === undefined) anyExcluded = true;
      else {
        costs[r * cols + c] = value;
        feasible[r * cols + c] = 1;
      }
    }
  }
  return anyExcluded ? { rows, cols, costs, feasible } : { rows, cols, costs };
}

/**
 * Solves the assignment: among all assignments of maximum cardinality (excluded pairs never
 * used) returns one of minimum total cost, chosen by the documented tie-break rule.
 * Throws when the input violates the exactness bounds (see module comment).
 */
export function solveAssignment(matrix: CostMatrix): Assignment {
  validate(matrix);
  const { rows, cols } = matrix;
  const rowToCol = new Int32Array(rows).fill(UNASSIGNED);
  const colToRow = new Int32Array(cols).fill(UNASSIGNED);
  // The smaller side ("P") is augmented one element at a time into the larger side ("Q").
  const byRows = rows <= cols;
  const pAll = identity(byRows ? rows : cols);
  const qAll = identity(byRows ? cols : rows);
  const first = solveSaturating(matrix, byRows, pAll, qAll);
  if (first.failed === 0) {
    record(first, byRows, pAll, qAll, rowToCol, colToRow);
  } else {
    // Some P elements could not be placed, so which ones stay out matters for the cost. The
    // first pass still found a maximum matching; split the problem by it (see splitDeficient).
    for (const part of splitDeficient(matrix, byRows, first)) {
      const result = solveSaturating(matrix, part.byRows, part.p, part.q);
      if (result.failed !== 0) throw new Error("lap: internal error: sub-problem not saturable");
      record(result, part.byRows, part.p, part.q, rowToCol, colToRow);
    }
  }
  let totalCost = 0;
  let count = 0;
  for (let r = 0; r < rows; r++) {
    const c = rowToCol[r]!;
    if (c === UNASSIGNED) continue;
    totalCost += matrix.costs[r * cols + c]!;
    count++;
  }
  return { rowToCol, colToRow, totalCost, count };
}

function validate(matrix: CostMatrix): void {
  const { rows, cols, costs, feasible } = matrix;
  if (!Number.isSafeInteger(rows) || !Number.isSafeInteger(cols) || rows < 0 || cols < 0) {
    throw new Error(`lap: invalid dimensions ${rows}×${cols}`);
  }
  if (Math.min(rows, cols) > MAX_SOLVER_SIDE) {
    throw new Error(`lap: ${rows}×${cols} exceeds the exactness bound min(rows, cols) ≤ ${MAX_SOLVER_SIDE}`);
  }
  if (costs.length !== rows * cols) throw new Error(`lap: costs has ${costs.length} entries, expected ${rows * cols}`);
  if (feasible !== undefined && feasible.length !== rows * cols) {
    throw new Error(`lap: feasible has ${feasible.length} entries, expected ${rows * cols}`);
  }
  for (let i = 0; i < costs.length; i++) {
    const c = costs[i]!;
    // Number.isInteger also rejects NaN and ±Infinity.
    if (Number.isInteger(c) && c <= MAX_ABS_COST && c >= -MAX_ABS_COST) continue;
    if (feasible !== undefined && feasible[i] === 0) continue; // excluded: value ignored
    const row = Math.floor(i / cols);
    throw new Error(`lap: cost at row ${row}, col ${i - row * cols} is ${c}, not an integer within ±2^40`);
  }
}

function identity(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

/** A solved (sub)problem in local indices: pToQ[i] is a local Q index or UNASSIGNED. */
interface LocalResult {
  pToQ: Int32Array;
  qToP: Int32Array;
  /** Number of P elements the pass could not place. */
  failed: number;
}

/** Copies local results back into the global row/column arrays. */
function record(result: LocalResult, byRows: boolean, p: Int32Array, q: Int32Array, rowToCol: Int32Array, colToRow: Int32Array): void {
  for (let i = 0; i < p.length; i++) {
    const j = result.pToQ[i]!;
    if (j === UNASSIGNED) continue;
    const row = byRows ? p[i]! : q[j]!;
    const col = byRows ? q[j]! : p[i]!;
    rowToCol[row] = col;
    colToRow[col] = row;
  }
}

/**
 * Min-cost assignment of every element of P (indices into rows when byRows, else into columns)
 * into Q, when such a saturating assignment exists; otherwise places as many as it can
 * (a maximum matching, by Kuhn's lemma: an element with no augmenting path never gets one
 * later) and reports the rest in `failed`.
 */
function solveSaturating(matrix: CostMatrix, byRows: boolean, p: Int32Array, q: Int32Array): LocalResult {
  const k = p.length;
  const m = q.length;
  const pToQ = new Int32Array(k).fill(UNASSIGNED);
  const qToP = new Int32Array(m).fill(UNASSIGNED);
  if (k === 0 || m === 0) return { pToQ, qToP, failed: k };
  const w = workingCosts(matrix, byRows, p, q);
  const v = new Float64Array(m);
  if (k === m && w === matrix.costs) doubleReduction(w, k, v);
  greedyStart(w, k, m, v, pToQ, qToP);
  augmentingRowReduction(w, k, m, v, pToQ, qToP);
  const failed = shortestAugmentingPaths(w, k, m, v, pToQ, qToP);
  return { pToQ, qToP, failed };
}

/**
 * The k×m working matrix, P-major. The whole problem of a rows ≤ cols matrix without a mask
 * is used in place (case A of the bound). Otherwise entries are gathered into a scratch
 * buffer with +Infinity where excluded; if any are excluded each P line is shifted to minimum
 * 0 (case B: entries in [0, 2^41]), which does not change the optimum because every P
 * element is placed exactly once.
 */
function workingCosts(matrix: CostMatrix, byRows: boolean, p: Int32Array, q: Int32Array): Float64Array {
  const { rows, cols, costs, feasible } = matrix;
  const k = p.length;
  const m = q.length;
  if (feasible === undefined && byRows && k === rows && m === cols) return costs; // p, q are identities here
  const w = scratchMatrix(k * m);
  const strideP = byRows ? cols : 1;
  const strideQ = byRows ? 1 : cols;
  let excluded = false;
  for (let i = 0; i < k; i++) {
    const src = p[i]! * strideP;
    const dst = i * m;
    for (let j = 0; j < m; j++) w[dst + j] = costs[src + q[j]! * strideQ]!;
    if (feasible === undefined) continue;
    for (let j = 0; j < m; j++) {
      if (feasible[src + q[j]! * strideQ] !== 0) continue;
      w[dst + j] = Infinity;
      excluded = true;
    }
  }
  if (!excluded) return w;
  for (let dst = 0; dst < k * m; dst += m) {
    let min = Infinity;
    for (let j = dst; j < dst + m; j++) if (w[j]! < min) min = w[j]!;
    if (min !== Infinity) for (let j = dst; j < dst + m; j++) w[j] = w[j]! - min;
  }
  return w;
}

/**
 * Working matrices live in one retained buffer: a fresh multi-megabyte allocation per block
 * costs more (page faults, GC) than the copy itself. Every entry a solve reads is written
 * first in that solve, so results never depend on earlier contents. Larger problems get a
 * fresh array that is not retained.
 */
const SCRATCH_RETAIN_ENTRIES = 1 << 22; // 32 MiB
let scratch = new Float64Array(0);

function scratchMatrix(entries: number): Float64Array {
  if (entries > SCRATCH_RETAIN_ENTRIES) return new Float64Array(entries);
  if (scratch.length < entries) scratch = new Float64Array(Math.max(entries, Math.min(2 * scratch.length, SCRATCH_RETAIN_ENTRIES)));
  return scratch.subarray(0, entries);
}

/**
 * Row-then-column reduction for a square problem without exclusions (case A): v_j starts at
 * min_i (w_ij − min_j' w_ij'): the Hungarian double reduction, kept as potentials rather
 * than written into a copy. Only square: afterwards free columns need not have v = 0,
 * which would break the rectangular optimality certificate but not a perfect matching's.
 * Bound: v starts in [0, 2C], so u ∈ [−3C, C], v ≥ −2C and relaxed values stay within ±7C.
 */
function doubleReduction(w: Float64Array, n: number, v: Float64Array): void {
  v.fill(Infinity);
  for (let base = 0; base < n * n; base += n) {
    let min = Infinity;
    for (let j = base; j < base + n; j++) if (w[j]! < min) min = w[j]!;
    for (let j = 0; j < n; j++) if (w[base + j]! - min < v[j]!) v[j] = w[base + j]! - min;
  }
}

/**
 * Greedy start: each row, ascending, takes the lowest-index free column among those of least
 * reduced cost w − v (its implicit potential), if one is free. Keeps dual feasibility.
 */
function greedyStart(w: Float64Array, k: number, m: number, v: Float64Array, pToQ: Int32Array, qToP: Int32Array): void {
  for (let base = 0, i = 0; i < k; i++, base += m) {
    let min = Infinity;
    for (let j = 0; j < m; j++) if (w[base + j]! - v[j]! < min) min = w[base + j]! - v[j]!;
    if (min === Infinity) continue;
    for (let j = 0; j < m; j++) {
      if (qToP[j] !== UNASSIGNED || w[base + j]! - v[j]! !== min) continue;
      pToQ[i] = j;
      qToP[j] = i;
      break;
    }
  }
}

/** Bidding passes and total bids per row; the cap bounds a crafted matrix's cost. */
const ARR_PASSES = 2;
const ARR_BIDS_PER_ROW = 8;
/** Bidding stops once a column potential falls below this (case B of the bound). */
const V_FLOOR = -16 * 2 * MAX_ABS_COST;

/**
 * Jonker–Volgenant augmenting row reduction. A free row bids for its cheapest column j1 and
 * lowers v[j1] until its second-cheapest column ties, evicting j1's holder, who bids in turn.
 * One scan per bid, and it places most rows of a dense problem; dual feasibility is kept, so
 * whatever it leaves free is finished exactly by shortestAugmentingPaths.
 */
function augmentingRowReduction(w: Float64Array, k: number, m: number, v: Float64Array, pToQ: Int32Array, qToP: Int32Array): void {
  let free = new Int32Array(k);
  let next = new Int32Array(k);
  let freeLen = 0;
  for (let i = 0; i < k; i++) if (pToQ[i] === UNASSIGNED) free[freeLen++] = i;
  let budget = ARR_BIDS_PER_ROW * k;
  for (let pass = 0; pass < ARR_PASSES && freeLen > 0 && budget > 0; pass++) {
    let nextLen = 0;
    let at = 0;
    while (at < freeLen) {
      const i = free[at++]!;
      if (budget <= 0) {
        next[nextLen++] = i; // out of budget: the rest go straight to the path search
        continue;
      }
      budget--;
      const base = i * m;
      let u1 = Infinity;
      let u2 = Infinity;
      let j1 = -1;
      let j2 = -1;
      for (let j = 0; j < m; j++) {
        const h = w[base + j]! - v[j]!;
        if (h < u2) {
          if (h < u1) {
            u2 = u1;
            j2 = j1;
            u1 = h;
            j1 = j;
          } else {
            u2 = h;
            j2 = j;
          }
        }
      }
      if (j1 < 0) continue; // no allowed column at all: stays free, the path search reports it
      let i0 = qToP[j1]!;
      const raise = u2 - u1; // +Infinity when j1 is the row's only allowed column
      if (raise > 0 && raise !== Infinity) {
        v[j1] = v[j1]! - raise;
        if (v[j1]! < V_FLOOR) budget = 0; // keep the case-B bound: no further bidding
      } else if (raise === 0 && i0 !== UNASSIGNED) {
        j1 = j2; // tie: take the equally cheap second column rather than evict for nothing
        i0 = qToP[j1]!;
      }
      pToQ[i] = j1;
      qToP[j1] = i;
      if (i0 === UNASSIGNED) continue;
      pToQ[i0] = UNASSIGNED;
      if (raise > 0 && raise !== Infinity) free[--at] = i0;
      else next[nextLen++] = i0;
    }
    [free, next] = [next, free];
    freeLen = nextLen;
  }
}

/**
 * Shortest augmenting paths (Dijkstra on reduced costs) for every row still free, ascending.
 * Implicit row potential u_r = w[r][pToQ[r]] − v[pToQ[r]]; the free row's own is taken as 0.
 * Every allowed reduced cost of a matched row stays ≥ 0 and matched pairs stay at 0, with
 * v ≤ 0 and v = 0 on free columns: this certifies that the matching is min-cost among those
 * covering the same rows. Returns the number of rows with no augmenting path.
 */
function shortestAugmentingPaths(w: Float64Array, k: number, m: number, v: Float64Array, pToQ: Int32Array, qToP: Int32Array): number {
  const dist = new Float64Array(m);
  const pred = new Int32Array(m);
  const todo = new Int32Array(m); // unsettled columns (order irrelevant: ties compare indices)
  const settled = new Int32Array(m);
  let failed = 0;
  for (let start = 0; start < k; start++) {
    if (pToQ[start] !== UNASSIGNED) continue;
    let base = start * m;
    let best = Infinity;
    let next = -1;
    let nextAt = -1;
    for (let j = 0; j < m; j++) {
      const d = w[base + j]! - v[j]!;
      dist[j] = d;
      pred[j] = start;
      todo[j] = j;
      if (d < best || (d === best && next >= 0 && settlesFirst(qToP, j, next))) {
        best = d;
        next = j;
        nextAt = j;
      }
    }
    let todoLen = m;
    let settledLen = 0;
    let sink = -1;
    while (next >= 0) {
      const col = next;
      todo[nextAt] = todo[--todoLen]!;
      settled[settledLen++] = col;
      const row = qToP[col]!;
      if (row < 0) {
        sink = col;
        break;
      }
      // Relax every unsettled column through `row` (reached via its matched column `col`)
      // and pick the next column to settle, in one pass.
      base = row * m;
      const offset = dist[col]! - w[base + col]! + v[col]!; // = dist(col) − u_row
      best = Infinity;
      next = -1;
      for (let t = 0; t < todoLen; t++) {
        const j = todo[t]!;
        let d = dist[j]!;
        const through = offset + w[base + j]! - v[j]!;
        if (through < d) {
          d = through;
          dist[j] = d;
          pred[j] = row;
        }
        if (d < best || (d === best && next >= 0 && settlesFirst(qToP, j, next))) {
          best = d;
          next = j;
          nextAt = t;
        }
      }
    }
    if (sink < 0) {
      failed++; // no augmenting path: duals untouched, the row stays out
      continue;
    }
    const total = dist[sink]!;
    for (let s = 0; s < settledLen; s++) {
      const j = settled[s]!;
      v[j] = v[j]! + dist[j]! - total;
    }
    for (let j = sink; ; ) {
      const row = pred[j]!;
      const prev = pToQ[row]!;
      pToQ[row] = j;
      qToP[j] = row;
      if (row === start) break;
      j = prev;
    }
  }
  return failed;
}

/** Tie-break between two columns at equal distance: a free one first, then the lower index. */
function settlesFirst(qToP: Int32Array, j: number, current: number): boolean {
  const jFree = qToP[j]! < 0;
  return jFree !== qToP[current]! < 0 ? jFree : j < current;
}

/** One saturating sub-problem produced by splitDeficient. */
interface Part {
  byRows: boolean;
  p: Int32Array;
  q: Int32Array;
}

/**
 * Given a maximum matching that leaves some P elements out, splits the problem in two
 * independent saturating ones (the Gallai–Edmonds / Dulmage–Mendelsohn argument):
 * D = P elements reachable from an unplaced one by alternating paths, A = their allowed
 * partners (all matched into D, else an augmenting path would exist). Every maximum
 * matching covers all of A from D and all of P \ D from Q \ A, and any such pair of
 * matchings is maximum, so the min-cost maximum matching is the union of
 *   (1) P \ D saturated into Q \ A, and (2) A saturated into D (A is the smaller side).
 */
function splitDeficient(matrix: CostMatrix, byRows: boolean, first: LocalResult): Part[] {
  const { cols, feasible } = matrix;
  const k = first.pToQ.length;
  const m = first.qToP.length;
  const inD = new Uint8Array(k);
  const inA = new Uint8Array(m);
  const queue = new Int32Array(k);
  let head = 0;
  let tail = 0;
  for (let i = 0; i < k; i++) {
    if (first.pToQ[i] === UNASSIGNED) {
      inD[i] = 1;
      queue[tail++] = i;
    }
  }
  while (head < tail) {
    const i = queue[head++]!;
    for (let j = 0; j < m; j++) {
      if (inA[j] || (feasible !== undefined && feasible[byRows ? i * cols + j : j * cols + i] === 0)) continue;
      inA[j] = 1;
      const mate = first.qToP[j]!;
      if (mate === UNASSIGNED) throw new Error("lap: internal error: matching is not maximum");
      if (!inD[mate]) {
        inD[mate] = 1;
        queue[tail++] = mate;
      }
    }
  }
  const pick = (flags: Uint8Array, want: number): Int32Array => {
    const out: number[] = [];
    for (let i = 0; i < flags.length; i++) if (flags[i] === want) out.push(i);
    return Int32Array.from(out);
  };
  return [
    { byRows, p: pick(inD, 0), q: pick(inA, 0) },
    { byRows: !byRows, p: pick(inA, 1), q: pick(inD, 1) },
  ];
}
