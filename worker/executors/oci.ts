/**
 * `oci` runtime: runs a container image pinned by digest with podman (or docker), never by a
 * mutable tag. The container gets no network (`--network=none`), a read-only root filesystem,
 * the job's input read-only at $OGPU_INPUT and one writable directory at $OGPU_OUTPUT's parent,
 * $OGPU_SEED / $OGPU_TASK_ID, memory / CPU / pids limits, and GPUs only when the job asks
 * (CDI `--device nvidia.com/gpu=<i>` on podman, `--gpus device=<i>` on docker). The timeout
 * kills the container by name. When no engine can run a container here, probeOci says why and
 * a job reaching the executor fails as `unavailable` with that reason.
 *
 * Built against a small config (OciJobConfig) so the program manifest (worker/programs) maps
 * onto it: image, argv, limits.
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readOutput } from "./exec.js";
import { ExecutorError, type ExecContext } from "./types.js";

export type OciEngine = "podman" | "docker";

export interface OciJobConfig {
  /** `<name>@sha256:<64 hex>`: the digest pins the image; a tag alone is refused. */
  image: string;
  /** Command inside the container; empty = the image's own entrypoint. */
  argv: readonly string[];
  timeoutMs: number;
  memoryMb: number;
  /** CPUs the container may use (whole CPUs). */
  cpus: number;
  pids: number;
  /** GPUs the job needs (the slot's CUDA_VISIBLE_DEVICES must hold at least this many). */
  gpus: number;
  taskId: bigint;
  seed: bigint;
  /** Largest output accepted. */
  maxOutputBytes: number;
}

const IMAGE_PATTERN = /^[a-z0-9][a-z0-9._/:-]*@sha256:[0-9a-f]{64}$/;
const JOB_INPUT = "/ogpu/input";
const JOB_OUT = "/ogpu/out";

/** Whether `image` is pinned by digest (the only form the oci runtime runs). */
export function isPinnedImage(image: string): boolean {
  return IMAGE_PATTERN.test(image);
}

export type OciStatus = { available: true; engine: OciEngine } | { available: false; reason: string };

/**
 * Whether a container can run here at all: the engine must create one. The probe runs an
 * empty root filesystem with a command that does not exist: a working engine gets as far as
 * exec and reports "not found" (exit 127); a broken one fails earlier (cgroups, rlimits,
 * no daemon) and its message is the reason.
 */
export function probeOci(engines: readonly OciEngine[] = ["podman", "docker"]): OciStatus {
  const reasons: string[] = [];
  for (const engine of engines) {
    const empty = join(tmpdir(), `ogpu-oci-probe-${randomBytes(6).toString("hex")}`);
    try {
      spawnSync("mkdir", ["-p", empty]);
      const args = engine === "podman" ? ["run", "--rm", "--network=none", "--rootfs", empty, "/ogpu-probe-absent"] : ["version", "--format", "{{.Server.Version}}"];
      const r = spawnSync(engine, args, { encoding: "utf8", timeout: 30_000 });
      if (r.error) {
        reasons.push(`${engine}: ${r.error.message}`);
        continue;
      }
      const text = `${r.stderr}${r.stdout}`.trim().split("\n").slice(-1)[0] ?? "";
      // podman: 127 = the (absent) command was looked up inside a created container.
      const reachedExec = engine === "podman" ? r.status === 127 && !/OCI (runtime|permission)/.test(text) : r.status === 0;
      if (reachedExec) return { available: true, engine };
      reasons.push(`${engine}: ${text || `exit ${r.status}`}`);
    } finally {
      spawnSync("rm", ["-rf", empty]);
    }
  }
  return { available: false, reason: `no container engine can run a container here (${reasons.join("; ")})` };
}

/** The engine's argv for one job (pure: tested without an engine). */
export function ociRunArgs(engine: OciEngine, config: OciJobConfig, name: string, paths: { input: string; out: string }, gpus: readonly string[]): string[] {
  const args = ["run", "--rm", "--name", name, "--network=none", "--read-only", "--pull=never"];
  args.push("--memory", `${config.memoryMb}m`, "--memory-swap", `${config.memoryMb}m`, "--cpus", String(config.cpus), "--pids-limit", String(config.pids));
  args.push("--security-opt", "no-new-privileges", "--cap-drop", "ALL", "--tmpfs", "/tmp:rw,size=64m");
  args.push("-v", `${paths.input}:${JOB_INPUT}:ro`, "-v", `${paths.out}:${JOB_OUT}:rw`);
  const env: Record<string, string> = {
    OGPU_INPUT: JOB_INPUT,
    OGPU_OUTPUT: JOB_OUT,
    OGPU_SEED: config.seed.toString(),
    OGPU_TASK_ID: config.taskId.toString(),
    CUDA_VISIBLE_DEVICES: gpus.length > 0 ? gpus.map((_, i) => String(i)).join(",") : "",
  };
  for (const [k, v] of Object.entries(env)) args.push("-e", `${k}=${v}`);
  if (config.gpus > 0) {
    if (engine === "podman") for (const g of gpus) args.push("--device", `nvidia.com/gpu=${g}`);
    else args.push("--gpus", `"device=${gpus.join(",")}"`);
  }
  args.push(config.image, ...config.argv);
  return args;
}

function validate(config: OciJobConfig): void {
  if (!isPinnedImage(config.image)) throw new ExecutorError("bad_input", `oci: image "${config.image}" is not pinned by digest (<name>@sha256:<64 hex>)`);
  for (const [k, v] of Object.entries({ timeoutMs: config.timeoutMs, memoryMb: config.memoryMb, cpus: config.cpus, pids: config.pids, maxOutputBytes: config.maxOutputBytes })) {
    if (!Number.isSafeInteger(v) || v < 1) throw new ExecutorError("bad_input", `oci: ${k} must be a positive integer`);
  }
}

/**
 * Runs one container job; resolves with what `collect` makes of the $OGPU_OUTPUT directory
 * (default: the file `output` in it). `status` comes from probeOci (once, at worker start).
 */
export async function runOciJob(
  config: OciJobConfig,
  input: Uint8Array,
  ctx: ExecContext,
  status: OciStatus,
  collect: (outDir: string) => Promise<Uint8Array> = (outDir) => readOutput("oci", join(outDir, "output"), config.maxOutputBytes),
): Promise<Uint8Array> {
  if (!status.available) throw new ExecutorError("unavailable", `oci: ${status.reason}`);
  validate(config);
  if (ctx.signal.aborted) throw new ExecutorError("cancelled", "oci: cancelled");
  const gpus = (ctx.gpus ?? "").split(",").filter((g) => g !== "");
  if (gpus.length < config.gpus) throw new ExecutorError("unavailable", `oci: the job needs ${config.gpus} GPU(s); this slot has ${gpus.length}`);
  const dir = await mkdtemp(join(tmpdir(), "ogpu-oci-"));
  const name = `ogpu-${config.taskId}-${randomBytes(6).toString("hex")}`;
  try {
    const paths = { input: join(dir, "input"), out: join(dir, "out") };
    await writeFile(paths.input, input, { mode: 0o644 });
    await mkdir(paths.out, { mode: 0o777 });
    const args = ociRunArgs(status.engine, config, name, paths, config.gpus > 0 ? gpus.slice(0, config.gpus) : []);
    const end = await new Promise<{ code: number | null; timedOut: boolean; cancelled: boolean; stderr: string }>((resolve) => {
      let timedOut = false;
      let cancelled = false;
      let stderr = "";
      const child = spawn(status.engine, args, { stdio: ["ignore", "pipe", "pipe"] });
      child.stdout.on("data", (c: Buffer) => ctx.log?.push(c));
      child.stderr.on("data", (c: Buffer) => {
        stderr = (stderr + c.toString("utf8")).slice(-2048);
        ctx.log?.push(c);
      });
      // The engine's client dying does not stop the container: kill it by name.
      const kill = () => spawn(status.engine, ["kill", name], { stdio: "ignore" }).on("error", () => undefined);
      const timer = setTimeout(() => {
        timedOut = true;
        kill();
      }, config.timeoutMs);
      const onAbort = () => {
        cancelled = true;
        kill();
      };
      ctx.signal.addEventListener("abort", onAbort, { once: true });
      child.on("error", (err) => (stderr += err.message));
      child.on("close", (code) => {
        clearTimeout(timer);
        ctx.signal.removeEventListener("abort", onAbort);
        resolve({ code, timedOut, cancelled, stderr: stderr.trim() });
      });
    });
    if (end.cancelled) throw new ExecutorError("cancelled", "oci: cancelled");
    if (end.timedOut) throw new ExecutorError("timeout", `oci: container killed after the ${config.timeoutMs} ms timeout`);
    const last = end.stderr.split("\n").slice(-1)[0] ?? "";
    // 125: the engine itself failed (image not present under that digest, runtime error).
    if (end.code === 125) {
      if (/image not known|not found|no such image|did not resolve/i.test(last)) throw new ExecutorError("bad_input", `oci: image ${config.image} is not available here under that digest: ${last}`);
      throw new ExecutorError("unavailable", `oci: the container engine failed: ${last}`);
    }
    if (end.code === 137) throw new ExecutorError("oom", `oci: container killed (SIGKILL; the ${config.memoryMb} MB memory limit?): ${last}`);
    if (end.code !== 0) throw new ExecutorError("crash", `oci: container exited with code ${end.code}${last ? `: ${last}` : ""}`);
    return await collect(paths.out);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
