/**
 * What every program runtime (process, oci) shares: the job a runtime is handed, the
 * per-task seed, GPU checks, and how declared outputs become the one result blob whose
 * sha256 Proof of Sync compares (the canonical bundle format of sdk/program-pack.ts, holding
 * exactly the declared output files by name).
 */
import { lstat, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { concatBytes } from "../../crypto/bytes.js";
import { sha256 } from "../../crypto/hash.js";
import { packFiles, type PackEntry } from "../../sdk/program-pack.js";
import type { UnpackedProgram } from "../../sdk/programs.js";
import { ExecutorError, type ExecContext } from "../executors/types.js";
import type { ProgramOutput, Runtime } from "./manifest.js";

export interface ProgramJob {
  taskId: bigint;
  /** $OGPU_SEED: the same for every worker and auditor of the task (taskSeed). */
  seed: bigint;
  program: UnpackedProgram;
}

export interface ProgramRuntime {
  name: Runtime;
  /** Resolves with the packed declared outputs, or rejects with an ExecutorError. */
  run(job: ProgramJob, input: Uint8Array, ctx: ExecContext): Promise<Uint8Array>;
}

/**
 * $OGPU_SEED of a task: the first 8 bytes (big-endian u64) of
 * sha256("ogpu/seed/v1" ‖ u64be(task id) ‖ input CID). Every party derives it from the task
 * alone, so seeded programs agree; a resubmitted task gets a fresh seed.
 */
export function taskSeed(taskId: bigint, inputCid: string): bigint {
  const id = new Uint8Array(8);
  new DataView(id.buffer).setBigUint64(0, taskId);
  const digest = sha256(concatBytes(new TextEncoder().encode("ogpu/seed/v1"), id, new TextEncoder().encode(inputCid)));
  return new DataView(digest.buffer, digest.byteOffset, 8).getBigUint64(0);
}

/** GPU indices of a CUDA_VISIBLE_DEVICES value ("" / absent = none). */
export function visibleGpus(gpus: string | undefined): string[] {
  return (gpus ?? "").split(",").map((g) => g.trim()).filter((g) => g !== "");
}

/** Writes the bundle's files under `dir`: world-readable (the job's uid reads them), executables 0555. */
export async function writeProgramFiles(dir: string, files: readonly PackEntry[]): Promise<void> {
  await mkdir(dir, { mode: 0o755 });
  for (const f of files) {
    const path = join(dir, ...f.path.split("/"));
    await mkdir(dirname(path), { recursive: true, mode: 0o755 });
    await writeFile(path, f.data, { mode: f.executable ? 0o555 : 0o444 });
  }
}

/**
 * The declared outputs read from the job's output directory, packed. A missing, non-regular
 * or oversized output is the program's fault (bad_output); undeclared files are ignored.
 */
export async function collectOutputs(outDir: string, outputs: readonly ProgramOutput[], maxBytes: number): Promise<Uint8Array> {
  const entries: PackEntry[] = [];
  let total = 0;
  for (const o of outputs) {
    const path = join(outDir, o.name);
    const st = await lstat(path).catch(() => undefined);
    if (!st) throw new ExecutorError("bad_output", `program: declared output "${o.name}" was not written to $OGPU_OUTPUT`);
    if (!st.isFile()) throw new ExecutorError("bad_output", `program: output "${o.name}" is not a regular file`);
    total += st.size;
    if (total > maxBytes) throw new ExecutorError("bad_output", `program: outputs exceed the ${maxBytes}-byte limit`);
    entries.push({ path: o.name, executable: false, data: new Uint8Array(await readFile(path)) });
  }
  return packFiles(entries);
}
