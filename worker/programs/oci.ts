/**
 * The `oci` program runtime: a manifest with `"runtime": "oci"` runs its pinned `image` with
 * `entrypoint` as the command (empty = the image's own) under worker/executors/oci.ts; the
 * declared outputs are collected from $OGPU_OUTPUT like the process runtime's.
 */
import { ExecutorError } from "../executors/types.js";
import { runOciJob, type OciStatus } from "../executors/oci.js";
import { collectOutputs, type ProgramRuntime } from "./runtime.js";

/** Largest packed output of one container job (as the process runtime's default). */
const MAX_OUTPUT_BYTES = 256 * 1024 * 1024;
/** Processes a container may run at once, and the CPUs it may use. */
const OCI_PIDS = 256;
const OCI_CPUS = 2;

export function createOciRuntime(status: Extract<OciStatus, { available: true }>): ProgramRuntime {
  return {
    name: "oci",
    run(job, input, ctx) {
      const m = job.program.manifest;
      if (!m.image) return Promise.reject(new ExecutorError("bad_input", "oci: the program's manifest names no image"));
      const config = {
        image: m.image,
        argv: m.entrypoint,
        timeoutMs: m.resources.timeout_s * 1000,
        memoryMb: m.resources.memory_mb,
        cpus: OCI_CPUS,
        pids: OCI_PIDS,
        gpus: m.resources.gpus,
        taskId: job.taskId,
        seed: job.seed,
        maxOutputBytes: MAX_OUTPUT_BYTES,
      };
      return runOciJob(config, input, ctx, status, (outDir) => collectOutputs(outDir, m.outputs, MAX_OUTPUT_BYTES));
    },
  };
}
