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

export function createAnomalyDetector(deps: AnomalyDeps): AnomalyDetector {
  /** Records the flag; a jailing rule also jails and slashes the worker and restarts its record. */
  function flag(ctx: Context, w: Worker, s: AnomalyStats, rule: Rule, n: bigint, x: bigint, honestBps: number, jail: boolean): void {
    const p = workersParams.get(ctx.store);
    const reason = `${rule}: ${x} of ${n} improbable at honest rate ${honestBps} bps (tail < ${p.anomaly_tail_per_billion}e-9)`;
    s.flag = rule;
    s.flagReason = reason;
    s.flaggedHeight = ctx.block.height;
    emitWorkerEvent(ctx.events, WorkerEvent.Flagged, w.operator, { rule, reason, n: n.toString(), x: x.toString(), jailed: String(jail) });
    if (!jail) {
      w.anomaly = s;
      deps.setWorker(ctx, w);
      return;
    }
    // A fresh record after the jail: the worker is judged again on what it does next.
    w.anomaly = AnomalyStats.fromPartial({ flag: rule, flagReason: reason, flaggedHeight: ctx.block.height, anomalyJails: s.anomalyJails + 1n });
    deps.setWorker(ctx, w);
    deps.jailWorker(ctx, w.operator, ctx.block.height + BigInt(p.anomaly_jail_blocks), `anomaly_${rule}`);
    deps.slashBond(ctx, w.operator, p.anomaly_slash_bps, "anomaly", { rule });
  }

  function observeOutcome(ctx: Context, operator: string, failed: boolean): void {
    const p = workersParams.get(ctx.store);
    const w = deps.requireWorker(ctx, operator);
    const s = statsOf(w);
    keepWindow(s, BigInt(p.anomaly_window));
    s.outcomes += 1n;
    s.assignmentsSeen += 1n;
    if (failed) s.failures += 1n;
    // Only a failure can make the record less probable: the test runs then and only then.
    if (failed && improbable(ctx, w, p, s.outcomes, s.failures, p.anomaly_fail_rate_bps)) return flag(ctx, w, s, AnomalyRule.FailureRate, s.outcomes, s.failures, p.anomaly_fail_rate_bps, true);
    w.anomaly = s;
    deps.setWorker(ctx, w);
  }

  /** Declines only flag: a client can make honest workers decline (unexecutable tasks), so declines never jail. */
  function observeDecline(ctx: Context, operator: string): void {
    const p = workersParams.get(ctx.store);
    const w = deps.requireWorker(ctx, operator);
    const s = statsOf(w);
    keepWindow(s, BigInt(p.anomaly_window));
    s.declines += 1n;
    s.assignmentsSeen += 1n;
    if (improbable(ctx, w, p, s.assignmentsSeen, s.declines, p.anomaly_decline_rate_bps)) return flag(ctx, w, s, AnomalyRule.DeclineRate, s.assignmentsSeen, s.declines, p.anomaly_decline_rate_bps, false);
    w.anomaly = s;
    deps.setWorker(ctx, w);
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
    let slow = false;
    let compared = false;
    if (h.total >= BigInt(p.anomaly_min_tier_samples)) {
      compared = true;
      slow = v * 100n > BigInt(p.anomaly_slow_factor_pct) * medianUpperEdge(h.counts, h.total);
    }
    if (h.total + 1n >= BigInt(p.anomaly_histogram_window)) {
      h.counts = h.counts.map((c) => c / 2n);
      h.total = h.counts.reduce((a, c) => a + c, 0n);
    }
    const bucket = latencyBucket(v);
    h.counts[bucket] = (h.counts[bucket] ?? 0n) + 1n;
    h.total += 1n;
    setLatencyHistogram(ctx.store, h);
    if (!compared) return;
    const s = statsOf(w);
    keepWindow(s, BigInt(p.anomaly_window));
    s.latencySamples += 1n;
    if (slow) s.slowSamples += 1n;
    // Flag only, never jail: `units` is the client's word, so slowness here may be the client's doing.
    if (slow && improbable(ctx, w, p, s.latencySamples, s.slowSamples, p.anomaly_slow_rate_bps)) return flag(ctx, w, s, AnomalyRule.Slow, s.latencySamples, s.slowSamples, p.anomaly_slow_rate_bps, false);
    w.anomaly = s;
    deps.setWorker(ctx, w);
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
      const w = deps.requireWorker(ctx, sample.operator);
      const s = statsOf(w);
      keepWindow(s, BigInt(p.anomaly_window));
      s.peerSamples += 1n;
      if (slow) s.peerSlowSamples += 1n;
      if (slow && improbable(ctx, w, p, s.peerSamples, s.peerSlowSamples, p.anomaly_peer_slow_rate_bps)) return flag(ctx, w, s, AnomalyRule.PeerSlow, s.peerSamples, s.peerSlowSamples, p.anomaly_peer_slow_rate_bps, true);
      w.anomaly = s;
      deps.setWorker(ctx, w);
    });
  }

  return { observeOutcome, observeDecline, observeCommitLatency, observePeerLatencies };
}
