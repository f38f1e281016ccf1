/**
 * What a worker and an auditor do alike before they diverge: fetch a task's input (opening an
 * encrypted manifest with their own envelope), run the executor of the task's kind, and digest
 * the plaintext output. The worker (runner.ts) then seals and commits; the auditor (auditor.ts)
 * compares with the revealed digests and votes. One code path, so an auditor re-executes
 * exactly what a worker executed.
 */
import { EnvelopeError } from "../crypto/envelope.js";
import { BlobError } from "../sdk/blobs.js";
import type { Task } from "../proto/gen/ogpu/market/v1/market.js";
import { resultDigest } from "./digest.js";
import { runJob, type ExecContext, type Executor, type JobFailure } from "./executors/index.js";
import { NoKeyForWorkerError, openTaskInput, parseManifest, type EncryptedInputManifest, type InputRole } from "../crypto/task-crypto.js";
import { blobCid } from "../crypto/cid.js";
import { builtinProgramId, PROGRAM_KIND, unpackProgram, type UnpackedProgram } from "../sdk/programs.js";
import { taskSeed, visibleGpus, type ProgramRuntime } from "./programs/runtime.js";
import type { ProgramOutput } from "./programs/manifest.js";

/** Who reads the input, and with which key (its envelope is looked up under `address`). */
export interface InputReader {
  address: string;
  role: InputRole;
  kemSecret: Uint8Array;
  fetch(cid: string): Promise<Uint8Array>;
}

/** Why a task cannot be run, as MsgDeclineAssignment's reason classes name it (x/market). */
export type UnrunnableReason = "input_unavailable" | "input_undecryptable" | "program_unavailable" | "program_mismatch" | "no_capability" | "input_over_declared";

/**
 * The task cannot be run by this process whatever happens on the network: no executor for its
 * kind, a program bundle missing or not matching program_hash, a runtime or GPUs this process
 * lacks, an input the blob store does not have, no envelope for this reader, an envelope that
 * does not open. Retrying cannot help; the worker declines, the auditor votes UNEXECUTABLE.
 */
export class UnrunnableTaskError extends Error {
  constructor(
    readonly reason: UnrunnableReason,
    message: string,
  ) {
    super(message);
  }
}

/** A blob the store answers 404 for is unavailable for good (the client never uploaded it, or it expired). */
async function fetchInputBlob(reader: InputReader, cid: string): Promise<Uint8Array> {
  try {
    return await reader.fetch(cid);
  } catch (err) {
    if (err instanceof BlobError && err.status === 404) throw new UnrunnableTaskError("input_unavailable", `input blob ${cid} not found: ${err.message}`);
    throw err;
  }
}

export interface LoadedInput {
  input: Uint8Array;
  /** Present when the input was encrypted (the output is then sealed to manifest.client_key). */
  manifest?: EncryptedInputManifest;
}

/** The executor of `kind`, or UnrunnableTaskError naming the ones this process has. */
export function executorFor(executors: ReadonlyMap<string, Executor>, kind: string): Executor {
  const executor = executors.get(kind);
  if (!executor) throw new UnrunnableTaskError("program_unavailable", `no executor for kind "${kind}" (this process runs: ${[...executors.keys()].join(", ")})`);
  return executor;
}

/** The plaintext input of `inputCid`; transient fetch errors propagate as they are. */
export async function loadTaskInput(inputCid: string, reader: InputReader): Promise<LoadedInput> {
  const raw = await fetchInputBlob(reader, inputCid);
  const manifest = parseManifest(raw);
  if (!manifest) return { input: raw };
  const payload = await fetchInputBlob(reader, manifest.payload_cid);
  try {
    return { input: await openTaskInput(manifest, payload, reader.address, reader.kemSecret, reader.role), manifest };
  } catch (err) {
    if (err instanceof NoKeyForWorkerError || err instanceof EnvelopeError) throw new UnrunnableTaskError("input_undecryptable", err.message);
    throw err;
  }
}

/** The runtimes a process has for client programs (worker/programs), by manifest runtime name. */
export type ProgramRuntimes = ReadonlyMap<string, ProgramRuntime>;

/**
 * Fetches the bundle named by program_hash and checks it before anything runs: its CID must
 * be program_hash (a store serving other bytes is refused, whatever they contain), it must
 * decode, and this process must have its runtime and GPUs.
 */
export async function loadProgram(programHash: string, reader: Pick<InputReader, "fetch">): Promise<UnpackedProgram> {
  let bundle: Uint8Array;
  try {
    bundle = await reader.fetch(programHash);
  } catch (err) {
    if (err instanceof BlobError && err.status === 404) throw new UnrunnableTaskError("program_unavailable", `program bundle ${programHash} not found: ${err.message}`);
    if (err instanceof BlobError && (err.code === "integrity_mismatch" || err.code === "invalid_cid")) throw new UnrunnableTaskError("program_mismatch", err.message);
    throw err;
  }
  const actual = await blobCid(bundle);
  if (actual !== programHash) throw new UnrunnableTaskError("program_mismatch", `program bundle fetched for ${programHash} hashes to ${actual}: refusing to run it`);
  try {
    return unpackProgram(bundle);
  } catch (err) {
    throw new UnrunnableTaskError("program_unavailable", `program bundle ${programHash} is malformed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** What runs a task; `program` is set for a client program (its manifest declares the outputs). */
export interface ResolvedExecutor {
  executor: Executor;
  program?: UnpackedProgram;
}

/** The executor that runs `task`: a checked client program, or a built-in/exec kind by its fixed id. */
export async function resolveExecutor(task: Pick<Task, "id" | "kind" | "programHash" | "inputCid">, executors: ReadonlyMap<string, Executor>, runtimes: ProgramRuntimes, reader: Pick<InputReader, "fetch">, ctx: ExecContext): Promise<ResolvedExecutor> {
  if (task.kind !== PROGRAM_KIND) {
    const executor = executorFor(executors, task.kind);
    const expected = builtinProgramId(task.kind);
    if (task.programHash !== expected) throw new UnrunnableTaskError("program_mismatch", `kind "${task.kind}" has program id ${expected}, the task names ${task.programHash || "none"}`);
    return { executor };
  }
  const program = await loadProgram(task.programHash, reader);
  const { runtime: name, resources } = program.manifest;
  const runtime = runtimes.get(name);
  if (!runtime) throw new UnrunnableTaskError("no_capability", `no "${name}" runtime here (this process has: ${[...runtimes.keys()].join(", ") || "none"})`);
  const gpus = visibleGpus(ctx.gpus).length;
  if (gpus < resources.gpus) throw new UnrunnableTaskError("no_capability", `the program needs ${resources.gpus} GPU(s); this slot has ${gpus}`);
  const job = { taskId: task.id, seed: taskSeed(task.id, task.inputCid), program };
  return { executor: { kind: PROGRAM_KIND, run: (input, c) => runtime.run(job, input, c) }, program };
}

/**
 * A failed run carries the loaded input too: the worker seals the job's log to its client_key.
 * `outputs`: a program's declared outputs (its output is the bundle of them; the auditor compares
 * them one by one); absent for built-in kinds.
 */
export type Execution =
  | { ok: true; input: LoadedInput; output: Uint8Array; digest: Uint8Array; seconds: number; outputs?: readonly ProgramOutput[] }
  | { ok: false; input: LoadedInput; failure: JobFailure };

/**
 * `reader`, refusing once the task's blobs together pass its input_bytes declaration (what its
 * client paid for every node to store): the task is the client's fault, declined as such. A
 * task from before the declaration (0) is not limited here.
 */
export function withinDeclaredBytes(reader: InputReader, task: Pick<Task, "id" | "inputBytes">): InputReader {
  if (task.inputBytes === 0n) return reader;
  let fetched = 0n;
  return {
    ...reader,
    async fetch(cid) {
      const bytes = await reader.fetch(cid);
      fetched += BigInt(bytes.length);
      if (fetched > task.inputBytes) throw new UnrunnableTaskError("input_over_declared", `task ${task.id}'s data passes its input_bytes declaration (${task.inputBytes}) at ${cid}: at least ${fetched} bytes`);
      return bytes;
    },
  };
}

/** Resolve and check the program, fetch (and open) the input, run it, digest the output. */
export async function executeTask(task: Pick<Task, "id" | "kind" | "programHash" | "inputCid" | "inputBytes">, executors: ReadonlyMap<string, Executor>, taskReader: InputReader, ctx: ExecContext, runtimes: ProgramRuntimes = new Map()): Promise<Execution> {
  const reader = withinDeclaredBytes(taskReader, task);
  const { executor, program } = await resolveExecutor(task, executors, runtimes, reader, ctx);
  const input = await loadTaskInput(task.inputCid, reader);
  const started = process.hrtime.bigint();
  const outcome = await runJob(executor, input.input, ctx);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (!outcome.ok) return { ...outcome, input };
  return { ok: true, input, output: outcome.output, digest: resultDigest(outcome.output), seconds, outputs: program?.manifest.outputs };
}
