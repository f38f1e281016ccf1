/**
 * The audit draw as a random process: over 10,000 tasks (deterministic seeds: each task's
 * draw seed is sha256 of a counter) the audit frequency stays within 4 binomial sigmas of p,
 * and the outcome depends on the beacon of the block after the last commit — which no worker
 * knows when it commits — not on anything fixed at commit time.
 */
import { afterEach, describe, expect, it } from "vitest";
import { sha256 } from "../../crypto/hash.js";
import { Phase } from "../../proto/gen/ogpu/attest/v1/attest.js";
import { beaconOf, fallbackBeacon, type BeaconEntry } from "../../app/beacon.js";
import { auditProbabilityBps, drawAudit } from "./draw.js";
import { committedTaskChain, type PosChain } from "./testing.js";

const TASKS = 10_000;
const blockHash = (label: string, i: number) => sha256(new TextEncoder().encode(`${label} ${i}`));

/** |observed − Σp| ≤ 4·sqrt(Σ p(1−p)), with p in bps. */
function withinFourSigma(observed: number, pBps: readonly number[]): { mean: number; sigma: number; ok: boolean } {
  const mean = pBps.reduce((s, p) => s + p / 10_000, 0);
  const sigma = Math.sqrt(pBps.reduce((s, p) => s + (p / 10_000) * (1 - p / 10_000), 0));
  return { mean, sigma, ok: Math.abs(observed - mean) <= 4 * sigma };
}

describe("audit draw simulation (10,000 tasks)", () => {
  it("audits trusted workers at p_floor = 2 % within 4 sigma", () => {
    const p = auditProbabilityBps(1_000n, 200);
    expect(p).toBe(200);
    let audited = 0;
    for (let i = 1; i <= TASKS; i++) if (drawAudit(blockHash("draw block", i), BigInt(i), p)) audited++;
    const bound = withinFourSigma(audited, Array(TASKS).fill(p));
    expect(bound.ok, `audited ${audited}, expected ${bound.mean} ± ${4 * bound.sigma}`).toBe(true);
  });

  it("follows p = max(p_floor, 1/(CV+1)) over a mix of worker histories", () => {
    const ps: number[] = [];
    let audited = 0;
    for (let i = 1; i <= TASKS; i++) {
      const cv = BigInt(i % 200); // CV 0..199: p from 100 % down to the 2 % floor
      const p = auditProbabilityBps(cv, 200);
      ps.push(p);
      if (drawAudit(blockHash("mix block", i), BigInt(i), p)) audited++;
    }
    const bound = withinFourSigma(audited, ps);
    expect(bound.ok, `audited ${audited}, expected ${bound.mean.toFixed(1)} ± ${(4 * bound.sigma).toFixed(1)}`).toBe(true);
  });

  it("cannot be predicted at commit time: with the same task data, another later block hash gives an independent draw", () => {
    // Everything fixed at commit time is the same (task id, p); only the draw block's hash differs.
    let agree = 0;
    for (let i = 1; i <= TASKS; i++) {
      if (drawAudit(blockHash("chain A block", i), BigInt(i), 5000) === drawAudit(blockHash("chain B block", i), BigInt(i), 5000)) agree++;
    }
    // Independent fair draws agree half of the time; a predictable draw would agree always.
    const bound = withinFourSigma(agree, Array(TASKS).fill(5000));
    expect(bound.ok, `agreed ${agree} of ${TASKS}`).toBe(true);
  });
});

describe("the draw seed on a chain", () => {
  const chains: PosChain[] = [];
  afterEach(async () => {
    for (const c of chains.splice(0)) await c.close();
  });

  /** Submit and commit a k=1 task of a trusted worker (p = 50 %); returns the task id. The audit is drawn before any reveal. */
  async function throughCommit(): Promise<{ c: PosChain; id: bigint }> {
    const committed = await committedTaskChain({ workers: [{ cv: 1_000_000n }], params: { attest: { p_floor_bps: 5000 } } });
    chains.push(committed.c);
    return committed;
  }

  it("is seeded by the beacon of the block after the last commit: same state up to the commit, different beacon, different outcome", async () => {
    const a = await throughCommit();
    const b = await throughCommit();
    expect(Buffer.from(b.c.app.lastCommit.appHash)).toEqual(Buffer.from(a.c.app.lastCommit.appHash));
    expect(b.c.record(b.id)).toEqual(a.c.record(a.id));

    const drawHeight = a.c.height + 1n;
    const usual = fallbackBeacon(a.c.app.currentChainId, drawHeight, a.c.app.lastCommit.appHash);
    const auditedUsual = drawAudit(usual, a.id, 5000);
    const entries = (i: number): BeaconEntry[] => [{ validator: new Uint8Array(20).fill(1), signature: new Uint8Array([...blockHash("another beacon", i), ...blockHash("another beacon", i)]) }];
    let i = 0;
    while (drawAudit(beaconOf(entries(i)), a.id, 5000) === auditedUsual) i++;
    await a.c.run([]);
    await b.c.run([], { beacon: entries(i) });
    // Audited: the committee seals before any reveal; not audited: reveals open at once.
    const phaseOf = (audited: boolean) => (audited ? Phase.PHASE_AUDIT_SEAL : Phase.PHASE_REVEAL);
    expect(a.c.record(a.id)!.phase).toBe(phaseOf(auditedUsual));
    expect(b.c.record(b.id)!.phase).toBe(phaseOf(!auditedUsual));
  });
});
