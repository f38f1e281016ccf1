/**
 * The runner's state machine against fakes of the chain and the blob store: the fake chain
 * checks every commit's seal the way x/attest does and keeps the task status as x/market would.
 */
import { builtinProgramId } from "../sdk/programs.js";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BlobError, singleChunkCid } from "../sdk/blobs.js";
import { generateKemKeyPair } from "../crypto/kem.js";
import { DeclineReason, TaskStatus, VerificationClass, type Task } from "../proto/gen/ogpu/market/v1/market.js";
import { computeResultSeal } from "../x/attest/seal.js";
import { resultDigest } from "./digest.js";
import { executors } from "./executors/index.js";
import { ExecutorError, type Executor } from "./executors/types.js";
import { Runner, type RunnerChain } from "./runner.js";
import { Phase, type TaskRecord as AttestRecord } from "../proto/gen/ogpu/attest/v1/attest.js";
import { FileStateStore, MemoryStateStore, type StateStore } from "./state.js";
import { NoKeyForAuditorError, openPublicOutput, openTaskOutput, openTaskOutputAsAuditor, sealTaskInput } from "../crypto/task-crypto.js";
import { auditorKeyFingerprint } from "../crypto/kem-pubkey.js";
import type { AuditorKey } from "../proto/gen/ogpu/attest/v1/query.js";

const ME = "ogpu1me";
const OTHER = "ogpu1other";
const ME_BYTES = new Uint8Array(20).fill(7);
const HASH_INPUT = new TextEncoder().encode(JSON.stringify({ rounds: 1000, data: "runner" }));

class FakeChain implements RunnerChain {
  readonly tasks = new Map<bigint, Task>();
  readonly seals = new Map<string, Uint8Array>();
  readonly reveals: { taskId: bigint; digest: Uint8Array; salt: Uint8Array; outputCid: string }[] = [];
  readonly declined: { taskId: bigint; reason: DeclineReason }[] = [];
  commits = 0;
  failNextCommit = false;

  addTask(id: bigint, kind: string, inputCid: string, workers: string[]): Task {
    const task: Task = {
      id, client: "ogpu1client", kind, programHash: builtinProgramId(kind), inputCid, units: 1n, requirements: undefined, redundancy: workers.length, maxPricePerUnit: "100", priority: 0,
      deadlineHeight: 1000n, verification: 1, status: TaskStatus.TASK_STATUS_ASSIGNED, escrow: "100", submitHeight: 1n, retries: 0,
      assignments: workers.map((w) => ({ worker: w, assignedHeight: 5n, pricePerUnit: "100", committed: false, committedHeight: 0n, commitByHeight: 25n })),
      pendingReason: "", excludedWorkers: [], statusReason: "", updatedHeight: 5n, inputEncrypted: false, auditorKeyFingerprints: [], declines: 0, declineReason: "", atol: 0n, rtol: 0n, logs: [], inputBytes: 0n,
    };
    this.tasks.set(id, task);
    return task;
  }

  async getTask(id: bigint) {
    return structuredClone(this.tasks.get(id));
  }
  async openTasksOfMine() {
    return [...this.tasks.values()].filter((t) => t.status <= TaskStatus.TASK_STATUS_COMMITTED && t.assignments.some((a) => a.worker === ME)).map((t) => structuredClone(t));
  }
  /** Another worker commits its slot. */
  commitAs(worker: string, id: bigint): void {
    this.tasks.get(id)!.assignments.find((a) => a.worker === worker)!.committed = true;
    this.updateStatus(id);
  }
  async commit(id: bigint, seal: Uint8Array) {
    if (this.failNextCommit) {
      this.failNextCommit = false;
      throw new Error("connection refused");
    }
    this.commits++;
    this.seals.set(`${id}`, seal);
    this.commitAs(ME, id);
  }
  async reveal(taskId: bigint, digest: Uint8Array, salt: Uint8Array, outputCid: string) {
    const seal = this.seals.get(`${taskId}`);
    if (!seal || !Buffer.from(computeResultSeal(taskId, ME_BYTES, digest, outputCid, salt)).equals(Buffer.from(seal))) throw new Error("reveal does not open the seal");
    if (this.tasks.get(taskId)!.status !== TaskStatus.TASK_STATUS_COMMITTED) throw new Error("not all slots committed");
    this.reveals.push({ taskId, digest, salt, outputCid });
  }
  /** No audit drawn: reveals are open as soon as every slot committed. */
  async getAttestRecord(taskId: bigint) {
    return this.tasks.get(taskId)?.status === TaskStatus.TASK_STATUS_COMMITTED ? ({ phase: Phase.PHASE_REVEAL } as AttestRecord) : undefined;
  }
  async decline(taskId: bigint, reason: DeclineReason) {
    this.declined.push({ taskId, reason });
  }
  async postLog() {}
  async maxLogBytes() {
    return 65_536;
  }
  /** Published auditor keys (x/attest Query/AuditorKeys). */
  auditorKeyList: AuditorKey[] = [];
  auditorKeyQueries = 0;
  async auditorKeys() {
    this.auditorKeyQueries++;
    return this.auditorKeyList;
  }
  private updateStatus(id: bigint): void {
    const t = this.tasks.get(id)!;
    if (t.assignments.every((a) => a.committed)) t.status = TaskStatus.TASK_STATUS_COMMITTED;
  }
}

class FakeBlobs {
  readonly store = new Map<string, Uint8Array>();
  put(bytes: Uint8Array): string {
    const cid = singleChunkCid(bytes);
    this.store.set(cid, bytes);
    return cid;
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

const kem = generateKemKeyPair();
const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

function runner(chain: FakeChain, blobs: FakeBlobs, state: StateStore, opts: { maxConcurrent?: number; executors?: ReadonlyMap<string, Executor> } = {}): Runner {
  return new Runner({ address: ME, addressBytes: ME_BYTES, chain, blobs, executors: opts.executors ?? executors, state, maxConcurrent: opts.maxConcurrent ?? 2, kemSecret: kem.secretKey });
}

/** Lets queued jobs and their txs finish (state file writes take real I/O time). */
async function settle(r: Runner, minMs = 20): Promise<void> {
  const deadline = Date.now() + 5000;
  await new Promise((res) => setTimeout(res, minMs));
  while (r.runningJobs > 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 5));
}

const pause = (ms: number) => new Promise((res) => setTimeout(res, ms));

async function expectedHashDigest(): Promise<Uint8Array> {
  const out = await executors.get("hash")!.run(HASH_INPUT, { signal: new AbortController().signal, slot: 0 });
  return resultDigest(out);
}

describe("Runner", () => {
  it("k=2: runs, commits a seal that opens, and reveals only once the other slot commits", async () => {
    const chain = new FakeChain();
    const blobs = new FakeBlobs();
    chain.addTask(1n, "hash", blobs.put(HASH_INPUT), [ME, OTHER]);
    const state = new MemoryStateStore();
    const r = runner(chain, blobs, state);
    await r.handle({ type: "assigned", taskId: 1n, height: 5 });
    await settle(r);
    expect(chain.commits).toBe(1);
    expect(state.get(1n)?.phase).toBe("committed");
    await r.handle({ type: "block", height: 6 });
    expect(chain.reveals).toHaveLength(0);
    chain.commitAs(OTHER, 1n);
    await r.handle({ type: "block", height: 7 });
    expect(chain.reveals).toHaveLength(1);
    expect(chain.reveals[0]!.digest).toEqual(await expectedHashDigest());
    // The public output is uploaded salted: its CID is not the digest, the salted blob opens to the output.
    expect(chain.reveals[0]!.outputCid).not.toBe(Buffer.from(chain.reveals[0]!.digest).toString("hex"));
    expect(resultDigest(openPublicOutput(await blobs.fetch(chain.reveals[0]!.outputCid)))).toEqual(chain.reveals[0]!.digest);
    expect(state.get(1n)?.phase).toBe("revealed");
  });

  it("a restarted worker reveals what it committed, with the salt from its state file, without rerunning", async () => {
    const home = await mkdtemp(join(tmpdir(), "ogpu-runner-"));
    dirs.push(home);
    const chain = new FakeChain();
    const blobs = new FakeBlobs();
    chain.addTask(2n, "hash", blobs.put(HASH_INPUT), [ME, OTHER]);
    const first = runner(chain, blobs, await FileStateStore.open(join(home, "state.json")));
    await first.handle({ type: "assigned", taskId: 2n, height: 5 });
    await settle(first);
    chain.commitAs(OTHER, 2n);
    let runs = 0;
    const counting = new Map([["hash", { kind: "hash", run: async () => (runs++, new Uint8Array(1)) }]]);
    const second = runner(chain, blobs, await FileStateStore.open(join(home, "state.json")), { executors: counting });
    await second.handle({ type: "resync", reason: "restart" });
    expect(runs).toBe(0);
    expect(chain.reveals.map((x) => x.taskId)).toEqual([2n]);
    expect(chain.reveals[0]!.digest).toEqual(await expectedHashDigest());
  });

  it("a commit that failed in flight is sent again from the sealed record on the next block", async () => {
    const chain = new FakeChain();
    const blobs = new FakeBlobs();
    chain.addTask(3n, "hash", blobs.put(HASH_INPUT), [ME]);
    chain.failNextCommit = true;
    const state = new MemoryStateStore();
    const r = runner(chain, blobs, state);
    await r.handle({ type: "assigned", taskId: 3n, height: 5 });
    await settle(r);
    expect(state.get(3n)?.phase).toBe("sealed");
    const salt = state.get(3n)!.salt;
    await r.handle({ type: "block", height: 6 });
    expect(chain.commits).toBe(1);
    expect(chain.reveals).toHaveLength(1); // k = 1: its own commit completed the task
    expect(Buffer.from(chain.reveals[0]!.salt).toString("hex")).toBe(salt);
  });

  it("a bad input is recorded as failed, never committed, and not retried on resync", async () => {
    const chain = new FakeChain();
    const blobs = new FakeBlobs();
    chain.addTask(4n, "hash", blobs.put(new TextEncoder().encode('{"rounds":"many"}')), [ME]);
    const state = new MemoryStateStore();
    const r = runner(chain, blobs, state);
    await r.handle({ type: "assigned", taskId: 4n, height: 5 });
    await settle(r);
    expect(state.get(4n)).toMatchObject({ phase: "failed" });
    expect(state.get(4n)!.error).toMatch(/bad_input/);
    await r.handle({ type: "resync", reason: "test" });
    await settle(r);
    expect(chain.commits).toBe(0);
  });

  it("never runs more than max_concurrent jobs; queued assignments start when a slot frees", async () => {
    const chain = new FakeChain();
    const blobs = new FakeBlobs();
    let running = 0;
    let peak = 0;
    const releases: (() => void)[] = [];
    const slow: Executor = {
      kind: "slow",
      run: async () => {
        peak = Math.max(peak, ++running);
        await new Promise<void>((res) => releases.push(res));
        running--;
        return new Uint8Array([1]);
      },
    };
    const input = blobs.put(new Uint8Array([0]));
    for (const id of [10n, 11n, 12n]) chain.addTask(id, "slow", input, [ME]);
    const r = runner(chain, blobs, new MemoryStateStore(), { maxConcurrent: 2, executors: new Map([["slow", slow]]) });
    await r.handle({ type: "resync", reason: "start" });
    await pause(30);
    expect(r.runningJobs).toBe(2);
    while (chain.commits < 3) {
      releases.shift()?.();
      await new Promise((res) => setTimeout(res, 5));
    }
    expect(peak).toBe(2);
  });

  it("encrypted input: decrypts with its key envelope, digests the plaintext, seals the output to the client", async () => {
    const chain = new FakeChain();
    const blobs = new FakeBlobs();
    const client = generateKemKeyPair();
    const { payload, manifest } = await sealTaskInput(HASH_INPUT, client.publicKey, [{ address: ME, encPubkey: kem.publicKey }]);
    blobs.put(payload);
    chain.addTask(5n, "hash", blobs.put(manifest), [ME]);
    const r = runner(chain, blobs, new MemoryStateStore());
    await r.handle({ type: "assigned", taskId: 5n, height: 5 });
    await settle(r);
    const reveal = chain.reveals[0]!;
    expect(reveal.digest).toEqual(await expectedHashDigest());
    const sealed = await blobs.fetch(reveal.outputCid);
    expect(resultDigest(await openTaskOutput(sealed, client.secretKey, 5n))).toEqual(reveal.digest);
  });

  it("encrypted tolerance task: the output's data key is also wrapped to the auditor keys the task names (and only those)", async () => {
    const chain = new FakeChain();
    const blobs = new FakeBlobs();
    const client = generateKemKeyPair();
    const [named, other] = [generateKemKeyPair(), generateKemKeyPair()];
    chain.auditorKeyList = [{ validator: "ogpu1named", encPubkey: named.publicKey }, { validator: "ogpu1other", encPubkey: other.publicKey }];
    const { payload, manifest } = await sealTaskInput(HASH_INPUT, client.publicKey, [{ address: ME, encPubkey: kem.publicKey }]);
    blobs.put(payload);
    const task = chain.addTask(7n, "hash", blobs.put(manifest), [ME]);
    Object.assign(task, { verification: VerificationClass.VERIFICATION_CLASS_TOLERANCE, inputEncrypted: true, auditorKeyFingerprints: [auditorKeyFingerprint(named.publicKey)] });
    const r = runner(chain, blobs, new MemoryStateStore());
    await r.handle({ type: "assigned", taskId: 7n, height: 5 });
    await settle(r);
    const reveal = chain.reveals[0]!;
    const sealed = await blobs.fetch(reveal.outputCid);
    expect(resultDigest(await openTaskOutput(sealed, client.secretKey, 7n))).toEqual(reveal.digest);
    expect(resultDigest(await openTaskOutputAsAuditor(sealed, named.secretKey, 7n))).toEqual(reveal.digest);
    await expect(openTaskOutputAsAuditor(sealed, other.secretKey, 7n)).rejects.toThrow(NoKeyForAuditorError);
  });

  it("encrypted tolerance tasks query the auditor keys once per height, however many tasks seal at it; again once the height moves", async () => {
    const chain = new FakeChain();
    const blobs = new FakeBlobs();
    const client = generateKemKeyPair();
    const auditor = generateKemKeyPair();
    chain.auditorKeyList = [{ validator: "ogpu1auditor", encPubkey: auditor.publicKey }];
    const addTolerance = async (id: bigint) => {
      const { payload, manifest } = await sealTaskInput(HASH_INPUT, client.publicKey, [{ address: ME, encPubkey: kem.publicKey }]);
      blobs.put(payload);
      const task = chain.addTask(id, "hash", blobs.put(manifest), [ME]);
      Object.assign(task, { verification: VerificationClass.VERIFICATION_CLASS_TOLERANCE, inputEncrypted: true, auditorKeyFingerprints: [auditorKeyFingerprint(auditor.publicKey)] });
    };
    const r = runner(chain, blobs, new MemoryStateStore(), { maxConcurrent: 3 });
    for (const id of [11n, 12n, 13n]) await addTolerance(id);
    await Promise.all([11n, 12n, 13n].map((taskId) => r.handle({ type: "assigned", taskId, height: 5 })));
    await settle(r);
    expect(chain.reveals.map((x) => x.taskId).sort()).toEqual([11n, 12n, 13n]);
    expect(chain.auditorKeyQueries).toBe(1);
    await r.handle({ type: "block", height: 6 });
    for (const id of [14n, 15n]) await addTolerance(id);
    await Promise.all([14n, 15n].map((taskId) => r.handle({ type: "assigned", taskId, height: 6 })));
    await settle(r);
    expect(chain.reveals).toHaveLength(5);
    expect(chain.auditorKeyQueries).toBe(2);
  });

  it("item 6b worker: an input the blob store does not have is declined (INPUT_UNAVAILABLE), never committed, never left to time out", async () => {
    const chain = new FakeChain();
    const blobs = new FakeBlobs();
    chain.addTask(9n, "hash", singleChunkCid(new TextEncoder().encode("never uploaded")), [ME]);
    const state = new MemoryStateStore();
    const r = runner(chain, blobs, state);
    await r.handle({ type: "assigned", taskId: 9n, height: 5 });
    await settle(r);
    expect(chain.declined).toEqual([{ taskId: 9n, reason: DeclineReason.DECLINE_REASON_INPUT_UNAVAILABLE }]);
    expect(state.get(9n)?.error).toMatch(/declined \(input_unavailable\)/);
    expect(chain.commits).toBe(0);
  });

  it("item 6b worker: encrypted input without an envelope for this worker is declined (INPUT_UNDECRYPTABLE) without committing", async () => {
    const chain = new FakeChain();
    const blobs = new FakeBlobs();
    const { payload, manifest } = await sealTaskInput(HASH_INPUT, generateKemKeyPair().publicKey, [{ address: OTHER, encPubkey: generateKemKeyPair().publicKey }]);
    blobs.put(payload);
    chain.addTask(6n, "hash", blobs.put(manifest), [ME]);
    const state = new MemoryStateStore();
    const r = runner(chain, blobs, state);
    await r.handle({ type: "assigned", taskId: 6n, height: 5 });
    await settle(r);
    expect(state.get(6n)?.error).toMatch(/not encrypted to worker/);
    expect(chain.declined).toEqual([{ taskId: 6n, reason: DeclineReason.DECLINE_REASON_INPUT_UNDECRYPTABLE }]);
    expect(chain.commits).toBe(0);
  });

  it("stop(grace) abandons a job that outlives the grace period: no commit, slot released", async () => {
    const chain = new FakeChain();
    const blobs = new FakeBlobs();
    const endless: Executor = {
      kind: "endless",
      run: (_input, ctx) => new Promise((_res, rej) => ctx.signal.addEventListener("abort", () => rej(new ExecutorError("cancelled", "endless: cancelled")))),
    };
    chain.addTask(7n, "endless", blobs.put(new Uint8Array([0])), [ME]);
    const state = new MemoryStateStore();
    const r = runner(chain, blobs, state, { executors: new Map([["endless", endless]]) });
    await r.handle({ type: "assigned", taskId: 7n, height: 5 });
    await pause(30);
    expect(r.runningJobs).toBe(1);
    await r.stop(20);
    expect(r.runningJobs).toBe(0);
    expect(chain.commits).toBe(0);
    expect(state.get(7n)).toBeUndefined();
    // Stopped: a new assignment is not taken.
    chain.addTask(8n, "endless", blobs.put(new Uint8Array([0])), [ME]);
    await r.handle({ type: "assigned", taskId: 8n, height: 6 });
    expect(r.runningJobs).toBe(0);
  });
});

describe("issue 10 item 13: public outputs are not guessable before reveal", () => {
  it("item 13: a public task's output is not stored under its digest, so HEAD /blobs/<sha256(guess)> cannot confirm a guess", async () => {
    const chain = new FakeChain();
    const blobs = new FakeBlobs();
    chain.addTask(9n, "hash", blobs.put(HASH_INPUT), [ME, OTHER]);
    const r = runner(chain, blobs, new MemoryStateStore());
    await r.handle({ type: "assigned", taskId: 9n, height: 5 });
    await settle(r);
    // Committed, not revealed: the output is uploaded, and an attacker who guessed it right
    // looks it up by the digest (= sha256 of the plaintext output), as HEAD /blobs/:cid would.
    expect(chain.commits).toBe(1);
    expect(chain.reveals).toHaveLength(0);
    const guessedCid = Buffer.from(await expectedHashDigest()).toString("hex");
    expect(blobs.store.has(guessedCid)).toBe(false);
    // The one blob the worker uploaded is the salted output: only the reveal names its CID.
    const uploaded = [...blobs.store.values()].filter((b) => b !== HASH_INPUT);
    expect(uploaded).toHaveLength(1);
    expect(resultDigest(openPublicOutput(uploaded[0]!))).toEqual(await expectedHashDigest());
  });
});
