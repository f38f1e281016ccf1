import { chmod, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createExecExecutor, type ExecConfig } from "./exec.js";
import { describeSandbox, probeSandbox } from "./sandbox.js";
import { runJob, type JobOutcome } from "./types.js";
import { JobLog } from "./job-log.js";

const NODE = process.execPath;
let scratch: string;

beforeAll(async () => {
  const sandbox = probeSandbox();
  if (!sandbox.available) throw new Error(`these tests need the job sandbox: ${describeSandbox(sandbox)}`);
  scratch = await mkdtemp(join(tmpdir(), "ogpu-exec-test-"));
  await chmod(scratch, 0o711); // a root worker's jobs run as an unprivileged uid that must reach its job dir
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
    expect(out.cwd).toBe("/job/out");
    expect(await readdir(scratch)).toEqual([]); // the per-job directory is cleaned up
  });

  it("captures the job's stdout and stderr in its log (ctx.log)", async () => {
    const log = new JobLog(4096);
    const executor = createExecExecutor({ argv: [NODE, "-e", `console.log("to stdout"); console.error("to stderr"); require("fs").writeFileSync(process.env.OGPU_OUTPUT, "ok")`], timeoutMs: 20_000, tmpRoot: scratch });
    const outcome = await runJob(executor, new Uint8Array(), { signal: new AbortController().signal, slot: 0, log });
    expect(outcome.ok).toBe(true);
    const text = new TextDecoder().decode(log.bytes());
    expect(text).toContain("to stdout\n");
    expect(text).toContain("to stderr\n");
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
    expect(!big.ok && big.failure.message).toMatch(/past the 1000-byte file-size limit \(exited with code 1\)/);
    const shell = await runNode(`0`, new Uint8Array(), { argv: ["sh", "-c", 'head -c 2000 /dev/zero > "$OGPU_OUTPUT"'], maxOutputBytes: 1000 });
    expect(!shell.ok && shell.failure.message).toMatch(/past the 1000-byte file-size limit \(killed by SIGXFSZ\)/);
  });

  it("reports a program that cannot start as a crash", async () => {
    const executor = createExecExecutor({ argv: ["/nonexistent/ogpu-job"], timeoutMs: 5000, tmpRoot: scratch });
    const outcome = await runJob(executor, new Uint8Array(), { signal: new AbortController().signal, slot: 0 });
    expect(failureKind(outcome)).toBe("crash");
  });

  it("kills the job on timeout and returns promptly", async () => {
    const executor = createExecExecutor({ argv: ["sh", "-c", "sleep 30 & sleep 30"], timeoutMs: 300, tmpRoot: scratch });
    const started = Date.now();
    const outcome = await runJob(executor, new Uint8Array(), { signal: new AbortController().signal, slot: 0 });
    expect(failureKind(outcome)).toBe("timeout");
    expect(Date.now() - started).toBeLessThan(15_000); // far below the 30 s the job asked for
  });

  it("cancels a running job when the signal aborts", async () => {
    const controller = new AbortController();
    const pending = runNode(`setTimeout(() => {}, 30000)`, new Uint8Array(), {}, { signal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    expect(failureKind(await pending)).toBe("cancelled");
  });

  describe("memory limit (RLIMIT_AS)", () => {
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

  it("refuses to run when the sandbox is unavailable, and never runs the job unsandboxed", async () => {
    const executor = createExecExecutor({
      argv: [NODE, "-e", `require("fs").writeFileSync(process.env.OGPU_OUTPUT, "ran")`],
      timeoutMs: 20_000,
      tmpRoot: scratch,
      sandbox: { available: false, reason: "bubblewrap (`bwrap`) is not installed" },
    });
    const outcome = await runJob(executor, new Uint8Array(), { signal: new AbortController().signal, slot: 0 });
    expect(failureKind(outcome)).toBe("unavailable");
    expect(!outcome.ok && outcome.failure.message).toMatch(/refusing to run the job unsandboxed: bubblewrap/);
  });

  it("rejects unusable configurations up front", () => {
    expect(() => createExecExecutor({ argv: [], timeoutMs: 1000 })).toThrow(/non-empty array/);
    expect(() => createExecExecutor({ argv: ["x"], timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => createExecExecutor({ argv: ["x"], timeoutMs: 10, memoryLimitMb: -1 })).toThrow(/memoryLimitMb/);
    expect(() => createExecExecutor({ argv: ["x"], timeoutMs: 10, maxProcesses: 0 })).toThrow(/maxProcesses/);
  });
});
