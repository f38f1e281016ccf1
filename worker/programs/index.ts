/**
 * The program runtimes this host can offer (advertised on chain, used by the runner and the
 * auditor). `process` needs a working job sandbox: without one it is left out, so the worker
 * never takes a program it would have to run unsandboxed.
 */
import { probeSandbox, type SandboxStatus } from "../executors/sandbox.js";
import { createProcessRuntime, type ProcessRuntimeOptions } from "./process.js";
import type { ProgramRuntime } from "./runtime.js";

export function availableRuntimes(opts: ProcessRuntimeOptions & { sandbox?: SandboxStatus } = {}): ReadonlyMap<string, ProgramRuntime> {
  const sandbox = opts.sandbox ?? probeSandbox();
  const runtimes = new Map<string, ProgramRuntime>();
  if (sandbox.available) runtimes.set("process", createProcessRuntime({ ...opts, sandbox }));
  return runtimes;
}

/** `--program-env NAME=VALUE,…` → variables (names as POSIX allows; values without commas). */
export function parseProgramEnv(spec: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const item of spec.split(",").filter((i) => i !== "")) {
    const eq = item.indexOf("=");
    const name = item.slice(0, eq);
    if (eq < 1 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`--program-env: "${item}" is not NAME=VALUE`);
    env[name] = item.slice(eq + 1);
  }
  return env;
}

export { createProcessRuntime, gpuDeviceNodes, PROGRAM_DIR, type ProcessRuntimeOptions } from "./process.js";
export { collectOutputs, taskSeed, visibleGpus, type ProgramJob, type ProgramRuntime } from "./runtime.js";
