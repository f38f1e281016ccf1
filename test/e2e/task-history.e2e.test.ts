/**
 * Issue 10 item 3 on a real node: an ended task is pruned from state after
 * task_retention_blocks, and its history stays findable through CometBFT's event index
 * (`tx_search` on `task_status.task_id`); the Task query says where to look, and the SDK's
 * progress stream replays the history of a pruned task.
 */
import { TEST_PORTS } from "../../testnet/ports.js";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { initDevnet, startDevnetNode, portsFrom, type Devnet, type NodeProcess } from "../../testnet/devnet.js";
import { OgpuClient, type TaskUpdate } from "../../sdk/index.js";
import { testEncPubkey } from "../../x/market/testing.js";
import { PREFIX, restGet, rpcGet, until } from "./helpers.js";
import { textCid } from "../../crypto/cid.js";

const PORT_BASE = TEST_PORTS.taskHistory.base;
const RETENTION = 3;
const FEE = { amount: [{ denom: "uogpu", amount: "2500" }], gas: "500000" };

let home: string;
let devnet: Devnet;
let node: NodeProcess | undefined;
let client: OgpuClient;
let worker: OgpuClient;

const wallet = (mnemonic: string) => DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: PREFIX });

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "ogpu-e2e-history-"));
  devnet = await initDevnet({
    home,
    ports: portsFrom(PORT_BASE),
    blockTime: "250ms",
    checkInvariants: true,
    accounts: [{ name: "client", coins: "100000000000uogpu" }, { name: "w1", coins: "5000000000uogpu" }],
    params: { workers: { heartbeat_timeout_blocks: 1000 }, market: { task_retention_blocks: RETENTION } },
  });
  node = await startDevnetNode(devnet);
  client = await OgpuClient.connect(devnet.rpcUrl, await wallet(devnet.accounts[0]!.mnemonic), { fee: FEE, broadcastPollIntervalMs: 200 });
  worker = await OgpuClient.connect(devnet.rpcUrl, await wallet(devnet.accounts[1]!.mnemonic), { broadcastPollIntervalMs: 200 });
  await worker.registerWorker({
    gpus: [{ vendor: "nvidia", model: "RTX4090", vramMb: 24_576, pciId: "0000:01:00.0" }],
    region: "eu",
    pricePerUnit: 100n,
    maxConcurrent: 4,
    encPubkey: testEncPubkey(1),
    bond: 1_100_000_000n,
  });
}, 120_000);

afterAll(async () => {
  client?.disconnect();
  worker?.disconnect();
  await node?.stop();
  if (home) await rm(home, { recursive: true, force: true });
});

describe("pruned task history on a real node", () => {
  it("item 3: a cancelled task is pruned after task_retention_blocks; tx_search on task_status.task_id still finds its history", async () => {
    const { taskId } = await client.submitTask({ kind: "matmul", inputCid: textCid("e2e input"), inputBytes: 9, units: 10n, maxPricePerUnit: 400n, requirements: { gpuModels: ["RTX4090"] } });
    const { height } = await client.cancelTask(taskId);
    const path = `/ogpu/market/v1/tasks/${taskId}`;
    const gone = await until("pruning", () => restGet<{ message?: string }>(devnet, path), (r) => r.status === 404, 30_000);
    expect(gone.body.message).toContain(`task_status.task_id=${taskId}`);
    expect(Number((await rpcGet<{ sync_info: { latest_block_height: string } }>(devnet.rpcUrl, "status")).sync_info.latest_block_height)).toBeGreaterThanOrEqual(height + RETENTION);

    // The history, as the Task query's hint says: tx_search on the indexed task_id.
    const search = await rpcGet<{ txs: { height: string; tx_result: { events: { type: string; attributes: { key: string; value: string }[] }[] } }[] }>(
      devnet.rpcUrl,
      `tx_search?query=${encodeURIComponent(`"task_status.task_id=${taskId}"`)}&order_by=${encodeURIComponent('"asc"')}`,
    );
    const transitions = search.txs.flatMap((tx) =>
      tx.tx_result.events.filter((e) => e.type === "task_status").map((e) => Object.fromEntries(e.attributes.map((a) => [a.key, a.value]))),
    );
    // Tx events only: submit and cancel (scheduling happens in EndBlock, found by block_search).
    expect(transitions.map((t) => [t.task_id, t.to, t.reason])).toEqual([
      [String(taskId), "pending", "submitted"],
      [String(taskId), "cancelled", "cancelled_by_client"],
    ]);

    // The SDK's stream of a pruned task replays that history to its final state.
    const updates: TaskUpdate[] = [];
    for await (const u of client.progress(taskId)) updates.push(u);
    expect(updates[0]!.state).toBe("pending");
    expect(updates.at(-1)).toMatchObject({ state: "cancelled", reason: "cancelled_by_client" });
  }, 60_000);
});
