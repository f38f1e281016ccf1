/**
 * Task logs in the runner: what a job prints is bounded by market max_log_bytes, sealed to the
 * client's key exactly like the output (under the log context), uploaded, and its CID posted on
 * chain — for failed jobs too. The chain is a small fake: one slot for this worker, k = 1.
 */
import { describe, expect, it } from "vitest";
import { singleChunkCid, BlobError } from "../sdk/blobs.js";
import { generateKemKeyPair } from "../crypto/kem.js";
import { openPublicOutput, openTaskOutput, sealTaskInput } from "../crypto/task-crypto.js";
import { TaskStatus, type Task } from "../proto/gen/ogpu/market/v1/market.js";
import { Phase, type TaskRecord as AttestRecord } from "../proto/gen/ogpu/attest/v1/attest.js";
import { ExecutorError, type Executor } from "./executors/types.js";
import { Runner, type RunnerChain } from "./runner.js";
import { MemoryStateStore } from "./state.js";
import { builtinProgramId } from "../sdk/programs.js";

const ME = "ogpu1me";
const worker = generateKemKeyPair();
const client = generateKemKeyPair();
const enc = (s: string) => new TextEncoder().encode(s);

class LogChain implements RunnerChain {
  readonly posted: { taskId: bigint; logCid: string }[] = [];
  commits = 0;
  constructor(
    private readonly task: Task,
    private readonly logLimit = 65_536,
  ) {}
  async getTask() {
    return structuredClone(this.task);
  }
  async openTasksOfMine() {
    return [structuredClone(this.task)];
  }
  async commit() {
    this.commits++;
    this.task.assignments[0]!.committed = true;
    this.task.status = TaskStatus.TASK_STATUS_COMMITTED;
  }
  async reveal() {}
  async getAttestRecord() {
    return { phase: Phase.PHASE_REVEAL } as AttestRecord;
  }
  async decline() {}
  async postLog(taskId: bigint, logCid: string) {
    this.posted.push({ taskId, logCid });
  }
  async maxLogBytes() {
    return this.logLimit;
  }
  async auditorKeys() {
    return [];
  }
}

class Blobs {
  readonly store = new Map<string, Uint8Array>();
  put(bytes: Uint8Array): string {
    this.store.set(singleChunkCid(bytes), bytes);
    return singleChunkCid(bytes);
  }
  async fetch(cid: string) {
    const b = this.store.get(cid);
    if (!b) throw new BlobError("not_found", `blob ${cid} not found`, 404);
    return b;
  }
  async upload(bytes: Uint8Array) {
    return this.put(bytes);
  }
}

function taskOf(id: bigint, inputCid: string, encrypted: boolean): Task {
  return {
    id, client: "ogpu1client", kind: "printer", programHash: builtinProgramId("printer"), inputCid, units: 1n, requirements: undefined, redundancy: 1, maxPricePerUnit: "100", priority: 0,
    deadlineHeight: 1000n, verification: 1, status: TaskStatus.TASK_STATUS_ASSIGNED, escrow: "100", submitHeight: 1n, retries: 0,
    assignments: [{ worker: ME, assignedHeight: 5n, pricePerUnit: "100", committed: false, committedHeight: 0n, commitByHeight: 25n }],
    pendingReason: "", excludedWorkers: [], statusReason: "", updatedHeight: 5n, inputEncrypted: encrypted, auditorKeyFingerprints: [], declines: 0, declineReason: "", atol: 0n, rtol: 0n, logs: [], inputBytes: 0n,
  };
}

/** An executor that prints `lines` to its log, then returns "out" or throws `fail`. */
function printer(lines: string[], fail?: ExecutorError): Executor {
  return {
    kind: "printer",
    async run(_input, ctx) {
      for (const l of lines) ctx.log?.push(enc(l));
      if (fail) throw fail;
      return enc("out");
    },
  };
}

async function runOnce(opts: { executor: Executor; encrypted: boolean; logLimit?: number }) {
  const blobs = new Blobs();
  let inputCid = blobs.put(enc("input"));
  if (opts.encrypted) {
    const sealed = await sealTaskInput(enc("input"), client.publicKey, [{ address: ME, encPubkey: worker.publicKey }]);
    blobs.put(sealed.payload);
    inputCid = blobs.put(sealed.manifest);
  }
  const chain = new LogChain(taskOf(7n, inputCid, opts.encrypted), opts.logLimit);
  const state = new MemoryStateStore();
  const r = new Runner({ address: ME, addressBytes: new Uint8Array(20).fill(7), chain, blobs, executors: new Map([["printer", opts.executor]]), state, maxConcurrent: 1, kemSecret: worker.secretKey });
  await r.reconcile();
  const deadline = Date.now() + 5000;
  while ((r.runningJobs > 0 || state.get(7n)?.phase === undefined) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 5));
  return { chain, blobs, record: state.get(7n) };
}

describe("Runner task logs", () => {
  it("seals a job's stdout/stderr to the client like its output, posts the CID, then commits", async () => {
    const { chain, blobs } = await runOnce({ executor: printer(["hello from stdout\n", "warning on stderr\n"]), encrypted: true });
    expect(chain.posted).toHaveLength(1);
    expect(chain.commits).toBe(1);
    const blob = blobs.store.get(chain.posted[0]!.logCid)!;
    expect(Buffer.from(blob).includes(Buffer.from("hello"))).toBe(false); // ciphertext on the store
    expect(new TextDecoder().decode(await openTaskOutput(blob, client.secretKey, 7n, "log"))).toBe("hello from stdout\nwarning on stderr\n");
    // The log context differs from the output's: a log blob never opens as the task's output.
    await expect(openTaskOutput(blob, client.secretKey, 7n)).rejects.toThrow();
    await expect(openTaskOutput(blob, worker.secretKey, 7n, "log")).rejects.toThrow();
  });

  it("posts the log of a failed job, ending with why it failed", async () => {
    const { chain, blobs, record } = await runOnce({ executor: printer(["Traceback: boom\n"], new ExecutorError("crash", "printer: exited with code 1")), encrypted: true });
    expect(record?.phase).toBe("failed");
    expect(chain.commits).toBe(0);
    expect(chain.posted).toHaveLength(1);
    const text = new TextDecoder().decode(await openTaskOutput(blobs.store.get(chain.posted[0]!.logCid)!, client.secretKey, 7n, "log"));
    expect(text).toBe("Traceback: boom\n[ogpu: job failed: crash: printer: exited with code 1]\n");
  });

  it("bounds the log by max_log_bytes, marking the truncation", async () => {
    const lines = Array.from({ length: 2000 }, (_, i) => `step ${i}\n`);
    const { chain, blobs } = await runOnce({ executor: printer(lines), encrypted: true, logLimit: 1024 });
    const text = new TextDecoder().decode(await openTaskOutput(blobs.store.get(chain.posted[0]!.logCid)!, client.secretKey, 7n, "log"));
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(1024);
    expect(text.startsWith("step 0\n")).toBe(true);
    expect(text.endsWith("step 1999\n")).toBe(true);
    expect(text).toContain("[ogpu: log truncated:");
  });

  it("a public task's log is a salted public blob; a job that prints nothing posts no log", async () => {
    const pub = await runOnce({ executor: printer(["public line\n"]), encrypted: false });
    expect(new TextDecoder().decode(openPublicOutput(pub.blobs.store.get(pub.chain.posted[0]!.logCid)!))).toBe("public line\n");
    const quiet = await runOnce({ executor: printer([]), encrypted: true });
    expect(quiet.chain.posted).toEqual([]);
    expect(quiet.chain.commits).toBe(1);
  });
});
