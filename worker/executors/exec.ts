/**
 * `exec` runtime: runs a configured command for real jobs, always inside the bubblewrap job
 * sandbox (sandbox.ts) — never unsandboxed. The command is an argv array (never a shell
 * string); the job reads its input at $OGPU_INPUT (read-only) and writes its result to
 * $OGPU_OUTPUT inside the only writable host directory it sees. Limits: wall-clock timeout
 * (the job's whole pid namespace is killed), address space, CPU time, file size, process
 * count, no network. Every failure resolves to an ExecutorError with a kind; the returned
 * promise always settles once every job process is gone.
 */
import { spawn } from "node:child_process";
import { chown, mkdir, mkdtemp, open, rm, writeFile } from "node:fs/promises";
import { constants as osConstants, tmpdir } from "node:os";
import { join } from "node:path";
import { nprocLimit, probeSandbox, SANDBOX_PATH, sandboxArgv, type SandboxMount, type SandboxSpec, type SandboxStatus } from "./sandbox.js";
import { ExecutorError, type ExecContext, type Executor } from "./types.js";
import type { JobLog } from "./job-log.js";

export interface ExecConfig {
  /** Task kind served (default "exec"). */
  kind?: string;
  /** Command and arguments; argv[0] is looked up in the sandbox's PATH (/usr/local/bin:/usr/bin:/bin). */
  argv: readonly string[];
  timeoutMs: number;
  /** Address-space limit of each job process (virtual memory, not RSS). Absent = unlimited. */
  memoryLimitMb?: number;
  /** CPU-time limit of each job process. Absent = unlimited (the wall-clock timeout still applies). */
  cpuSeconds?: number;
  /** How many processes/threads the job may run at once (default 64). */
  maxProcesses?: number;
  /** Size of the job's private /tmp (default 64 MiB). */
  tmpSizeMb?: number;
  /** Extra environment for the job. The worker's own environment is NOT inherited. */
  env?: Readonly<Record<string, string>>;
  /** Largest output, and largest file the job may write at all (default 256 MiB). */
  maxOutputBytes?: number;
  /** Extra host paths the job may read (an interpreter outside /usr, a model directory). */
  readOnlyPaths?: readonly string[];
  /** Parent directory of the per-job temp directories (default os.tmpdir()). */
  tmpRoot?: string;
  /** Overrides the probed sandbox (tests: an unavailable one). */
  sandbox?: SandboxStatus;
}

const DEFAULT_MAX_OUTPUT = 256 * 1024 * 1024;
const DEFAULT_MAX_PROCESSES = 64;
const DEFAULT_TMP_MB = 64;
const TAIL_BYTES = 2048;
/** Messages a process prints when an allocation fails under an address-space limit. */
const FSIZE_PATTERN = /EFBIG|file too large/i;
const OOM_PATTERN = /out of memory|\bOOM\b|cannot allocate memory|bad_alloc|MemoryError|allocation failed|failed to reserve/i;

/** Keeps the last TAIL_BYTES of a stream: enough for an error message, bounded for chatty jobs. */
class Tail {
  private buf = Buffer.alloc(0);
  push(chunk: Buffer): void {
    this.buf = Buffer.concat([this.buf, chunk]);
    if (this.buf.length > TAIL_BYTES) this.buf = this.buf.subarray(this.buf.length - TAIL_BYTES);
  }
  text(): string {
    return this.buf.toString("utf8").trim();
  }
}

interface ProcessEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  spawnError?: Error;
  timedOut: boolean;
  cancelled: boolean;
  stderr: string;
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // ESRCH: the group is already gone.
  }
}

function runProcess(argv: string[], cwd: string, timeoutMs: number, signal: AbortSignal, log?: JobLog): Promise<ProcessEnd> {
  return new Promise((resolve) => {
    let timedOut = false;
    let cancelled = false;
    let spawnError: Error | undefined;
    const stderr = new Tail();
    // argv[0] is prlimit, which execs into bwrap: killing this pid's group kills the outer
    // bwrap, whose child (pid 1 of the job's pid namespace) dies with it, taking every job
    // process along. The job's environment travels as --setenv, so bwrap itself gets none.
    const child = spawn(argv[0]!, argv.slice(1), { cwd, env: {}, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    // Results go to $OGPU_OUTPUT; what the job prints is only its log (bounded by JobLog).
    child.stdout.on("data", (c: Buffer) => log?.push(c));
    child.stderr.on("data", (c: Buffer) => {
      stderr.push(c);
      log?.push(c);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, timeoutMs);
    const onAbort = (): void => {
      cancelled = true;
      killGroup(child.pid);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    // When the leader exits, stray children it left behind would hold the pipes open (and
    // burn the slot): kill the rest of the group too.
    child.on("exit", () => killGroup(child.pid));
    child.on("error", (err) => {
      spawnError = err;
    });
    child.on("close", (code, sig) => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      resolve({ code, signal: sig, spawnError, timedOut, cancelled, stderr: stderr.text() });
    });
  });
}

/** bwrap exits 128 + N when the job died of signal N (like a shell). */
function jobSignal(end: ProcessEnd): string | undefined {
  if (end.signal) return end.signal;
  if (end.code === null || end.code <= 128) return undefined;
  const name = Object.entries(osConstants.signals).find(([, n]) => n === (end.code as number) - 128)?.[0];
  return name;
}

function classify(kind: string, end: ProcessEnd, config: ExecConfig, maxOutputBytes: number): ExecutorError | undefined {
  const detail = end.stderr ? `: ${end.stderr.split("\n").slice(-3).join(" | ")}` : "";
  if (end.cancelled) return new ExecutorError("cancelled", `${kind}: cancelled`);
  if (end.timedOut) return new ExecutorError("timeout", `${kind}: killed after the ${config.timeoutMs} ms timeout`);
  if (end.spawnError) return new ExecutorError("crash", `${kind}: cannot start the sandbox: ${end.spawnError.message}`);
  if (end.code === 0) return undefined;
  const signal = jobSignal(end);
  const how = signal ? `killed by ${signal}` : `exited with code ${end.code}`;
  if (signal === "SIGXCPU") return new ExecutorError("timeout", `${kind}: exceeded the ${config.cpuSeconds} s CPU-time limit (${how})`);
  // Runtimes that ignore SIGXFSZ (Node, Python) see EFBIG instead and exit with an error.
  if (signal === "SIGXFSZ" || FSIZE_PATTERN.test(end.stderr)) {
    return new ExecutorError("bad_output", `${kind}: wrote past the ${maxOutputBytes}-byte file-size limit (${how})${signal === "SIGXFSZ" ? "" : detail}`);
  }
  // SIGKILL we did not send comes from the kernel's OOM killer (cgroup or system-wide).
  const oom = config.memoryLimitMb !== undefined && (OOM_PATTERN.test(end.stderr) || signal === "SIGKILL");
  if (oom) return new ExecutorError("oom", `${kind}: exceeded the ${config.memoryLimitMb} MB memory limit (${how})${detail}`);
  return new ExecutorError("crash", `${kind}: ${how}${detail}`);
}

export async function readOutput(kind: string, path: string, maxBytes: number): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(path, "r");
  } catch {
    throw new ExecutorError("bad_output", `${kind}: the job exited 0 but wrote no output file at $OGPU_OUTPUT`);
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new ExecutorError("bad_output", `${kind}: $OGPU_OUTPUT is not a regular file`);
    if (st.size > maxBytes) throw new ExecutorError("bad_output", `${kind}: output of ${st.size} bytes exceeds the ${maxBytes}-byte limit`);
    return new Uint8Array(await handle.readFile());
  } finally {
    await handle.close();
  }
}

function positiveInteger(name: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isSafeInteger(value) || value < 1)) throw new Error(`exec: ${name} must be a positive integer`);
}

function validateConfig(config: ExecConfig): void {
  if (config.argv.length === 0 || config.argv.some((a) => typeof a !== "string" || a.includes("\0"))) {
    throw new Error("exec: argv must be a non-empty array of strings without NUL bytes");
  }
  if (config.argv[0] === "") throw new Error("exec: argv[0] must name a program");
  if (!Number.isSafeInteger(config.timeoutMs) || config.timeoutMs < 1) throw new Error("exec: timeoutMs must be a positive integer");
  for (const key of ["memoryLimitMb", "cpuSeconds", "maxProcesses", "tmpSizeMb", "maxOutputBytes"] as const) positiveInteger(key, config[key]);
}

const MIB = 1024 * 1024;
/** Where the job's paths appear inside the sandbox. */
const JOB_INPUT = "/job/input";
export const JOB_OUT_DIR = "/job/out";

/**
 * Lays out a job directory on the host: `input` (0600) and `out/` (0700), both given to the
 * uid the job runs as. The directory itself is 0700, so other host users cannot read it.
 */
async function prepareJobDir(dir: string, input: Uint8Array, status: Extract<SandboxStatus, { available: true }>): Promise<{ input: string; out: string }> {
  const paths = { input: join(dir, "input"), out: join(dir, "out") };
  await writeFile(paths.input, input, { mode: 0o600 });
  await mkdir(paths.out, { mode: 0o700 });
  if (status.runAs) for (const p of [dir, paths.input, paths.out]) await chown(p, status.runAs.uid, status.runAs.gid);
  return paths;
}

/**
 * What a runtime adds to the standard job layout: the process runtime mounts the program
 * bundle, names an output directory instead of a file, and sets its own variables.
 */
export interface JobLayout {
  /** Writes extra files into the job directory before it is handed to the job's uid; returns their mounts. */
  prepare?: (jobDir: string) => Promise<{ readOnly: SandboxMount[]; chown: string[] }>;
  /** Variables set after the configured ones (OGPU_SEED, OGPU_TASK_ID, OGPU_OUTPUT …). */
  env?: Readonly<Record<string, string>>;
  /** Working directory inside the sandbox (default /job/out). */
  cwd?: string;
  devices?: readonly string[];
  /** Reads the result from the host's out directory (default: the file `output`). */
  collect?: (outDir: string) => Promise<Uint8Array>;
}

/**
 * Runs one job in the sandbox: job directory, limits, kill on timeout or cancel, failure
 * classification, cleanup in every outcome. Shared by the exec and process runtimes.
 */
export async function runSandboxedJob(config: ExecConfig, input: Uint8Array, ctx: ExecContext, layout: JobLayout = {}): Promise<Uint8Array> {
  validateConfig(config);
  const kind = config.kind ?? "exec";
  const maxOutputBytes = config.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
  if (ctx.signal.aborted) throw new ExecutorError("cancelled", `${kind}: cancelled`);
  const status = config.sandbox ?? probeSandbox();
  // Never unsandboxed: a job must not see the worker's keys, salts or network.
  if (!status.available) throw new ExecutorError("unavailable", `${kind}: refusing to run the job unsandboxed: ${status.reason}`);
  const dir = await mkdtemp(join(config.tmpRoot ?? tmpdir(), "ogpu-job-"));
  try {
    const paths = await prepareJobDir(dir, input, status);
    const extra = layout.prepare ? await layout.prepare(dir) : { readOnly: [], chown: [] };
    if (status.runAs) for (const p of extra.chown) await chown(p, status.runAs.uid, status.runAs.gid);
    const spec: SandboxSpec = {
      argv: config.argv,
      env: {
        PATH: SANDBOX_PATH,
        LANG: "C",
        ...config.env,
        HOME: "/tmp",
        TMPDIR: "/tmp",
        OGPU_INPUT: JOB_INPUT,
        OGPU_OUTPUT: `${JOB_OUT_DIR}/output`,
        OGPU_SLOT: String(ctx.slot),
        // Empty = no GPU visible: a job must never land on another slot's devices by default.
        CUDA_VISIBLE_DEVICES: ctx.gpus ?? "",
        ...layout.env,
      },
      readOnly: [{ host: paths.input, sandbox: JOB_INPUT }, ...extra.readOnly, ...(config.readOnlyPaths ?? []).map((p) => ({ host: p, sandbox: p }))],
      writable: [{ host: paths.out, sandbox: JOB_OUT_DIR }],
      devices: layout.devices,
      cwd: layout.cwd ?? JOB_OUT_DIR,
      limits: {
        memoryBytes: config.memoryLimitMb === undefined ? undefined : config.memoryLimitMb * MIB,
        cpuSeconds: config.cpuSeconds,
        fileSizeBytes: maxOutputBytes,
        processes: config.maxProcesses ?? DEFAULT_MAX_PROCESSES,
        tmpBytes: (config.tmpSizeMb ?? DEFAULT_TMP_MB) * MIB,
      },
    };
    const argv = sandboxArgv(spec, status, nprocLimit(spec.limits.processes, status));
    const end = await runProcess(argv, dir, config.timeoutMs, ctx.signal, ctx.log);
    const failure = classify(kind, end, config, maxOutputBytes);
    if (failure) throw failure;
    if (layout.collect) return await layout.collect(paths.out);
    return await readOutput(kind, join(paths.out, "output"), maxOutputBytes);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function createExecExecutor(config: ExecConfig): Executor {
  validateConfig(config);
  return { kind: config.kind ?? "exec", run: (input, ctx) => runSandboxedJob(config, input, ctx) };
}
