/**
 * Issue 13 on a 4-validator testnet whose nodes each run their own kubo, peered
 * (`ogpud init --storage ipfs`, docs/storage.md), with every validator's auditor and 2 workers on
 * node3 and node2:
 *  - (a) the client submits an encrypted task through node0 (its input uploaded there only);
 *    the worker fetches the input through its own node, the committee's auditors through theirs;
 *    the client fetches and decrypts the output through node1; the result equals a local run;
 *  - (e) node0, the uploader, is SIGKILLed after a second upload, once the worker fetched the input
 *    through its own node: the audit and the task still finalise, and the input stays
 *    retrievable through the other nodes (a blob nobody fetched yet lives only on its uploader).
 * Ports: TEST_PORTS.testnetMarketIpfs (testnet/ports.ts): node i at +10i (kubo at +7..+9), role
 * metrics from +50.
 */
import { TEST_PORTS, portAt } from "../../testnet/ports.js";
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TaskStatus } from "../../proto/gen/ogpu/market/v1/market.js";
import { OgpuClient } from "../../sdk/client.js";
import { fetchBlob } from "../../sdk/blobs.js";
import { clientEncryptionKey } from "../../sdk/task-io.js";
import { offsetPort, portsFrom } from "../../testnet/devnet.js";
import { startMarketCluster, type MarketCluster } from "../../testnet/market-cluster.js";
import { testnetNodePid } from "../../testnet/testnet.js";
import { executors } from "../../worker/executors/index.js";
import { until as pollUntil } from "./helpers.js";

let cluster: MarketCluster;
let reader: OgpuClient;

const until = <T>(what: string, read: () => Promise<T>, check: (v: T) => boolean, timeoutMs = 240_000) => pollUntil(what, read, check, timeoutMs, () => cluster.logs());
const localRun = (kind: string, input: Uint8Array) => executors.get(kind)!.run(input, { signal: new AbortController().signal, slot: 0 });
const CPU = { minVramMb: 0n, gpuModels: ["CPU"], tier: 0, preferredRegion: "" };

beforeAll(async () => {
  cluster = await startMarketCluster({ validators: 4, workers: 2, pq: true, storage: "ipfs", basePort: portsFrom(TEST_PORTS.testnetMarketIpfs.base).p2p, metricsPortBase: offsetPort(portAt(TEST_PORTS.testnetMarketIpfs, 50)), blockTime: "500ms" });
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

  it("(e) node0 SIGKILLed after the upload: the task finalises and its input stays retrievable through the other nodes", async () => {
    const input = new TextEncoder().encode(JSON.stringify({ rounds: 3_000, data: "the uploader dies" }));
    const { taskId, inputCid } = await cluster.client.submitTask({ kind: "hash", input, units: 10n, maxPricePerUnit: 200n, redundancy: 1, requirements: CPU });
    // Other nodes hold a blob once someone fetched it through them (they pin what they fetch for a
    // live task): node0 dies once the worker has committed, i.e. fetched the input through its node.
    await until(`task ${taskId} committed`, () => reader.getTask(taskId), (t) => t !== undefined && t.status >= TaskStatus.TASK_STATUS_COMMITTED);
    const node0 = cluster.testnet.nodes[0]!;
    // The whole node dies at once: ogpud and its children (cometbft and kubo).
    const pid = testnetNodePid(node0)!;
    const children = (await readFile(`/proc/${pid}/task/${pid}/children`, "utf8")).trim().split(/\s+/).filter(Boolean).map(Number);
    process.kill(pid, "SIGKILL");
    for (const child of children) process.kill(child, "SIGKILL");
    const done = await until(`task ${taskId} settled without node0`, () => reader.getTask(taskId), (t) => t !== undefined && [TaskStatus.TASK_STATUS_FINALIZED, TaskStatus.TASK_STATUS_RESOLVED, TaskStatus.TASK_STATUS_FAILED].includes(t.status));
    expect(done!.status).toBe(TaskStatus.TASK_STATUS_FINALIZED);
    for (const node of cluster.testnet.nodes.slice(1)) {
      const bytes = await fetchBlob(node.rest, inputCid);
      expect(bytes.length).toBeGreaterThan(0);
    }
  }, 400_000);
});
