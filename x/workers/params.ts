import { defineParams } from "../../app/params.js";
import { MAX_TIER } from "../../app/gpu-tiers.js";

/** One entry of the GPU catalogue: which models the chain knows and each model's tier (0..3). */
export interface GpuCatalogEntry {
  vendor: string;
  model: string;
  tier: number;
}

/** Bounds of the governable catalogue: every lookup scans it, and worker GPU models are matched against it. */
export const MAX_CATALOG_MODELS = 256;
export const MAX_CATALOG_NAME = 64;
const CATALOG_ENTRY_KEYS = ["vendor", "model", "tier"];

/**
 * - min_worker_bond: uogpu a worker must bond (default 1,000 OGPU).
 * - heartbeat_timeout_blocks: a worker without a heartbeat for more blocks than this is offline.
 * - unbonding_blocks: delay between MsgExitWorker and the bond's return.
 * - max_concurrent_limit: upper bound of a worker's max_concurrent (keeps the scheduler's matrix bounded).
 * - ewma_alpha_bps: weight of the newest result in the EWMA success rate.
 * - initial_ewma_bps: success rate a new worker starts with (neither trusted nor distrusted).
 * - reliability_full_fee: market fee (uogpu) at which a verified result moves the EWMA by the
 *   full α; one that paid less moves it in proportion (a fee-less result not at all), so a
 *   failed worker cannot win its success rate back with self-dealt fee-less tasks
 *   (docs/security.md item 5). Failures always count fully.
 * - max_due_per_block: exits whose unbonding completes that one block settles; the rest the next.
 * - gpu_catalog: the known GPU models; registering or requiring any other model is an error.
 *   Governable (docs/gov-params.md): a proposal adds a model with a workers MsgUpdateParams.
 * - anomaly_*: anomaly detection on behaviour (docs/anomaly.md): the honest failure, slow and
 *   decline rates (bps) a worker's record is tested against, the tail threshold (per 10⁹) below
 *   which a record is improbable, the minimum sample, the window at which a worker's counters
 *   halve, the slow factor (percent of the tier's median per-unit latency), the tier samples
 *   needed before the median is used and the histogram's halving window, and the jail and slash
 *   of a worker jailed for an anomaly. The peer rule (anomaly_peer_*): a verified result is
 *   slow against its task's co-workers when its assign→commit latency exceeds both
 *   anomaly_peer_slow_factor_pct of their median and that median + anomaly_peer_min_gap_blocks;
 *   anomaly_peer_slow_rate_bps is the honest rate of such results.
 */
export const workersParams = defineParams(
  "workers/params",
  {
    min_worker_bond: "1000000000",
    heartbeat_timeout_blocks: 100,
    unbonding_blocks: 100,
    max_concurrent_limit: 64,
    ewma_alpha_bps: 1000,
    initial_ewma_bps: 5000,
    reliability_full_fee: "50000",
    max_due_per_block: 1000,
    gpu_catalog: [
      // CPU-only providers run the built-in kernels and exec jobs that need no GPU.
      { vendor: "cpu", model: "CPU", tier: 0 },
      { vendor: "nvidia", model: "RTX3090", tier: 0 },
      { vendor: "nvidia", model: "RTX4090", tier: 1 },
      { vendor: "nvidia", model: "L40S", tier: 1 },
      { vendor: "nvidia", model: "A100", tier: 2 },
      { vendor: "nvidia", model: "H100", tier: 3 },
      { vendor: "amd", model: "MI300X", tier: 3 },
    ] as GpuCatalogEntry[],
    anomaly_fail_rate_bps: 500,
    anomaly_slow_rate_bps: 1000,
    anomaly_decline_rate_bps: 2000,
    anomaly_tail_per_billion: 1000,
    anomaly_min_samples: 20,
    anomaly_window: 200,
    anomaly_slow_factor_pct: 300,
    anomaly_min_tier_samples: 50,
    anomaly_histogram_window: 5000,
    anomaly_jail_blocks: 10_000,
    anomaly_slash_bps: 100,
    anomaly_peer_slow_factor_pct: 300,
    anomaly_peer_slow_rate_bps: 1000,
    anomaly_peer_min_gap_blocks: 2,
  },
  (p) => {
    if (!/^[0-9]{1,30}$/.test(p.min_worker_bond)) throw new Error("min_worker_bond must be a decimal uogpu amount");
    if (!Number.isSafeInteger(p.max_due_per_block) || p.max_due_per_block < 1) throw new Error("max_due_per_block must be a positive integer");
    if (p.heartbeat_timeout_blocks < 1) throw new Error("heartbeat_timeout_blocks must be at least 1");
    if (p.unbonding_blocks < 0) throw new Error("unbonding_blocks must not be negative");
    if (p.max_concurrent_limit < 1 || p.max_concurrent_limit > 1024) throw new Error("max_concurrent_limit must be in 1..1024");
    if (p.ewma_alpha_bps < 1 || p.ewma_alpha_bps > 10_000) throw new Error("ewma_alpha_bps must be in 1..10000");
    if (p.initial_ewma_bps < 0 || p.initial_ewma_bps > 10_000) throw new Error("initial_ewma_bps must be in 0..10000");
    if (!/^[0-9]{1,30}$/.test(p.reliability_full_fee) || BigInt(p.reliability_full_fee) < 1n) throw new Error("reliability_full_fee must be a positive decimal uogpu amount");
    checkAnomalyParams(p);
    if (p.gpu_catalog.length > MAX_CATALOG_MODELS) throw new Error(`gpu_catalog lists ${p.gpu_catalog.length} models, at most ${MAX_CATALOG_MODELS}`);
    const seen = new Set<string>();
    for (const e of p.gpu_catalog) {
      if (typeof e !== "object" || e === null || Array.isArray(e)) throw new Error("gpu_catalog entries must be objects");
      const extra = Object.keys(e).filter((k) => !CATALOG_ENTRY_KEYS.includes(k));
      if (extra.length > 0) throw new Error(`gpu_catalog entries have only vendor, model and tier, not ${extra.join(", ")}`);
      const entry = e as Partial<GpuCatalogEntry>;
      if (typeof entry.model !== "string" || entry.model === "" || typeof entry.vendor !== "string" || entry.vendor === "") throw new Error("gpu_catalog entries need vendor and model strings");
      if (entry.model.length > MAX_CATALOG_NAME || entry.vendor.length > MAX_CATALOG_NAME) throw new Error(`gpu_catalog ${entry.model.slice(0, MAX_CATALOG_NAME)}: vendor and model are at most ${MAX_CATALOG_NAME} characters`);
      if (!Number.isSafeInteger(entry.tier) || entry.tier! < 0 || entry.tier! > MAX_TIER) throw new Error(`gpu_catalog ${entry.model}: tier must be in 0..${MAX_TIER}`);
      if (seen.has(entry.model)) throw new Error(`gpu_catalog lists ${entry.model} twice`);
      seen.add(entry.model);
    }
  },
);

export type WorkersParams = ReturnType<typeof workersParams.get>;

/** Largest anomaly_window: bounds the tail test's work (terms of at most 1000·14 bits). */
export const MAX_ANOMALY_WINDOW = 1000;

function checkAnomalyParams(p: {
  anomaly_fail_rate_bps: number; anomaly_slow_rate_bps: number; anomaly_decline_rate_bps: number; anomaly_tail_per_billion: number;
  anomaly_min_samples: number; anomaly_window: number; anomaly_slow_factor_pct: number; anomaly_min_tier_samples: number;
  anomaly_histogram_window: number; anomaly_jail_blocks: number; anomaly_slash_bps: number;
  anomaly_peer_slow_factor_pct: number; anomaly_peer_slow_rate_bps: number; anomaly_peer_min_gap_blocks: number;
}): void {
  const int = (v: number, lo: number, hi: number, name: string) => {
    if (!Number.isSafeInteger(v) || v < lo || v > hi) throw new Error(`${name} must be an integer in ${lo}..${hi}`);
  };
  int(p.anomaly_fail_rate_bps, 1, 9999, "anomaly_fail_rate_bps");
  int(p.anomaly_slow_rate_bps, 1, 9999, "anomaly_slow_rate_bps");
  int(p.anomaly_decline_rate_bps, 1, 9999, "anomaly_decline_rate_bps");
  int(p.anomaly_tail_per_billion, 1, 1_000_000, "anomaly_tail_per_billion");
  int(p.anomaly_window, 2, MAX_ANOMALY_WINDOW, "anomaly_window");
  int(p.anomaly_min_samples, 1, p.anomaly_window, "anomaly_min_samples");
  int(p.anomaly_slow_factor_pct, 101, 100_000, "anomaly_slow_factor_pct");
  int(p.anomaly_min_tier_samples, 1, 1_000_000, "anomaly_min_tier_samples");
  int(p.anomaly_histogram_window, 2, 1_000_000_000, "anomaly_histogram_window");
  int(p.anomaly_jail_blocks, 1, 10_000_000, "anomaly_jail_blocks");
  int(p.anomaly_slash_bps, 0, 10_000, "anomaly_slash_bps");
  int(p.anomaly_peer_slow_factor_pct, 101, 100_000, "anomaly_peer_slow_factor_pct");
  int(p.anomaly_peer_slow_rate_bps, 1, 9999, "anomaly_peer_slow_rate_bps");
  int(p.anomaly_peer_min_gap_blocks, 0, 1_000_000, "anomaly_peer_min_gap_blocks");
}
