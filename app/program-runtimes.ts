/**
 * Program runtimes (docs/programs.md): what a worker may advertise (x/workers) and a task may
 * require (x/market), and what a program manifest may name (sdk/program-manifest.ts). One list,
 * so the chain, the SDK and the worker cannot drift. Adding one is a software upgrade: workers
 * must implement it before advertising it.
 */
import { textCid } from "../crypto/cid.js";

/** MsgSubmitTask.kind of a task running a client program; its program_hash is the bundle's blob CID. */
export const PROGRAM_TASK_KIND = "program";

/** The worker's built-in kernels (worker/executors): kinds a task may name without a bundle. */
export const BUILTIN_KERNEL_KINDS = ["matmul", "hash", "render"] as const;

/**
 * The fixed program id of a built-in kernel (matmul, hash, render) or an operator's `exec` kind:
 * the blob CID of a blob holding just that name (crypto/cid.ts: a kind is at most 64 characters,
 * one raw block, so this is synchronous). It never collides with a bundle's CID (a bundle starts
 * with the "OGPUPKG1" magic).
 */
export function builtinProgramId(kind: string): string {
  return textCid(kind);
}

export const PROGRAM_RUNTIMES = ["process", "oci"] as const;
export type ProgramRuntimeName = (typeof PROGRAM_RUNTIMES)[number];

export function isProgramRuntime(name: string): name is ProgramRuntimeName {
  return (PROGRAM_RUNTIMES as readonly string[]).includes(name);
}

/** MsgUpdateWorker.runtimes = [CLEAR_RUNTIMES] withdraws every runtime (an empty list keeps them). */
export const CLEAR_RUNTIMES = "none";

/** Most GPU devices a task may require of one worker (and a manifest may ask for). */
export const MAX_TASK_GPUS = 16;

/** Why a worker's advertised runtime list is invalid, or undefined. */
export function runtimeListDefect(runtimes: readonly string[]): string | undefined {
  if (runtimes.length > PROGRAM_RUNTIMES.length) return `lists ${runtimes.length} runtimes; at most ${PROGRAM_RUNTIMES.length}`;
  for (const [i, r] of runtimes.entries()) {
    if (!isProgramRuntime(r)) return `[${i}] "${r.slice(0, 32)}" is not a runtime (known: ${PROGRAM_RUNTIMES.join(", ")})`;
    if (runtimes.indexOf(r) !== i) return `[${i}] "${r}" is listed twice`;
  }
  return undefined;
}
