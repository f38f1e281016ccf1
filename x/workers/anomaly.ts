/**
 * Anomaly detection on worker behaviour (yellowpaper §5.2; docs/anomaly.md). Statistics are
 * updated as events happen — a result or failure (x/workers' recordResult, called by x/market
 * and x/attest), a decline, a commit's assign→commit latency (x/market's slotCommitted hook,
 * wired in app/modules.ts) — so each event costs a bounded amount of work and nothing scans
 * the worker set. A record improbable under honest behaviour (exact binomial tail below
 * anomaly_tail_per_billion / 10⁹) flags the worker; failures also jail it. Slowness against the
 * tier median only flags: per-unit latency rests on the client's declared `units`, so a client
 * understating them could otherwise get an honest worker jailed and slashed. Slowness against
 * the co-workers of the same task (x/market's resultsSettled hook: verified results only)
 * jails: there the units are the same for everyone and cancel out (docs/anomaly.md).
 */
import type { Context } from "../../app/context.js";
import { AnomalyStats, LatencyHistogram, type Worker } from "../../proto/gen/ogpu/workers/v1/workers.js";
import { binomialTailBelow, LATENCY_BUCKETS, latencyBucket, medianUpperEdge, perUnitLatency } from "./anomaly-stats.js";
import { emitWorkerEvent, WorkerEvent } from "./events.js";
import { workersParams, type WorkersParams } from "./params.js";
import { getLatencyHistogram, setLatencyHistogram } from "./store.js";
import type { BondSlashReason } from "./keeper.js";

/** The rules, as named in AnomalyStats.flag and the events' `rule`. */
export const AnomalyRule = { FailureRate: "failure_rate", Slow: "slow", DeclineRate: "decline_rate", PeerSlow: "peer_slow" } as const;
type Rule = (typeof AnomalyRule)[keyof typeof AnomalyRule];

/** What the detector needs from the registry keeper. */
export interface AnomalyDeps {
  requireWorker(ctx: Context, operator: string): Worker;
  setWorker(ctx: Context, w: Worker): void;
  workerTier(ctx: Context, w: Worker): number;
  jailWorker(ctx: Context, operator: string, until: bigint, reason: string): void;
  slashBond(ctx: Context, operator: string, bps: number, reason: BondSlashReason, attributes?: Record<string, string>): bigint;
}

export interface AnomalyDetector {
  /** A counted result: verified (`failed` false) or a commit/reveal timeout or wrong result. */
  observeOutcome(ctx: Context, operator: string, failed: boolean): void;
  observeDecline(ctx: Context, operator: string): void;
  /** A commit `latencyBlocks` after its assignment, on a task of `units` compute units. */
  observeCommitLatency(ctx: Context, operator: string, latencyBlocks: bigint, units: bigint): void;
  /** The assign→commit latencies of the workers whose results of one task were verified (k ≥ 2). */
  observePeerLatencies(ctx: Context, samples: readonly PeerLatency[]): void;
}

/** One verified worker of a task and its slot's assign→commit latency in blocks. */
export interface PeerLatency {
  operator: string;
  latencyBlocks: bigint;
}

/** Upper median (the larger middle value of an even count): the co-workers' typical latency, erring towards slow. */
function upperMedian(values: readonly bigint[]): bigint {
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return sorted[sorted.length >> 1]!;
}

/**
 * The peer rule's hit: `latency` exceeds anomaly_peer_slow_factor_pct of the co-workers' median
 * and that median plus anomaly_peer_min_gap_blocks (block granularity: 1 vs 4 blocks is noise).
 */
export function slowerThanPeers(latency: bigint, peerMedian: bigint, p: Pick<WorkersParams, "anomaly_peer_slow_factor_pct" | "anomaly_peer_min_gap_blocks">): boolean {
  return latency * 100n > BigInt(p.anomaly_peer_slow_factor_pct) * peerMedian && latency > peerMedian + BigInt(p.anomaly_peer_min_gap_blocks);
}

function statsOf(w: Worker): AnomalyStats {
  return w.anomaly ?? AnomalyStats.fromPartial({});
}

/** Halves every counter once one reaches the window, so the record follows recent behaviour (ratios kept, up to rounding). */
function keepWindow(s: AnomalyStats, window: bigint): void {
  if (s.outcomes < window && s.assignmentsSeen < window && s.latencySamples < window && s.peerSamples < window) return;
  s.outcomes /= 2n;
  s.failures /= 2n;
  s.declines /= 2n;
  s.assignmentsSeen /= 2n;
  s.latencySamples /= 2n;
  s.slowSamples /= 2n;
  s.peerSamples /= 2n;
  s.peerSlowSamples /= 2n;
}

/**
 * x hits of the rule out of n are improbable at the honest rate: the test of docs/anomaly.md.
 * Not judged while the worker is jailed: what its open tasks do then is the behaviour it was
 * jailed for, and is not punished twice (the counts still go into its next record).
 */
function improbable(ctx: Context, w: Worker, p: WorkersParams, n: bigint, x: bigint, honestBps: number): boolean {
  if ((w.reliability?.jailedUntil ?? 0n) > ctx.block.height) return false;
  return n >= BigInt(p.anomaly_min_samples) && binomialTailBelow(n, x, BigInt(honestBps), BigInt(p.anomaly_tail_per_billion));
}

/** The AnomalyStats counters a rule keeps (all uint64). */
type Counter = "outcomes" | "failures" | "declines" | "assignmentsSeen" | "latencySamples" | "slowSamples" | "peerSamples" | "peerSlowSamples";

/** How a rule counts: its samples (n) and hits (x), what else a sample counts, its honest rate and whether it jails. */
interface SampleRule {
  rule: Rule;
  samples: Counter;
  hits: Counter;
  /** Counters a sample also bumps (an outcome is also an assignment seen). */
  alsoCounts: readonly Counter[];
  honestBps: "anomaly_fail_rate_bps" | "anomaly_decline_rate_bps" | "anomaly_slow_rate_bps" | "anomaly_peer_slow_rate_bps";
  jails: boolean;
}

const FAILURE_RATE: SampleRule = { rule: AnomalyRule.FailureRate, samples: "outcomes", hits: "failures", alsoCounts: ["assignmentsSeen"], honestBps: "anomaly_fail_rate_bps", jails: true };
/** Declines only flag: a client can make honest workers decline (unexecutable tasks), so declines never jail. */
const DECLINE_RATE: SampleRule = { rule: AnomalyRule.DeclineRate, samples: "assignmentsSeen", hits: "declines", alsoCounts: [], honestBps: "anomaly_decline_rate_bps", jails: false };
/** Flag only, never jail: `units` is the client's word, so slowness against the tier may be the client's doing. */
const SLOW: SampleRule = { rule: AnomalyRule.Slow, samples: "latencySamples", hits: "slowSamples", alsoCounts: [], honestBps: "anomaly_slow_rate_bps", jails: false };
/** Same task, same units: slowness against the co-workers is the worker's own, so the rule jails. */
const PEER_SLOW: SampleRule = { rule: AnomalyRule.PeerSlow, samples: "peerSamples", hits: "peerSlowSamples", alsoCounts: [], honestBps: "anomaly_peer_slow_rate_bps", jails: true };

export function createAnomalyDetector(deps: AnomalyDeps): AnomalyDetector {
  /** Records the flag; a jailing rule also jails and slashes the worker and restarts its record. */
  function flag(ctx: Context, w: Worker, s: AnomalyStats, p: WorkersParams, r: SampleRule): void {
    const n = s[r.samples];
    const x = s[r.hits];
    const honestBps = p[r.honestBps];
    const reason = `${r.rule}: ${x} of ${n} improbable at honest rate ${honestBps} bps (tail < ${p.anomaly_tail_per_billion}e-9)`;
    s.flag = r.rule;
    s.flagReason = reason;
    s.flaggedHeight = ctx.block.height;
    emitWorkerEvent(ctx.events, WorkerEvent.Flagged, w.operator, { rule: r.rule, reason, n: n.toString(), x: x.toString(), jailed: String(r.jails) });
    if (!r.jails) {
      w.anomaly = s;
      deps.setWorker(ctx, w);
      return;
    }
    // A fresh record after the jail: the worker is judged again on what it does next.
    w.anomaly = AnomalyStats.fromPartial({ flag: r.rule, flagReason: reason, flaggedHeight: ctx.block.height, anomalyJails: s.anomalyJails + 1n });
    deps.setWorker(ctx, w);
    deps.jailWorker(ctx, w.operator, ctx.block.height + BigInt(p.anomaly_jail_blocks), `anomaly_${r.rule}`);
    deps.slashBond(ctx, w.operator, p.anomaly_slash_bps, "anomaly", { rule: r.rule });
  }

  /**
   * Counts one sample of rule `r` (a hit or not) in the worker's windowed record and stores it.
   * Only a hit can make the record less probable, so the test runs then and only then.
   */
  function recordSample(ctx: Context, p: WorkersParams, w: Worker, r: SampleRule, hit: boolean): void {
    const s = statsOf(w);
    keepWindow(s, BigInt(p.anomaly_window));
    s[r.samples] += 1n;
    for (const c of r.alsoCounts) s[c] += 1n;
    if (hit) s[r.hits] += 1n;
    if (hit && improbable(ctx, w, p, s[r.samples], s[r.hits], p[r.honestBps])) return flag(ctx, w, s, p, r);
    w.anomaly = s;
    deps.setWorker(ctx, w);
  }

  function observeOutcome(ctx: Context, operator: string, failed: boolean): void {
    recordSample(ctx, workersParams.get(ctx.store), deps.requireWorker(ctx, operator), FAILURE_RATE, failed);
  }

  function observeDecline(ctx: Context, operator: string): void {
    recordSample(ctx, workersParams.get(ctx.store), deps.requireWorker(ctx, operator), DECLINE_RATE, true);
  }

  /**
   * Compares the commit's per-unit latency with its tier's median (once the tier has
   * anomaly_min_tier_samples), then adds it to the tier's histogram. O(LATENCY_BUCKETS).
   */
  function observeCommitLatency(ctx: Context, operator: string, latencyBlocks: bigint, units: bigint): void {
    const p = workersParams.get(ctx.store);
    const w = deps.requireWorker(ctx, operator);
    const tier = deps.workerTier(ctx, w);
    const h = getLatencyHistogram(ctx.store, tier) ?? LatencyHistogram.fromPartial({ tier, counts: Array<bigint>(LATENCY_BUCKETS).fill(0n), total: 0n });
    const v = perUnitLatency(latencyBlocks, units);
    const compared = h.total >= BigInt(p.anomaly_min_tier_samples);
    const slow = compared && v * 100n > BigInt(p.anomaly_slow_factor_pct) * medianUpperEdge(h.counts, h.total);
    if (h.total + 1n >= BigInt(p.anomaly_histogram_window)) {
      h.counts = h.counts.map((c) => c / 2n);
      h.total = h.counts.reduce((a, c) => a + c, 0n);
    }
    const bucket = latencyBucket(v);
    h.counts[bucket] = (h.counts[bucket] ?? 0n) + 1n;
    h.total += 1n;
    setLatencyHistogram(ctx.store, h);
    if (compared) recordSample(ctx, p, w, SLOW, slow);
  }

  /**
   * Each verified worker against the co-workers of the same task whose declared tier is not
   * above its own (they should not be faster; a higher-tier co-worker legitimately is): a hit
   * when slowerThanPeers their median. Same task, same input, same units — so neither the
   * client's declaration nor the tier mix moves the comparison, and the rule jails. O(k²) for
   * k ≤ max_redundancy.
   */
  function observePeerLatencies(ctx: Context, samples: readonly PeerLatency[]): void {
    const p = workersParams.get(ctx.store);
    const tiers = samples.map((x) => deps.workerTier(ctx, deps.requireWorker(ctx, x.operator)));
    samples.forEach((sample, i) => {
      const peers = samples.filter((_, j) => j !== i && tiers[j]! <= tiers[i]!).map((x) => x.latencyBlocks);
      if (peers.length === 0) return;
      const slow = slowerThanPeers(sample.latencyBlocks, upperMedian(peers), p);
      recordSample(ctx, p, deps.requireWorker(ctx, sample.operator), PEER_SLOW, slow);
    });
  }

  return { observeOutcome, observeDecline, observeCommitLatency, observePeerLatencies };
}
