/**
 * The `process` runtime: runs a program's entrypoint (a host interpreter such as
 * /usr/bin/python3, or a binary inside the bundle) in the bubblewrap job sandbox
 * (worker/executors/sandbox.ts). The job sees:
 *
 *   /job/program   the unpacked bundle, read-only; the working directory
 *   $OGPU_INPUT    /job/input, the task input (read-only file)
 *   $OGPU_OUTPUT   /job/out, a directory: the declared outputs are written there by name
 *   $OGPU_SEED     decimal u64, the same for every worker and auditor of the task
 *   $OGPU_TASK_ID  decimal task id
 *   CUDA_VISIBLE_DEVICES  the slot's GPUs when the manifest asks for GPUs, else ""
 *
 * and nothing else of the host (no network, no worker files). GPU device nodes are passed
 * through only when the manifest asks for GPUs.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { JOB_OUT_DIR, runSandboxedJob, type ExecConfig } from "../executors/exec.js";
import type { SandboxStatus } from "../executors/sandbox.js";
import type { ExecContext } from "../executors/types.js";
import { collectOutputs, visibleGpus, writeProgramFiles, type ProgramJob, type ProgramRuntime } from "./runtime.js";

export const PROGRAM_DIR = "/job/program";
const DEFAULT_MAX_OUTPUT = 256 * 1024 * 1024;
/** Control nodes every CUDA process opens, besides /dev/nvidiaN of its GPUs. */
const NVIDIA_CONTROL_NODES = ["/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools", "/dev/nvidia-modeset"];

export interface ProcessRuntimeOptions {
  /** Largest total of declared outputs (default 256 MiB); also the file-size limit. */
  maxOutputBytes?: number;
  /** Upper bound on a manifest's timeout_s the operator accepts (default: the manifest's). */
  maxTimeoutS?: number;
  tmpRoot?: string;
  sandbox?: SandboxStatus;
  /**
   * Operator's extra environment for every program (e.g. OMP_NUM_THREADS); set before the
   * contract's variables, so it cannot override them.
   */
  env?: Readonly<Record<string, string>>;
  /** Where device nodes live (tests). */
  devRoot?: string;
}

/** Device nodes of the given GPU indices plus the control nodes that exist on this host. */
export function gpuDeviceNodes(indices: readonly string[], devRoot = "/dev"): string[] {
  const nodes = [...NVIDIA_CONTROL_NODES.map((n) => n.replace(/^\/dev/, devRoot)), ...indices.map((i) => join(devRoot, `nvidia${i}`))];
  return nodes.filter((n) => existsSync(n));
}

export function createProcessRuntime(opts: ProcessRuntimeOptions = {}): ProgramRuntime {
  const maxOutputBytes = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
  return {
    name: "process",
    run(job: ProgramJob, input: Uint8Array, ctx: ExecContext): Promise<Uint8Array> {
      const { manifest, files } = job.program;
      const wantsGpu = manifest.resources.gpus > 0;
      const timeoutS = Math.min(manifest.resources.timeout_s, opts.maxTimeoutS ?? manifest.resources.timeout_s);
      const config: ExecConfig = {
        kind: "program",
        argv: manifest.entrypoint,
        timeoutMs: timeoutS * 1000,
        // CUDA maps huge virtual ranges: an address-space limit would break every GPU job.
        memoryLimitMb: wantsGpu ? undefined : manifest.resources.memory_mb,
        maxOutputBytes,
        tmpRoot: opts.tmpRoot,
        sandbox: opts.sandbox,
        env: opts.env,
      };
      const gpuCtx: ExecContext = { ...ctx, gpus: wantsGpu ? ctx.gpus : undefined };
      return runSandboxedJob(config, input, gpuCtx, {
        prepare: async (jobDir) => {
          const host = join(jobDir, "program");
          await writeProgramFiles(host, files);
          return { readOnly: [{ host, sandbox: PROGRAM_DIR }], chown: [] };
        },
        env: { OGPU_OUTPUT: JOB_OUT_DIR, OGPU_SEED: job.seed.toString(), OGPU_TASK_ID: job.taskId.toString() },
        cwd: PROGRAM_DIR,
        devices: wantsGpu ? gpuDeviceNodes(visibleGpus(ctx.gpus), opts.devRoot) : [],
        collect: (outDir) => collectOutputs(outDir, manifest.outputs, maxOutputBytes),
      });
    },
  };
}
