/**
 * What isolation this machine offers the `exec` runtime, probed once per process:
 * - memory limit: `prlimit --as=<bytes>` (util-linux) when it works, else `sh -c 'ulimit -v'`;
 * - no network: `unshare -rn` (new user + network namespace: only a downed loopback) when the
 *   kernel allows unprivileged user namespaces; otherwise jobs keep the host network and a
 *   warning is logged once.
 * Each tool exec()s the next, so the job stays the leader of the process group the runtime
 * kills on timeout.
 */
import { spawnSync } from "node:child_process";

export interface SandboxSupport {
  memoryLimit: "prlimit" | "ulimit";
  networkIsolation: boolean;
}

const PROBE_TIMEOUT_MS = 5000;

function succeeds(argv: string[]): boolean {
  const r = spawnSync(argv[0]!, argv.slice(1), { stdio: "ignore", timeout: PROBE_TIMEOUT_MS });
  return r.error === undefined && r.status === 0;
}

let cached: SandboxSupport | undefined;

export function detectSandbox(): SandboxSupport {
  cached ??= {
    memoryLimit: succeeds(["prlimit", "--as=1073741824", "--", "true"]) ? "prlimit" : "ulimit",
    networkIsolation: succeeds(["unshare", "-rn", "--", "true"]),
  };
  return cached;
}

export interface SandboxOptions {
  memoryLimitBytes?: number;
  denyNetwork: boolean;
}

/** Prefixes argv with the wrappers that apply the limits; never goes through a shell string. */
export function wrapArgv(argv: readonly string[], opts: SandboxOptions, support: SandboxSupport): string[] {
  let wrapped = [...argv];
  if (opts.memoryLimitBytes !== undefined) {
    wrapped =
      support.memoryLimit === "prlimit"
        ? ["prlimit", `--as=${opts.memoryLimitBytes}`, "--", ...wrapped]
        : // The script is a constant; the job's argv travels as positional parameters, unparsed.
          ["sh", "-c", 'ulimit -v "$1" && shift && exec "$@"', "ogpu-limit", String(Math.ceil(opts.memoryLimitBytes / 1024)), ...wrapped];
  }
  if (opts.denyNetwork && support.networkIsolation) wrapped = ["unshare", "-rn", "--", ...wrapped];
  return wrapped;
}
