/**
 * The SDK's whole task round trip on a real node with two real `ogpu-worker` processes
 * (bench/e2e.ts startComputeCluster): OgpuClient.submitTask({ input }) encrypts each input to
 * the online workers and uploads it, fetchResult waits for FINALIZED, downloads a worker's
 * output, decrypts it with the client's mnemonic-derived key and checks it against the digest
 * the chain finalised; the test then compares it with a local run of the same executors.
 * Also `ogpud tx market submit-task --input … --wait --output-file …`, and a result whose
 * digest does not match is refused.
 *
 * Audits: worker 0 runs under the genesis validator's account and every task is k = 2, so the
 * only validator is excluded from every committee and matching reveals finalise the tasks
 * (docs/proof-of-sync.md, no_eligible_validator); no auditor process is needed.
 * Ports: TEST_PORTS.sdkResults (testnet/ports.ts): the node, worker metrics at +10..+11.
 */
import { TEST_PORTS, portAt } from "../../testnet/ports.js";
import { hex } from "../../crypto/bytes.js";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLUSTER_FEE, startComputeCluster, type ComputeCluster } from "../../bench/e2e.js";
import { runOgpud } from "../../cmd/ogpud/run.js";
import { sha256 } from "../../crypto/hash.js";
import { clientEncryptionKey, openTaskResult, ResultDigestMismatchError, TaskStatus } from "../../sdk/index.js";
import { executors } from "../../worker/executors/index.js";

const INPUTS: Record<string, object> = {
  matmul: { n: 24, seed: 11 },
  hash: { rounds: 5_000, data: "sdk results" },
  render: { width: 48, height: 32, max_iter: 100 },
};

let cluster: ComputeCluster;
let scratch: string;

const bytesOf = (o: object) => new TextEncoder().encode(JSON.stringify(o));
const localRun = (kind: string, input: Uint8Array) => executors.get(kind)!.run(input, { signal: new AbortController().signal, slot: 0 });

/** `ogpud <argv>` in this process, output captured. */
const ogpud = (...argv: string[]) => runOgpud(argv);

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "ogpu-e2e-sdk-results-"));
  cluster = await startComputeCluster({ portBase: TEST_PORTS.sdkResults.base, metricsPortBase: portAt(TEST_PORTS.sdkResults, 10), clients: 2 });
}, 180_000);

afterAll(async () => {
  await cluster?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
}, 60_000);

describe("SDK submitTask({ input }) → fetchResult on a real node with two ogpu-worker processes", () => {
  it("three encrypted tasks (matmul, hash, render): finalised, decrypted, verified, equal to a local run", async () => {
    const client = cluster.clients[0]!;
    const submitted = [];
    for (const kind of Object.keys(INPUTS)) {
      const input = bytesOf(INPUTS[kind]!);
      const task = await client.submitTask({ kind, input, units: 10n, maxPricePerUnit: 200n, redundancy: 2 });
      expect(task.encrypted).toBe(true);
      // The chain only ever sees the manifest: the plaintext is not what the input CID names.
      expect(task.inputCid).not.toBe(hex(sha256(input)));
      submitted.push({ kind, input, taskId: task.taskId });
    }
    const results = await Promise.all(submitted.map((s) => client.fetchResult(s.taskId, { timeoutMs: 120_000 }).catch(async (err: Error) => {
      throw new Error(`${err.message}\n${await cluster.workerLogs()}`);
    })));
    for (const [i, { kind, input, taskId }] of submitted.entries()) {
      const expected = await localRun(kind, input);
      const result = results[i]!;
      expect(result.state).toBe("finalized");
      expect(result.encrypted).toBe(true);
      expect(result.digest).toBe(hex(sha256(expected)));
      expect(Buffer.from(result.output).equals(Buffer.from(expected))).toBe(true);
      expect(new Set(result.paidWorkers)).toEqual(new Set(cluster.workers));
      expect((await client.getTask(taskId))!.status).toBe(TaskStatus.TASK_STATUS_FINALIZED);
    }
    // A result whose digest is not the output's is refused, even though the blob itself is intact.
    // (accounts[1] is client0, whose mnemonic-derived key the SDK used.)
    const encryptionKey = await clientEncryptionKey(cluster.devnet.accounts[1]!.mnemonic);
    const manifest = { ogpu_encrypted_input: 1, payload_cid: "", client_key: Buffer.from(encryptionKey.publicKey).toString("base64"), keys: {} };
    const forged = { ...results[0]!, digest: hex(sha256(new Uint8Array([1]))) };
    await expect(openTaskResult({ restUrl: cluster.devnet.restUrl, result: forged, manifest, encryptionKey })).rejects.toThrow(ResultDigestMismatchError);
  }, 180_000);

  it("ogpud tx market submit-task --input --wait --output-file: progress, then the verified plaintext result on disk", async () => {
    const input = bytesOf({ rounds: 3_000, data: "cli input" });
    const inputFile = join(scratch, "input.json");
    const outputFile = join(scratch, "output.bin");
    await writeFile(inputFile, input);
    const { devnet } = cluster;
    const run = await ogpud(
      "tx", "market", "submit-task", "--from", "client1", "--home", devnet.home, "--keyring-backend", "test", "--node", devnet.rpcUrl, "--rest", devnet.restUrl,
      "--kind", "hash", "--input", inputFile, "--units", "10", "--max-price", "200", "--k", "2", "--fees", "3000uogpu", "--gas", CLUSTER_FEE.gas, "--yes",
      "--wait", "--timeout", "120", "--output-file", outputFile,
    );
    expect(run.stderr).toMatch(/input uploaded: encrypted to 2 worker\(s\)/);
    expect(run.code, `${run.stdout}\n${run.stderr}\n${await cluster.workerLogs()}`).toBe(0);
    expect(run.stdout).toMatch(/→ finalized/);
    const expected = await localRun("hash", input);
    expect(Buffer.from(await readFile(outputFile)).equals(Buffer.from(expected))).toBe(true);
    expect(run.stdout).toContain(hex(sha256(expected)));
  }, 180_000);

  it("the CLI refuses --output-file without --wait, in one line", async () => {
    const run = await ogpud("tx", "market", "submit-task", "--from", "client1", "--kind", "hash", "--input", "x", "--units", "1", "--max-price", "1", "--output-file", "y");
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(/--output-file needs --wait/);
  });
});
