/**
 * The market's off-chain roles as real processes: `ogpu-worker start` (a GPU worker) and
 * `ogpu-worker audit` (a validator's auditor), each attached to one node's RPC and REST. Used by
 * the loopback testnet (`make testnet`: detached, pid files, outliving the command) and by the
 * end-to-end suites and benchmarks (attached children they stop themselves).
 *
 * Files of a role with home H: `H/<kind>.log` (its output), `H/<kind>.pid` (detached only).
 * An auditor's home is its validator's node home (the operator key lives in that keyring).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { packageRoot } from "../cmd/paths.js";
import type { KeyType } from "../crypto/keyring.js";

export type RoleKind = "worker" | "auditor";

export interface RoleSpec {
  /** Shown in logs and status (e.g. "worker0", "auditor@node2"). */
  name: string;
  kind: RoleKind;
  /** Worker: its own home (initRoleHome). Auditor: the validator's node home. */
  home: string;
  /** Auditor: the operator key's name in the home's keyring. */
  keyName?: string;
  /** Passed as --key-type: the role refuses to run on a key of another type. */
  keyType?: KeyType;
  /** The node the role talks to; `rest` may list several comma-separated, failed over in order (--rest). */
  node: { rpc: string; rest: string };
  metricsPort?: number;
  /** Worker: jobs at once (default 2). */
  maxConcurrent?: number;
  /** More `ogpu-worker` flags (e.g. --gpu, --price-per-unit). */
  extraArgs?: string[];
}

/** An attached role process (tests, benchmarks). */
export interface RoleProcess {
  spec: RoleSpec;
  proc: ChildProcess;
  exited: Promise<unknown>;
}

export function workerScript(): string {
  const script = join(packageRoot(), "dist", "worker", "main.js");
  if (!existsSync(script)) throw new Error(`${script} not found: run 'npm run build' first`);
  return script;
}

export const roleLogFile = (spec: Pick<RoleSpec, "home" | "kind">) => join(spec.home, `${spec.kind}.log`);
export const rolePidFile = (spec: Pick<RoleSpec, "home" | "kind">) => join(spec.home, `${spec.kind}.pid`);

/** `ogpu-worker init` in `home` (test keyring); `mnemonic` recovers an existing account. Returns the worker's address. */
export function initRoleHome(home: string, keyType: KeyType = "secp256k1", mnemonic?: string): string {
  const args = [workerScript(), "init", "--home", home, "--keyring-backend", "test", "--key-type", keyType, ...(mnemonic ? ["--recover"] : [])];
  const r = spawnSync(process.execPath, args, { encoding: "utf8", input: mnemonic ? `${mnemonic}\n` : undefined });
  if (r.status !== 0) throw new Error(`ogpu-worker init --home ${home} failed: ${r.stderr}`);
  return /address:\s+(\S+)/.exec(r.stdout)![1]!;
}

/** The command line of a role (test keyring: the testnet's and tests' keys are throwaway). */
export function roleArgs(spec: RoleSpec): string[] {
  const args = spec.kind === "worker"
    ? ["start", "--home", spec.home, "--max-concurrent", String(spec.maxConcurrent ?? 2), "--heartbeat-blocks", "10", "--grace-ms", "2000"]
    : ["audit", "--home", spec.home, "--key", spec.keyName ?? "validator"];
  args.push("--keyring-backend", "test", "--node", spec.node.rpc, "--rest", spec.node.rest);
  if (spec.keyType) args.push("--key-type", spec.keyType);
  if (spec.metricsPort !== undefined) args.push("--metrics-port", String(spec.metricsPort));
  return [workerScript(), ...args, ...(spec.extraArgs ?? [])];
}

/** Starts a role as a child of this process, its output appended to its log. */
export function spawnRole(spec: RoleSpec): RoleProcess {
  const log = createWriteStream(roleLogFile(spec), { flags: "a" });
  const proc = spawn(process.execPath, roleArgs(spec), { stdio: ["ignore", "pipe", "pipe"] });
  proc.stdout!.pipe(log, { end: false });
  proc.stderr!.pipe(log, { end: false });
  return { spec, proc, exited: new Promise((resolve) => proc.once("exit", resolve)) };
}

/** SIGTERM every running role and wait for it (SIGKILL after `timeoutMs`). */
export async function stopRoles(roles: readonly RoleProcess[], timeoutMs = 15_000): Promise<void> {
  await Promise.all(
    roles.map(async (r) => {
      if (r.proc.exitCode !== null || r.proc.signalCode !== null) return;
      r.proc.kill("SIGTERM");
      const timer = setTimeout(() => r.proc.kill("SIGKILL"), timeoutMs);
      await r.exited;
      clearTimeout(timer);
    }),
  );
}

/** The last `lines` lines of a role's log, headed by its name. */
export async function roleLogTail(role: RoleProcess | RoleSpec, lines = 20): Promise<string> {
  const spec = "spec" in role ? role.spec : role;
  const text = await readFile(roleLogFile(spec), "utf8").catch(() => "(no log)");
  return `--- ${spec.name} (${roleLogFile(spec)}) ---\n${text.trimEnd().split("\n").slice(-lines).join("\n")}`;
}

/** Starts a role detached (it outlives this process), logging to its home; writes its pid file. */
export function startRoleDetached(spec: RoleSpec): number {
  const out = openSync(roleLogFile(spec), "a");
  const child = spawn(process.execPath, roleArgs(spec), { detached: true, stdio: ["ignore", out, out] });
  child.unref();
  writeFileSync(rolePidFile(spec), String(child.pid));
  return child.pid!;
}

/** The live process of a pid file, or undefined (no file, or the process is gone). */
export function livePid(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, "utf8"));
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/** Whether a process runs: alive and not a zombie (exited, its parent has not reaped it yet). */
export function processRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** SIGTERM the process of a pid file and wait until it is gone (SIGKILL at the deadline); removes the file. */
export async function stopPidFile(pidFile: string, timeoutMs = 20_000): Promise<void> {
  const pid = livePid(pidFile);
  if (pid !== undefined) {
    process.kill(pid, "SIGTERM");
    const deadline = Date.now() + timeoutMs;
    while (livePid(pidFile) !== undefined) {
      if (Date.now() > deadline) {
        process.kill(pid, "SIGKILL");
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  rmSync(pidFile, { force: true });
}
