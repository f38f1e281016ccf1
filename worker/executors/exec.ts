/**
 * `exec` runtime: runs a configured command for real jobs. The command is an argv array (never
 * a shell string); the job reads its input from $OGPU_INPUT and writes its result to
 * $OGPU_OUTPUT, both inside a private temp directory removed afterwards. Limits: wall-clock
 * timeout (the whole process group is SIGKILLed), address-space limit, no network when the
 * machine supports `unshare -rn` (see sandbox.ts). Every failure resolves to an ExecutorError
 * with a kind; the returned promise always settles once the process group is gone.
 */
import { spawn } from "node:child_process";
import { mkdtemp, open, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { detectSandbox, wrapArgv, type SandboxSupport } from "./sandbox.js";
import { ExecutorError, type ExecContext, type Executor } from "./types.js";

export interface ExecConfig {
  /** Task kind served (default "exec"). */
  kind?: string;
  /** Command and arguments; argv[0] is looked up in PATH. */
  argv: readonly string[];
  timeoutMs: number;
  /** Address-space limit (virtual memory, not RSS). Absent = unlimited. */
  memoryLimitMb?: number;
  /** "deny" (default) isolates the job from the network when the machine allows it. */
  network?: "deny" | "allow";
  /** Extra environment for the job. The worker's own environment is NOT inherited. */
  env?: Readonly<Record<string, string>>;
  /** Output files larger than this are rejected as bad_output (default 256 MiB). */
  maxOutputBytes?: number;
  /** Parent directory of the per-job temp directories (default os.tmpdir()). */
  tmpRoot?: string;
  /** Overrides the probed sandbox support (tests, or operators who know better). */
  sandbox?: SandboxSupport;
  /** Receives the one-time "no network isolation" warning (default console.warn). */
  warn?: (message: string) => void;
}

const DEFAULT_MAX_OUTPUT = 256 * 1024 * 1024;
const TAIL_BYTES = 2048;
/** Messages a process prints when an allocation fails under an address-space limit. */
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

function runProcess(argv: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number, signal: AbortSignal): Promise<ProcessEnd> {
  return new Promise((resolve) => {
    let timedOut = false;
    let cancelled = false;
    let spawnError: Error | undefined;
    const stderr = new Tail();
    // detached ⇒ setsid(): the job leads its own process group, which we can kill as a whole.
    const child = spawn(argv[0]!, argv.slice(1), { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.resume(); // drained, not kept: results go to $OGPU_OUTPUT
    child.stderr.on("data", (c: Buffer) => stderr.push(c));
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

function classify(kind: string, end: ProcessEnd, config: ExecConfig): ExecutorError | undefined {
  const detail = end.stderr ? `: ${end.stderr.split("\n").slice(-3).join(" | ")}` : "";
  if (end.cancelled) return new ExecutorError("cancelled", `${kind}: cancelled`);
  if (end.timedOut) return new ExecutorError("timeout", `${kind}: killed after the ${config.timeoutMs} ms timeout`);
  if (end.spawnError) return new ExecutorError("crash", `${kind}: cannot start ${config.argv[0]}: ${end.spawnError.message}`);
  if (end.code === 0) return undefined;
  const how = end.signal ? `killed by ${end.signal}` : `exited with code ${end.code}`;
  // SIGKILL we did not send comes from the kernel's OOM killer (cgroup or system-wide).
  const oom = config.memoryLimitMb !== undefined && (OOM_PATTERN.test(end.stderr) || end.signal === "SIGKILL");
  if (oom) return new ExecutorError("oom", `${kind}: exceeded the ${config.memoryLimitMb} MB memory limit (${how})${detail}`);
  return new ExecutorError("crash", `${kind}: ${how}${detail}`);
}

async function readOutput(kind: string, path: string, maxBytes: number): Promise<Uint8Array> {
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

function validateConfig(config: ExecConfig): void {
  if (config.argv.length === 0 || config.argv.some((a) => typeof a !== "string" || a.includes("\0"))) {
    throw new Error("exec: argv must be a non-empty array of strings without NUL bytes");
  }
  if (config.argv[0] === "") throw new Error("exec: argv[0] must name a program");
  if (!Number.isSafeInteger(config.timeoutMs) || config.timeoutMs < 1) throw new Error("exec: timeoutMs must be a positive integer");
  if (config.memoryLimitMb !== undefined && (!Number.isSafeInteger(config.memoryLimitMb) || config.memoryLimitMb < 1)) {
    throw new Error("exec: memoryLimitMb must be a positive integer");
  }
}

export function createExecExecutor(config: ExecConfig): Executor {
  validateConfig(config);
  const kind = config.kind ?? "exec";
  const denyNetwork = (config.network ?? "deny") === "deny";
  let warnedNoNetworkIsolation = false;
  return {
    kind,
    async run(input: Uint8Array, ctx: ExecContext): Promise<Uint8Array> {
      if (ctx.signal.aborted) throw new ExecutorError("cancelled", `${kind}: cancelled`);
      const support = config.sandbox ?? detectSandbox();
      if (denyNetwork && !support.networkIsolation && !warnedNoNetworkIsolation) {
        warnedNoNetworkIsolation = true;
        (config.warn ?? console.warn)("ogpu-worker: `unshare -rn` is not available here; exec jobs run WITH network access");
      }
      const dir = await mkdtemp(join(config.tmpRoot ?? tmpdir(), "ogpu-job-"));
      try {
        const inputPath = join(dir, "input");
        const outputPath = join(dir, "output");
        await writeFile(inputPath, input, { mode: 0o600 });
        const env: NodeJS.ProcessEnv = {
          PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
          LANG: "C",
          ...config.env,
          HOME: dir,
          TMPDIR: dir,
          OGPU_INPUT: inputPath,
          OGPU_OUTPUT: outputPath,
          OGPU_SLOT: String(ctx.slot),
          // Empty = no GPU visible: a job must never land on another slot's devices by default.
          CUDA_VISIBLE_DEVICES: ctx.gpus ?? "",
        };
        const memoryLimitBytes = config.memoryLimitMb === undefined ? undefined : config.memoryLimitMb * 1024 * 1024;
        const argv = wrapArgv(config.argv, { memoryLimitBytes, denyNetwork }, support);
        const end = await runProcess(argv, dir, env, config.timeoutMs, ctx.signal);
        const failure = classify(kind, end, config);
        if (failure) throw failure;
        return await readOutput(kind, outputPath, config.maxOutputBytes ?? DEFAULT_MAX_OUTPUT);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
