/**
 * Client programs end to end (docs/programs.md) on a real node with two real `ogpu-worker`
 * processes (bench/e2e.ts startComputeCluster; every task is k = 2, so the single validator —
 * worker 0's account — is excluded from audits and matching reveals finalise):
 *  - `ogpud tx market submit-task --program examples/programs/numpy-sum --input … --wait
 *    --output-file …` packs and uploads the program, both workers advertise the `process`
 *    runtime, fetch the bundle, check its CID, run it under bubblewrap with /usr/bin/python3 +
 *    numpy, and the task FINALIZES; the downloaded result is the bundle of `sums.npy`, equal to
 *    a local run of the same program with the task's seed;
 *  - a task naming a program bundle the store does not have is declined by both workers
 *    (PROGRAM_UNAVAILABLE) and FAILS at the client's cost.
 * Ports: TEST_PORTS.programs (testnet/ports.ts): the node, worker metrics at +10..+11.
 */
import { TEST_PORTS, portAt } from "../../testnet/ports.js";
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLUSTER_FEE, startComputeCluster, type ComputeCluster } from "../../bench/e2e.js";
import { runOgpud } from "../../cmd/ogpud/run.js";
import { packageRoot } from "../../cmd/paths.js";
import { hex } from "../../crypto/bytes.js";
import { sha256 } from "../../crypto/hash.js";
import { TaskStatus } from "../../proto/gen/ogpu/market/v1/market.js";
import { packProgram, PROGRAM_KIND, unpackFiles } from "../../sdk/index.js";
import { availableRuntimes, taskSeed } from "../../worker/programs/index.js";
import { until } from "./helpers.js";
import { textCid } from "../../crypto/cid.js";

const NUMPY_SUM = join(packageRoot(), "examples", "programs", "numpy-sum");
let cluster: ComputeCluster;
let scratch: string;
const ogpud = (...argv: string[]) => runOgpud(argv);

beforeAll(async () => {
  const numpy = spawnSync("/usr/bin/python3", ["-c", "import numpy"]);
  if (numpy.status !== 0) throw new Error("this suite needs python3-numpy in /usr/bin/python3 (make deps)");
  scratch = await mkdtemp(join(tmpdir(), "ogpu-e2e-programs-"));
  cluster = await startComputeCluster({ portBase: TEST_PORTS.programs.base, metricsPortBase: portAt(TEST_PORTS.programs, 10), clients: 1 });
}, 180_000);

afterAll(async () => {
  await cluster?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
}, 60_000);

const cli = (...args: string[]) => {
  const { devnet } = cluster;
  return ogpud("tx", "market", "submit-task", "--from", "client0", "--home", devnet.home, "--keyring-backend", "test", "--node", devnet.rpcUrl, "--rest", devnet.restUrl,
    "--units", "10", "--max-price", "200", "--k", "2", "--fees", "3000uogpu", "--gas", CLUSTER_FEE.gas, "--yes", "--output", "json", ...args);
};

describe("programs on a real node with two ogpu-worker processes", () => {
  it("both workers advertise the process runtime", async () => {
    const workers = await cluster.clients[0]!.listWorkers({ status: "online" });
    expect(workers.map((w) => w.worker!.runtimes)).toEqual([["process"], ["process"]]);
  });

  it("ogpud submit-task --program <dir>: the numpy program finalizes, the result is downloaded and equals a local run", async () => {
    const outputFile = join(scratch, "result.bundle");
    // Bitwise here: both workers run the same configuration; the manifest's tolerance class needs an auditor process (docs/verification.md).
    const run = await cli("--program", NUMPY_SUM, "--input", join(NUMPY_SUM, "input.json"), "--verification", "bitwise", "--wait", "--timeout", "150", "--output-file", outputFile);
    expect(run.code, `${run.stdout}\n${run.stderr}\n${await cluster.workerLogs()}`).toBe(0);
    const program = await packProgram(NUMPY_SUM);
    const taskId = BigInt(/"task_id":\s*"?(\d+)/.exec(run.stdout)![1]!);
    const task = (await cluster.clients[0]!.getTask(taskId))!;
    expect(task).toMatchObject({ kind: PROGRAM_KIND, programHash: program.cid, status: TaskStatus.TASK_STATUS_FINALIZED });
    expect(task.requirements).toMatchObject({ runtime: "process", gpus: 0 });
    // The result: the canonical bundle of the declared output, a float32 .npy of 64 row sums.
    const result = new Uint8Array(await readFile(outputFile));
    const [sums] = unpackFiles(result);
    expect(sums!.path).toBe("sums.npy");
    expect(Buffer.from(sums!.data.subarray(0, 6)).toString("latin1")).toBe("\x93NUMPY");
    expect(sums!.data.length).toBe(128 + 64 * 4);
    // Recomputed here by the same runtime with the task's seed (the input CID names the encrypted manifest).
    const runtime = availableRuntimes().get("process")!;
    const input = new Uint8Array(await readFile(join(NUMPY_SUM, "input.json")));
    expect(taskSeed(taskId, task.inputCid)).toBeGreaterThan(0n);
    const local = await runtime.run({ taskId, seed: taskSeed(taskId, task.inputCid), program: { manifest: program.manifest, files: unpackFiles(program.bundle) } }, input, { signal: new AbortController().signal, slot: 0 });
    expect(hex(sha256(local))).toBe(hex(sha256(result)));

    // The chain's program index lists the bundle (ogpud q market programs), beside the built-ins' fixed ids.
    const listed = await ogpud("q", "market", "programs", "--node", cluster.devnet.rpcUrl, "--output", "json");
    expect(listed.code, listed.stderr).toBe(0);
    const index = JSON.parse(listed.stdout) as { programs: Record<string, unknown>[]; builtins: { kind: string; program_hash: string }[] };
    expect(index.programs.find((p) => p.program_hash === program.cid)).toEqual({
      program_hash: program.cid, kind: PROGRAM_KIND, runtime: "process", gpus: 0, first_seen_height: String(task.submitHeight), last_seen_height: String(task.submitHeight), task_count: "1",
    });
    expect(index.builtins.find((b) => b.kind === "matmul")?.program_hash).toBe(textCid("matmul"));
    const page = await ogpud("q", "market", "programs", "--node", cluster.devnet.rpcUrl, "--output", "json", "--limit", "1");
    expect((JSON.parse(page.stdout) as { programs: unknown[] }).programs).toHaveLength(1);
  }, 200_000);

  it("a program bundle the store does not have is declined by both workers: the task FAILS (unexecutable)", async () => {
    const missing = textCid("a bundle nobody uploaded");
    const run = await ogpud("tx", "market", "submit-task", "--from", "client0", "--home", cluster.devnet.home, "--keyring-backend", "test", "--node", cluster.devnet.rpcUrl, "--rest", cluster.devnet.restUrl,
      "--program", missing, "--input-cid", textCid("program input"), "--units", "1", "--max-price", "200", "--k", "2", "--fees", "3000uogpu", "--gas", CLUSTER_FEE.gas, "--yes");
    // The CLI reads the manifest first: a CID whose bundle is not in the store is refused before any tx.
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`--program ${missing}: cannot read the bundle`);
    // Submitted directly (as a client that skips the check), the workers decline it.
    const client = cluster.clients[0]!;
    const { taskId } = await client.submitTask({ kind: PROGRAM_KIND, programHash: missing, inputCid: textCid("program input"), inputBytes: 1024, units: 1n, maxPricePerUnit: 200n, redundancy: 2, requirements: { runtime: "process" } });
    const failed = await until("the task failed as unexecutable", () => client.getTask(taskId), (t) => t?.status === TaskStatus.TASK_STATUS_FAILED, 90_000, cluster.workerLogs);
    expect(failed!.statusReason).toBe("unexecutable:program_unavailable");
    // Each worker logs its decline after the tx lands, so the line may trail the chain's FAILED.
    const declined = new RegExp(`declined \\(program_unavailable\\): program bundle ${missing} not found`, "g");
    await until("both workers' decline lines", cluster.workerLogs, (logs) => (logs.match(declined) ?? []).length === 2);
  }, 120_000);
});
