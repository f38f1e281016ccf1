/**
 * The worker's job state machine. For each slot assigned to this worker:
 *
 *   fetch input blob → (encrypted manifest? fetch payload, unwrap, open) → run the executor of
 *   the task's kind → digest = sha256(plaintext output) → upload the job's log, when it printed
 *   anything or failed, and post its CID (MsgPostTaskLog; docs/task-logs.md) → upload the output
 *   (sealed to the client's key when the input was encrypted) → persist {salt, digest, output CID} as "sealed"
 *   → MsgCommitResult → "committed" → once every slot has committed (task COMMITTED) and the
 *   chain opened reveals (after the audit draw and any audit committee's seal window: attest
 *   phase REVEAL) → MsgRevealResult → "revealed".
 *
 * The salt is on disk before the commit is broadcast, so a worker killed at any point can
 * still reveal what it committed; a "sealed" record after a restart is simply committed again
 * (the chain says whether the first attempt landed). Runs at most `maxConcurrent` jobs; more
 * assignments wait for a slot. Driven by ChainSignals (worker/chain.ts): an assignment starts a
 * job, a block advances committed/sealed records, a resync re-reads every open task of this
 * worker. A job that fails (bad input, crash, timeout, no key for this worker) is recorded and
 * not retried: its slot times out on chain and moves to another worker.
 */
import { fromHex, hex } from "../crypto/bytes.js";
import { TaskStatus, type Task } from "../proto/gen/ogpu/market/v1/market.js";
import { Phase, type TaskRecord as AttestRecord } from "../proto/gen/ogpu/attest/v1/attest.js";
import { newSalt, resultSeal } from "./digest.js";
import type { Executor } from "./executors/index.js";
import type { ChainSignal } from "./chain.js";
import type { WorkerMetrics } from "./metrics.js";
import type { StateStore, TaskRecord } from "./state.js";
import { auditorKeysOfTask, saltPublicOutput, sealTaskOutput, type ClientBlobKind, type EncryptedInputManifest } from "../crypto/task-crypto.js";
import type { AuditorKey } from "../proto/gen/ogpu/attest/v1/query.js";
import { executeTask, UnrunnableTaskError, type Execution, type LoadedInput, type ProgramRuntimes, type UnrunnableReason } from "./task-input.js";
import { JobLog } from "./executors/job-log.js";
import { PerHeight } from "./per-height.js";
import { DeclineReason, VerificationClass } from "../proto/gen/ogpu/market/v1/market.js";

const DECLINE_REASONS: Record<UnrunnableReason, DeclineReason> = {
  input_unavailable: DeclineReason.DECLINE_REASON_INPUT_UNAVAILABLE,
  input_undecryptable: DeclineReason.DECLINE_REASON_INPUT_UNDECRYPTABLE,
  program_unavailable: DeclineReason.DECLINE_REASON_PROGRAM_UNAVAILABLE,
  program_mismatch: DeclineReason.DECLINE_REASON_PROGRAM_MISMATCH,
  no_capability: DeclineReason.DECLINE_REASON_NO_CAPABILITY,
  input_over_declared: DeclineReason.DECLINE_REASON_INPUT_OVER_DECLARED,
};

/** What the runner needs of the chain (worker/chain.ts ChainClient; fakes in tests). */
export interface RunnerChain {
  getTask(taskId: bigint): Promise<Task | undefined>;
  openTasksOfMine(): Promise<Task[]>;
  commit(taskId: bigint, seal: Uint8Array): Promise<unknown>;
  reveal(taskId: bigint, digest: Uint8Array, salt: Uint8Array, outputCid: string): Promise<unknown>;
  /** x/attest's record: its phase says when reveals are open. */
  getAttestRecord(taskId: bigint): Promise<AttestRecord | undefined>;
  /** MsgDeclineAssignment: gives back a slot this worker cannot run, without penalty. */
  decline(taskId: bigint, reason: DeclineReason): Promise<unknown>;
  /** MsgPostTaskLog: records the job log's blob CID on the task. */
  postLog(taskId: bigint, logCid: string): Promise<unknown>;
  /** market max_log_bytes: how much of a job's stdout/stderr its log keeps. */
  maxLogBytes(): Promise<number>;
  /** x/attest Query/AuditorKeys: an encrypted tolerance task's output is wrapped to the keys it names (asked once per height: PerHeight). */
  auditorKeys(): Promise<AuditorKey[]>;
}

export interface RunnerBlobs {
  fetch(cid: string): Promise<Uint8Array>;
  /** Uploads and returns the CID. */
  upload(bytes: Uint8Array): Promise<string>;
}

export interface RunnerOptions {
  /** bech32 and raw 20-byte address of the worker (the seal binds the raw bytes). */
  address: string;
  addressBytes: Uint8Array;
  chain: RunnerChain;
  blobs: RunnerBlobs;
  executors: ReadonlyMap<string, Executor>;
  /** Runtimes for client programs (kind "program"), by manifest runtime name; none = such tasks are declined. */
  runtimes?: ProgramRuntimes;
  state: StateStore;
  maxConcurrent: number;
  /** Hybrid KEM secret key, for encrypted inputs. */
  kemSecret: Uint8Array;
  metrics?: WorkerMetrics;
  /** CUDA_VISIBLE_DEVICES of a slot (worker/inventory.ts gpusForSlot). */
  gpusForSlot?: (slot: number) => string | undefined;
  log?: (line: string) => void;
}

const errText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** A failure that running again cannot fix (it is the task's or the client's, not the network's). */
class PermanentFailure extends Error {}

export class Runner {
  private accepting = true;
  /** Tasks with a job or a tx in flight: never handled twice at once. */
  private readonly busy = new Set<string>();
  /** Assignments waiting for a free slot, in arrival order. */
  private readonly waiting = new Map<string, Task>();
  private readonly slots: (AbortController | undefined)[];
  private readonly jobs = new Set<Promise<void>>();
  private reconciling: Promise<void> | undefined;
  private advancing = false;
  /** The latest height a signal reported: the auditor keys are queried once per height, not once per task. */
  private height = 0;
  private readonly auditorKeys: PerHeight<AuditorKey[]>;

  constructor(private readonly opts: RunnerOptions) {
    this.slots = new Array<AbortController | undefined>(Math.max(1, opts.maxConcurrent)).fill(undefined);
    this.auditorKeys = new PerHeight(() => opts.chain.auditorKeys());
  }

  get runningJobs(): number {
    return this.slots.filter((s) => s !== undefined).length;
  }

  /** Entry point for the chain follower's signals; never throws (errors are logged). */
  handle(signal: ChainSignal): Promise<void> {
    if ("height" in signal) this.height = Math.max(this.height, signal.height);
    const run = async () => {
      if (signal.type === "assigned") await this.consider(signal.taskId);
      else if (signal.type === "resync") await this.reconcile();
      else if (signal.type === "block") await this.advance();
    };
    return run().catch((err: unknown) => this.log(`${signal.type}: ${errText(err)}`));
  }

  /** Re-reads every open task of this worker and acts on each; also forgets finished records. */
  reconcile(): Promise<void> {
    this.reconciling ??= (async () => {
      const tasks = await this.opts.chain.openTasksOfMine();
      const open = new Set(tasks.map((t) => t.id.toString()));
      for (const t of tasks) await this.act(t);
      for (const r of this.opts.state.all()) {
        if (!open.has(r.taskId) && !this.busy.has(r.taskId)) await this.settleRecord(r);
      }
    })().finally(() => (this.reconciling = undefined));
    return this.reconciling;
  }

  /** Per block: commits left "sealed" and reveals now due. */
  async advance(): Promise<void> {
    if (this.advancing) return;
    this.advancing = true;
    try {
      // Concurrently: the chain client carries every commit and reveal that is due in one tx.
      const due = [...this.opts.state.all()].filter((r) => (r.phase === "sealed" || r.phase === "committed") && !this.busy.has(r.taskId));
      await Promise.all(due.map((r) => this.consider(BigInt(r.taskId))));
    } finally {
      this.advancing = false;
    }
  }

  /**
   * Stops taking work; waits up to `graceMs` for running jobs, then aborts the rest (their slots
   * are released: not committed, they time out on chain and are reassigned).
   */
  async stop(graceMs: number): Promise<void> {
    this.accepting = false;
    this.waiting.clear();
    const all = Promise.all([...this.jobs]);
    const timedOut = await Promise.race([all.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), graceMs).unref())]);
    if (timedOut) {
      for (const c of this.slots) c?.abort();
      await all;
    }
  }

  private async consider(taskId: bigint): Promise<void> {
    const task = await this.opts.chain.getTask(taskId);
    if (task) await this.act(task);
    else {
      const r = this.opts.state.get(taskId);
      if (r) await this.opts.state.delete(taskId);
    }
  }

  /** The one decision point: what this worker should do about `task` now. */
  private async act(task: Task): Promise<void> {
    const id = task.id.toString();
    if (this.busy.has(id)) return;
    const mine = task.assignments.find((a) => a.worker === this.opts.address);
    const record = this.opts.state.get(task.id);
    if (!mine) {
      if (record) await this.settleRecord(record, task);
      return;
    }
    if (record && record.assignedHeight !== mine.assignedHeight.toString()) await this.opts.state.delete(task.id);
    const current = this.opts.state.get(task.id);
    if (current?.phase === "failed" || current?.phase === "revealed") return;
    if (mine.committed) {
      if (!current) return; // committed by a previous install whose state is gone: nothing to reveal with
      if (current.phase === "sealed") await this.opts.state.put({ ...current, phase: "committed" });
      if (task.status === TaskStatus.TASK_STATUS_COMMITTED) await this.exclusive(id, () => this.reveal(task.id));
      return;
    }
    if (current?.phase === "sealed") {
      await this.exclusive(id, () => this.commit(task.id));
      return;
    }
    if (current?.phase === "committed") {
      // The state says committed but the chain does not: the commit never landed. Send it again.
      await this.opts.state.put({ ...current, phase: "sealed" });
      await this.exclusive(id, () => this.commit(task.id));
      return;
    }
    if (!this.accepting) return;
    const slot = this.slots.findIndex((s) => s === undefined);
    if (slot < 0) {
      this.waiting.set(id, task);
      return;
    }
    this.startJob(task, slot, mine.assignedHeight);
  }

  private startJob(task: Task, slot: number, assignedHeight: bigint): void {
    const id = task.id.toString();
    const controller = new AbortController();
    this.slots[slot] = controller;
    this.busy.add(id);
    this.waiting.delete(id);
    this.opts.metrics?.job("started", task.kind);
    this.opts.metrics?.running.inc();
    const job = this.runJob(task, slot, assignedHeight, controller.signal)
      .catch((err: unknown) => this.log(`task ${id}: ${errText(err)}`))
      .finally(() => {
        this.slots[slot] = undefined;
        this.busy.delete(id);
        this.opts.metrics?.running.dec();
        this.jobs.delete(job);
        this.startWaiting();
      });
    this.jobs.add(job);
  }

  private startWaiting(): void {
    if (!this.accepting) return;
    for (const task of this.waiting.values()) {
      const slot = this.slots.findIndex((s) => s === undefined);
      if (slot < 0) return;
      void this.act(task).catch((err: unknown) => this.log(`task ${task.id}: ${errText(err)}`));
      this.waiting.delete(task.id.toString());
    }
  }

  private async runJob(task: Task, slot: number, assignedHeight: bigint, signal: AbortSignal): Promise<void> {
    const kind = task.kind;
    const base = { taskId: task.id.toString(), assignedHeight: assignedHeight.toString() };
    try {
      const reader = { address: this.opts.address, role: "worker" as const, kemSecret: this.opts.kemSecret, fetch: (cid: string) => this.opts.blobs.fetch(cid) };
      let run: Execution;
      const log = new JobLog(await this.opts.chain.maxLogBytes());
      try {
        run = await executeTask(task, this.opts.executors, reader, { signal, slot, gpus: this.opts.gpusForSlot?.(slot), log }, this.opts.runtimes);
      } catch (err) {
        if (!(err instanceof UnrunnableTaskError)) throw err;
        return await this.decline(task, base, err);
      }
      if (!run.ok) {
        if (run.failure.kind === "cancelled") {
          this.opts.metrics?.job("abandoned", kind);
          this.log(`task ${task.id}: abandoned (${run.failure.message})`);
          return;
        }
        log.note(`job failed: ${run.failure.kind}: ${run.failure.message}`);
        await this.postLog(task, run.input, log);
        throw new PermanentFailure(`${run.failure.kind}: ${run.failure.message}`);
      }
      if (log.printedBytes > 0) await this.postLog(task, run.input, log);
      this.opts.metrics?.duration.observe({ kind }, run.seconds);
      const digest = run.digest;
      const manifest = run.input.manifest;
      const blob = await this.outputBlob(run.output, manifest, task);
      const outputCid = await this.opts.blobs.upload(blob);
      await this.opts.state.put({ ...base, phase: "sealed", salt: hex(newSalt()), digest: hex(digest), outputCid });
      await this.commit(task.id);
    } catch (err) {
      if (!(err instanceof PermanentFailure)) throw err; // transient: the next resync tries again
      await this.opts.state.put({ ...base, phase: "failed", error: err.message });
      this.opts.metrics?.job("failed", kind);
      this.log(`task ${task.id}: failed: ${err.message}`);
    }
  }

  /**
   * The output blob. An encrypted tolerance task's audit committee compares plaintext outputs,
   * so the data key is wrapped to the task's auditor keys too (crypto/task-crypto.ts); a
   * fingerprint with no published key is skipped (that validator left the set and cannot be drawn).
   */
  private async outputBlob(output: Uint8Array, manifest: EncryptedInputManifest | undefined, task: Task): Promise<Uint8Array> {
    if (!manifest || task.verification !== VerificationClass.VERIFICATION_CLASS_TOLERANCE || task.auditorKeyFingerprints.length === 0) return this.clientBlob(output, manifest, task.id, "output");
    const auditors = auditorKeysOfTask(await this.auditorKeys.get(this.height), task.auditorKeyFingerprints);
    return sealTaskOutput(output, Buffer.from(manifest.client_key, "base64"), task.id, "output", auditors);
  }

  /** Sealed to the client's key for an encrypted task; a salted public blob otherwise. */
  private async clientBlob(bytes: Uint8Array, manifest: EncryptedInputManifest | undefined, taskId: bigint, kind: ClientBlobKind): Promise<Uint8Array> {
    return manifest ? sealTaskOutput(bytes, Buffer.from(manifest.client_key, "base64"), taskId, kind) : saltPublicOutput(bytes);
  }

  /**
   * Uploads the job's log and records its CID on the task. Best effort: a log that cannot be
   * posted (store full, tx refused) is logged here and never fails or delays the result.
   */
  private async postLog(task: Task, input: LoadedInput, log: JobLog): Promise<void> {
    try {
      const cid = await this.opts.blobs.upload(await this.clientBlob(log.bytes(), input.manifest, task.id, "log"));
      await this.opts.chain.postLog(task.id, cid);
    } catch (err) {
      this.log(`task ${task.id}: log not posted: ${errText(err)}`);
    }
  }

  /**
   * The task cannot run here whatever we retry (input missing or not opening for us, no such
   * program): give the slot back with MsgDeclineAssignment instead of timing out — no slash,
   * no CV loss; the chain fails the task at the client's cost once enough workers agree.
   */
  private async decline(task: Task, base: { taskId: string; assignedHeight: string }, err: UnrunnableTaskError): Promise<void> {
    await this.opts.chain.decline(task.id, DECLINE_REASONS[err.reason]);
    await this.opts.state.put({ ...base, phase: "failed", error: `declined (${err.reason}): ${err.message}` });
    this.opts.metrics?.job("declined", task.kind);
    this.log(`task ${task.id}: declined (${err.reason}): ${err.message}`);
  }

  private async commit(taskId: bigint): Promise<void> {
    const r = this.opts.state.get(taskId);
    if (!r || r.phase !== "sealed" || !r.salt || !r.digest || r.outputCid === undefined) return;
    await this.opts.chain.commit(taskId, resultSeal(taskId, this.opts.addressBytes, fromHex(r.digest), r.outputCid, fromHex(r.salt)));
    await this.opts.state.put({ ...r, phase: "committed" });
    this.opts.metrics?.job("committed", "any");
    this.log(`task ${taskId}: committed`);
    // When this was the last slot, the task is COMMITTED now: the reveal waits for the audit draw
    // (next block) and any audit committee's seals; each block's advance() tries again.
    const task = await this.opts.chain.getTask(taskId);
    if (task?.status === TaskStatus.TASK_STATUS_COMMITTED) await this.reveal(taskId);
  }

  private async reveal(taskId: bigint): Promise<void> {
    const r = this.opts.state.get(taskId);
    if (!r || r.phase !== "committed" || !r.salt || !r.digest || r.outputCid === undefined) return;
    // Reveals open only after the audit draw and the auditors' seal window; earlier ones are refused.
    if ((await this.opts.chain.getAttestRecord(taskId))?.phase !== Phase.PHASE_REVEAL) return;
    await this.opts.chain.reveal(taskId, fromHex(r.digest), fromHex(r.salt), r.outputCid);
    await this.opts.state.put({ ...r, phase: "revealed" });
    this.opts.metrics?.job("revealed", "any");
    this.log(`task ${taskId}: revealed`);
  }

  /** A record whose task no longer lists this worker, or is no longer open: nothing left to do. */
  private async settleRecord(record: TaskRecord, task?: Task): Promise<void> {
    const t = task ?? (await this.opts.chain.getTask(BigInt(record.taskId)));
    const stillMine = t?.assignments.some((a) => a.worker === this.opts.address && a.assignedHeight.toString() === record.assignedHeight);
    const open = t && [TaskStatus.TASK_STATUS_PENDING, TaskStatus.TASK_STATUS_ASSIGNED, TaskStatus.TASK_STATUS_COMMITTED].includes(t.status);
    if (!stillMine || !open) await this.opts.state.delete(BigInt(record.taskId));
  }

  private async exclusive(id: string, fn: () => Promise<void>): Promise<void> {
    if (this.busy.has(id)) return;
    this.busy.add(id);
    try {
      await fn();
    } finally {
      this.busy.delete(id);
    }
  }

  private log(line: string): void {
    this.opts.log?.(line);
  }
}
