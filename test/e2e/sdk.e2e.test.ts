/**
 * The client SDK and the market CLI on a real node (ogpud + cometbft): two workers registered
 * through the SDK itself, tasks followed by the progress stream (websocket subscriptions plus
 * catch-up), expiry after the commit timeouts (nobody commits here), exact refunds on cancel,
 * and the `ogpud tx market` / `q market` / `q workers` commands showing what the SDK sees.
 */
import { TEST_PORTS } from "../../testnet/ports.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import type { StdFee } from "@cosmjs/stargate";
import { runOgpud } from "../../cmd/ogpud/run.js";
import { startTestNode, waitForHeight, type Devnet, type TestNode } from "../../testnet/devnet.js";
import { OgpuClient, TaskEndedError, TaskStatus, WorkerStatus, type SubmitTaskParams, type TaskUpdate } from "../../sdk/index.js";
import { PREFIX, restBalance } from "./helpers.js";
import { textCid } from "../../crypto/cid.js";

const PORT_BASE = TEST_PORTS.sdk.base;
/** Nobody commits: each assignment times out after 3 blocks, the second timeout expires the task. */
const PARAMS = { workers: { heartbeat_timeout_blocks: 1000 }, market: { commit_timeout_blocks: 3, max_retries: 1 } };
/** The client pays a fixed fee so its balance can be checked to the uogpu. */
const CLIENT_FEE: StdFee = { amount: [{ denom: "uogpu", amount: "2500" }], gas: "500000" };
const FEE = 2500n;
const WORKERS = [
  { name: "w1", price: 100n },
  { name: "w2", price: 150n },
];
const TASK: SubmitTaskParams = { kind: "matmul", inputCid: textCid("e2e input"), inputBytes: 9, units: 10n, maxPricePerUnit: 400n, requirements: { gpuModels: ["RTX4090"] } };

let home: string;
let devnet: Devnet;
let testNode: TestNode | undefined;
let client: OgpuClient;
const workers: OgpuClient[] = [];

async function wallet(mnemonic: string) {
  return DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: PREFIX });
}

/** Every update of a task until its final state. */
async function collect(sdk: OgpuClient, taskId: bigint): Promise<TaskUpdate[]> {
  const updates: TaskUpdate[] = [];
  for await (const u of sdk.progress(taskId)) updates.push(u);
  return updates;
}

/** `ogpud <argv>` in this process with console output captured, against the test node. */
const ogpud = (...argv: string[]) => runOgpud([...argv, "--node", devnet.rpcUrl]);

async function ogpudJson<T>(...argv: string[]): Promise<T> {
  const run = await ogpud(...argv, "--output", "json");
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as T;
}

beforeAll(async () => {
  testNode = await startTestNode({
    portBase: PORT_BASE,
    homePrefix: "ogpu-e2e-sdk-",
    blockTime: "250ms",
    accounts: [{ name: "client", coins: "100000000000uogpu" }, ...WORKERS.map((w) => ({ name: w.name, coins: "5000000000uogpu" }))],
    params: PARAMS,
  });
  devnet = testNode.devnet;
  home = devnet.home;
  client = await OgpuClient.connect(devnet.rpcUrl, await wallet(devnet.accounts[0]!.mnemonic), { fee: CLIENT_FEE, broadcastPollIntervalMs: 200 });
  for (const account of devnet.accounts.slice(1)) {
    // Workers pay "auto" fees (simulated gas × 1.4 at the default gas price).
    workers.push(await OgpuClient.connect(devnet.rpcUrl, await wallet(account.mnemonic), { broadcastPollIntervalMs: 200 }));
  }
  await Promise.all(
    workers.map((w, i) =>
      w.registerWorker({
        gpus: [{ vendor: "nvidia", model: "RTX4090", vramMb: 24_576, pciId: "0000:01:00.0" }],
        region: "eu",
        pricePerUnit: WORKERS[i]!.price,
        maxConcurrent: 4,
        encPubkey: new Uint8Array(1216).fill(i + 1),
        // Above min_worker_bond (1,000 OGPU) by more than the 1 % each commit timeout slashes.
        bond: 1_100_000_000n,
      }),
    ),
  );
}, 120_000);

afterAll(async () => {
  client?.disconnect();
  for (const w of workers) w.disconnect();
  await testNode?.cleanup();
});

describe("OgpuClient on a real node", () => {
  it("streams submitted → assigned → (timeout) → assigned → expired, and waitForResult rejects with the reason", async () => {
    const before = await restBalance(devnet, client.address!);
    const submitted = await client.submitTask(TASK);
    expect(submitted).toMatchObject({ escrow: 4000n, height: expect.any(Number) as number });
    expect(submitted.txHash).toMatch(/^[0-9A-F]{64}$/);

    const [updates, outcome] = await Promise.all([collect(client, submitted.taskId), client.waitForResult(submitted.taskId, { timeoutMs: 45_000 }).catch((e: unknown) => e)]);
    // The task is submitted and scheduled in the same block, before the stream starts: the
    // first two changes come from the catch-up searches, in chain order.
    expect(updates.map((u) => [u.from, u.state, u.reason])).toEqual([
      ["unspecified", "pending", "submitted"],
      ["pending", "assigned", "scheduled"],
      ["assigned", "pending", "commit_timeout"],
      ["pending", "assigned", "scheduled"],
      ["assigned", "expired", "max_retries"],
    ]);
    expect(updates[0]!.height).toBe(submitted.height);
    const assignedTo = updates.filter((u) => u.state === "assigned").map((u) => u.events.find((e) => e.type === "task_assigned")!.attributes.worker);
    expect(new Set(assignedTo)).toEqual(new Set(workers.map((w) => w.address)));
    expect(updates.every((u, i) => i === 0 || u.height >= updates[i - 1]!.height)).toBe(true);

    expect(outcome).toBeInstanceOf(TaskEndedError);
    expect((outcome as TaskEndedError).update).toMatchObject({ state: "expired", reason: "max_retries" });
    expect((outcome as Error).message).toMatch(/EXPIRED.*max_retries/);

    // Expiry refunds the whole escrow: only the submit fee is gone.
    const task = await client.getTask(submitted.taskId);
    expect(task).toMatchObject({ status: TaskStatus.TASK_STATUS_EXPIRED, escrow: "0", retries: 1, statusReason: "max_retries" });
    expect(await restBalance(devnet, client.address!)).toBe(before - FEE);
  }, 60_000);

  it("cancelTask refunds exactly; a stream opened after the end reports the final state", async () => {
    const before = await restBalance(devnet, client.address!);
    const { taskId, escrow } = await client.submitTask({ ...TASK, units: 7n });
    expect(escrow).toBe(2800n);
    expect(await restBalance(devnet, client.address!)).toBe(before - FEE - escrow);
    const { refunded } = await client.cancelTask(taskId);
    expect(refunded).toBe(escrow);
    expect(await restBalance(devnet, client.address!)).toBe(before - 2n * FEE);

    const updates = await collect(client, taskId);
    expect(updates.at(-1)).toMatchObject({ state: "cancelled", reason: "cancelled_by_client", source: "tx" });
    await expect(client.waitForResult(taskId, { timeoutMs: 10_000 })).rejects.toThrow(/CANCELLED.*cancelled_by_client/);
    await expect(collect(client, 999_999n)).rejects.toThrow(/task 999999 not found/);
  }, 30_000);

  it("keeps following a task across a node restart (reconnect + catch-up)", async () => {
    const { taskId } = await client.submitTask({ ...TASK, units: 3n });
    const updates: TaskUpdate[] = [];
    let assigned!: () => void;
    const firstAssigned = new Promise<void>((resolve) => (assigned = resolve));
    const streamDone = (async () => {
      // A short stale limit so the dead session is noticed quickly.
      for await (const u of client.progress(taskId, { staleAfterMs: 1500, reconnectDelayMs: 300 })) {
        updates.push(u);
        if (u.state === "assigned") assigned();
      }
    })();
    await firstAssigned;
    await testNode!.node.stop();
    testNode!.restart();
    await waitForHeight(devnet.rpcUrl, 2n);
    await streamDone;
    expect(updates.at(-1)).toMatchObject({ state: "expired", reason: "max_retries" });
    // Nothing lost or repeated: every change starts where the previous one ended.
    expect(updates.slice(1).every((u, i) => u.from === updates[i]!.state)).toBe(true);
    expect(updates.filter((u) => u.state === "assigned")).toHaveLength(2);
  }, 60_000);

  it("lists and reads back workers, tasks and prices; the CLI prints the same", async () => {
    const [w1, w2] = workers.map((w) => w.address!);
    await workers[0]!.heartbeat();
    const listed = await client.listWorkers({ gpuModel: "RTX4090" });
    // Address order is the order of the address bytes, not of the bech32 strings.
    expect(new Set(listed.map((v) => v.worker!.operator))).toEqual(new Set([w1, w2]));
    expect(listed.every((v) => v.status === WorkerStatus.WORKER_STATUS_ONLINE && v.tier === 1)).toBe(true);
    expect((await client.getWorker(w2!))!.worker).toMatchObject({ pricePerUnit: "150", maxConcurrent: 4 });
    expect(await client.getWorker(client.address!)).toBeUndefined();

    const mine = await client.listTasks({ client: client.address! });
    expect(mine.map((t) => t.status)).toEqual([TaskStatus.TASK_STATUS_EXPIRED, TaskStatus.TASK_STATUS_CANCELLED, TaskStatus.TASK_STATUS_EXPIRED]);
    expect(await client.listTasks({ status: "cancelled" })).toEqual([mine[1]]);
    const price = await client.basePrice(1);
    expect(BigInt(price.basePricePerUnit)).toBeGreaterThan(0n);

    type TaskJson = { id: string; status: string; client: string; escrow: string; status_reason: string };
    const shown = await ogpudJson<TaskJson>("q", "market", "task", mine[0]!.id.toString());
    expect(shown).toMatchObject({ id: mine[0]!.id.toString(), status: "TASK_STATUS_EXPIRED", client: client.address, escrow: "0", status_reason: "max_retries" });
    const cancelled = await ogpudJson<{ tasks: TaskJson[] }>("q", "market", "tasks", "--status", "cancelled");
    expect(cancelled.tasks.map((t) => t.id)).toEqual([mine[1]!.id.toString()]);
    const cliWorkers = await ogpudJson<{ workers: { worker: { operator: string; price_per_unit: string }; status: string; tier: number }[] }>("q", "workers", "list", "--gpu-model", "RTX4090");
    expect(cliWorkers.workers.map((w) => [w.worker.operator, w.worker.price_per_unit, w.status])).toEqual(
      listed.map((v) => [v.worker!.operator, v.worker!.pricePerUnit, "WORKER_STATUS_ONLINE"]),
    );
    expect((await ogpudJson<{ worker: { operator: string } }>("q", "workers", "show", w1!)).worker.operator).toBe(w1);
    const cliPrice = await ogpudJson<{ tier: number; base_price_per_unit: string }>("q", "market", "base-price", "1");
    expect(cliPrice.tier).toBe(1);

    const missing = await ogpud("q", "market", "task", "424242");
    expect([missing.code, missing.stderr]).toEqual([1, "error: task 424242 not found"]);
    const badStatus = await ogpud("q", "workers", "list", "--status", "sleepy");
    expect(badStatus.code).toBe(1);
    expect(badStatus.stderr).toMatch(/^error: unknown worker status 'sleepy' \(one of: online, offline, jailed, exiting\)$/);
  }, 30_000);

  it("ogpud tx market submit-task --wait prints one line per change and exits 1 on expiry; cancel-task refunds", async () => {
    const keys = ["--from", "client", "--keyring-backend", "test", "--home", home, "--yes"];
    const task = ["--kind", "hash", "--input-cid", textCid("cli input"), "--input-bytes", "9", "--units", "5", "--max-price", "300", "--gpu-models", "RTX4090", "--k", "1"];
    const waited = await ogpud("tx", "market", "submit-task", ...task, ...keys, "--wait", "--timeout", "45");
    expect(waited.code).toBe(1);
    expect(waited.stderr).toMatch(/^error: task \d+ ended EXPIRED at height \d+: max_retries$/);
    const lines = waited.stdout.split("\n").filter((l) => l.startsWith("height "));
    expect(lines.map((l) => l.replace(/^height \d+ {2}task \d+ {2}/, "").replace(/ {2}worker .*$/, ""))).toEqual([
      "unspecified → pending  (submitted)",
      "pending → assigned  (scheduled)",
      "assigned → pending  (commit_timeout)",
      "pending → assigned  (scheduled)",
      "assigned → expired  (max_retries)",
    ]);
    expect(waited.stdout).toMatch(/^task_id: \d+$/m);

    const submitted = await ogpudJson<{ code: number; task_id: string; escrow: string }>("tx", "market", "submit-task", ...task, ...keys);
    expect(submitted).toMatchObject({ code: 0, escrow: "1500uogpu" });
    const cancelled = await ogpudJson<{ code: number; refunded: string }>("tx", "market", "cancel-task", submitted.task_id, ...keys);
    expect(cancelled).toMatchObject({ code: 0, refunded: "1500uogpu" });
    expect((await client.getTask(BigInt(submitted.task_id)))!.status).toBe(TaskStatus.TASK_STATUS_CANCELLED);

    const notMine = await ogpud("tx", "market", "cancel-task", submitted.task_id, "--from", "w1", "--keyring-backend", "test", "--home", home, "--yes");
    expect(notMine.code).toBe(1);
    expect(notMine.stderr).toMatch(/^error: tx [0-9A-F]{64} failed at height \d+: code 8 \(codespace market\): .*belongs to/);
  }, 60_000);
});
