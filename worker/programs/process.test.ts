/**
 * The process runtime on the real job sandbox (bubblewrap), reached the way the worker and the
 * auditor reach it (worker/task-input.ts executeTask): program bundle fetched and checked
 * against program_hash, env contract, declared outputs packed, tampering refused.
 */
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { singleChunkCid } from "../../crypto/cid.js";
import { BlobError } from "../../sdk/blobs.js";
import { unpackFiles, type PackEntry } from "../../sdk/program-pack.js";
import { builtinProgramId, packProgramFiles, PROGRAM_KIND } from "../../sdk/programs.js";
import { packProgram } from "../../sdk/program-dir.js";
import { describeSandbox, probeSandbox } from "../executors/sandbox.js";
import { executors } from "../executors/index.js";
import { executeTask, UnrunnableTaskError, type InputReader } from "../task-input.js";
import { gpuDeviceNodes } from "./process.js";
import { availableRuntimes, taskSeed, type ProgramRuntime } from "./index.js";

const EXAMPLES = join(import.meta.dirname, "..", "..", "examples", "programs");
let scratch: string;
let runtimes: ReadonlyMap<string, ProgramRuntime>;

beforeAll(async () => {
  const sandbox = probeSandbox();
  if (!sandbox.available) throw new Error(`these tests need the job sandbox: ${describeSandbox(sandbox)}`);
  scratch = await mkdtemp(join(tmpdir(), "ogpu-program-test-"));
  await chmod(scratch, 0o711); // a root worker's jobs run as an unprivileged uid that must reach its job dir
  runtimes = availableRuntimes({ tmpRoot: scratch, env: { OGPU_SUM_CHUNKS: "3" } });
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const text = (s: string) => new TextEncoder().encode(s);
const file = (path: string, data: string, executable = false): PackEntry => ({ path, executable, data: text(data) });

/** A blob store holding `blobs` by CID (or by a forced key, to simulate a tampering store). */
function reader(blobs: Record<string, Uint8Array>): InputReader {
  return {
    address: "ogpu1worker",
    role: "worker",
    kemSecret: new Uint8Array(),
    fetch: async (cid) => {
      const bytes = blobs[cid];
      if (!bytes) throw new Error(`no blob ${cid}`);
      return bytes;
    },
  };
}

function run(programHash: string, blobs: Record<string, Uint8Array>, opts: { kind?: string; gpus?: string } = {}) {
  const input = text('{"rows": 3, "cols": 1000}');
  const inputCid = singleChunkCid(input);
  const task = { id: 7n, kind: opts.kind ?? PROGRAM_KIND, programHash, inputCid, inputBytes: 0n };
  return executeTask(task, executors, reader({ ...blobs, [inputCid]: input }), { signal: new AbortController().signal, slot: 0, gpus: opts.gpus }, runtimes);
}

const ENV_PROBE = `#!/bin/sh
set -e
{
  echo "seed=$OGPU_SEED task=$OGPU_TASK_ID cuda=[$CUDA_VISIBLE_DEVICES] out=$OGPU_OUTPUT pwd=$(pwd)"
  echo "input=$(cat "$OGPU_INPUT")"
  if echo x > "$OGPU_INPUT" 2>/dev/null; then echo "input writable"; else echo "input read-only"; fi
  if echo x > main.sh 2>/dev/null; then echo "program writable"; else echo "program read-only"; fi
  if [ -e "${EXAMPLES}" ]; then echo "host visible"; else echo "host hidden"; fi
  echo "leak=[$OGPU_LEAK_TEST]"
} > "$OGPU_OUTPUT/report.txt"
printf 'second' > "$OGPU_OUTPUT/second.bin"
printf 'undeclared' > "$OGPU_OUTPUT/ignored.bin"
`;
const PROBE_MANIFEST = JSON.stringify({ runtime: "process", entrypoint: ["./main.sh"], outputs: [{ name: "report.txt", format: "bytes" }, { name: "second.bin", format: "bytes" }] });

describe("process runtime", () => {
  it("gives the job its input, seed, task id and an output directory, and nothing of the host", async () => {
    process.env.OGPU_LEAK_TEST = "must-not-leak";
    const program = await packProgramFiles([file("ogpu-program.json", PROBE_MANIFEST), file("main.sh", ENV_PROBE, true)]);
    const outcome = await run(program.cid, { [program.cid]: program.bundle });
    delete process.env.OGPU_LEAK_TEST;
    expect(outcome.ok, outcome.ok ? "" : outcome.failure.message).toBe(true);
    if (!outcome.ok) return;
    // The result is the canonical bundle of exactly the declared outputs, by name.
    const files = unpackFiles(outcome.output);
    expect(files.map((f) => f.path)).toEqual(["report.txt", "second.bin"]);
    const report = new TextDecoder().decode(files[0]!.data);
    const seed = taskSeed(7n, singleChunkCid(text('{"rows": 3, "cols": 1000}')));
    expect(report).toContain(`seed=${seed} task=7 cuda=[] out=/job/out pwd=/job/program`);
    expect(report).toContain('input={"rows": 3, "cols": 1000}');
    expect(report).toContain("input read-only");
    expect(report).toContain("program read-only");
    expect(report).toContain("host hidden");
    expect(report).toContain("leak=[]");
    expect(await readdir(scratch)).toEqual([]); // job directory removed
  });

  it("reports a declared output the program did not write as bad_output", async () => {
    const manifest = JSON.stringify({ runtime: "process", entrypoint: ["/bin/sh", "-c", "true"], outputs: [{ name: "never.bin", format: "bytes" }] });
    const program = await packProgramFiles([file("ogpu-program.json", manifest)]);
    const outcome = await run(program.cid, { [program.cid]: program.bundle });
    expect(outcome.ok ? "ok" : outcome.failure).toMatchObject({ kind: "bad_output", message: expect.stringContaining('"never.bin" was not written') });
  });

  it("runs the numpy example with the same result twice (same seed, same chunking)", async () => {
    const probe = spawnSync("/usr/bin/python3", ["-c", "import numpy"]);
    if (probe.status !== 0) throw new Error("this test needs python3-numpy in /usr/bin/python3 (make deps)");
    const program = await packProgram(join(EXAMPLES, "numpy-sum"));
    const blobs = { [program.cid]: program.bundle };
    const [a, b] = [await run(program.cid, blobs), await run(program.cid, blobs)];
    expect(a.ok, a.ok ? "" : a.failure.message).toBe(true);
    if (!a.ok || !b.ok) return;
    expect(Buffer.from(a.digest).equals(Buffer.from(b.digest))).toBe(true);
    // The manifest's declared outputs come with the result: the auditor compares them one by one.
    expect(a.outputs).toEqual([{ name: "sums.npy", format: "npy" }]);
    const [sums] = unpackFiles(a.output);
    expect(sums!.path).toBe("sums.npy");
    expect(Buffer.from(sums!.data.subarray(0, 6)).toString("latin1")).toBe("\x93NUMPY");
    expect(sums!.data.length).toBeGreaterThan(3 * 4);
  });

  it("refuses a tampered bundle (bytes not hashing to program_hash) without running it", async () => {
    const marker = join(scratch, "ran");
    const manifest = JSON.stringify({ runtime: "process", entrypoint: ["/bin/sh", "-c", `touch ${marker}`], outputs: [{ name: "x", format: "bytes" }] });
    const honest = await packProgramFiles([file("ogpu-program.json", PROBE_MANIFEST), file("main.sh", ENV_PROBE, true)]);
    const evil = await packProgramFiles([file("ogpu-program.json", manifest)]);
    const refusal = await run(honest.cid, { [honest.cid]: evil.bundle }).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(UnrunnableTaskError);
    expect(refusal).toMatchObject({ reason: "program_mismatch", message: expect.stringContaining(`hashes to ${evil.cid}`) });
    await expect(readFile(marker)).rejects.toThrow();
  });

  it("declines a missing bundle as program_unavailable, a malformed one too", async () => {
    const missing = "ab".repeat(32);
    const notFound = new BlobError("blob_not_found", "gone", 404);
    const gone = await executeTask({ id: 1n, kind: PROGRAM_KIND, programHash: missing, inputCid: "x", inputBytes: 0n }, executors, { ...reader({}), fetch: async () => Promise.reject(notFound) }, { signal: new AbortController().signal, slot: 0 }, runtimes).catch((e: unknown) => e);
    expect(gone).toMatchObject({ reason: "program_unavailable" });
    const junk = text("not a bundle");
    expect(await run(singleChunkCid(junk), { [singleChunkCid(junk)]: junk }).catch((e: unknown) => e)).toMatchObject({ reason: "program_unavailable", message: expect.stringContaining("malformed") });
  });

  it("runs built-in kernels only under their fixed program id", async () => {
    const input = text(JSON.stringify({ rounds: 3, data: "x" }));
    const task = (programHash: string) => ({ id: 1n, kind: "hash", programHash, inputCid: singleChunkCid(input), inputBytes: 0n });
    const ctx = { signal: new AbortController().signal, slot: 0 };
    const ok = await executeTask(task(builtinProgramId("hash")), executors, reader({ [singleChunkCid(input)]: input }), ctx, runtimes);
    expect(ok.ok).toBe(true);
    const wrong = await executeTask(task("cd".repeat(32)), executors, reader({ [singleChunkCid(input)]: input }), ctx, runtimes).catch((e: unknown) => e);
    expect(wrong).toMatchObject({ reason: "program_mismatch" });
  });

  it("declines a GPU program on a slot without GPUs, and a runtime it lacks, as no_capability", async () => {
    const gpu = await packProgramFiles([file("ogpu-program.json", JSON.stringify({ runtime: "process", entrypoint: ["/bin/true"], outputs: [{ name: "x", format: "bytes" }], resources: { gpus: 1 } }))]);
    expect(await run(gpu.cid, { [gpu.cid]: gpu.bundle }).catch((e: unknown) => e)).toMatchObject({ reason: "no_capability", message: expect.stringContaining("needs 1 GPU(s); this slot has 0") });
    const oci = await packProgramFiles([file("ogpu-program.json", JSON.stringify({ runtime: "oci", image: `img@sha256:${"a".repeat(64)}`, outputs: [{ name: "x", format: "bytes" }] }))]);
    expect(await run(oci.cid, { [oci.cid]: oci.bundle }).catch((e: unknown) => e)).toMatchObject({ reason: "no_capability", message: expect.stringContaining('no "oci" runtime') });
  });

  it("passes through only the slot's GPU device nodes and the control nodes that exist", async () => {
    const dev = await mkdtemp(join(tmpdir(), "ogpu-dev-"));
    for (const n of ["nvidiactl", "nvidia-uvm", "nvidia0", "nvidia1", "nvidia2"]) await writeFile(join(dev, n), "");
    expect(gpuDeviceNodes(["1", "2"], dev)).toEqual([join(dev, "nvidiactl"), join(dev, "nvidia-uvm"), join(dev, "nvidia1"), join(dev, "nvidia2")]);
    await rm(dev, { recursive: true });
  });
});
