/**
 * The program runtimes this host can offer (advertised on chain, used by the runner and the
 * auditor). `process` needs a working job sandbox: without one it is left out, so the worker
 * never takes a program it would have to run unsandboxed. `oci` needs a container engine that
 * can create containers here (worker/executors/oci.ts probeOci).
 */
import { probeSandbox, type SandboxStatus } from "../executors/sandbox.js";
import { createProcessRuntime, type ProcessRuntimeOptions } from "./process.js";
import type { ProgramRuntime } from "./runtime.js";
import { probeOci, type OciStatus } from "../executors/oci.js";
import { createOciRuntime } from "./oci.js";

export function availableRuntimes(opts: ProcessRuntimeOptions & { sandbox?: SandboxStatus; oci?: OciStatus } = {}): ReadonlyMap<string, ProgramRuntime> {
  const sandbox = opts.sandbox ?? probeSandbox();
  const runtimes = new Map<string, ProgramRuntime>();
  if (sandbox.available) runtimes.set("process", createProcessRuntime({ ...opts, sandbox }));
  // `oci` only where a container engine actually creates containers (probeOci says why not).
  const oci = opts.oci ?? probeOci();
  if (oci.available) runtimes.set("oci", createOciRuntime(oci));
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
