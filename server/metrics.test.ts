import { describe, expect, it } from "vitest";
import { Registry } from "prom-client";
import { createNodeMetrics } from "./metrics.js";

describe("createNodeMetrics", () => {
  it("exposes every node metric after values are observed", async () => {
    const metrics = createNodeMetrics();
    metrics.height.set(12);
    metrics.txsPerBlock.observe(3);
    metrics.checkTxSeconds.observe(0.0002);
    metrics.finalizeBlockSeconds.observe(0.004);
    metrics.commitSeconds.observe(0.002);
    metrics.mempoolRejections.inc({ codespace: "sdk", code: "13" });
    metrics.txsCommitted.inc(3);
    metrics.deliverTxFailures.inc({ codespace: "market", code: "4" });

    const text = await metrics.registry.metrics();
    expect(text).toContain("ogpu_block_height 12");
    expect(text).toContain("ogpu_txs_per_block_sum 3");
    expect(text).toContain("ogpu_check_tx_seconds_count 1");
    expect(text).toContain("ogpu_finalize_block_seconds_count 1");
    expect(text).toContain("ogpu_commit_seconds_count 1");
    expect(text).toContain('ogpu_mempool_rejections_total{codespace="sdk",code="13"} 1');
    expect(text).toContain("ogpu_txs_committed_total 3");
    expect(text).toContain('ogpu_deliver_tx_failures_total{codespace="market",code="4"} 1');
    // Default process metrics come along.
    expect(text).toContain("process_cpu_user_seconds_total");
    expect(text).toContain("nodejs_eventloop_lag_seconds");
  });

  it("keeps separate nodes on separate registries", async () => {
    const a = createNodeMetrics();
    const b = createNodeMetrics();
    a.height.set(5);
    b.height.set(9);
    expect(await a.registry.metrics()).toContain("ogpu_block_height 5");
    expect(await b.registry.metrics()).toContain("ogpu_block_height 9");
  });

  it("accepts a caller's registry that already collects default metrics", async () => {
    const registry = new Registry();
    createNodeMetrics(registry);
    const again = new Registry();
    again.registerMetric(registry.getSingleMetric("process_cpu_user_seconds_total")!);
    expect(() => createNodeMetrics(again)).not.toThrow();
    expect(await again.metrics()).toContain("ogpu_block_height");
  });
});
