/**
 * The contract every executor (built-in kernel or `exec` runtime) fulfils, and the typed
 * failures the worker reports instead of crashing or hanging.
 */
import type { JobLog } from "./job-log.js";

export interface ExecContext {
  /** Aborting cancels the job (worker shutdown, task cancelled or reassigned). */
  signal: AbortSignal;
  /** Concurrency slot the job runs in (0-based); selects the slot's GPUs. */
  slot: number;
  /** CUDA_VISIBLE_DEVICES value for this slot, e.g. "0,1"; absent = no GPU for the job. */
  gpus?: string;
  /** Collects what the job prints (stdout and stderr), for the task's log; absent = discarded. */
  log?: JobLog;
}

export interface Executor {
  /** Task kind this executor serves (MsgSubmitTask.kind). */
  kind: string;
  /** Resolves with the output bytes, or rejects with an ExecutorError. */
  run(input: Uint8Array, ctx: ExecContext): Promise<Uint8Array>;
}

/**
 * - bad_input: the input was rejected before running (never retried: it is the client's fault).
 * - crash: non-zero exit, killed by a signal, or the process could not start.
 * - timeout: the job exceeded its time limit and its process group was killed.
 * - oom: the job exceeded its memory limit.
 * - bad_output: the job exited 0 but produced no (or oversized) output.
 * - cancelled: ctx.signal was aborted.
 * - unavailable: this worker cannot run the job safely at all (no job sandbox); not the job's fault.
 */
export type FailureKind = "bad_input" | "crash" | "timeout" | "oom" | "bad_output" | "cancelled" | "unavailable";

export interface JobFailure {
  kind: FailureKind;
  message: string;
}

export class ExecutorError extends Error implements JobFailure {
  constructor(
    readonly kind: FailureKind,
    message: string,
  ) {
    super(message);
    this.name = "ExecutorError";
  }
}

export function badInput(kind: string, message: string): ExecutorError {
  return new ExecutorError("bad_input", `${kind}: ${message}`);
}

export type JobOutcome = { ok: true; output: Uint8Array } | { ok: false; failure: JobFailure };

/**
 * Runs an executor and folds every way it can fail into a JobOutcome, so the worker loop has a
 * single place to report from. Unexpected exceptions (a bug in a kernel) count as a crash.
 */
export async function runJob(executor: Executor, input: Uint8Array, ctx: ExecContext): Promise<JobOutcome> {
  try {
    return { ok: true, output: await executor.run(input, ctx) };
  } catch (err) {
    if (err instanceof ExecutorError) return { ok: false, failure: { kind: err.kind, message: err.message } };
    if (ctx.signal.aborted) return { ok: false, failure: { kind: "cancelled", message: `${executor.kind}: cancelled` } };
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, failure: { kind: "crash", message: `${executor.kind}: ${message}` } };
  }
}
