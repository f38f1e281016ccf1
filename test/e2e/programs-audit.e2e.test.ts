/**
 * Issue 12's end-to-end Must-show on real processes: one node (ogpud + cometbft; the dev key is
 * the only validator, and its operator runs the real auditor `ogpu-worker audit`), three real
 * `ogpu-worker start` processes, every job submitted with the real CLI
 * `ogpud tx market submit-task --program <dir> --input <file> --public …`:
 *   A  process runtime, programs see OGPU_SUM_CHUNKS=1, OMP_NUM_THREADS=1;
 *   B  process runtime, programs see OGPU_SUM_CHUNKS=7, OMP_NUM_THREADS=2 (its float sums differ
 *      from A's in the last bits); later restarted with the test fault that perturbs outputs;
 *   C  a host without bubblewrap (no `process` runtime) that declares an H100.
 * Workers fetch blobs through one relay and the auditor through another (test/e2e/audit-cluster.ts),
 * so a bundle can be tampered for one side only.
 *  a. numpy-sum (tolerance): both workers paid, FINALIZED, the downloaded sums within tolerance
 *     of float64 sums computed here by numpy; the same sums also as raw f32le/f64le outputs of one
 *     three-output program, compared output by output by the auditor;
 *     With an encrypted input (no --public) the workers wrap their outputs to the auditor's key
 *     too, and the auditor decrypts and compares them (docs/verification.md, "Encrypted inputs");
 *  b. torch-train (tolerance): FINALIZED, weights and logits within tolerance of a run of the
 *     same program here; f. `ogpud q market logs` prints the job's stdout from both workers;
 *  c. the torch manifest asking for a GPU: no registered worker qualifies (A, B: no GPU; C: no
 *     runtime), so the chain refuses it; once a GPU offer priced above the bid exists it is
 *     accepted and stays PENDING (requirements_unmet), never assigned to A, B or C;
 *  e. a tampered bundle: refused by both workers (decline PROGRAM_MISMATCH, task FAILED), and,
 *     tampered for the auditor only, refused by it (VERDICT_UNEXECUTABLE, its log says why);
 *  d. B restarted perturbing its outputs: the auditor votes it MISMATCH, it is slashed and
 *     jailed, A is paid and the client gets A's result;
 *  and C is never assigned any of these tasks.
 * Ports: TEST_PORTS.programsAudit (testnet/ports.ts): the node, the relays at +30 and +31.
 */
import { TEST_PORTS, portAt } from "../../testnet/ports.js";
import { execFileSync, spawnSync } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { runOgpud } from "../../cmd/ogpud/run.js";
import { hex } from "../../crypto/bytes.js";
import { packageRoot } from "../../cmd/paths.js";
import { TaskStatus, VerificationClass, type Task } from "../../proto/gen/ogpu/market/v1/market.js";
import { MsgRegisterWorker } from "../../proto/gen/ogpu/workers/v1/tx.js";
import { OgpuClient } from "../../sdk/client.js";
import { packFiles, unpackFiles } from "../../sdk/program-pack.js";
import { toleranceToPpt } from "../../sdk/program-manifest.js";
import { packProgram } from "../../sdk/program-dir.js";
import { listAuditorKeys } from "../../sdk/queries.js";
import { MSG } from "../../sdk/registry.js";
import { offsetPort, startTestNode, type Devnet, type TestNode } from "../../testnet/devnet.js";
import { resultDigest } from "../../worker/digest.js";
import { taskSeed } from "../../worker/programs/runtime.js";
import { compareProgramOutputs, withinTolerance } from "../../worker/verify/compare.js";
import { parseNpy, parseRaw } from "../../worker/verify/npy.js";
import { initWorkerHome, readLog, spawnRole, startTamperingRelay, stopRole, type RoleProcess, type TamperingRelay } from "./audit-cluster.js";
import { OGPU, PREFIX, TASK_TX_FEE, until as pollUntil, waitForMoreBlocks } from "./helpers.js";

const PYTHON = "/usr/bin/python3";
const EXAMPLES = join(packageRoot(), "examples", "programs");
const NUMPY_SUM = join(EXAMPLES, "numpy-sum");
const TORCH_TRAIN = join(EXAMPLES, "torch-train");
/** Windows sized for python + torch start-up on a loaded 2-core machine (blocks are 300 ms). */
const PARAMS = {
  workers: { heartbeat_timeout_blocks: 100 },
  market: { commit_timeout_blocks: 600, max_retries: 3 },
  attest: { reveal_timeout_blocks: 300, audit_timeout_blocks: 600 },
};
const WAIT_MS = 400_000;

interface Worker extends RoleProcess {
  name: "A" | "B" | "C";
  home: string;
  address: string;
  args: string[];
}

let testNode: TestNode | undefined;
let devnet: Devnet;
let scratch: string;
let client: OgpuClient;
let funder: OgpuClient;
let workerRelay: TamperingRelay | undefined;
let auditorRelay: TamperingRelay | undefined;
let auditor: RoleProcess | undefined;
const workers: Worker[] = [];
const worker = (name: Worker["name"]) => workers.find((w) => w.name === name)!;

const logTails = async () => (await Promise.all([...workers, ...(auditor ? [auditor] : [])].map(async (r) => `${r.logFile}:\n${(await readLog(r)).slice(-2500)}`))).join("\n---\n");
const until = <T>(what: string, read: () => Promise<T>, check: (v: T) => boolean, timeoutMs = WAIT_MS) => pollUntil(what, read, check, timeoutMs, logTails);
const task = async (id: bigint): Promise<Task> => (await client.getTask(id))!;
/** The auditor logs a vote once its tx landed, which may trail the chain state a test saw: poll. */
const auditorLog = (line: RegExp) => until(`auditor log ${line}`, () => readLog(auditor!), (log) => line.test(log), 60_000);
const workerRecord = async (address: string) => (await client.getWorker(address))!.worker!;

/** The client's CLI with the shared flags; `extra` names the program, input and anything else. */
async function cli(...extra: string[]) {
  const node = ["--home", devnet.home, "--keyring-backend", "test", "--node", devnet.rpcUrl];
  if (extra[0] === "cancel-task") return runOgpud(["tx", "market", ...extra, "--from", "client0", ...node, "--fees", "3000uogpu", "--gas", "3000000", "--yes", "--output", "json"]);
  if (extra[0] === "logs") return runOgpud(["q", "market", ...extra, "--from", "client0", ...node, "--rest", devnet.restUrl]);
  const k = extra.includes("--k") ? [] : ["--k", "2"];
  const bid = extra.includes("--max-price") ? [] : ["--max-price", "1000"];
  return runOgpud(["tx", "market", "submit-task", "--from", "client0", ...node, "--rest", devnet.restUrl, "--public", "--units", "10", ...bid, ...k, "--fees", "3000uogpu", "--gas", "3000000", "--yes", "--output", "json", ...extra]);
}
/** Every task the suite submitted, for the closing check that C was never assigned one. */
const submitted: bigint[] = [];
const taskIdOf = (stdout: string) => {
  const id = BigInt(/"task_id":\s*"?(\d+)/.exec(stdout)![1]!);
  submitted.push(id);
  return id;
};

/** Submits `dir` with its example input and waits for the verified result (written to `out`). */
async function submitAndDownload(dir: string, out: string, input = join(dir, "input.json")): Promise<{ id: bigint; result: Uint8Array }> {
  const run = await cli("--program", dir, "--input", input, "--wait", "--timeout", String(WAIT_MS / 1000), "--output-file", out);
  expect(run.code, `${run.stdout}\n${run.stderr}\n${await logTails()}`).toBe(0);
  return { id: taskIdOf(run.stdout), result: new Uint8Array(await readFile(out)) };
}

/** Each worker's revealed digest, from the reveal events in the tx index. */
async function revealedDigests(id: bigint): Promise<Map<string, string>> {
  const found = await client.comet.txSearchAll({ query: `attest_reveal.task_id='${id}'` });
  const attrs = found.txs.flatMap((tx) => tx.result.events.filter((e) => e.type === "attest_reveal")).map((e) => new Map(e.attributes.map((a) => [a.key, a.value])));
  return new Map(attrs.map((a) => [a.get("worker")!, a.get("result_digest")!]));
}

const successes = async () => new Map(await Promise.all(workers.map(async (w) => [w.name, (await workerRecord(w.address)).reliability!.successes] as const)));

/** numpy-sum's reference: the row sums of the task's seeded matrix in float64, computed here. */
function numpySumsReference(seed: bigint, rows: number, cols: number): Float64Array {
  const script = "import sys, numpy as np\nr, c, s = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])\nm = (np.random.default_rng(s).standard_normal((r, c)) * 1000.0).astype(np.float32)\nprint(' '.join(repr(float(v)) for v in m.astype(np.float64).sum(axis=1)))";
  return Float64Array.from(execFileSync(PYTHON, ["-c", script, String(rows), String(cols), seed.toString()], { encoding: "utf8" }).trim().split(" ").map(Number));
}

function expectSumsClose(result: Uint8Array, seed: bigint): void {
  const files = unpackFiles(result);
  expect(files.map((f) => f.path)).toEqual(["sums.npy"]);
  const got = parseNpy(files[0]!.data);
  const reference = numpySumsReference(seed, 64, 4096);
  // The manifest's tolerance (atol 1e-2, rtol 1e-4) against the exact sums.
  expect(withinTolerance({ shape: [64], dtype: "f8", data: reference }, got, 1e-2, 1e-4)).toMatchObject({ match: true });
}

/** A copy of an example program in scratch; `change` edits its manifest, `extra` adds files (a distinct CID). */
async function programCopy(from: string, name: string, change: (m: Record<string, unknown>) => void = () => {}, extra: Record<string, string> = {}): Promise<string> {
  const dir = join(scratch, name);
  await cp(from, dir, { recursive: true });
  const manifest = JSON.parse(await readFile(join(dir, "ogpu-program.json"), "utf8")) as Record<string, unknown>;
  change(manifest);
  await writeFile(join(dir, "ogpu-program.json"), JSON.stringify(manifest, null, 2));
  for (const [file, text] of Object.entries(extra)) await writeFile(join(dir, file), text);
  return dir;
}

function startWorker(w: Omit<Worker, keyof RoleProcess>, env: Record<string, string> = {}): Worker {
  return { ...w, ...spawnRole(w.args, join(w.home, "worker.log"), env) };
}

beforeAll(async () => {
  for (const module of ["numpy", "torch"]) {
    if (spawnSync(PYTHON, ["-c", `import ${module}`]).status !== 0) throw new Error(`this suite needs python3-${module} in ${PYTHON} (make deps)`);
  }
  scratch = await mkdtemp(join(tmpdir(), "ogpu-e2e-progaudit-"));
  testNode = await startTestNode({
    portBase: TEST_PORTS.programsAudit.base,
    homePrefix: "ogpu-e2e-progaudit-",
    accounts: [
      { name: "val", coins: `${100_000n * OGPU}uogpu` },
      { name: "client0", coins: `${100_000n * OGPU}uogpu` },
      { name: "gpuhost", coins: `${5_000n * OGPU}uogpu` },
    ],
    validator: { stake: `${10_000n * OGPU}uogpu` },
    params: PARAMS,
  });
  devnet = testNode.devnet;
  const opts = { restUrl: devnet.restUrl, fee: TASK_TX_FEE, broadcastPollIntervalMs: 200 };
  const wallet = (m: string) => DirectSecp256k1HdWallet.fromMnemonic(m, { prefix: PREFIX });
  funder = await OgpuClient.connect(devnet.rpcUrl, await wallet(devnet.accounts[0]!.mnemonic), opts);
  client = await OgpuClient.connect(devnet.rpcUrl, await wallet(devnet.accounts[1]!.mnemonic), opts);
  workerRelay = await startTamperingRelay(offsetPort(portAt(TEST_PORTS.programsAudit, 30)), devnet.restUrl);
  auditorRelay = await startTamperingRelay(offsetPort(portAt(TEST_PORTS.programsAudit, 31)), devnet.restUrl);

  const noTools = join(scratch, "empty-path");
  await mkdir(noTools);
  const common = ["start", "--keyring-backend", "test", "--node", devnet.rpcUrl, "--rest", workerRelay.url, "--max-concurrent", "1", "--heartbeat-blocks", "10", "--grace-ms", "2000"];
  const specs: { name: Worker["name"]; flags: string[]; env: Record<string, string> }[] = [
    { name: "A", flags: ["--program-env", "OGPU_SUM_CHUNKS=1,OMP_NUM_THREADS=1"], env: {} },
    { name: "B", flags: ["--program-env", "OGPU_SUM_CHUNKS=7,OMP_NUM_THREADS=2"], env: {} },
    // No bubblewrap on its PATH: the job sandbox probe fails, so it offers no program runtime.
    { name: "C", flags: ["--gpu", "nvidia:H100:81920:1"], env: { PATH: noTools } },
  ];
  for (const spec of specs) {
    const home = join(devnet.home, `worker-${spec.name}`);
    const address = initWorkerHome(home);
    await funder.broadcast([{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: funder.address, toAddress: address, amount: [{ denom: "uogpu", amount: String(1200n * OGPU) }] } }]);
    workers.push(startWorker({ name: spec.name, home, address, args: [...common, "--home", home, ...spec.flags] }, spec.env));
  }
  await until("three workers online", () => client.listWorkers({ status: "online" }), (ws) => ws.length === 3, 120_000);
  // The validator operator's auditor ("val" in the node's keyring), through its own relay.
  auditor = spawnRole(["audit", "--home", devnet.home, "--key", "val", "--keyring-backend", "test", "--node", devnet.rpcUrl, "--rest", auditorRelay.url], join(devnet.home, "auditor.log"));
  await until("the auditor's key on chain", () => listAuditorKeys(client.comet), (keys) => keys.some((k) => k.validator === funder.address), 120_000);
}, 300_000);

afterAll(async () => {
  for (const r of [...workers, ...(auditor ? [auditor] : [])]) await stopRole(r);
  await workerRelay?.close();
  await auditorRelay?.close();
  client?.disconnect();
  funder?.disconnect();
  await testNode?.cleanup();
  if (scratch) await rm(scratch, { recursive: true, force: true });
}, 60_000);

describe("programs audited on a real node: 2 workers + 1 runtime-less worker + the validator's auditor", () => {
  it("the workers advertise what their hosts have: A and B the process runtime, C none", async () => {
    const runtimes = await Promise.all(workers.map(async (w) => (await workerRecord(w.address)).runtimes));
    expect(runtimes).toEqual([["process"], ["process"], []]);
  });

  it("a. numpy-sum (tolerance): the workers' sums differ in their last bits, the auditor matches both, both are paid, the result is within tolerance of numpy's exact sums", async () => {
    const before = await successes();
    const { id, result } = await submitAndDownload(NUMPY_SUM, join(scratch, "numpy.bundle"));
    const t = await task(id);
    expect(t).toMatchObject({ status: TaskStatus.TASK_STATUS_FINALIZED, verification: VerificationClass.VERIFICATION_CLASS_TOLERANCE, atol: toleranceToPpt("1e-2"), rtol: toleranceToPpt("1e-4") });
    expect(t.assignments.map((a) => a.worker).sort()).toEqual([worker("A").address, worker("B").address].sort());
    const digests = await revealedDigests(id);
    expect(digests.size).toBe(2);
    expect(digests.get(worker("A").address)).not.toBe(digests.get(worker("B").address));
    const after = await successes();
    expect([after.get("A")! - before.get("A")!, after.get("B")! - before.get("B")!, after.get("C")! - before.get("C")!]).toEqual([1n, 1n, 0n]);
    await auditorLog(new RegExp(`task ${id}: voted per worker \\(tolerance\\): ogpu1\\w+ VERDICT_MATCH, ogpu1\\w+ VERDICT_MATCH`));
    expectSumsClose(result, taskSeed(id, t.inputCid));
  }, WAIT_MS + 60_000);

  it("a (raw, multi-output). numpy-sum's sums also written as raw f32le (with a shape) and f64le (without): the auditor compares all three outputs, both workers paid", async () => {
    const wrapper = [
      "import os, runpy, numpy as np",
      "runpy.run_path('main.py')",
      "out = os.environ['OGPU_OUTPUT']",
      "sums = np.load(os.path.join(out, 'sums.npy'))",
      "sums.astype('<f4').tofile(os.path.join(out, 'sums.f32'))",
      "sums.astype('<f8').tofile(os.path.join(out, 'sums.f64'))",
    ].join("\n");
    const dir = await programCopy(NUMPY_SUM, "numpy-raw", (m) => {
      m.entrypoint = [PYTHON, "raw.py"];
      m.outputs = [{ name: "sums.npy", format: "npy" }, { name: "sums.f32", format: "f32le", shape: [64] }, { name: "sums.f64", format: "f64le" }];
    }, { "raw.py": `${wrapper}\n` });
    const before = await successes();
    const { id, result } = await submitAndDownload(dir, join(scratch, "numpy-raw.bundle"), join(NUMPY_SUM, "input.json"));
    const t = await task(id);
    expect(t.status).toBe(TaskStatus.TASK_STATUS_FINALIZED);
    const after = await successes();
    expect([after.get("A")! - before.get("A")!, after.get("B")! - before.get("B")!]).toEqual([1n, 1n]);
    const digests = await revealedDigests(id);
    expect(digests.get(worker("A").address)).not.toBe(digests.get(worker("B").address));
    await auditorLog(new RegExp(`task ${id}: voted per worker \\(tolerance\\): ogpu1\\w+ VERDICT_MATCH, ogpu1\\w+ VERDICT_MATCH`));
    const files = new Map(unpackFiles(result).map((f) => [f.path, f.data]));
    expect([...files.keys()]).toEqual(["sums.f32", "sums.f64", "sums.npy"]);
    const reference = { shape: [64], dtype: "f8" as const, data: numpySumsReference(taskSeed(id, t.inputCid), 64, 4096) };
    expect(withinTolerance(reference, parseRaw(files.get("sums.f32")!, "f32le", [64]), 1e-2, 1e-4)).toMatchObject({ match: true });
    expect(withinTolerance(reference, parseRaw(files.get("sums.f64")!, "f64le", [64]), 1e-2, 1e-4)).toMatchObject({ match: true });
  }, WAIT_MS + 60_000);

  it("a (encrypted). numpy-sum with an encrypted input: the workers wrap their outputs to the auditor's key, the auditor decrypts and compares them, both are paid; the client decrypts the result", async () => {
    const out = join(scratch, "numpy-encrypted.bundle");
    const node = ["--home", devnet.home, "--keyring-backend", "test", "--node", devnet.rpcUrl, "--rest", devnet.restUrl];
    // No --public: the input is sealed to A and B (the workers offering the runtime) and to the auditor's published key.
    const run = await runOgpud(["tx", "market", "submit-task", "--from", "client0", ...node, "--program", NUMPY_SUM, "--input", join(NUMPY_SUM, "input.json"), "--units", "10", "--max-price", "1000", "--k", "2",
      "--fees", "3000uogpu", "--gas", "3000000", "--yes", "--output", "json", "--wait", "--timeout", String(WAIT_MS / 1000), "--output-file", out]);
    expect(run.code, `${run.stdout}\n${run.stderr}\n${await logTails()}`).toBe(0);
    const id = taskIdOf(run.stdout);
    const t = await task(id);
    expect(t).toMatchObject({ status: TaskStatus.TASK_STATUS_FINALIZED, verification: VerificationClass.VERIFICATION_CLASS_TOLERANCE, inputEncrypted: true });
    expect(t.auditorKeyFingerprints).toHaveLength(1);
    const digests = await revealedDigests(id);
    expect(digests.get(worker("A").address)).not.toBe(digests.get(worker("B").address));
    await auditorLog(new RegExp(`task ${id}: voted per worker \\(tolerance\\): ogpu1\\w+ VERDICT_MATCH, ogpu1\\w+ VERDICT_MATCH`));
    expectSumsClose(new Uint8Array(await readFile(out)), taskSeed(id, t.inputCid));
  }, WAIT_MS + 60_000);

  it("b + f. torch-train (tolerance): FINALIZED, weights and logits within tolerance of a local run; `q market logs` prints the job's stdout from both workers", async () => {
    const { id, result } = await submitAndDownload(TORCH_TRAIN, join(scratch, "torch.bundle"));
    const t = await task(id);
    expect(t.status).toBe(TaskStatus.TASK_STATUS_FINALIZED);
    // The reference: the same program run here, outside any sandbox, with the task's seed.
    const program = await packProgram(TORCH_TRAIN);
    const out = await mkdtemp(join(scratch, "torch-ref-"));
    execFileSync(PYTHON, ["main.py"], { cwd: TORCH_TRAIN, env: { OGPU_INPUT: join(TORCH_TRAIN, "input.json"), OGPU_OUTPUT: out, OGPU_SEED: taskSeed(id, t.inputCid).toString(), OMP_NUM_THREADS: "2" } });
    const reference = packFiles(await Promise.all(program.manifest.outputs.map(async (o) => ({ path: o.name, executable: false, data: new Uint8Array(await readFile(join(out, o.name))) }))));
    expect(unpackFiles(result).map((f) => f.path)).toEqual(["logits.npy", "weights.npy"]);
    expect(compareProgramOutputs(reference, result, program.manifest.outputs, 1e-4, 1e-3)).toMatchObject({ match: true });
    await auditorLog(new RegExp(`task ${id}: voted per worker \\(tolerance\\): ogpu1\\w+ VERDICT_MATCH, ogpu1\\w+ VERDICT_MATCH`));

    const logs = await cli("logs", String(id));
    expect(logs.code, logs.stderr).toBe(0);
    for (const w of [worker("A"), worker("B")]) expect(logs.stdout).toContain(`worker ${w.address}`);
    expect(logs.stdout.match(/device=cpu steps=200 final_loss=\d+\.\d{6}/g)).toHaveLength(2);
  }, WAIT_MS + 60_000);

  it("c. the torch manifest asking for a GPU: refused while no worker has both a GPU and the runtime; with an offer priced above the bid it stays PENDING, never assigned to A, B or C", async () => {
    const gpuDir = await programCopy(TORCH_TRAIN, "torch-gpu", (m) => void ((m.resources as Record<string, unknown>).gpus = 1));
    const refused = await cli("--program", gpuDir, "--input", join(TORCH_TRAIN, "input.json"), "--k", "1");
    expect(refused.code).toBe(1);
    expect(`${refused.stdout}\n${refused.stderr}`).toMatch(/redundancy 1 exceeds the 0 registered worker\(s\) whose GPUs and runtimes \(process\) meet the requirements/);

    // The bid stays well above the demand-priced base (it rises while the workers were busy), so
    // only the requirements can hold the task back. A GPU host offering the runtime, priced far
    // above that bid, lets the task pass the submit check without ever being a candidate.
    const base = BigInt((await client.basePrices()).find((p) => p.tier === 0)!.basePricePerUnit);
    const bid = 10n * base + 1000n;
    const gpuHost = await OgpuClient.connect(devnet.rpcUrl, await DirectSecp256k1HdWallet.fromMnemonic(devnet.accounts[2]!.mnemonic, { prefix: PREFIX }), { fee: TASK_TX_FEE, broadcastPollIntervalMs: 200 });
    try {
      await gpuHost.broadcast([
        {
          typeUrl: MSG.RegisterWorker,
          value: MsgRegisterWorker.fromPartial({
            operator: gpuHost.address,
            gpus: [{ vendor: "nvidia", model: "H100", vramMb: 81_920n, pciId: "", count: 1 }],
            region: "local",
            pricePerUnit: (10n * bid).toString(),
            maxConcurrent: 1,
            encPubkey: new Uint8Array(1216).fill(7),
            bond: (1100n * OGPU).toString(),
            runtimes: ["process"],
          }),
        },
      ]);
    } finally {
      gpuHost.disconnect();
    }
    const accepted = await cli("--program", gpuDir, "--input", join(TORCH_TRAIN, "input.json"), "--k", "1", "--max-price", bid.toString());
    expect(accepted.code, accepted.stderr).toBe(0);
    const id = taskIdOf(accepted.stdout);
    expect((await task(id)).requirements).toMatchObject({ runtime: "process", gpus: 1 });
    await waitForMoreBlocks(devnet.rpcUrl, 30n);
    const pending = await task(id);
    expect(pending).toMatchObject({ status: TaskStatus.TASK_STATUS_PENDING, assignments: [], declines: 0 });
    // No worker is a candidate at all: A and B lack the GPU, C the runtime, the GPU host is priced above the bid.
    expect(pending.pendingReason).toBe("requirements_unmet");
    const cancelled = await cli("cancel-task", String(id));
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect((await task(id)).status).toBe(TaskStatus.TASK_STATUS_CANCELLED);
  }, 180_000);

  it("e. a tampered bundle: both workers decline it (PROGRAM_MISMATCH) and the task FAILS; tampered for the auditor only, the auditor refuses to run it and votes UNEXECUTABLE", async () => {
    const forWorkers = await programCopy(NUMPY_SUM, "numpy-tampered-w", undefined, { "variant.txt": "tampered on the way to the workers\n" });
    const cidW = (await packProgram(forWorkers)).cid;
    workerRelay!.tamper(cidW);
    const run = await cli("--program", forWorkers, "--input", join(NUMPY_SUM, "input.json"));
    expect(run.code, run.stderr).toBe(0);
    const id = taskIdOf(run.stdout);
    const failed = await until("the task to fail as unexecutable", () => task(id), (t) => t.status === TaskStatus.TASK_STATUS_FAILED);
    expect(failed).toMatchObject({ statusReason: "unexecutable:program_mismatch", declines: 2, declineReason: "program_mismatch" });
    const declined = new RegExp(`task ${id}: declined \\(program_mismatch\\): blob ${cidW} failed its integrity check`);
    for (const w of [worker("A"), worker("B")]) await until(`worker ${w.name}'s decline line`, () => readLog(w), (log) => declined.test(log));

    const forAuditor = await programCopy(NUMPY_SUM, "numpy-tampered-a", undefined, { "variant.txt": "tampered on the way to the auditor\n" });
    const cidA = (await packProgram(forAuditor)).cid;
    auditorRelay!.tamper(cidA);
    const run2 = await cli("--program", forAuditor, "--input", join(NUMPY_SUM, "input.json"));
    expect(run2.code, run2.stderr).toBe(0);
    const id2 = taskIdOf(run2.stdout);
    const ended = await until("the audited task to end", () => task(id2), (t) => t.status === TaskStatus.TASK_STATUS_FAILED);
    expect(ended.statusReason).toBe("unexecutable_by_auditors");
    const log = await auditorLog(new RegExp(`task ${id2}: voted VERDICT_UNEXECUTABLE`));
    expect(log).toMatch(new RegExp(`task ${id2}: blob ${cidA} failed its integrity check`));
    expect(log).not.toMatch(new RegExp(`task ${id2}: (sealed|voted per worker)`));
  }, WAIT_MS + 60_000);

  it("d. B restarted perturbing its outputs: the auditor votes it MISMATCH, B is slashed and jailed, A is paid and the client gets A's result", async () => {
    const b = worker("B");
    await stopRole(b);
    workers[workers.indexOf(b)] = startWorker(b, { OGPU_WORKER_TEST_FAULT: "perturb-outputs" });
    const restarted = (log: string) => log.includes("TEST FAULT") && log.slice(log.indexOf("TEST FAULT")).includes("following assignments");
    await until("B back with the fault", () => readLog(worker("B")), restarted, 120_000);
    const before = { successes: await successes(), bond: BigInt((await workerRecord(b.address)).bond) };
    const { id, result } = await submitAndDownload(NUMPY_SUM, join(scratch, "numpy-perturbed.bundle"));
    const t = await task(id);
    expect(t.status).toBe(TaskStatus.TASK_STATUS_FINALIZED);
    expect(t.assignments.map((a) => a.worker).sort()).toEqual([worker("A").address, b.address].sort());
    const after = await workerRecord(b.address);
    expect(BigInt(after.bond)).toBe(before.bond - (before.bond * 5000n) / 10_000n);
    expect(after.reliability!.jailedUntil).toBeGreaterThan(0n);
    expect(after.reliability!.successes).toBe(before.successes.get("B"));
    expect((await workerRecord(worker("A").address)).reliability!.successes).toBe(before.successes.get("A")! + 1n);
    await auditorLog(new RegExp(`task ${id}: ${b.address}: MISMATCH \\(sums\\.npy: element \\d+`));
    // The client's download is the paid worker's output: A's, within tolerance of the exact sums.
    expect(hex(resultDigest(result))).toBe((await revealedDigests(id)).get(worker("A").address));
    expectSumsClose(result, taskSeed(id, t.inputCid));
  }, WAIT_MS + 60_000);

  it("C (no runtime) was never assigned any of the suite's tasks, so it never had to decline one", async () => {
    expect(submitted.length).toBeGreaterThanOrEqual(7);
    for (const id of submitted) {
      const t = await task(id);
      expect(t.assignments.map((a) => a.worker), `task ${id}`).not.toContain(worker("C").address);
      expect(t.excludedWorkers, `task ${id}`).not.toContain(worker("C").address);
    }
    expect((await workerRecord(worker("C").address)).reliability).toMatchObject({ declines: 0n, successes: 0n, timeouts: 0n });
  });
});
