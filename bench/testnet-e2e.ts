import { TEST_PORTS, portAt } from "../testnet/ports.js";
import { offsetPort, portsFrom } from "../testnet/devnet.js";
import { startMarketCluster, type MarketCluster } from "../testnet/market-cluster.js";
import { printFigures, progress, quantile, type Benchmark, type Figure } from "./report.js";

/**
 * The whole market on the 4-validator loopback testnet (testnet/market-cluster.ts): 4 nodes,
 * each validator's real auditor against its own node, 4 real workers on nodes 3, 2, 1, 3 (one
 * worker and one auditor ML-DSA-65), the client on node0. Tasks are k = 1 on workers that are
 * new (untrusted), so every one is audited by a committee of 3 validators that re-executes it
 * through its own node: the figures are the audited path across the network. Every node runs
 * its own kubo (IPFS storage, as `make testnet`): each public input is uploaded once, through
 * node0, and fetched by the worker and the auditors through their own nodes.
 */

const PORT_BASE = TEST_PORTS.benchTestnetE2e.base;
const METRICS_PORT_BASE = portAt(TEST_PORTS.benchTestnetE2e, 50);
const TASKS = 16;
const WORKERS = 4;

function taskInput(i: number): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ rounds: 2_000, data: `testnet bench ${i}` }));
}

/** Submits every task from node0 (one account, one after another), then awaits the results concurrently. */
async function measureTasks(cluster: MarketCluster): Promise<Figure[]> {
  const inputs = await Promise.all(Array.from({ length: TASKS }, (_, i) => cluster.upload(taskInput(i))));
  const latencies: number[] = [];
  const waits: Promise<void>[] = [];
  const start = performance.now();
  for (const inputCid of inputs) {
    const submitted = performance.now();
    const { taskId } = await cluster.client.submitTask({ kind: "hash", inputCid, units: 10n, maxPricePerUnit: 200n, redundancy: 1 });
    let finalised = 0;
    const onUpdate = (u: { state: string }) => void (u.state === "finalized" && (finalised = performance.now()));
    waits.push(cluster.client.waitForResult(taskId, { timeoutMs: 600_000, onUpdate }).then(() => void latencies.push((finalised || performance.now()) - submitted)));
  }
  await Promise.all(waits);
  const elapsedS = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  progress("testnet-e2e", `${TASKS} tasks finalised in ${elapsedS.toFixed(1)} s`);
  return [
    { figure: "validators", value: cluster.testnet.nodes.length, unit: "nodes", note: "each with its auditor and its kubo (IPFS storage); committee size 3" },
    { figure: "workers", value: WORKERS, unit: "workers", note: "on nodes 3, 2, 1, 3; client on node0" },
    { figure: "tasks", value: TASKS, unit: "tasks", note: "k = 1 hash 2000 rounds, public input uploaded through node0 only, every one audited" },
    { figure: "tasks_per_s", value: TASKS / elapsedS, unit: "tasks/s", note: "first submit → last FINALIZED" },
    { figure: "latency_p50_ms", value: Math.round(quantile(latencies, 0.5)), unit: "ms", note: "submitTask called → FINALIZED seen on node0" },
    { figure: "latency_p95_ms", value: Math.round(quantile(latencies, 0.95)), unit: "ms" },
  ];
}

export async function benchTestnetE2e(): Promise<void> {
  progress("testnet-e2e", `starting 4 validators + 4 auditors + ${WORKERS} workers`);
  const cluster = await startMarketCluster({ validators: 4, workers: WORKERS, pq: true, storage: "ipfs", basePort: portsFrom(PORT_BASE).p2p, metricsPortBase: offsetPort(METRICS_PORT_BASE), blockTime: "500ms" });
  let figures: Figure[];
  try {
    figures = await measureTasks(cluster);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${await cluster.logs()}`);
  } finally {
    await cluster.stop();
  }
  printFigures("testnet-e2e", figures);
}

export const testnetE2eBenchmark: Benchmark = {
  name: "testnet-e2e",
  description: "4-validator loopback testnet with auditors and workers on other nodes: tasks/s and p50/p95 submit→finalised (audited, k = 1)",
  run: benchTestnetE2e,
};
