/**
 * Deterministic randomness for audit draws and committee sampling. The only entropy is a
 * block's randomness beacon (app/beacon.ts), which did not exist when the workers committed
 * (docs/proof-of-sync.md says which beacon seeds which draw); everything else is integer
 * math on it, identical on every node.
 */
import { sha256 } from "../../crypto/hash.js";

const BPS = 10_000n;
const U64 = 1n << 64n;

/** sha256 in counter mode: block i = sha256(seed ‖ label ‖ u64be(task_id) ‖ u64be(i)). */
export class HashStream {
  private counter = 0n;
  private readonly prefix: Buffer;

  constructor(seed: Uint8Array, label: string, taskId: bigint) {
    const id = Buffer.alloc(8);
    id.writeBigUInt64BE(taskId);
    this.prefix = Buffer.concat([Buffer.from(seed), Buffer.from(label, "ascii"), id]);
  }

  /** The next 64 uniformly distributed bits. */
  nextU64(): bigint {
    const ctr = Buffer.alloc(8);
    ctr.writeBigUInt64BE(this.counter++);
    return Buffer.from(sha256(Buffer.concat([this.prefix, ctr]))).readBigUInt64BE(0);
  }

  /** Uniform integer in [0, n): rejection sampling, so no value is favoured (no modulo bias). */
  below(n: bigint): bigint {
    if (n <= 0n) throw new Error("below() needs a positive bound");
    const limit = U64 - (U64 % n);
    for (;;) {
      const x = this.nextU64();
      if (x < limit) return x % n;
    }
  }
}

/** p in bps = max(p_floor, floor(10000 / (CV + 1))): a fresh worker is always audited. */
export function auditProbabilityBps(cv: bigint, pFloorBps: number): number {
  const inverse = Number(BPS / (cv + 1n));
  return Math.max(pFloorBps, inverse);
}

/** True with probability pBps / 10000, from the stream "audit" of `seed` for `taskId`. */
export function drawAudit(seed: Uint8Array, taskId: bigint, pBps: number): boolean {
  return new HashStream(seed, "audit", taskId).below(BPS) < BigInt(pBps);
}

export interface Candidate {
  /** Validator operator account bytes. */
  operator: Uint8Array;
  power: bigint;
}

/**
 * Up to `m` distinct candidates sampled by power without replacement: each pick takes a
 * uniform point in [0, remaining power) over the candidates in their given (operator) order.
 */
export function sampleByPower(seed: Uint8Array, label: string, taskId: bigint, candidates: readonly Candidate[], m: number): Candidate[] {
  const pool = candidates.filter((c) => c.power > 0n);
  const stream = new HashStream(seed, label, taskId);
  const picked: Candidate[] = [];
  while (picked.length < m && pool.length > 0) {
    const total = pool.reduce((s, c) => s + c.power, 0n);
    let point = stream.below(total);
    const index = pool.findIndex((c) => {
      if (point < c.power) return true;
      point -= c.power;
      return false;
    });
    picked.push(...pool.splice(index, 1));
  }
  return picked;
}
