/**
 * The anomaly test's integer math against independent references: the binomial tail as an
 * exact BigInt rational built from factorials (no shared code with binomialTailBelow), and the
 * histogram's buckets and median against brute force.
 */
import { describe, expect, it } from "vitest";
import { binomialTailBelow, bucketUpperEdge, LATENCY_BUCKETS, latencyBucket, medianUpperEdge } from "./anomaly-stats.js";

function factorial(n: bigint): bigint {
  let f = 1n;
  for (let i = 2n; i <= n; i++) f *= i;
  return f;
}

/** P[X ≥ x | n, p] as numerator / 10⁴ⁿ, each C(n,k) from factorials. */
function referenceTail(n: bigint, x: bigint, pBps: bigint): { num: bigint; den: bigint } {
  let num = 0n;
  for (let k = x < 0n ? 0n : x; k <= n; k++) num += (factorial(n) / (factorial(k) * factorial(n - k))) * pBps ** k * (10_000n - pBps) ** (n - k);
  return { num, den: 10_000n ** n };
}

const referenceBelow = (n: bigint, x: bigint, pBps: bigint, perBillion: bigint) => {
  const { num, den } = referenceTail(n, x, pBps);
  return num * 1_000_000_000n < den * perBillion;
};

describe("binomialTailBelow (exact one-sided binomial tail)", () => {
  it("agrees with the factorial reference on every (n, x) for n ≤ 60 at several rates and thresholds", () => {
    let checked = 0;
    for (const pBps of [1n, 200n, 500n, 1000n, 2000n, 5000n, 9999n]) {
      for (const perBillion of [1n, 1000n, 1_000_000n]) {
        for (let n = 1n; n <= 60n; n += 7n) {
          for (let x = 0n; x <= n + 1n; x++) {
            expect(binomialTailBelow(n, x, pBps, perBillion), `n=${n} x=${x} p=${pBps} t=${perBillion}`).toBe(referenceBelow(n, x, pBps, perBillion));
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it("flags exactly from the critical counts of docs/anomaly.md (tail < 10⁻⁶)", () => {
    // Smallest x with P[X ≥ x] < 10⁻⁶, computed independently (Python fractions) for the docs' table.
    const critical: [bigint, bigint, bigint][] = [
      [500n, 20n, 9n], [500n, 50n, 13n], [500n, 100n, 19n], [500n, 200n, 28n],
      [1000n, 20n, 11n], [1000n, 50n, 18n], [1000n, 100n, 28n], [1000n, 200n, 44n],
      [2000n, 20n, 15n], [2000n, 50n, 26n], [2000n, 100n, 42n], [2000n, 200n, 70n],
    ];
    for (const [pBps, n, x] of critical) {
      expect(binomialTailBelow(n, x, pBps, 1000n), `${x} of ${n} at ${pBps} bps`).toBe(true);
      expect(binomialTailBelow(n, x - 1n, pBps, 1000n), `${x - 1n} of ${n} at ${pBps} bps`).toBe(false);
      expect(referenceBelow(n, x, pBps, 1000n) && !referenceBelow(n, x - 1n, pBps, 1000n)).toBe(true);
    }
  });

  it("handles the window's largest n and refuses degenerate rates", () => {
    expect(binomialTailBelow(1000n, 100n, 500n, 1000n)).toBe(true);
    expect(binomialTailBelow(1000n, 60n, 500n, 1000n)).toBe(false);
    expect(() => binomialTailBelow(10n, 1n, 0n, 1000n)).toThrow(/1\.\.9999/);
    expect(() => binomialTailBelow(10n, 1n, 10_000n, 1000n)).toThrow(/1\.\.9999/);
  });
});

describe("latency histogram", () => {
  it("buckets are monotone, contiguous and each value lies below its bucket's upper edge", () => {
    let previous = 0;
    for (let v = 0n; v < 20_000n; v++) {
      const b = latencyBucket(v);
      expect(b === previous || b === previous + 1).toBe(true);
      expect(v < bucketUpperEdge(b)).toBe(true);
      if (b > 0) expect(v >= bucketUpperEdge(b - 1)).toBe(true);
      previous = b;
    }
    expect(latencyBucket(1n << 60n)).toBe(latencyBucket((1n << 40n) - 1n));
    expect(latencyBucket(1n << 60n)).toBeLessThan(LATENCY_BUCKETS);
  });

  it("the median edge is at least the true median and at most 5/4 of it", () => {
    let seed = 12345n;
    for (let trial = 0; trial < 50; trial++) {
      const values: bigint[] = [];
      for (let i = 0; i < 101; i++) {
        seed = (seed * 6364136223846793005n + 1442695040888963407n) % (1n << 64n);
        values.push(10n + (seed >> 40n) % 50_000n);
      }
      const counts = Array<bigint>(LATENCY_BUCKETS).fill(0n);
      for (const v of values) counts[latencyBucket(v)]! += 1n;
      const median = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))[50]!;
      const edge = medianUpperEdge(counts, BigInt(values.length));
      expect(edge > median).toBe(true);
      // A bucket [m·2^j, (m+1)·2^j) with m ≥ 4: its upper edge is at most 5/4 of any value in it.
      expect(edge * 4n <= median * 5n).toBe(true);
    }
  });
});
