/**
 * `/readyz`: whether this node should get traffic (load balancers, Kubernetes readiness). It is
 * not ready while its cometbft is unreachable or catching up, or when the last block is older
 * than `maxBlockAgeBlocks` block times (the chain or this node has stalled). Other dependencies
 * (a kubo daemon) add their own checks.
 */

import { Gauge, type Registry } from "prom-client";

/** A further dependency check: resolves with why the node is not ready, or undefined when fine. */
export type ReadinessCheck = () => Promise<string | undefined>;

export interface ReadinessOptions {
  /** CometBFT RPC base URL, e.g. http://127.0.0.1:26657. */
  cometRpcUrl: string;
  /** Expected block interval (consensus.timeout_commit), in ms. */
  blockTimeMs: number;
  /** Not ready when the last block is older than this many block times. */
  maxBlockAgeBlocks: number;
  extraChecks?: readonly ReadinessCheck[];
  /** How long to wait for cometbft's /status. */
  timeoutMs?: number;
}

export interface Readiness {
  ready: boolean;
  /** Why not, one line each; empty when ready. */
  reasons: string[];
  /** CometBFT's latest height ("" when unreachable). */
  latestBlockHeight: string;
  latestBlockTime: string;
  catchingUp: boolean | null;
}

/** Default of app.json `ready_max_block_age_blocks`. */
export const DEFAULT_READY_MAX_BLOCK_AGE_BLOCKS = 30;

interface CometStatus {
  result: { sync_info: { latest_block_height: string; latest_block_time: string; catching_up: boolean } };
}

export async function checkReadiness(opts: ReadinessOptions, now = Date.now()): Promise<Readiness> {
  const reasons: string[] = [];
  let sync: CometStatus["result"]["sync_info"] | undefined;
  try {
    const res = await fetch(`${opts.cometRpcUrl}/status`, { signal: AbortSignal.timeout(opts.timeoutMs ?? 2000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    sync = ((await res.json()) as CometStatus).result.sync_info;
  } catch (err) {
    reasons.push(`cometbft unreachable at ${opts.cometRpcUrl}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (sync) {
    if (sync.catching_up) reasons.push(`catching up (at height ${sync.latest_block_height})`);
    const ageMs = now - Date.parse(sync.latest_block_time);
    const limitMs = opts.maxBlockAgeBlocks * opts.blockTimeMs;
    if (!(ageMs <= limitMs)) {
      reasons.push(`last block ${sync.latest_block_height} is ${(ageMs / 1000).toFixed(1)}s old (limit ${opts.maxBlockAgeBlocks} block times = ${(limitMs / 1000).toFixed(1)}s)`);
    }
  }
  for (const check of opts.extraChecks ?? []) {
    const reason = await check().catch((err: unknown) => (err instanceof Error ? err.message : String(err)));
    if (reason !== undefined) reasons.push(reason);
  }
  return {
    ready: reasons.length === 0,
    reasons,
    latestBlockHeight: sync?.latest_block_height ?? "",
    latestBlockTime: sync?.latest_block_time ?? "",
    catchingUp: sync?.catching_up ?? null,
  };
}

/**
 * `ogpu_node_ready` (what /readyz answers, 1/0) and `ogpu_node_catching_up` (cometbft's
 * catching_up, 1/0; absent while cometbft does not answer), checked once per scrape.
 */
export function registerReadinessMetrics(registry: Registry, readiness: () => Promise<Readiness>): void {
  let current: { at: number; check: Promise<Readiness> } | undefined;
  const check = () => {
    // The two gauges of one scrape share one check.
    if (!current || Date.now() - current.at > 500) current = { at: Date.now(), check: readiness() };
    return current.check;
  };
  new Gauge({
    name: "ogpu_node_ready",
    help: "1 when /readyz answers 200 (cometbft answers, is not catching up, the last block is recent), 0 otherwise",
    registers: [registry],
    async collect() {
      this.set((await check()).ready ? 1 : 0);
    },
  });
  new Gauge({
    name: "ogpu_node_catching_up",
    help: "1 while cometbft is catching up (block sync), 0 when synced; absent while it does not answer",
    registers: [registry],
    async collect() {
      const { catchingUp } = await check();
      this.reset();
      if (catchingUp !== null) this.set(catchingUp ? 1 : 0);
    },
  });
}

/** A CometBFT duration as config.toml writes it ("300ms", "1s", "1m0s") in ms; undefined if unreadable. */
export function parseCometDuration(text: string): number | undefined {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const parts = [...text.matchAll(/([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text) return undefined;
  return parts.reduce((ms, p) => ms + Number(p[1]) * units[p[2]!]!, 0);
}
