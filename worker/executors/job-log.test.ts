import { describe, expect, it } from "vitest";
import { JobLog } from "./job-log.js";

const text = (log: JobLog) => new TextDecoder().decode(log.bytes());
const enc = (s: string) => new TextEncoder().encode(s);

describe("JobLog", () => {
  it("keeps a short log whole, in arrival order, with the worker's notes after it", () => {
    const log = new JobLog(4096);
    log.push(enc("epoch 1 loss 0.5\n"));
    log.push(enc("warning: slow\n"));
    log.note("job failed: crash: exited with code 3");
    expect(text(log)).toBe("epoch 1 loss 0.5\nwarning: slow\n[ogpu: job failed: crash: exited with code 3]\n");
    expect(log.printedBytes).toBe(31);
  });

  it("bounds a chatty log to max bytes: the head and the tail, with a marker naming what was dropped", () => {
    const log = new JobLog(2048);
    log.push(enc("FIRST LINE\n"));
    for (let i = 0; i < 10_000; i++) log.push(enc(`line ${i} ${"x".repeat(90)}\n`));
    log.push(enc("LAST LINE\n"));
    log.note("job failed: timeout: killed after the 1000 ms timeout");
    const out = text(log);
    expect(log.bytes().length).toBeLessThanOrEqual(2048);
    expect(out.startsWith("FIRST LINE\n")).toBe(true);
    expect(out).toMatch(/\[ogpu: log truncated: \d+ of \d+ bytes dropped \(max_log_bytes 2048\)\]/);
    expect(out).toContain("LAST LINE\n[ogpu: job failed: timeout");
    const dropped = Number(/truncated: (\d+) of/.exec(out)![1]);
    expect(dropped).toBe(log.printedBytes - (2048 - 512));
  });

  it("adds a newline before a note when the job's output did not end with one", () => {
    const log = new JobLog(1024);
    log.push(enc("no newline"));
    log.note("job failed: crash");
    expect(text(log)).toBe("no newline\n[ogpu: job failed: crash]\n");
  });

  it("refuses a bound too small for its own marker", () => {
    expect(() => new JobLog(100)).toThrow(/at least 256/);
  });
});
