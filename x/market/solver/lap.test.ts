import { describe, expect, it } from "vitest";
import { costMatrixFromRows, MAX_ABS_COST, MAX_SOLVER_SIDE, solveAssignment, UNASSIGNED, type Assignment, type CostMatrix } from "./lap.js";

/** mulberry32: a small seeded PRNG so every run sees the same matrices. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface RandomSpec {
  rows: number;
  cols: number;
  lo: number;
  hi: number;
  /** Probability that a pair is excluded. */
  excluded: number;
}

function randomMatrix(rand: () => number, spec: RandomSpec): CostMatrix {
  const { rows, cols, lo, hi, excluded } = spec;
  const costs = new Float64Array(rows * cols);
  const feasible = new Uint8Array(rows * cols);
  for (let i = 0; i < rows * cols; i++) {
    costs[i] = lo + Math.floor(rand() * (hi - lo + 1));
    feasible[i] = rand() < excluded ? 0 : 1;
  }
  return excluded > 0 ? { rows, cols, costs, feasible } : { rows, cols, costs };
}

/** Exhaustive optimum: max cardinality first, then min cost (DP over used-column subsets). */
function bruteForce(m: CostMatrix): { count: number; cost: number } {
  const allowed = (r: number, c: number) => m.feasible === undefined || m.feasible[r * m.cols + c] !== 0;
  let layer = new Map<number, { count: number; cost: number }>([[0, { count: 0, cost: 0 }]]);
  const better = (a: { count: number; cost: number }, b: { count: number; cost: number } | undefined) =>
    b === undefined || a.count > b.count || (a.count === b.count && a.cost < b.cost);
  for (let r = 0; r < m.rows; r++) {
    const nextLayer = new Map<number, { count: number; cost: number }>();
    for (const [mask, best] of layer) {
      if (better(best, nextLayer.get(mask))) nextLayer.set(mask, best);
      for (let c = 0; c < m.cols; c++) {
        if (mask & (1 << c) || !allowed(r, c)) continue;
        const cand = { count: best.count + 1, cost: best.cost + m.costs[r * m.cols + c]! };
        if (better(cand, nextLayer.get(mask | (1 << c)))) nextLayer.set(mask | (1 << c), cand);
      }
    }
    layer = nextLayer;
  }
  let result = { count: 0, cost: 0 };
  for (const v of layer.values()) if (better(v, result)) result = v;
  return result;
}

/** Structural checks every result must pass: a consistent matching over allowed pairs. */
function expectValid(m: CostMatrix, a: Assignment): void {
  expect(a.rowToCol.length).toBe(m.rows);
  expect(a.colToRow.length).toBe(m.cols);
  let count = 0;
  let cost = 0;
  for (let r = 0; r < m.rows; r++) {
    const c = a.rowToCol[r]!;
    if (c === UNASSIGNED) continue;
    expect(a.colToRow[c]).toBe(r);
    expect(m.feasible === undefined || m.feasible[r * m.cols + c] !== 0).toBe(true);
    count++;
    cost += m.costs[r * m.cols + c]!;
  }
  expect(a.colToRow.filter((r) => r !== UNASSIGNED).length).toBe(count);
  expect(a.count).toBe(count);
  expect(a.totalCost).toBe(cost);
}

function expectOptimal(m: CostMatrix): Assignment {
  const a = solveAssignment(m);
  expectValid(m, a);
  const best = bruteForce(m);
  expect({ count: a.count, cost: a.totalCost }).toEqual(best);
  return a;
}

describe("solveAssignment vs brute force", () => {
  const rand = prng(20240601);
  const shapes: Array<[number, number]> = [];
  for (let rows = 1; rows <= 8; rows++) for (let cols = 1; cols <= 8; cols++) shapes.push([rows, cols]);

  it("matches the optimum on dense random matrices (square and rectangular)", () => {
    for (const [rows, cols] of shapes) for (let t = 0; t < 6; t++) expectOptimal(randomMatrix(rand, { rows, cols, lo: 1, hi: 1000, excluded: 0 }));
  });

  it("matches max cardinality then min cost with random excluded pairs", () => {
    for (const excluded of [0.2, 0.5, 0.8]) {
      for (const [rows, cols] of shapes) for (let t = 0; t < 5; t++) expectOptimal(randomMatrix(rand, { rows, cols, lo: 1, hi: 1000, excluded }));
    }
  });

  it("handles negative costs and many ties", () => {
    for (const [rows, cols] of shapes) {
      expectOptimal(randomMatrix(rand, { rows, cols, lo: -1000, hi: 1000, excluded: 0.3 }));
      expectOptimal(randomMatrix(rand, { rows, cols, lo: -2, hi: 2, excluded: 0 }));
      expectOptimal(randomMatrix(rand, { rows, cols, lo: 0, hi: 1, excluded: 0.4 }));
    }
  });

  it("handles costs at the ±2^40 bound exactly", () => {
    for (let t = 0; t < 40; t++) {
      const m = randomMatrix(rand, { rows: 6, cols: 7, lo: 0, hi: 1, excluded: 0.2 });
      for (let i = 0; i < m.costs.length; i++) m.costs[i] = m.costs[i] === 0 ? -MAX_ABS_COST : MAX_ABS_COST - i;
      expectOptimal(m);
    }
  });

  it("prefers more assignments over cheaper ones (drops the costly row, not the sole-option one)", () => {
    // Row 0 can only take col 0 (cost 100); row 1 only col 0 too (cost 1): cardinality 1, cost 1.
    expect(expectOptimal(costMatrixFromRows([[100, null], [1, null]])).rowToCol).toEqual(Int32Array.from([UNASSIGNED, 0]));
    // Both rows fit only when row 0 takes the expensive column.
    expect(expectOptimal(costMatrixFromRows([[1, 50], [1, null]])).rowToCol).toEqual(Int32Array.from([1, 0]));
  });
});

describe("edge cases", () => {
  it("leaves all-excluded rows and columns unassigned", () => {
    const a = expectOptimal(costMatrixFromRows([[null, null, null], [3, null, 1], [null, null, null], [2, null, 5]]));
    expect(a.rowToCol[0]).toBe(UNASSIGNED);
    expect(a.rowToCol[2]).toBe(UNASSIGNED);
    expect(a.colToRow[1]).toBe(UNASSIGNED);
    expect(a.count).toBe(2);
  });

  it("solves 1×1, and 0×n / n×0 give empty assignments", () => {
    expect(solveAssignment(costMatrixFromRows([[-7]]))).toMatchObject({ count: 1, totalCost: -7 });
    expect(solveAssignment(costMatrixFromRows([[null]]))).toMatchObject({ count: 0, totalCost: 0 });
    for (const [rows, cols] of [[0, 5], [5, 0], [0, 0]] as const) {
      const a = solveAssignment({ rows, cols, costs: new Float64Array(0) });
      expect(a).toMatchObject({ count: 0, totalCost: 0 });
      expect(Array.from(a.rowToCol)).toEqual(new Array(rows).fill(UNASSIGNED));
      expect(Array.from(a.colToRow)).toEqual(new Array(cols).fill(UNASSIGNED));
    }
  });

  it("throws when the exactness bounds are violated", () => {
    const one = (value: number) => ({ rows: 1, cols: 2, costs: Float64Array.from([0, value]) });
    for (const bad of [MAX_ABS_COST + 1, -MAX_ABS_COST - 1, 1.5, Number.NaN, Infinity]) {
      expect(() => solveAssignment(one(bad))).toThrow(/not an integer within ±2\^40/);
    }
    expect(solveAssignment(one(MAX_ABS_COST)).totalCost).toBe(0);
    // An excluded pair's value is ignored.
    expect(solveAssignment({ ...one(Number.NaN), feasible: Uint8Array.from([1, 0]) }).count).toBe(1);
    const side = MAX_SOLVER_SIDE + 1;
    expect(() => solveAssignment({ rows: side, cols: side, costs: new Float64Array(side * side) })).toThrow(/exactness bound/);
    expect(() => solveAssignment({ rows: 2, cols: 2, costs: new Float64Array(3) })).toThrow(/expected 4/);
    expect(() => solveAssignment({ rows: 1, cols: 1, costs: new Float64Array(1), feasible: new Uint8Array(2) })).toThrow(/expected 1/);
  });
});

describe("determinism and tie-break rule", () => {
  it("returns identical output on repeated runs and on copies of the input", () => {
    const rand = prng(7);
    for (const spec of [
      { rows: 60, cols: 60, lo: 0, hi: 3, excluded: 0 },
      { rows: 40, cols: 70, lo: 0, hi: 2, excluded: 0.3 },
      { rows: 70, cols: 40, lo: 5, hi: 5, excluded: 0.5 },
      { rows: 120, cols: 120, lo: 1, hi: 1_000_000, excluded: 0 },
    ]) {
      const m = randomMatrix(rand, spec);
      const first = solveAssignment(m);
      for (let run = 0; run < 3; run++) {
        const copy: CostMatrix = { ...m, costs: m.costs.slice(), ...(m.feasible ? { feasible: m.feasible.slice() } : {}) };
        expect(solveAssignment(copy)).toEqual(first);
      }
    }
  });

  it("gives the lowest row the lowest column when everything ties", () => {
    const constant = (rows: number, cols: number) => ({ rows, cols, costs: new Float64Array(rows * cols).fill(9) });
    expect(Array.from(solveAssignment(constant(4, 4)).rowToCol)).toEqual([0, 1, 2, 3]);
    expect(Array.from(solveAssignment(constant(3, 5)).rowToCol)).toEqual([0, 1, 2]);
    expect(Array.from(solveAssignment(constant(5, 3)).rowToCol)).toEqual([0, 1, 2, UNASSIGNED, UNASSIGNED]);
    // (2,2) excluded: greedy seats rows 0, 1 on cols 0, 1; row 2's path search settles col 0
    // (lowest of two tied occupied columns), then free col 2 before occupied col 1, so row 0
    // moves to col 2 and row 2 takes col 0.
    const masked = { ...constant(3, 3), feasible: Uint8Array.from([1, 1, 1, 1, 1, 1, 1, 1, 0]) };
    expect(Array.from(solveAssignment(masked).rowToCol)).toEqual([2, 1, 0]);
  });

  it("is optimal on larger random problems against a reference value from a second orientation", () => {
    // The transpose has the same optimum; solving both exercises both orientations.
    const rand = prng(99);
    for (const [rows, cols, excluded] of [[150, 150, 0], [90, 160, 0.4], [160, 90, 0.7]] as const) {
      const m = randomMatrix(rand, { rows, cols, lo: -500, hi: 100_000, excluded });
      const t: CostMatrix = { rows: cols, cols: rows, costs: new Float64Array(rows * cols), feasible: new Uint8Array(rows * cols) };
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < cols; c++) {
          t.costs[c * rows + r] = m.costs[r * cols + c]!;
          t.feasible![c * rows + r] = m.feasible === undefined ? 1 : m.feasible[r * cols + c]!;
        }
      }
      const a = solveAssignment(m);
      const b = solveAssignment(t);
      expectValid(m, a);
      expectValid(t, b);
      expect({ count: a.count, cost: a.totalCost }).toEqual({ count: b.count, cost: b.totalCost });
    }
  });
});
