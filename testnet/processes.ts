/**
 * Finding and stopping a node's child processes from /proc (Linux), for harnesses and the testnet
 * CLI: ogpud runs cometbft (`<cometbft> start --home <home>`, server/node.ts) and, with IPFS
 * storage, kubo (`ipfs daemon`, testnet/kubo.ts) — so "ogpud's only child" is not cometbft, and a
 * child left behind by an ogpud that was SIGKILLed is found by what it runs on, its home.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { resolve } from "node:path";
import { processRunning } from "./roles.js";

/** A process's argv, or undefined once it is gone (or belongs to another user). */
function commandLine(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").slice(0, -1);
  } catch {
    return undefined;
  }
}

/**
 * The home a process runs `cometbft start --home <home>` on (resolved against its working
 * directory), or undefined if it is no such process. argv[0] is not checked (OGPU_COMETBFT may
 * name a wrapper); ogpud's own `node main.js start --home` has its script at argv[1].
 */
function cometbftHome(pid: number): string | undefined {
  const argv = commandLine(pid);
  if (argv?.[1] !== "start" || argv[2] !== "--home" || argv[3] === undefined) return undefined;
  try {
    return resolve(readlinkSync(`/proc/${pid}/cwd`), argv[3]);
  } catch {
    return undefined;
  }
}

/** The children of a process, from /proc (none once it is gone). */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** PID of ogpud's cometbft child, found by its command line; undefined if it has none (now). */
export function cometbftPid(ogpudPid: number): number | undefined {
  return childPids(ogpudPid).find((pid) => cometbftHome(pid) !== undefined);
}

/** Every `cometbft start` running on `home`, whoever its parent (an orphan's is init). */
export function cometbftPidsOfHome(home: string): number[] {
  const want = resolve(home);
  return readdirSync("/proc").filter((entry) => /^\d+$/.test(entry)).map(Number).filter((pid) => cometbftHome(pid) === want);
}

/**
 * SIGTERM the processes, and SIGKILL those still running at the deadline; resolves when all are
 * gone, throws (naming `what`) if any survives SIGKILL.
 */
export async function terminatePids(pids: readonly number[], what: string, timeoutMs = 20_000): Promise<void> {
  const signal = (pid: number, sig: NodeJS.Signals) => {
    try {
      process.kill(pid, sig);
    } catch {
      // exited meanwhile
    }
  };
  for (const pid of pids) signal(pid, "SIGTERM");
  let deadline = Date.now() + timeoutMs;
  let killed = false;
  while (pids.some(processRunning)) {
    if (Date.now() > deadline) {
      if (killed) throw new Error(`${what} (pids ${pids.filter(processRunning).join(", ")}) survived SIGKILL`);
      for (const pid of pids.filter(processRunning)) signal(pid, "SIGKILL");
      killed = true;
      deadline = Date.now() + 5_000;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Stops a cometbft still running on the home of a node whose ogpud is stopped: one left behind
 * by an ogpud that was SIGKILLed (a clean ogpud stops it first). Returns how many it stopped.
 */
export async function stopOrphanCometbft(home: string, timeoutMs = 20_000): Promise<number> {
  const pids = cometbftPidsOfHome(home);
  await terminatePids(pids, `cometbft of ${home}`, timeoutMs);
  return pids.length;
}
