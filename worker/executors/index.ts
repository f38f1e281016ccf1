/**
 * Registry of the built-in executors by task kind. The `exec` runtime is not in it: it needs
 * an operator's configuration (command, limits), so the worker adds it with withExec().
 */
import { createExecExecutor, type ExecConfig } from "./exec.js";
import { describeSandbox, probeSandbox, type SandboxStatus } from "./sandbox.js";
import { hashExecutor } from "./hash.js";
import { matmulExecutor } from "./matmul.js";
import { renderExecutor } from "./render.js";
import type { Executor } from "./types.js";

export const executors: ReadonlyMap<string, Executor> = new Map([matmulExecutor, hashExecutor, renderExecutor].map((e) => [e.kind, e]));

/**
 * The built-ins plus one `exec` executor per configured command (kinds must not collide).
 * Without a working job sandbox the exec kinds are left out — the worker never takes a job it
 * would have to run unsandboxed — and `log` is told why, once, at start.
 */
export function withExec(configs: readonly ExecConfig[], opts: { sandbox?: SandboxStatus; log?: (line: string) => void } = {}): ReadonlyMap<string, Executor> {
  const all = new Map(executors);
  if (configs.length === 0) return all;
  const sandbox = opts.sandbox ?? probeSandbox();
  opts.log?.(describeSandbox(sandbox));
  if (!sandbox.available) return all;
  for (const config of configs) {
    const executor = createExecExecutor(config);
    if (all.has(executor.kind)) throw new Error(`executor kind "${executor.kind}" is defined twice`);
    all.set(executor.kind, executor);
  }
  return all;
}

export { createExecExecutor, type ExecConfig } from "./exec.js";
export { describeSandbox, probeSandbox, type SandboxMount, type SandboxSpec, type SandboxStatus } from "./sandbox.js";
export { ExecutorError, runJob, type ExecContext, type Executor, type FailureKind, type JobFailure, type JobOutcome } from "./types.js";
