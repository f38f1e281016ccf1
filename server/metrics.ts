/**
 * Prometheus metrics of the node process. Everything lives on one Registry owned by the node
 * (not prom-client's global one) so tests and multiple in-process nodes never collide.
 * The app core observes these directly, e.g. `metrics.checkTxSeconds.observe(s)` or
 * `const end = metrics.commitSeconds.startTimer(); …; end()`.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** ABCI phases are usually sub-millisecond to a few hundred ms; buckets in seconds. */
const CHECK_TX_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];
const BLOCK_PHASE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const TXS_PER_BLOCK_BUCKETS = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];

/** Labels of a failed tx: the Cosmos codespace and its numeric code (as a string). */
type FailureLabel = "codespace" | "code";

export interface NodeMetrics {
  readonly registry: Registry;
  /** Last committed block height. */
  readonly height: Gauge;
  readonly txsPerBlock: Histogram;
  readonly checkTxSeconds: Histogram;
  readonly finalizeBlockSeconds: Histogram;
  readonly commitSeconds: Histogram;
  /** CheckTx rejections, e.g. `mempoolRejections.inc({ codespace: "sdk", code: "32" })`. */
  readonly mempoolRejections: Counter<FailureLabel>;
  /** Txs included in committed blocks (successful or not). */
  readonly txsCommitted: Counter;
  /** Txs in a block whose execution failed, by codespace/code. */
  readonly deliverTxFailures: Counter<FailureLabel>;
}

/**
 * Creates the node's metrics on `registry` (a fresh one by default) together with prom-client's
 * default process metrics (CPU, memory, event loop lag, GC).
 */
export function createNodeMetrics(registry: Registry = new Registry()): NodeMetrics {
  const registers = [registry];
  // Default metrics may only be registered once per registry (a caller may pass a shared one).
  if (registry.getSingleMetric("process_cpu_user_seconds_total") === undefined) {
    collectDefaultMetrics({ register: registry });
  }
  const failureLabels: FailureLabel[] = ["codespace", "code"];
  return {
    registry,
    height: new Gauge({ name: "ogpu_block_height", help: "Last committed block height", registers }),
    txsPerBlock: new Histogram({
      name: "ogpu_txs_per_block",
      help: "Number of txs in each finalized block",
      buckets: TXS_PER_BLOCK_BUCKETS,
      registers,
    }),
    checkTxSeconds: new Histogram({
      name: "ogpu_check_tx_seconds",
      help: "Time spent in CheckTx per tx",
      buckets: CHECK_TX_BUCKETS,
      registers,
    }),
    finalizeBlockSeconds: new Histogram({
      name: "ogpu_finalize_block_seconds",
      help: "Time spent in FinalizeBlock per block",
      buckets: BLOCK_PHASE_BUCKETS,
      registers,
    }),
    commitSeconds: new Histogram({
      name: "ogpu_commit_seconds",
      help: "Time spent in Commit per block",
      buckets: BLOCK_PHASE_BUCKETS,
      registers,
    }),
    mempoolRejections: new Counter({
      name: "ogpu_mempool_rejections_total",
      help: "Txs rejected by CheckTx, by codespace and code",
      labelNames: failureLabels,
      registers,
    }),
    txsCommitted: new Counter({
      name: "ogpu_txs_committed_total",
      help: "Txs included in committed blocks",
      registers,
    }),
    deliverTxFailures: new Counter({
      name: "ogpu_deliver_tx_failures_total",
      help: "Txs whose execution failed in FinalizeBlock, by codespace and code",
      labelNames: failureLabels,
      registers,
    }),
  };
}
