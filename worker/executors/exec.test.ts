import { mkdtemp, readFile, rm } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createExecExecutor, type ExecConfig } from "./exec.js";
import { detectSandbox, wrapArgv } from "./sandbox.js";
import { runJob, type JobOutcome } from "./types.js";

const NODE = process.execPath;
const sandbox = detectSandbox();
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "ogpu-exec-test-"));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** Runs `node -e script` as an exec job. */
function runNode(script: string, input: Uint8Array, extra: Partial<ExecConfig> = {}, ctx: { gpus?: string; signal?: AbortSignal } = {}): Promise<JobOutcome> {
  const executor = createExecExecutor({ argv: [NODE, "-e", script], timeoutMs: 20_000, tmpRoot: scratch, ...extra });
  return runJob(executor, input, { signal: ctx.signal ?? new AbortController().signal, slot: 2, gpus: ctx.gpus });
}

function failureKind(outcome: JobOutcome): string {
  return outcome.ok ? "ok" : outcome.failure.kind;
}

describe("exec runtime", () => {
  it("runs the command with the input mounted and returns $OGPU_OUTPUT", async () => {
    process.env.OGPU_TEST_SECRET = "must-not-leak";
    const script = `
      const fs = require("fs");
      const input = fs.readFileSync(process.env.OGPU_INPUT);
      fs.writeFileSync(process.env.OGPU_OUTPUT, JSON.stringify({
        reversed: Buffer.from(input).reverse().toString(),
        cuda: process.env.CUDA_VISIBLE_DEVICES, slot: process.env.OGPU_SLOT,
        secret: process.env.OGPU_TEST_SECRET ?? null, extra: process.env.EXTRA, cwd: process.cwd(),
      }));`;
    const outcome = await runNode(script, new TextEncoder().encode("abc"), { env: { EXTRA: "yes" } }, { gpus: "1,3" });
    delete process.env.OGPU_TEST_SECRET;
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    const out = JSON.parse(new TextDecoder().decode(outcome.output)) as Record<string, string | null>;
    expect(out).toMatchObject({ reversed: "cba", cuda: "1,3", slot: "2", secret: null, extra: "yes" });
    expect(out.cwd!.startsWith(scratch)).toBe(true);
    expect(existsSync(out.cwd!)).toBe(false); // the per-job directory is cleaned up
  });

  it("shows no GPU when the slot has none", async () => {
    const outcome = await runNode(`require("fs").writeFileSync(process.env.OGPU_OUTPUT, "[" + process.env.CUDA_VISIBLE_DEVICES + "]")`, new Uint8Array());
    expect(outcome.ok && new TextDecoder().decode(outcome.output)).toBe("[]");
  });

  it("reports a non-zero exit as a crash with the end of stderr", async () => {
    const outcome = await runNode(`console.error("model file corrupt"); process.exit(3)`, new Uint8Array());
    expect(failureKind(outcome)).toBe("crash");
    expect(!outcome.ok && outcome.failure.message).toMatch(/exited with code 3.*model file corrupt/);
  });

  it("reports a signal death as a crash", async () => {
    const outcome = await runNode(`process.kill(process.pid, "SIGSEGV")`, new Uint8Array());
    expect(failureKind(outcome)).toBe("crash");
    expect(!outcome.ok && outcome.failure.message).toMatch(/SIGSEGV/);
  });

  it("reports a missing output file as bad_output, and an oversized one too", async () => {
    expect(failureKind(await runNode(`0`, new Uint8Array()))).toBe("bad_output");
    const big = await runNode(`require("fs").writeFileSync(process.env.OGPU_OUTPUT, Buffer.alloc(2000))`, new Uint8Array(), { maxOutputBytes: 1000 });
    expect(failureKind(big)).toBe("bad_output");
    expect(!big.ok && big.failure.message).toMatch(/2000 bytes exceeds the 1000-byte limit/);
  });

  it("reports a program that cannot start as a crash", async () => {
    const executor = createExecExecutor({ argv: ["/nonexistent/ogpu-job"], timeoutMs: 5000, tmpRoot: scratch, network: "allow" });
    const outcome = await runJob(executor, new Uint8Array(), { signal: new AbortController().signal, slot: 0 });
    expect(failureKind(outcome)).toBe("crash");
  });

  it("kills the whole process group on timeout and returns promptly", async () => {
    const pidFile = join(scratch, "grandchild.pid");
    // The shell leaves a background grandchild: it must die with the job.
    const executor = createExecExecutor({
      argv: ["sh", "-c", 'sleep 30 & echo $! > "$PID_FILE"; sleep 30'],
      timeoutMs: 300,
      tmpRoot: scratch,
      env: { PID_FILE: pidFile },
    });
    const started = Date.now();
    const outcome = await runJob(executor, new Uint8Array(), { signal: new AbortController().signal, slot: 0 });
    expect(failureKind(outcome)).toBe("timeout");
    expect(Date.now() - started).toBeLessThan(15_000); // far below the 30 s the job asked for
    const pid = Number((await readFile(pidFile, "utf8")).trim());
    await new Promise((r) => setTimeout(r, 200));
    // Gone, or at most a zombie awaiting its reaper — never still sleeping.
    const state = existsSync(`/proc/${pid}/stat`) ? (await readFile(`/proc/${pid}/stat`, "utf8")).split(" ")[2] : "gone";
    expect(["gone", "Z", "X"]).toContain(state);
  });

  it("cancels a running job when the signal aborts", async () => {
    const controller = new AbortController();
    const pending = runNode(`setTimeout(() => {}, 30000)`, new Uint8Array(), {}, { signal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    expect(failureKind(await pending)).toBe("cancelled");
  });

  describe.runIf(sandbox.memoryLimit === "prlimit")("memory limit (prlimit)", () => {
    it("a 2 GB allocation under a 256 MB limit fails as oom", async () => {
      const outcome = await runNode(`const a = []; for (let i = 0; i < 8; i++) a.push(Buffer.allocUnsafe(256 << 20)); require("fs").writeFileSync(process.env.OGPU_OUTPUT, "x")`, new Uint8Array(), { memoryLimitMb: 256 });
      expect(failureKind(outcome)).toBe("oom");
    });

    it("a process that starts fine and then allocates past the limit fails as oom", async () => {
      const outcome = await runNode(`const a = []; for (let i = 0; i < 8; i++) a.push(Buffer.allocUnsafe(512 << 20)); require("fs").writeFileSync(process.env.OGPU_OUTPUT, "x")`, new Uint8Array(), { memoryLimitMb: 2048 });
      expect(failureKind(outcome)).toBe("oom");
      expect(!outcome.ok && outcome.failure.message).toMatch(/2048 MB memory limit/);
    });

    it("the same job succeeds within its limit", async () => {
      const outcome = await runNode(`Buffer.allocUnsafe(64 << 20); require("fs").writeFileSync(process.env.OGPU_OUTPUT, "fine")`, new Uint8Array(), { memoryLimitMb: 2048 });
      expect(outcome.ok && new TextDecoder().decode(outcome.output)).toBe("fine");
    });
  });

  it("falls back to `ulimit -v` through a constant shell wrapper", async () => {
    const argv = wrapArgv(["prog", "a b", "$(x)"], { memoryLimitBytes: 2048 * 1024 * 1024, denyNetwork: false }, { memoryLimit: "ulimit", networkIsolation: false });
    expect(argv.slice(0, 5)).toEqual(["sh", "-c", 'ulimit -v "$1" && shift && exec "$@"', "ogpu-limit", String(2048 * 1024)]);
    expect(argv.slice(5)).toEqual(["prog", "a b", "$(x)"]); // passed as data, never parsed by the shell
    const outcome = await runNode(`const a = []; for (let i = 0; i < 8; i++) a.push(Buffer.allocUnsafe(512 << 20))`, new Uint8Array(), {
      memoryLimitMb: 2048,
      sandbox: { memoryLimit: "ulimit", networkIsolation: false },
      network: "allow",
    });
    expect(failureKind(outcome)).toBe("oom");
  });

  // Connecting to a closed loopback port distinguishes the two cases without opening any port:
  // the host answers ECONNREFUSED; an isolated namespace has no usable interface (ENETUNREACH).
  const probe = `
    const s = require("net").connect(9, "127.0.0.1");
    const ifaces = Object.values(require("os").networkInterfaces()).flat().filter((i) => !i.internal).length;
    s.on("error", (e) => require("fs").writeFileSync(process.env.OGPU_OUTPUT, e.code + " " + ifaces));
    s.on("connect", () => { require("fs").writeFileSync(process.env.OGPU_OUTPUT, "CONNECTED " + ifaces); s.destroy(); });`;

  it.runIf(sandbox.networkIsolation)("denies network access with unshare -rn", async () => {
    const denied = await runNode(probe, new Uint8Array());
    expect(denied.ok && new TextDecoder().decode(denied.output)).toBe("ENETUNREACH 0");
    const allowed = await runNode(probe, new Uint8Array(), { network: "allow" });
    expect(allowed.ok && new TextDecoder().decode(allowed.output)).not.toMatch(/^ENETUNREACH/);
  });

  it("warns once when network isolation is unavailable", async () => {
    const warnings: string[] = [];
    const executor = createExecExecutor({
      argv: [NODE, "-e", `require("fs").writeFileSync(process.env.OGPU_OUTPUT, "ok")`],
      timeoutMs: 20_000,
      tmpRoot: scratch,
      sandbox: { memoryLimit: sandbox.memoryLimit, networkIsolation: false },
      warn: (m) => warnings.push(m),
    });
    for (let i = 0; i < 2; i++) expect((await runJob(executor, new Uint8Array(), { signal: new AbortController().signal, slot: 0 })).ok).toBe(true);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/WITH network access/);
  });

  it("rejects unusable configurations up front", () => {
    expect(() => createExecExecutor({ argv: [], timeoutMs: 1000 })).toThrow(/non-empty array/);
    expect(() => createExecExecutor({ argv: ["x"], timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => createExecExecutor({ argv: ["x"], timeoutMs: 10, memoryLimitMb: -1 })).toThrow(/memoryLimitMb/);
  });
});
