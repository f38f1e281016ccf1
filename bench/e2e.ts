import { TEST_PORTS, portAt } from "../testnet/ports.js";
import { MICRO_PER_OGPU as OGPU } from "../app/coins.js";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { StdFee } from "@cosmjs/stargate";
import { generateKemKeyPair } from "../crypto/kem.js";
import { OgpuClient } from "../sdk/client.js";
import { offsetPort, rpcStatus, startTestNode, type Devnet, type TestNode } from "../testnet/devnet.js";
import { initRoleHome, spawnRole, stopRoles, type RoleProcess } from "../testnet/roles.js";
import { openTaskOutput, sealTaskInput, sealTaskOutput } from "../crypto/task-crypto.js";
import { printFigures, printRatios, progress, quantile, type Benchmark, type Figure, type Ratio } from "./report.js";

/**
 * End to end on real processes: 1 node (ogpud + cometbft, genesis validator) and 2 real
 * `ogpu-worker` processes; a client submits small built-in-kernel tasks through the SDK
 * (encrypted inputs, k = 2) and waits for each verified result. Plus the throughput of the
 * encrypted-task envelope path (crypto/task-crypto.ts) on 1 MiB.
 *
 * Audits: no auditor process exists (ogpu-worker has no auditor role), so worker 0 runs under
 * the genesis validator's own account. x/attest excludes from a committee every validator
 * whose operator is one of the task's workers, and with k = 2 every task runs on worker 0, so
 * no validator is eligible and matching reveals finalise the task (docs/proof-of-sync.md,
 * reason no_eligible_validator). The figures are therefore the unaudited path.
 *
 * `startComputeCluster` is also the harness of test/e2e/sdk-results.e2e.test.ts.
 */

/** Fixed client fee: no simulation round trip per task. */
export const CLUSTER_FEE: StdFee = { amount: [{ denom: "uogpu", amount: "3000" }], gas: "3000000" };
/** Heartbeats well inside the timeout; generous commit/reveal windows for a loaded 2-core machine. */
const CLUSTER_PARAMS = {
  workers: { heartbeat_timeout_blocks: 60 },
  market: { commit_timeout_blocks: 40, max_retries: 3 },
  attest: { reveal_timeout_blocks: 40, audit_timeout_blocks: 60 },
};

export interface ClusterOptions {
  /** Node ports portsFrom(portBase); worker i serves metrics on metricsPortBase + i. */
  portBase: number;
  metricsPortBase: number;
  /** Client accounts to create (each 100,000 OGPU), named client0, client1, … */
  clients: number;
  blockTime?: string;
  workerMaxConcurrent?: number;
}

export interface ComputeCluster {
  home: string;
  devnet: Devnet;
  /** SDK clients (fromMnemonic: blob signer and encryption key from the mnemonic), one per client account. */
  clients: OgpuClient[];
  /** Worker operator addresses; workers[0] is the genesis validator's account. */
  workers: string[];
  /** The last lines of every worker's log (for failure messages). */
  workerLogs(): Promise<string>;
  stop(): Promise<void>;
}

async function until(what: string, check: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Node + 2 workers + funded SDK clients; the caller must stop() it (also on failure after return). */
export async function startComputeCluster(opts: ClusterOptions): Promise<ComputeCluster> {
  const clientAccounts = Array.from({ length: opts.clients }, (_, i) => ({ name: `client${i}`, coins: `${100_000n * OGPU}uogpu` }));
  const workerProcs: RoleProcess[] = [];
  const clients: OgpuClient[] = [];
  let testNode: TestNode | undefined;
  let workerHomes: string[] = [];
  const workerLogs = async () => (await Promise.all(workerHomes.map((h) => readFile(join(h, "worker.log"), "utf8").catch(() => "")))).map((l) => l.slice(-1500)).join("\n---\n");
  const stop = async () => {
    await stopRoles(workerProcs);
    for (const c of clients) c.disconnect();
    await testNode?.cleanup();
  };
  try {
    testNode = await startTestNode({
      portBase: opts.portBase,
      homePrefix: "ogpu-cluster-",
      blockTime: opts.blockTime ?? "300ms",
      accounts: [{ name: "val", coins: `${100_000n * OGPU}uogpu` }, ...clientAccounts],
      validator: { stake: `${10_000n * OGPU}uogpu` },
      params: CLUSTER_PARAMS,
    });
    const { devnet } = testNode;
    const home = devnet.home;
    workerHomes = [join(home, "worker0"), join(home, "worker1")];

    const clientOpts = { restUrl: devnet.restUrl, fee: CLUSTER_FEE, broadcastPollIntervalMs: 200 };
    for (const account of devnet.accounts.slice(1)) clients.push(await OgpuClient.fromMnemonic(devnet.rpcUrl, account.mnemonic, clientOpts));
    const validator = devnet.accounts[0]!;
    // Worker 0 is the validator's own account (see the file comment); worker 1 a fresh one funded by it.
    const workers = [initRoleHome(workerHomes[0]!, "secp256k1", validator.mnemonic), initRoleHome(workerHomes[1]!)];
    const funder = await OgpuClient.fromMnemonic(devnet.rpcUrl, validator.mnemonic, clientOpts);
    try {
      await funder.broadcast([{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: validator.address, toAddress: workers[1], amount: [{ denom: "uogpu", amount: String(1200n * OGPU) }] } }]);
    } finally {
      funder.disconnect();
    }
    const node = { rpc: devnet.rpcUrl, rest: devnet.restUrl };
    workerHomes.forEach((home, i) =>
      workerProcs.push(spawnRole({ name: `worker${i}`, kind: "worker", home, node, metricsPort: offsetPort(opts.metricsPortBase) + i, maxConcurrent: opts.workerMaxConcurrent ?? 2 })),
    );
    await until("both workers online", async () => (await clients[0]!.listWorkers({ status: "online" })).length === 2, 90_000).catch(async (err: Error) => {
      throw new Error(`${err.message}\n${await workerLogs()}`);
    });
    return { home, devnet, clients, workers, workerLogs, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

// ---- the benchmark ----

const PORT_BASE = TEST_PORTS.benchE2e.base;
const METRICS_PORT_BASE = portAt(TEST_PORTS.benchE2e, 10);
const TASKS = 24;
const CLIENTS = 4;
const MiB = 1024 * 1024;
const SECONDS_PER_FIGURE = 1.5;

/** Small built-in kernels, alternating, each input distinct. */
function taskInput(i: number): { kind: string; input: Uint8Array } {
  const spec = i % 2 === 0 ? { kind: "hash", body: { rounds: 2_000, data: `bench ${i}` } } : { kind: "matmul", body: { n: 16, seed: i } };
  return { kind: spec.kind, input: new TextEncoder().encode(JSON.stringify(spec.body)) };
}

/** Heights a task reached each state at, from the SDK's progress updates. */
interface TaskHeights {
  submitted: number;
  states: Map<string, number>;
}

/** Each client submits its share one after another (one account sequence); results are awaited concurrently. */
async function measureTasks(cluster: ComputeCluster): Promise<{ figures: Figure[]; blocks: number[] }> {
  const latencies: number[] = [];
  const heights: TaskHeights[] = [];
  const waits: Promise<void>[] = [];
  const start = performance.now();
  await Promise.all(
    cluster.clients.map(async (client, c) => {
      for (let i = c; i < TASKS; i += cluster.clients.length) {
        const { kind, input } = taskInput(i);
        const submitted = performance.now();
        const { taskId, height } = await client.submitTask({ kind, input, units: 10n, maxPricePerUnit: 200n, redundancy: 2 });
        const record: TaskHeights = { submitted: height, states: new Map() };
        heights.push(record);
        let finalised = 0;
        const onUpdate = (u: { state: string; height: number }) => {
          if (!record.states.has(u.state)) record.states.set(u.state, u.height);
          if (u.state === "finalized") finalised = performance.now();
        };
        waits.push(client.fetchResult(taskId, { timeoutMs: 300_000, onUpdate }).then(() => void latencies.push((finalised || performance.now()) - submitted)));
      }
    }),
  );
  await Promise.all(waits);
  const elapsedS = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  progress("e2e", `${TASKS} tasks finalised and verified in ${elapsedS.toFixed(1)} s`);
  const blocks = heights.map((h) => (h.states.get("finalized") ?? Number.NaN) - h.submitted).sort((a, b) => a - b);
  // Where tasks wait: mean blocks between the states every task passes through.
  const stage = (from: string | undefined, to: string) => {
    const gaps = heights.map((h) => (h.states.get(to) ?? Number.NaN) - (from === undefined ? h.submitted : h.states.get(from) ?? Number.NaN)).filter((g) => Number.isFinite(g));
    return Number((gaps.reduce((a, b) => a + b, 0) / Math.max(1, gaps.length)).toFixed(2));
  };
  return {
    blocks,
    figures: [
      { figure: "tasks", value: TASKS, unit: "tasks", note: `k = 2, hash 2000 rounds / matmul 16×16, encrypted, ${cluster.clients.length} clients` },
      { figure: "tasks_per_s", value: TASKS / elapsedS, unit: "tasks/s", note: "first submit → last result verified" },
      { figure: "latency_p50_ms", value: Math.round(quantile(latencies, 0.5)), unit: "ms", note: "submitTask called → FINALIZED seen" },
      { figure: "latency_p95_ms", value: Math.round(quantile(latencies, 0.95)), unit: "ms" },
      { figure: "latency_p50_blocks", value: quantile(blocks, 0.5), unit: "blocks", note: "submit tx's block → FINALIZED block" },
      { figure: "latency_p95_blocks", value: quantile(blocks, 0.95), unit: "blocks" },
      { figure: "stage_submit_to_assigned_blocks", value: stage(undefined, "assigned"), unit: "blocks", note: "mean" },
      { figure: "stage_assigned_to_committed_blocks", value: stage("assigned", "committed"), unit: "blocks", note: "mean; worker reacts, runs the job, commits" },
      { figure: "stage_committed_to_finalized_blocks", value: stage("committed", "finalized"), unit: "blocks", note: "mean; reveals" },
    ],
  };
}

/**
 * The reference: inclusion latency in blocks of a plain bank send on the same node, in the same
 * run — the latest height when it is broadcast to the height that includes it. A task needs at
 * least two such round trips after its own block (the workers' commit, then their reveal), so
 * 2 × this is what the protocol's own messages cost at the least.
 */
async function measureSendBlocks(cluster: ComputeCluster, count = 12): Promise<number[]> {
  const client = cluster.clients[0]!;
  const address = client.address;
  const blocks: number[] = [];
  for (let i = 0; i < count; i++) {
    const before = Number((await rpcStatus(cluster.devnet.rpcUrl)).height);
    const res = await client.broadcast([{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: address, toAddress: address, amount: [{ denom: "uogpu", amount: "1" }] } }]);
    blocks.push(res.height - before);
  }
  return blocks.sort((a, b) => a - b);
}

async function mbPerSecond(bytes: number, fn: () => unknown): Promise<number> {
  await fn(); // warm-up; a failure throws here, untimed
  const startMs = performance.now();
  let calls = 0;
  while (performance.now() - startMs < SECONDS_PER_FIGURE * 1000 || calls < 2) {
    await fn();
    calls++;
  }
  return Math.round((calls * bytes) / 1e6 / ((performance.now() - startMs) / 1000));
}

/** sealTaskInput (payload seal + 2 key wraps + manifest) and openTaskOutput (unwrap + open) on 1 MiB. */
async function envelopeFigures(): Promise<Figure[]> {
  const client = generateKemKeyPair();
  const workers = [generateKemKeyPair(), generateKemKeyPair()].map((k, i) => ({ address: `ogpu1worker${i}`, encPubkey: k.publicKey }));
  const plaintext = new Uint8Array(MiB).map((_, i) => i & 0xff);
  const outputBlob = await sealTaskOutput(plaintext, client.publicKey, 1n);
  return [
    { figure: "envelope_seal_mb_s", value: await mbPerSecond(MiB, () => sealTaskInput(plaintext, client.publicKey, workers)), unit: "MB/s", note: "sealTaskInput 1 MiB, 2 workers (CID of the payload included)" },
    { figure: "envelope_open_mb_s", value: await mbPerSecond(MiB, () => openTaskOutput(outputBlob, client.secretKey, 1n)), unit: "MB/s", note: "openTaskOutput 1 MiB" },
  ];
}

export async function benchE2e(): Promise<void> {
  const figures = await envelopeFigures();
  const ratios: Ratio[] = [];
  progress("e2e", "starting 1 node + 2 ogpu-worker processes");
  // Idle workers: capacity for every task at once, so the figure is the protocol's path, not a queue.
  const cluster = await startComputeCluster({ portBase: PORT_BASE, metricsPortBase: METRICS_PORT_BASE, clients: CLIENTS, workerMaxConcurrent: TASKS });
  try {
    const sends = await measureSendBlocks(cluster);
    const tasks = await measureTasks(cluster);
    const sendsAfter = await measureSendBlocks(cluster);
    const reference = [...sends, ...sendsAfter].sort((a, b) => a - b);
    figures.push(...tasks.figures, { figure: "send_inclusion_p50_blocks", value: quantile(reference, 0.5), unit: "blocks", note: "bank send, broadcast → included (reference)" });
    ratios.push(
      { figure: "latency_p50_blocks_ratio_to_two_tx_round_trips", ours: quantile(tasks.blocks, 0.5), reference: 2 * quantile(reference, 0.5), unit: "blocks", referenceName: "2 × bank-send inclusion p50" },
      { figure: "latency_p95_blocks_ratio_to_two_tx_round_trips", ours: quantile(tasks.blocks, 0.95), reference: 2 * quantile(reference, 0.95), unit: "blocks", referenceName: "2 × bank-send inclusion p95" },
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${await cluster.workerLogs()}`);
  } finally {
    await cluster.stop();
  }
  printFigures("e2e", figures);
  printRatios("e2e", ratios);
}

export const e2eBenchmark: Benchmark = {
  name: "e2e",
  description: "1 node + 2 real workers: tasks/s and p50/p95 submit→finalised latency (SDK, encrypted); envelope path MB/s",
  run: benchE2e,
};
