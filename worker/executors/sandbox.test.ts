/**
 * Issue 10 item 12 — the job sandbox. Real bwrap, real processes: jobs that try each escape a
 * hostile program would try, run through the `exec` runtime exactly as a worker runs them.
 */
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type AddressInfo, type Server } from "node:net";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createExecExecutor, type ExecConfig } from "./exec.js";
import { withExec } from "./index.js";
import { describeSandbox, probeSandbox, probeSandboxWith, sandboxArgv } from "./sandbox.js";
import { runJob, type JobOutcome } from "./types.js";

const NODE = process.execPath;
const REPO = process.cwd();
let scratch: string;
let workerHome: string;
let server: Server;
let connections = 0;

beforeAll(async () => {
  const sandbox = probeSandbox();
  if (!sandbox.available) throw new Error(`these tests need the job sandbox: ${describeSandbox(sandbox)}`);
  scratch = await mkdtemp(join(tmpdir(), "ogpu-sandbox-test-"));
  await chmod(scratch, 0o711);
  // A worker home laid out like worker/keys.ts and worker/state.ts write it.
  workerHome = join(scratch, "worker-home");
  await mkdir(join(workerHome, "keyring-file"), { recursive: true, mode: 0o700 });
  await writeFile(join(workerHome, "keyring-file", "worker.json"), '{"sealed":"secret key"}', { mode: 0o600 });
  await writeFile(join(workerHome, "worker-state.json"), '{"salts":{"7":"00ff"}}', { mode: 0o600 });
  server = createServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
});
afterAll(async () => {
  server.close();
  await rm(scratch, { recursive: true, force: true });
});

function run(config: Partial<ExecConfig> & Pick<ExecConfig, "argv">, input = new Uint8Array()): Promise<JobOutcome> {
  const executor = createExecExecutor({ timeoutMs: 30_000, tmpRoot: scratch, ...config });
  return runJob(executor, input, { signal: new AbortController().signal, slot: 0 });
}

function text(outcome: JobOutcome): string {
  if (!outcome.ok) throw new Error(`job failed: ${outcome.failure.kind}: ${outcome.failure.message}`);
  return new TextDecoder().decode(outcome.output);
}

/** Host processes whose command line contains `token`, excluding zombies awaiting their reaper. */
async function liveProcessesWith(token: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^[0-9]+$/.test(entry)) continue;
    try {
      const cmdline = await readFile(`/proc/${entry}/cmdline`, "utf8");
      if (!cmdline.includes(token)) continue;
      const state = (await readFile(`/proc/${entry}/stat`, "utf8")).split(") ")[1]?.[0];
      if (state !== "Z" && state !== "X") found.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return found;
}

const ESCAPE_SCRIPT = `
  const fs = require("fs"), net = require("net");
  const t = JSON.parse(fs.readFileSync(process.env.OGPU_INPUT, "utf8"));
  const r = { read: {}, write: {} };
  for (const p of t.read) { try { fs.readFileSync(p); r.read[p] = "READ"; } catch (e) { r.read[p] = e.code; } }
  for (const p of t.write) { try { fs.writeFileSync(p, "escaped"); r.write[p] = "WROTE"; } catch (e) { r.write[p] = e.code; } }
  r.env = Object.keys(process.env).sort();
  r.uid = process.getuid();
  const done = () => fs.writeFileSync(process.env.OGPU_OUTPUT, JSON.stringify(r));
  const s = net.connect(t.port, "127.0.0.1");
  s.on("connect", () => { r.net = "CONNECTED"; s.destroy(); done(); });
  s.on("error", (e) => { r.net = e.code; done(); });`;

/** A file in the host user's home (whoever runs the tests): the job must not see it. */
const HOST_SHELL_RC = join(homedir(), ".bashrc");

describe("item 12 — job sandbox: exec jobs run under bubblewrap", () => {
  it("item 12: a job cannot read the worker home (keyring, salts), the repo or other host paths, write outside its output dir, or reach the network", async () => {
    process.env.OGPU_TEST_SECRET = "must-not-leak";
    const token = `ogpu-escape-${process.pid}-${Date.now()}`;
    const targets = {
      read: [
        join(workerHome, "keyring-file", "worker.json"),
        join(workerHome, "worker-state.json"),
        join(REPO, "package.json"),
        "/etc/hostname",
        HOST_SHELL_RC,
      ],
      write: [join(scratch, `${token}-host`), join(REPO, token), "/job/escape", "/usr/escape", "/escape", `/tmp/${token}`, "/job/out/scratch"],
      port: (server.address() as AddressInfo).port,
    };
    const outcome = await run({ argv: [NODE, "-e", ESCAPE_SCRIPT] }, new TextEncoder().encode(JSON.stringify(targets)));
    delete process.env.OGPU_TEST_SECRET;
    const r = JSON.parse(text(outcome)) as { read: Record<string, string>; write: Record<string, string>; env: string[]; net: string; uid: number };
    // Host paths are not denied but absent: nothing outside the sandbox's mounts exists in it.
    for (const path of targets.read.slice(0, 4)) expect([path, r.read[path]]).toEqual([path, "ENOENT"]);
    expect(r.read[HOST_SHELL_RC]).toBe("ENOENT");
    for (const path of targets.write.slice(0, 2)) expect([path, r.write[path]]).toEqual([path, "ENOENT"]);
    for (const path of ["/job/escape", "/usr/escape", "/escape"]) expect([path, r.write[path]]).toEqual([path, "EROFS"]);
    // Writable: its output dir and its private /tmp, which is not the host's /tmp.
    expect(r.write[`/tmp/${token}`]).toBe("WROTE");
    expect(r.write["/job/out/scratch"]).toBe("WROTE");
    expect(existsSync(join(tmpdir(), token))).toBe(false);
    expect(existsSync(join(REPO, token))).toBe(false);
    // Network: its own namespace has only its own loopback, so the host's listener is unreachable.
    expect(r.net).not.toBe("CONNECTED");
    expect(connections).toBe(0);
    // The environment is exactly what the runtime sets, nothing of the worker's.
    expect(r.env).toEqual(["CUDA_VISIBLE_DEVICES", "HOME", "LANG", "OGPU_INPUT", "OGPU_OUTPUT", "OGPU_SLOT", "PATH", "PWD", "TMPDIR"]);
    if (process.getuid?.() === 0) expect(r.uid).toBe(65534); // a root worker's job is not root
  });

  it("item 12: on timeout the whole job tree dies, including a setsid-detached grandchild and a double-forked daemon", async () => {
    const tag = `${process.pid % 1000}.${Date.now() % 1_000_000}`;
    const detached = `31${tag}`;
    const daemon = `32${tag}`;
    const script = `setsid sleep ${detached} & (sh -c 'setsid sleep ${daemon} &' &) ; sleep 600`;
    const pending = run({ argv: ["sh", "-c", script], timeoutMs: 2500 });
    let seen = false;
    const watching = (async () => {
      for (let i = 0; i < 200 && !seen; i++) {
        seen = (await liveProcessesWith(`sleep\0${detached}`)).length > 0 && (await liveProcessesWith(`sleep\0${daemon}`)).length > 0;
        if (!seen) await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const outcome = await pending;
    await watching;
    expect(outcome.ok ? "ok" : outcome.failure.kind).toBe("timeout");
    expect(seen).toBe(true); // both escapees were really running before the kill
    await new Promise((r) => setTimeout(r, 300));
    expect(await liveProcessesWith(`sleep\0${detached}`)).toEqual([]);
    expect(await liveProcessesWith(`sleep\0${daemon}`)).toEqual([]);
  });

  it("item 12: a fork flood is bounded by the process limit", async () => {
    // Tries to start 300 children at once, then counts the tasks (processes + threads) of its
    // pid namespace; a real fork bomb would do the same, only without stopping.
    const script = `
      const { spawn } = require("child_process"), fs = require("fs");
      let started = 0;
      for (let i = 0; i < 300; i++) { const c = spawn("sleep", ["20"], { stdio: "ignore" }); c.on("error", () => {}); if (c.pid) started += 1; }
      let tasks = 0;
      for (const p of fs.readdirSync("/proc").filter((e) => /^[0-9]+$/.test(e))) { try { tasks += Number(/Threads:\\s+(\\d+)/.exec(fs.readFileSync("/proc/" + p + "/status", "utf8"))[1]); } catch {} }
      fs.writeFileSync(process.env.OGPU_OUTPUT, JSON.stringify({ started, tasks }));
      process.exit(0);`;
    const outcome = await run({ argv: [NODE, "-e", script], maxProcesses: 40 });
    const { started, tasks } = JSON.parse(text(outcome)) as { started: number; tasks: number };
    expect(started).toBeGreaterThan(5); // the job really forked
    expect(started).toBeLessThan(40);
    expect(tasks).toBeLessThanOrEqual(40 + 2); // + bwrap's pid 1 and the outer bwrap's share
  });

  it("item 12: memory, private /tmp and CPU time are bounded", async () => {
    const hog = await run({ argv: [NODE, "-e", "const a = []; for (let i = 0; i < 16; i++) a.push(Buffer.alloc(256 << 20, 1))"], memoryLimitMb: 1024 });
    expect(hog.ok ? "ok" : hog.failure.kind).toBe("oom");
    const fill = await run({ argv: ["sh", "-c", 'head -c 50000000 /dev/zero > "$TMPDIR/fill"; wc -c < "$TMPDIR/fill" > "$OGPU_OUTPUT"'], tmpSizeMb: 8 });
    // The private /tmp takes writes up to its cap and no further.
    expect(Number(text(fill).trim())).toBeGreaterThan(4 * 1024 * 1024);
    expect(Number(text(fill).trim())).toBeLessThanOrEqual(8 * 1024 * 1024);
    const spin = await run({ argv: ["sh", "-c", "while :; do :; done"], cpuSeconds: 1, timeoutMs: 60_000 });
    expect(spin.ok ? "ok" : `${spin.failure.kind}: ${spin.failure.message}`).toMatch(/^timeout: .*1 s CPU-time limit \(killed by SIGXCPU\)/);
  });

  it("item 12: without bubblewrap the worker says so at start and takes no exec jobs (no unsandboxed fallback)", async () => {
    const emptyDir = join(scratch, "empty-path");
    await mkdir(emptyDir);
    const missing = probeSandboxWith(emptyDir);
    expect(missing).toEqual({ available: false, reason: expect.stringMatching(/bubblewrap \(`bwrap`\) is not installed/) });
    const lines: string[] = [];
    const registry = withExec([{ argv: ["true"], timeoutMs: 1000 }], { sandbox: missing, log: (l) => lines.push(l) });
    expect(registry.has("exec")).toBe(false);
    expect(lines).toEqual([expect.stringMatching(/^job sandbox UNAVAILABLE: .*exec jobs are refused$/)]);
    const refused = await run({ argv: ["sh", "-c", `echo ran > "$OGPU_OUTPUT"`], sandbox: missing });
    expect(refused.ok ? "ok" : refused.failure.kind).toBe("unavailable");
  });

  it("item 12: the bwrap command line isolates every namespace and never binds the host root", () => {
    const status = probeSandbox();
    if (!status.available) throw new Error("unreachable: checked in beforeAll");
    const argv = sandboxArgv(
      { argv: ["job"], env: { A: "1" }, readOnly: [{ host: "/h/in", sandbox: "/job/input" }], writable: [{ host: "/h/out", sandbox: "/job/out" }], devices: ["/dev/nvidia0"], cwd: "/job/out", limits: { fileSizeBytes: 10, processes: 4, tmpBytes: 100, memoryBytes: 1 << 30, cpuSeconds: 5 } },
      status,
      9,
    );
    const bwrapAt = argv.indexOf(status.bwrap);
    expect(argv.slice(1, bwrapAt)).toEqual(expect.arrayContaining(["--fsize=10", "--nproc=9", `--as=${1 << 30}`, "--cpu=5:6"]));
    for (const flag of ["--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent", "--new-session", "--clearenv"]) expect(argv).toContain(flag);
    expect(argv.join(" ")).toContain("--ro-bind /h/in /job/input --bind /h/out /job/out --remount-ro / --chdir /job/out --clearenv --setenv A 1 -- job");
    expect(argv.join(" ")).toContain("--dev-bind /dev/nvidia0 /dev/nvidia0");
    expect(argv.join(" ")).not.toMatch(/--(ro-)?bind \/ \//);
  });
});
