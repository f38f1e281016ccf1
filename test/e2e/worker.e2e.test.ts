/**
 * The worker sidecar end to end: a real node (ogpud + cometbft, the dev key as the genesis
 * validator so Proof-of-Sync audits happen) and two real `ogpu-worker` processes
 * (dist/worker/main.js) plus the validator's real auditor (`ogpu-worker audit` with the
 * validator's operator key). A client script using the SDK:
 *  - submits three encrypted tasks (matmul, hash, render, k = 2; the data key is wrapped for
 *    both workers and for the auditor key the auditor published on chain at start,
 *    MsgSetAuditorKey → Query/AuditorKeys) → both workers run them →
 *    audited (the auditor re-executes and votes MATCH) → FINALIZED;
 *    the client downloads a worker's output, decrypts it, and checks it against a local run
 *    of the same executors;
 *  - kill -9 the worker running a task → the slot times out, moves to the other worker, the
 *    task still finalises, and the client's balance moves by exactly fees + payment;
 *  - stops and restarts the node right after an assignment → the workers reconnect, catch up
 *    by query and the task finalises.
 * Ports: TEST_PORTS.worker (testnet/ports.ts): the node, worker metrics +10.., auditor metrics +20.
 */
import { TEST_PORTS, portAt } from "../../testnet/ports.js";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { deriveKey } from "../../crypto/keyring.js";
import { generateKemKeyPair } from "../../crypto/kem.js";
import { signSecp256k1 } from "../../crypto/secp256k1.js";
import { TaskStatus, type Task } from "../../proto/gen/ogpu/market/v1/market.js";
import { OgpuClient } from "../../sdk/client.js";
import { singleChunkCid, fetchBlob, type BlobSigner } from "../../sdk/blobs.js";
import { listAuditorKeys, marketParams } from "../../sdk/queries.js";
import { inputRecipients, uploadTaskInput } from "../../sdk/task-io.js";
import { offsetPort, startTestNode, waitForHeight, type Devnet, type TestNode } from "../../testnet/devnet.js";
import { packageRoot } from "../../cmd/paths.js";
import { resultDigest } from "../../worker/digest.js";
import { executors } from "../../worker/executors/index.js";
import { readAuditorPublicInfo } from "../../worker/keys.js";
import { openTaskOutput } from "../../crypto/task-crypto.js";
import { moduleAccountAddress, OGPU, PREFIX, restBalance, TASK_TX_FEE as FEE, TASK_TX_FEE_AMOUNT as FEE_AMOUNT, until as pollUntil } from "./helpers.js";

const PORT_BASE = TEST_PORTS.worker.base;
const METRICS_PORT = offsetPort(portAt(TEST_PORTS.worker, 10));
const AUDITOR_METRICS_PORT = offsetPort(portAt(TEST_PORTS.worker, 20));
const UNITS = 10n;
const PARAMS = {
  workers: { heartbeat_timeout_blocks: 60 },
  market: { commit_timeout_blocks: 25, max_retries: 3 },
  attest: { audit_timeout_blocks: 60, reveal_timeout_blocks: 40 },
};
const INPUTS: Record<string, object> = {
  matmul: { n: 32, seed: 7 },
  hash: { rounds: 20_000, data: "worker e2e" },
  render: { width: 64, height: 48, max_iter: 200 },
};

interface WorkerProc {
  home: string;
  address: string;
  proc: ChildProcess;
  exited: Promise<unknown>;
}

let home: string;
let devnet: Devnet;
let testNode: TestNode | undefined;
let client: OgpuClient;
let validator: OgpuClient;
let blobSigner: BlobSigner;
const clientKem = generateKemKeyPair();
const workers: WorkerProc[] = [];
let auditor: { proc: ChildProcess; exited: Promise<unknown> } | undefined;
/** Plaintext input of every task the test submitted, to check outputs against a local run. */
const inputs = new Map<bigint, { kind: string; input: Uint8Array }>();
let clientFees = 0n;

const workerScript = () => join(packageRoot(), "dist", "worker", "main.js");
const bytesOf = (o: object) => new TextEncoder().encode(JSON.stringify(o));
const localRun = async (kind: string, input: Uint8Array) => executors.get(kind)!.run(input, { signal: new AbortController().signal, slot: 0 });

function initWorker(dir: string): string {
  const r = spawnSync(process.execPath, [workerScript(), "init", "--home", dir, "--keyring-backend", "test"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`ogpu-worker init failed: ${r.stderr}`);
  return /address:\s+(\S+)/.exec(r.stdout)![1]!;
}

/** `ogpu-worker <args>` as a child process, its output appended to `logFile`. */
function spawnWorkerBinary(args: string[], logFile: string): { proc: ChildProcess; exited: Promise<unknown> } {
  const log = createWriteStream(logFile, { flags: "a" });
  const proc = spawn(process.execPath, [workerScript(), ...args, "--keyring-backend", "test", "--node", devnet.rpcUrl, "--rest", devnet.restUrl], { stdio: ["ignore", "pipe", "pipe"] });
  proc.stdout!.pipe(log, { end: false });
  proc.stderr!.pipe(log, { end: false });
  return { proc, exited: new Promise((resolve) => proc.once("exit", resolve)) };
}

function startWorker(w: Omit<WorkerProc, "proc" | "exited">, index: number): WorkerProc {
  const args = ["start", "--home", w.home, "--max-concurrent", "2", "--heartbeat-blocks", "10", "--metrics-port", String(METRICS_PORT + index), "--grace-ms", "2000"];
  return { ...w, ...spawnWorkerBinary(args, join(w.home, "worker.log")) };
}

const logTails = async () => {
  const files = [...workers.map((w) => join(w.home, "worker.log")), join(home, "auditor.log")];
  return (await Promise.all(files.map((f) => readFile(f, "utf8").catch(() => "")))).map((l) => l.slice(-1500)).join("\n---\n");
};

/** The shared poll, with the node's and workers' log tails in its timeout error. */
const until = <T>(what: string, read: () => Promise<T>, check: (v: T) => boolean) => pollUntil(what, read, check, 60_000, logTails);

const task = async (id: bigint): Promise<Task> => (await client.getTask(id))!;

/**
 * Encrypts `input` the way OgpuClient.submitTask does — to the online workers and to the auditor
 * keys published on chain (Query/AuditorKeys) — and submits it; the client pays FEE per tx.
 */
async function submitEncrypted(kind: string, input: Uint8Array, redundancy: number): Promise<bigint> {
  const { recipients, auditors } = await inputRecipients(client.comet);
  expect(auditors.map((a) => a.address)).toEqual([validator.address]);
  const height = BigInt((await client.comet.status()).syncInfo.latestBlockHeight);
  const { inputCid: cid, manifest, storedBytes } = await uploadTaskInput({ restUrl: devnet.restUrl, signer: blobSigner, height, input, encryption: { clientKey: clientKem.publicKey, recipients, auditors } });
  expect(Object.keys(manifest?.auditor_keys ?? {})).toEqual([validator.address]);
  const { taskId } = await client.submitTask({ kind, inputCid: cid, inputBytes: storedBytes, units: UNITS, maxPricePerUnit: 200n, redundancy });
  clientFees += FEE_AMOUNT;
  inputs.set(taskId, { kind, input });
  return taskId;
}

/** Downloads, decrypts and checks one worker's output against a local recomputation. */
async function checkResult(id: bigint): Promise<void> {
  const result = await client.waitForResult(id, { timeoutMs: 60_000 });
  const { kind, input } = inputs.get(id)!;
  const expected = await localRun(kind, input);
  expect(result.digest).toBe(Buffer.from(resultDigest(expected)).toString("hex"));
  const output = await openTaskOutput(await fetchBlob(devnet.restUrl, result.outputCid), clientKem.secretKey, id);
  expect(Buffer.from(output).equals(Buffer.from(expected))).toBe(true);
}

beforeAll(async () => {
  testNode = await startTestNode({
    portBase: PORT_BASE,
    homePrefix: "ogpu-e2e-worker-",
    accounts: [
      { name: "val", coins: `${100_000n * OGPU}uogpu` },
      { name: "client", coins: `${100_000n * OGPU}uogpu` },
    ],
    validator: { stake: `${10_000n * OGPU}uogpu` },
    params: PARAMS,
  });
  devnet = testNode.devnet;
  home = devnet.home;

  const opts = { fee: FEE, broadcastPollIntervalMs: 200 };
  const wallet = (m: string) => DirectSecp256k1HdWallet.fromMnemonic(m, { prefix: PREFIX });
  validator = await OgpuClient.connect(devnet.rpcUrl, await wallet(devnet.accounts[0]!.mnemonic), opts);
  client = await OgpuClient.connect(devnet.rpcUrl, await wallet(devnet.accounts[1]!.mnemonic), opts);
  const key = await deriveKey(devnet.accounts[1]!.mnemonic, "secp256k1");
  blobSigner = { account: client.address!, pubkey: key.pubkey.key, sign: (b) => signSecp256k1(key.privateKey, b) };

  for (const i of [0, 1]) {
    const dir = join(home, `worker${i}`);
    const address = initWorker(dir);
    await validator.broadcast([{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: validator.address, toAddress: address, amount: [{ denom: "uogpu", amount: String(1200n * OGPU) }] } }]);
    workers.push(startWorker({ home: dir, address }, i));
  }
  await until("both workers online", () => client.listWorkers({ status: "online" }), (ws) => ws.length === 2);
  // The devnet's validator operator is the "val" key of the node's keyring: its auditor runs from there.
  auditor = spawnWorkerBinary(["audit", "--home", home, "--key", "val", "--metrics-port", String(AUDITOR_METRICS_PORT)], join(home, "auditor.log"));
  // At start the auditor publishes its key on chain (MsgSetAuditorKey); clients find it there.
  const local = await until("the auditor's local key file", () => readAuditorPublicInfo(home), (k) => k.address === validator.address);
  const onChain = await until("the auditor's key on chain", () => listAuditorKeys(client.comet), (ks) => ks.some((k) => k.validator === validator.address));
  expect(Buffer.from(onChain[0]!.encPubkey).toString("base64")).toBe(local.encPubkey);
}, 120_000);

afterAll(async () => {
  for (const w of [...workers, ...(auditor ? [auditor] : [])]) {
    if (w.proc.exitCode === null && w.proc.signalCode === null) w.proc.kill("SIGTERM");
    await w.exited;
  }
  client?.disconnect();
  validator?.disconnect();
  await testNode?.cleanup();
}, 60_000);

describe("ogpu-worker on a real node", () => {
  it("three encrypted tasks (matmul, hash, render) on both workers: finalised, decrypted, equal to a local run", async () => {
    const ids = [];
    for (const kind of ["matmul", "hash", "render"]) ids.push(await submitEncrypted(kind, bytesOf(INPUTS[kind]!), 2));
    await Promise.all(ids.map((id) => checkResult(id)));
    for (const id of ids) expect((await task(id)).status).toBe(TaskStatus.TASK_STATUS_FINALIZED);
    // The worker's metrics endpoint counts the reveals.
    const text = await (await fetch(`http://127.0.0.1:${METRICS_PORT}/metrics`)).text();
    expect(text).toMatch(/ogpu_worker_jobs_total\{state="revealed",kind="any"\} 3/);
    // Its earnings: each task paid it price × units less the market fee, as the escrow's transfers say.
    const feeBps = BigInt(Number((await marketParams(client.comet)).market_fee_bps));
    const perTask = 100n * UNITS - (100n * UNITS * feeBps) / 10_000n;
    const earnings = async () => /ogpu_worker_earnings_uogpu_total (\d+)/.exec(await (await fetch(`http://127.0.0.1:${METRICS_PORT}/metrics`)).text())?.[1];
    await until("worker 0's earnings for three tasks", earnings, (e) => e === String(3n * perTask));
    // The first draw sees CV 0 (p = 100 %); later ones may see CV 1 after a settlement (p = 50 %).
    // Every committee that drew the validator got a MATCH vote from its auditor, nothing else.
    const auditorState = async () => ({
      drawn: (await readFile(join(home, "auditor.log"), "utf8")).match(/drawn on its audit committee/g)?.length ?? 0,
      metrics: await (await fetch(`http://127.0.0.1:${AUDITOR_METRICS_PORT}/metrics`)).text(),
    });
    const matches = (t: string) => Number(/ogpu_auditor_votes_total\{outcome="VERDICT_MATCH"\} (\d+)/.exec(t)?.[1] ?? 0);
    const { metrics: votes } = await until("a MATCH vote per audit committee", auditorState, (a) => a.drawn >= 1 && matches(a.metrics) === a.drawn);
    expect(votes).not.toMatch(/outcome="(VERDICT_UNEXECUTABLE|missed|rejected)"/);
  }, 90_000);

  it("item 6b worker e2e: an input blob that was never uploaded is declined by both workers; the task FAILS at the client's cost, no bond or CV lost", async () => {
    const before = await restBalance(devnet, client.address!);
    const fees = clientFees;
    const view = async () => Promise.all(workers.map(async (w) => (await client.getWorker(w.address))!.worker!));
    const workers0 = await view();
    const missing = singleChunkCid(new TextEncoder().encode("an input the client never uploaded"));
    const { taskId: id } = await client.submitTask({ kind: "hash", inputCid: missing, inputBytes: 1024, units: UNITS, maxPricePerUnit: 200n, redundancy: 1 });
    clientFees += FEE_AMOUNT;
    const failed = await until("the task to fail as unexecutable", () => task(id), (t) => t.status === TaskStatus.TASK_STATUS_FAILED);
    expect(failed).toMatchObject({ statusReason: "unexecutable:input_unavailable", declines: 2, escrow: "0" });
    const workers1 = await view();
    workers1.forEach((w, i) => {
      expect(w.bond).toBe(workers0[i]!.bond);
      expect(w.reliability!.cv).toBe(workers0[i]!.reliability!.cv);
      expect(w.reliability!.timeouts).toBe(workers0[i]!.reliability!.timeouts);
      expect(w.reliability!.declines).toBe(workers0[i]!.reliability!.declines + 1n);
    });
    // 10 % of the 200 × UNITS escrow, at least 10,000 uogpu (the default unexecutable fee), to the treasury.
    const escrow = 200n * UNITS;
    const fee = escrow / 10n > 10_000n ? escrow / 10n : escrow < 10_000n ? escrow : 10_000n;
    expect(await restBalance(devnet, client.address!)).toBe(before - (clientFees - fees) - fee);
    expect(await restBalance(devnet, moduleAccountAddress("market_escrow"))).toBe(0n);
  }, 90_000);

  it("kill -9 the worker running a task: reassigned after the commit timeout, still finalised, funds exact", async () => {
    const before = await restBalance(devnet, client.address!);
    const fees = clientFees;
    const id = await submitEncrypted("hash", bytesOf({ rounds: 1_000_000, data: "killed mid-task" }), 1);
    const assigned = await until("assignment", () => task(id), (t) => t.assignments.length === 1);
    const victim = workers.find((w) => w.address === assigned.assignments[0]!.worker)!;
    victim.proc.kill("SIGKILL");
    await victim.exited;
    await checkResult(id);
    const done = await task(id);
    expect(done.status).toBe(TaskStatus.TASK_STATUS_FINALIZED);
    expect(done.excludedWorkers).toContain(victim.address);
    expect(done.assignments.map((a) => a.worker)).not.toContain(victim.address);
    expect(done.escrow).toBe("0");
    const pay = done.assignments.reduce((sum, a) => sum + BigInt(a.pricePerUnit) * UNITS, 0n);
    expect(await restBalance(devnet, client.address!)).toBe(before - (clientFees - fees) - pay);
    expect(await restBalance(devnet, moduleAccountAddress("market_escrow"))).toBe(0n);
  }, 90_000);

  it("node restarted right after an assignment: the worker reconnects, catches up and the task finalises", async () => {
    const id = await submitEncrypted("matmul", bytesOf({ n: 24, seed: 99 }), 1);
    await until("assignment", () => task(id), (t) => t.assignments.length === 1);
    await testNode!.node.stop();
    testNode!.restart();
    await waitForHeight(devnet.rpcUrl, 1n);
    await checkResult(id);
    const log = await readFile(join(workers.find((w) => w.proc.exitCode === null && w.proc.signalCode === null)!.home, "worker.log"), "utf8");
    expect(log).toMatch(/resync \(connected\)[\s\S]*resync \(connected\)/);
  }, 90_000);

  it("ogpu-worker status | earnings | exit: the provider's view, then leaving the market", async () => {
    const w = workers[0]!;
    const cli = (...args: string[]) => spawnSync(process.execPath, [workerScript(), ...args, "--home", w.home, "--node", devnet.rpcUrl, "-o", "json"], { encoding: "utf8" });
    const status = cli("status");
    expect(status.status, status.stderr).toBe(0);
    const view = JSON.parse(status.stdout) as { address: string; registered: boolean; status: string; bond: string; reliability: { successes: string }; balance: string; exit_height: string };
    // Earlier tests kill and restart workers: whatever its state now, it is registered and has not exited.
    expect(view).toMatchObject({ address: w.address, registered: true, status: expect.stringMatching(/^WORKER_STATUS_/), exit_height: "0" });
    expect(view.reliability.successes).toMatch(/^[0-9]+$/);
    const earned = JSON.parse(cli("earnings").stdout) as { address: string; balance: string; provider_rewards_paid: string };
    expect(earned.address).toBe(w.address);
    expect(earned.balance).toMatch(/^[0-9]+uogpu$/);
    const declined = spawnSync(process.execPath, [workerScript(), "exit", "--home", w.home, "--node", devnet.rpcUrl, "--keyring-backend", "test"], { encoding: "utf8", input: "n\n" });
    expect([declined.status, declined.stderr]).toEqual([1, expect.stringMatching(/aborted: the worker did not exit/)]);
    const exited = cli("exit", "--keyring-backend", "test", "-y");
    expect(exited.status, exited.stderr).toBe(0);
    expect(BigInt((JSON.parse(exited.stdout) as { bond_return_height: string }).bond_return_height)).toBeGreaterThan(0n);
    const after = JSON.parse(cli("status").stdout) as { exit_height: string };
    expect(BigInt(after.exit_height)).toBeGreaterThan(0n);
  });
});
