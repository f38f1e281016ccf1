/**
 * Issue 13 on a 4-validator testnet whose nodes each run their own kubo, peered
 * (`ogpud init --storage ipfs`, docs/storage.md), with every validator's auditor and 2 workers on
 * node3 and node2:
 *  - (a) the client submits an encrypted task through node0 (its input uploaded there only);
 *    the worker fetches the input through its own node, the committee's auditors through theirs;
 *    the client fetches and decrypts the output through node1; the result equals a local run;
 *  - (e) with the workers stopped, the client submits an encrypted task through node0; node1..3
 *    replicate its manifest and payload at submission (their kubo pins them); node0 is SIGKILLed
 *    (ogpud, cometbft, kubo) before anyone fetched the input, the workers resume: the task
 *    finalises on the 3 validators left (3/4 of the power), the client's output through node1
 *    matches a local run, node1..3 serve the input's exact bytes, and once the task settled and
 *    the (shortened) retention passed, their sweeps unpin it — the worker's and the auditors'
 *    nodes among them;
 *  - (f) the live nodes agree on every app hash.
 * Ports: TEST_PORTS.testnetMarketIpfs (testnet/ports.ts): node i at +10i (kubo at +7..+9), role
 * metrics from +50.
 */
import { TEST_PORTS, portAt } from "../../testnet/ports.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TaskStatus } from "../../proto/gen/ogpu/market/v1/market.js";
import { OgpuClient } from "../../sdk/client.js";
import { fetchBlob } from "../../sdk/blobs.js";
import { parseManifest } from "../../crypto/task-crypto.js";
import { clientEncryptionKey } from "../../sdk/task-io.js";
import { offsetPort, portsFrom } from "../../testnet/devnet.js";
import { appHashDisagreements, startMarketCluster, type MarketCluster } from "../../testnet/market-cluster.js";
import { setGenesisParams } from "../../testnet/market.js";
import { killTestnetNode, type TestnetNode } from "../../testnet/testnet.js";
import { executors } from "../../worker/executors/index.js";
import { until as pollUntil } from "./helpers.js";

let cluster: MarketCluster;
let reader: OgpuClient;

const until = <T>(what: string, read: () => Promise<T>, check: (v: T) => boolean, timeoutMs = 240_000) => pollUntil(what, read, check, timeoutMs, () => cluster.logs());
const localRun = (kind: string, input: Uint8Array) => executors.get(kind)!.run(input, { signal: new AbortController().signal, slot: 0 });
const CPU = { minVramMb: 0n, gpuModels: ["CPU"], tier: 0, preferredRegion: "" };
const TERMINAL = [TaskStatus.TASK_STATUS_FINALIZED, TaskStatus.TASK_STATUS_RESOLVED, TaskStatus.TASK_STATUS_FAILED, TaskStatus.TASK_STATUS_EXPIRED];
/**
 * Blobs no live task names are unpinned this many blocks after it last did (every node's sweep,
 * every 2 s). It must outlast the commit → reveal window (the audit seal window, up to
 * audit_timeout_blocks 40 with a dead member, plus reveal_timeout_blocks 30): a worker uploads
 * its output before it commits, and no task names that CID on chain until the reveal.
 */
const RETENTION_BLOCKS = 80;

/** CIDs a node's kubo holds pinned (recursive pins: what ogpud adds and keeps), from its RPC API. */
async function kuboPins(node: TestnetNode): Promise<Set<string>> {
  const res = await fetch(`http://127.0.0.1:${node.kubo!.api}/api/v0/pin/ls?type=recursive`, { method: "POST" });
  if (!res.ok) throw new Error(`${node.moniker}'s kubo: pin ls answered ${res.status}`);
  return new Set(Object.keys(((await res.json()) as { Keys?: Record<string, unknown> }).Keys ?? {}));
}

/**
 * (e) holds the workers back while node1..3 replicate: a worker assigned then stopped must still
 * be able to commit, and stay online, once resumed on a loaded machine.
 */
function holdBackWindows(appState: Record<string, unknown>): void {
  setGenesisParams(appState, "market", { commit_timeout_blocks: 400 });
  setGenesisParams(appState, "workers", { heartbeat_timeout_blocks: 600 });
}

beforeAll(async () => {
  cluster = await startMarketCluster({ validators: 4, workers: 2, pq: true, storage: "ipfs", basePort: portsFrom(TEST_PORTS.testnetMarketIpfs.base).p2p, metricsPortBase: offsetPort(portAt(TEST_PORTS.testnetMarketIpfs, 50)), blockTime: "500ms",
    genesisOverrides: holdBackWindows,
    nodeStartArgs: ["--blob-retention-blocks", String(RETENTION_BLOCKS), "--blob-sweep-interval-ms", "2000"],
  });
  const node1 = cluster.testnet.nodes[1]!;
  // The same client account's key, reading through node1.
  reader = await OgpuClient.connectReadOnly(node1.rpc, { restUrl: node1.rest, encryptionKey: await clientEncryptionKey(cluster.testnet.faucet.mnemonic) });
}, 400_000);

afterAll(async () => {
  reader?.disconnect();
  await cluster?.stop();
}, 120_000);

describe("the market on a 4-validator testnet with IPFS storage", () => {
  it("(a) encrypted task submitted through node0, run by a worker on another node, output fetched and decrypted through node1", async () => {
    const input = new TextEncoder().encode(JSON.stringify({ n: 24, seed: 31 }));
    const { taskId, encrypted } = await cluster.client.submitTask({ kind: "matmul", input, units: 10n, maxPricePerUnit: 200n, redundancy: 1, requirements: CPU });
    expect(encrypted).toBe(true);
    const result = await reader.fetchResult(taskId, { timeoutMs: 300_000 });
    expect(Buffer.from(result.output).equals(Buffer.from(await localRun("matmul", input)))).toBe(true);
    const task = (await reader.getTask(taskId))!;
    expect(task.status).toBe(TaskStatus.TASK_STATUS_FINALIZED);
    const worker = cluster.roles.workers.find((w) => w.address === task.assignments[0]!.worker)!;
    expect(worker.nodeIndex).not.toBe(0);
  }, 400_000);

  it("(e) node0, the uploader, SIGKILLed before anyone fetched the input: the other nodes replicated it at submission, the task finalises and they serve its exact bytes", async () => {
    const input = new TextEncoder().encode(JSON.stringify({ rounds: 3_000, data: "the uploader dies" }));
    const node0 = cluster.testnet.nodes[0]!;
    const others = cluster.testnet.nodes.slice(1);
    // No worker runs until node0 is gone: nobody fetches the input through any node, so only
    // replication at submission can put it anywhere but on node0.
    const workers = cluster.procs.filter((p) => p.spec.kind === "worker");
    for (const w of workers) w.proc.kill("SIGSTOP");
    let resumed = false;
    const resume = () => {
      if (resumed) return;
      resumed = true;
      for (const w of workers) w.proc.kill("SIGCONT");
    };
    try {
      const { taskId, inputCid, encrypted } = await cluster.client.submitTask({ kind: "hash", input, units: 10n, maxPricePerUnit: 200n, redundancy: 1, requirements: CPU });
      const submitted = Date.now();
      expect(encrypted).toBe(true);
      const manifestBytes = await fetchBlob(node0.rest, inputCid);
      const payloadCid = parseManifest(manifestBytes)!.payload_cid;
      const payloadBytes = await fetchBlob(node0.rest, payloadCid);
      for (const node of others) {
        await until(`${node.moniker}'s kubo pins task ${taskId}'s manifest and payload`, () => kuboPins(node), (pins) => pins.has(inputCid) && pins.has(payloadCid));
      }
      // A figure for the closing note (not asserted): submit tx included → all three replicas pinned.
      console.log(`replication: task ${taskId}'s manifest and payload pinned on node1..3 ${Date.now() - submitted} ms after its submit tx was included`);
      // Assigned at most: no worker has committed, so none has fetched the input.
      expect((await reader.getTask(taskId))!.status).toBeLessThan(TaskStatus.TASK_STATUS_COMMITTED);

      await killTestnetNode(node0);
      resume();
      const resumed = Date.now();
      await until(`task ${taskId} committed by its resumed worker`, () => reader.getTask(taskId), (t) => t !== undefined && t.status >= TaskStatus.TASK_STATUS_COMMITTED);
      console.log(`replication: task ${taskId} committed ${Date.now() - resumed} ms after its worker resumed, node0 down`);
      const done = await until(`task ${taskId} settled without node0`, () => reader.getTask(taskId), (t) => t !== undefined && TERMINAL.includes(t.status));
      expect(done!.status).toBe(TaskStatus.TASK_STATUS_FINALIZED);
      console.log(`replication: task ${taskId} finalised ${Date.now() - submitted} ms after submission, node0 down`);
      const result = await reader.fetchResult(taskId, { timeoutMs: 120_000 });
      expect(Buffer.from(result.output).equals(Buffer.from(await localRun("hash", input)))).toBe(true);
      for (const node of others) {
        for (const [cid, bytes] of [[inputCid, manifestBytes], [payloadCid, payloadBytes]] as const) {
          const res = await fetch(`${node.rest}/blobs/${cid}`);
          expect(res.status, `${node.moniker} GET /blobs/${cid}`).toBe(200);
          expect(Buffer.from(await res.arrayBuffer()).equals(Buffer.from(bytes))).toBe(true);
        }
      }

      // Settled: every node releases its replica (the worker's and the auditors' nodes among
      // them) once the retention has passed since the task last named it, at a sweep.
      const worker = cluster.roles.workers.find((w) => w.address === done!.assignments[0]!.worker)!;
      expect(worker.nodeIndex).not.toBe(0);
      for (const node of others) {
        await until(`${node.moniker}'s kubo unpins task ${taskId}'s manifest and payload after the sweep`, () => kuboPins(node), (pins) => !pins.has(inputCid) && !pins.has(payloadCid));
      }
      console.log(`replication: task ${taskId}'s replicas released on node1..3 ${Date.now() - submitted} ms after submission`);
    } finally {
      resume();
    }
  }, 900_000);

  it("(f) the live nodes agree on every app hash", async () => {
    const live = cluster.testnet.nodes.slice(1);
    const height = BigInt((await reader.comet.status()).syncInfo.latestBlockHeight);
    expect(await appHashDisagreements(live.map((n) => n.rpc), 1n, height)).toEqual([]);
  }, 120_000);
});
