/**
 * The statistics of anomaly detection (docs/anomaly.md), pure and integer-only: the exact
 * one-sided binomial tail test and the quarter-octave latency histogram a tier's median comes from.
 */

/** Denominator of a rate in basis points. */
const BPS = 10_000n;
/** Denominator of the tail threshold: anomaly_tail_per_billion / 10⁹. */
export const TAIL_DENOMINATOR = 1_000_000_000n;

/**
 * True when P[X ≥ x | X ~ Binomial(n, p)] < thresholdPerBillion / 10⁹, p = pBps / 10⁴ — exact:
 * with a = pBps, b = 10⁴ − pBps, the tail is Σ_{k ≥ x} C(n,k)·a^k·b^(n−k) / 10⁴ⁿ, and every
 * term T_k = C(n,k)·a^k·b^(n−k) is an integer; T_{k+1} = T_k·(n−k)·a / ((k+1)·b) divides
 * exactly, so the sum is compared with 10⁴ⁿ·threshold with no rounding at all. Work: n − x + 1
 * terms of at most n·log2(10⁴) bits (n ≤ anomaly_window ≤ 1000). Needs 0 < pBps < 10⁴.
 */
export function binomialTailBelow(n: bigint, x: bigint, pBps: bigint, thresholdPerBillion: bigint): boolean {
  if (pBps <= 0n || pBps >= BPS) throw new Error(`honest rate ${pBps} bps must be in 1..9999`);
  if (x <= 0n) return false; // the tail is 1
  if (x > n) return true; // the tail is 0: an impossible count under the hypothesis
  const a = pBps;
  const b = BPS - pBps;
  // T_x = C(n,x)·a^x·b^(n−x), C(n,x) built by the exact running product.
  let choose = 1n;
  for (let k = 0n; k < x; k++) choose = (choose * (n - k)) / (k + 1n);
  let term = choose * a ** x * b ** (n - x);
  const bound = BPS ** n * thresholdPerBillion;
  let sum = 0n;
  for (let k = x; ; k++) {
    sum += term;
    // The tail can only grow: stop as soon as it reaches the bound.
    if (sum * TAIL_DENOMINATOR >= bound) return false;
    if (k === n) return true;
    term = (term * (n - k) * a) / ((k + 1n) * b);
  }
}

/** Per-unit latencies are capped here (2⁴⁰ milli-blocks per unit); larger ones share the last bucket. */
const MAX_BITS = 40;
/** Quarter-octave buckets: 4 equal-width ones per power of two, plus bucket 0 for values 0..3. */
export const LATENCY_BUCKETS = 4 * MAX_BITS;

/** Milli-blocks per unit: assign→commit latency scaled by 1000, divided by the task's units (≥ 1). */
export function perUnitLatency(latencyBlocks: bigint, units: bigint): bigint {
  return (latencyBlocks * 1000n) / (units > 0n ? units : 1n);
}

/** Bit length of a non-negative bigint. */
function bitLength(v: bigint): number {
  return v === 0n ? 0 : v.toString(2).length;
}

/**
 * Bucket of a per-unit latency: 4·(bitlen − 3) + 1 + the two bits after the leading one, i.e.
 * [m·2^j, (m+1)·2^j) for m in 4..7, so a bucket's upper edge is at most 5/4 of any value in it
 * (values 0..3 share bucket 0). Monotone in v.
 */
export function latencyBucket(v: bigint): number {
  const capped = v >= 1n << BigInt(MAX_BITS) ? (1n << BigInt(MAX_BITS)) - 1n : v;
  const len = bitLength(capped);
  if (len <= 2) return 0;
  const sub = Number((capped >> BigInt(len - 3)) & 3n);
  return 4 * (len - 3) + 1 + sub;
}

/** The smallest value above bucket `i` (its exclusive upper edge): every value in it is below this. */
export function bucketUpperEdge(i: number): bigint {
  if (i === 0) return 4n;
  const len = Math.floor((i - 1) / 4) + 3;
  const sub = BigInt((i - 1) % 4);
  // Values with bit length `len` whose top three bits are 1‖sub: below (4 + sub + 1) << (len − 3).
  return (4n + sub + 1n) << BigInt(len - 3);
}

/**
 * The exclusive upper edge of the bucket holding the median sample (the ⌈total/2⌉-th smallest):
 * above the true median and at most 5/4 of it, so "slower than f × this" never calls a
 * sample slow that is not slower than f × the true median. O(LATENCY_BUCKETS).
 */
export function medianUpperEdge(counts: readonly bigint[], total: bigint): bigint {
  const rank = (total + 1n) / 2n;
  let seen = 0n;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i]!;
    if (seen >= rank) return bucketUpperEdge(i);
  }
  return bucketUpperEdge(LATENCY_BUCKETS - 1);
}
