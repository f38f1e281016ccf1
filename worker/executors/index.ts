/**
 * Registry of the built-in executors by task kind. The `exec` runtime is not in it: it needs
 * an operator's configuration (command, limits), so the worker adds it with withExec().
 */
import { createExecExecutor, type ExecConfig } from "./exec.js";
import { hashExecutor } from "./hash.js";
import { matmulExecutor } from "./matmul.js";
import { renderExecutor } from "./render.js";
import type { Executor } from "./types.js";

export const executors: ReadonlyMap<string, Executor> = new Map([matmulExecutor, hashExecutor, renderExecutor].map((e) => [e.kind, e]));

/** The built-ins plus one `exec` executor per configured command (kinds must not collide). */
export function withExec(configs: readonly ExecConfig[]): ReadonlyMap<string, Executor> {
  const all = new Map(executors);
  for (const config of configs) {
    const executor = createExecExecutor(config);
    if (all.has(executor.kind)) throw new Error(`executor kind "${executor.kind}" is defined twice`);
    all.set(executor.kind, executor);
  }
  return all;
}

export { createExecExecutor, type ExecConfig } from "./exec.js";
export { detectSandbox, type SandboxSupport } from "./sandbox.js";
export { ExecutorError, runJob, type ExecContext, type Executor, type FailureKind, type JobFailure, type JobOutcome } from "./types.js";
