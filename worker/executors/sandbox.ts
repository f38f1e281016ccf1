/**
 * The job sandbox: every `exec` job (and, later, every `process` program) runs under bubblewrap.
 *
 * What the job gets: a read-only view of the system (/usr and the /bin, /lib*, /sbin links, a
 * few files of /etc needed to load programs), the host paths it is given (read-only unless
 * listed as writable), a private size-capped tmpfs /tmp, its own /proc and a minimal /dev,
 * new user/pid/net/ipc/uts/cgroup namespaces, no capabilities, a cleared environment, and
 * rlimits for address space, CPU time, file size and process count. Nothing else of the host
 * exists inside: not the worker's home (keyring, salts, state), not the repository, not the
 * host's /tmp. Killing the outer bwrap kills the whole job: bwrap's child is pid 1 of the
 * job's pid namespace and dies with its parent (--die-with-parent), and the kernel kills every
 * process of a pid namespace whose pid 1 dies, whatever setsid or double fork they did.
 *
 * A root worker must not hand the job root (its caps would apply inside the user namespace,
 * and the kernel does not enforce RLIMIT_NPROC for uid 0), so it starts bwrap as an
 * unprivileged uid (SANDBOX_UID) through setpriv and gives that uid the job's paths.
 *
 * No fallback: if bwrap is missing or cannot create the namespaces, `probeSandbox` says why and
 * the exec runtime refuses to run jobs.
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants, lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { delimiter, join } from "node:path";

/** The uid/gid a root worker's jobs run as ("nobody" on Debian). */
export const SANDBOX_UID = 65534;
/** PATH inside the sandbox: only directories that exist there. */
export const SANDBOX_PATH = "/usr/local/bin:/usr/bin:/bin";

export interface SandboxMount {
  /** Path on the host (file or directory). */
  host: string;
  /** Absolute path inside the sandbox. */
  sandbox: string;
}

export interface SandboxLimits {
  /** RLIMIT_AS of every job process (virtual memory, not RSS). Absent = unlimited. */
  memoryBytes?: number;
  /** RLIMIT_CPU of every job process: SIGXCPU, then SIGKILL. Absent = unlimited. */
  cpuSeconds?: number;
  /** RLIMIT_FSIZE: the largest file the job may write (SIGXFSZ past it). */
  fileSizeBytes: number;
  /** How many more processes/threads the job may have at once (RLIMIT_NPROC, see nprocLimit). */
  processes: number;
  /** Size of the private /tmp tmpfs (it counts against host memory, not against memoryBytes). */
  tmpBytes: number;
}

export interface SandboxSpec {
  /** argv[0] is looked up in SANDBOX_PATH inside the sandbox. */
  argv: readonly string[];
  /** The job's whole environment (nothing is inherited from the worker). */
  env: Readonly<Record<string, string>>;
  readOnly: readonly SandboxMount[];
  writable: readonly SandboxMount[];
  /** Device nodes passed through (GPU jobs: /dev/nvidia0, /dev/nvidiactl, …); none by default. */
  devices?: readonly string[];
  /** Working directory inside the sandbox. */
  cwd: string;
  limits: SandboxLimits;
}

export type SandboxStatus =
  | { available: true; bwrap: string; prlimit: string; version: string; runAs?: { uid: number; gid: number; setpriv: string } }
  | { available: false; reason: string };

/** System directories bound read-only when they are directories, recreated when they are links (merged /usr). */
const SYSTEM_DIRS = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"];
/** What of /etc a program needs to start: the loader cache, Debian's alternatives links, user names, time zone. */
const ETC_FILES = ["/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives", "/etc/passwd", "/etc/group", "/etc/nsswitch.conf", "/etc/localtime"];
/** bwrap's own processes inside the uid's count: the outer bwrap and the namespace's pid 1. */
const BWRAP_PROCESSES = 2;
const PROBE_TIMEOUT_MS = 10_000;

function findOnPath(name: string, searchPath: string): string | undefined {
  for (const dir of searchPath.split(delimiter)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function systemMounts(): string[] {
  const args: string[] = [];
  for (const dir of SYSTEM_DIRS) {
    let st;
    try {
      st = lstatSync(dir);
    } catch {
      continue;
    }
    if (st.isSymbolicLink()) args.push("--symlink", readlinkSync(dir), dir);
    else if (st.isDirectory()) args.push("--ro-bind", dir, dir);
  }
  for (const path of ETC_FILES) args.push("--ro-bind-try", path, path);
  return args;
}

/**
 * Tasks (processes and threads) the kernel currently counts against `uid`. RLIMIT_NPROC is
 * checked against the uid's count in every enclosing user namespace, so a worker running as
 * the same uid as its jobs (non-root) must add its own threads, or the job could not fork.
 */
export function tasksOwnedBy(uid: number): number {
  let count = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^[0-9]+$/.test(entry)) continue;
    let status: string;
    try {
      status = readFileSync(`/proc/${entry}/status`, "utf8");
    } catch {
      continue; // exited while we looked
    }
    const real = /^Uid:\s+([0-9]+)/m.exec(status);
    const threads = /^Threads:\s+([0-9]+)/m.exec(status);
    if (real && Number(real[1]) === uid) count += threads ? Number(threads[1]) : 1;
  }
  return count;
}

/** The RLIMIT_NPROC that lets the job have `processes` more tasks than its host uid has now. */
export function nprocLimit(processes: number, status: Extract<SandboxStatus, { available: true }>): number {
  const hostUid = status.runAs?.uid ?? process.getuid?.() ?? 0;
  return tasksOwnedBy(hostUid) + BWRAP_PROCESSES + processes;
}

function prlimitArgs(limits: SandboxLimits, nproc: number): string[] {
  const args = [`--fsize=${limits.fileSizeBytes}`, `--nproc=${nproc}`];
  if (limits.memoryBytes !== undefined) args.push(`--as=${limits.memoryBytes}`);
  // Soft < hard: the job gets SIGXCPU (reported as a CPU-time timeout), SIGKILL a second later.
  if (limits.cpuSeconds !== undefined) args.push(`--cpu=${limits.cpuSeconds}:${limits.cpuSeconds + 1}`);
  return args;
}

/**
 * The full command line: prlimit → [setpriv, for a root worker] → bwrap → the job. Each execs
 * the next, so the spawned pid is the outer bwrap and the limits are inherited by every job
 * process. Never goes through a shell.
 */
export function sandboxArgv(spec: SandboxSpec, status: Extract<SandboxStatus, { available: true }>, nproc: number): string[] {
  const uid = status.runAs?.uid ?? SANDBOX_UID;
  const gid = status.runAs?.gid ?? SANDBOX_UID;
  const argv = [status.prlimit, ...prlimitArgs(spec.limits, nproc), "--"];
  if (status.runAs) argv.push(status.runAs.setpriv, `--reuid=${status.runAs.uid}`, `--regid=${status.runAs.gid}`, "--clear-groups", "--");
  argv.push(status.bwrap, "--unshare-all", "--unshare-user", "--uid", String(uid), "--gid", String(gid));
  argv.push("--disable-userns", "--die-with-parent", "--new-session", "--hostname", "ogpu-job");
  argv.push(...systemMounts(), "--proc", "/proc", "--dev", "/dev", "--size", String(spec.limits.tmpBytes), "--tmpfs", "/tmp");
  for (const device of spec.devices ?? []) argv.push("--dev-bind", device, device);
  for (const m of spec.readOnly) argv.push("--ro-bind", m.host, m.sandbox);
  for (const m of spec.writable) argv.push("--bind", m.host, m.sandbox);
  // The root is bwrap's tmpfs: read-only, so the job cannot fill memory through it.
  argv.push("--remount-ro", "/", "--chdir", spec.cwd, "--clearenv");
  for (const [key, value] of Object.entries(spec.env)) argv.push("--setenv", key, value);
  argv.push("--", ...spec.argv);
  return argv;
}

let cached: SandboxStatus | undefined;

/** Whether jobs can be sandboxed here, probed once per process by running `true` in the sandbox. */
export function probeSandbox(): SandboxStatus {
  cached ??= probeSandboxWith(process.env.PATH ?? SANDBOX_PATH);
  return cached;
}

/** The probe itself, looking the tools up in `searchPath` (tests: a PATH without bwrap). */
export function probeSandboxWith(searchPath: string): SandboxStatus {
  const bwrap = findOnPath("bwrap", searchPath);
  if (!bwrap) return { available: false, reason: "bubblewrap (`bwrap`) is not installed (Debian: apt-get install bubblewrap, or `make deps`)" };
  const prlimit = findOnPath("prlimit", searchPath);
  if (!prlimit) return { available: false, reason: "`prlimit` (util-linux) is not installed" };
  let runAs: { uid: number; gid: number; setpriv: string } | undefined;
  if (process.getuid?.() === 0) {
    const setpriv = findOnPath("setpriv", searchPath);
    if (!setpriv) return { available: false, reason: "the worker runs as root and `setpriv` (util-linux) is missing to drop jobs to an unprivileged uid" };
    runAs = { uid: SANDBOX_UID, gid: SANDBOX_UID, setpriv };
  }
  const version = spawnSync(bwrap, ["--version"], { encoding: "utf8", timeout: PROBE_TIMEOUT_MS }).stdout?.trim() ?? "";
  const status = { available: true as const, bwrap, prlimit, version, runAs };
  const spec: SandboxSpec = { argv: ["true"], env: { PATH: SANDBOX_PATH }, readOnly: [], writable: [], cwd: "/", limits: { fileSizeBytes: 1 << 20, processes: 8, tmpBytes: 1 << 20 } };
  const argv = sandboxArgv(spec, status, nprocLimit(spec.limits.processes, status));
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", env: {}, timeout: PROBE_TIMEOUT_MS });
  if (r.error || r.status !== 0) {
    const why = r.error?.message ?? (r.stderr.trim() || `exit ${r.status}`);
    return { available: false, reason: `bubblewrap cannot create the job sandbox here (${why}); unprivileged user namespaces may be disabled` };
  }
  return status;
}

/** One line for the worker's start-up log. */
export function describeSandbox(status: SandboxStatus): string {
  if (!status.available) return `job sandbox UNAVAILABLE: ${status.reason}; exec jobs are refused`;
  const who = status.runAs ? `, jobs run as uid ${status.runAs.uid}` : "";
  return `job sandbox: ${status.version || "bubblewrap"} (no network, read-only system, private /tmp${who})`;
}
