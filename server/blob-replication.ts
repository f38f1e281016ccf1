/**
 * Replication at submission (docs/storage.md): with the IPFS backend every node fetches the data
 * of each newly submitted task from its IPFS peers and pins it, so a task's input outlives its
 * uploader's node before any worker has fetched it. Node-side only: the chain is read, never
 * written, and nothing here is consensus code.
 *
 * Per task (from the `task_submitted` events of a committed block, read back at the last
 * committed height through the app's query interface):
 *   input     its input_cid
 *   payload   for an encrypted input, the payload CID its manifest names
 *   program   for kind "program", the bundle its program_hash names
 *
 * Paid for: a task's blobs together are fetched up to the bytes its submitter declared and paid
 * for (Task.input_bytes, docs/storage.md "Who pays"); a blob that claims more, or a fetch that
 * receives more, is refused for good and logged, so a lying declaration never costs a node more
 * than was paid. Tasks from before the declaration (input_bytes 0) have the per-blob cap only.
 *
 * Bounded: at most `maxQueue` fetches wait and `concurrency` run; each has a timeout and the
 * store's size cap (a fetch is stopped past it) and must fit the store's total cap; a failed one
 * is retried `maxAttempts` times in all, on later blocks, then dropped. Nothing here throws into
 * block processing. A replica is adopted by the store (charged to nobody), so the expiry sweep
 * releases it as it releases every blob: once no live task names it and the retention passed.
 */
import type { Event } from "cosmjs-types/tendermint/abci/types";
import type { Logger } from "../app/log.js";
import { PROGRAM_TASK_KIND } from "../app/program-runtimes.js";
import { parseManifest } from "../crypto/task-crypto.js";
import { isBlobCid } from "../crypto/cid.js";
import type { Task } from "../proto/gen/ogpu/market/v1/market.js";
import { isTerminalTaskStatus } from "../proto/task-status.js";
import { TaskEvent } from "../x/market/events.js";
import { BlobTooLargeError } from "./blob-backend.js";
import type { BlobStore } from "./blob-store.js";
import { withDefaults } from "./blobs.js";

export const REPLICATION_DEFAULTS = {
  /** Fetches in flight at once. */
  concurrency: 2,
  /** Fetches waiting; more are dropped (and logged) until the queue drains. */
  maxQueue: 256,
  /** Tries per blob in all; retry n waits 2^(n-1) blocks. */
  maxAttempts: 4,
  /** Longest wait for one blob from the node's peers. */
  fetchTimeoutMs: 30_000,
} as const;

export interface ReplicationSettings {
  concurrency?: number;
  maxQueue?: number;
  maxAttempts?: number;
  fetchTimeoutMs?: number;
}

export interface ReplicatorDeps {
  store: BlobStore;
  /** A task at the last committed height (undefined: unknown). */
  task(id: bigint): Promise<Task | undefined>;
  /** The node's last committed height. */
  currentHeight(): bigint;
  /** The largest blob the node stores (the upload cap): a bigger replica is never fetched. */
  maxBlobBytes: number;
  log: Pick<Logger, "info" | "warn" | "debug">;
  settings?: ReplicationSettings;
}

/** `task`: read the task and queue one job per blob it names; the others: fetch and pin `cid`. */
type JobRole = "task" | "input" | "payload" | "program";

interface Job {
  taskId: bigint;
  /** "" for a `task` job. */
  cid: string;
  role: JobRole;
  /** Tries made so far. */
  attempts: number;
  /** Not tried before this committed height. */
  dueHeight: bigint;
}

/** Why a job ended: `done` kept here, `skipped` nothing to do, `failed` dropped for good (logged). */
export type JobOutcome = "done" | "skipped" | "failed";

export interface ReplicatorStats {
  /** Task ids of the block being finalized, not yet handed over. */
  observed: number;
  queued: number;
  active: number;
  replicated: number;
  dropped: number;
  failed: number;
}

/** Fails one try; `final` ones are not retried (the blob is too big, not this node's to keep). */
class ReplicationFailure extends Error {
  constructor(
    message: string,
    readonly final: boolean,
  ) {
    super(message);
  }
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));
/** One job per blob (a CID named twice is fetched once) and per task. */
const jobKey = (job: Job) => (job.role === "task" ? `task/${job.taskId}` : job.cid);

export class BlobReplicator {
  private readonly settings: Required<ReplicationSettings>;
  /** Task ids of the block being finalized; handed over when it is committed. */
  private submitted: bigint[] = [];
  private readonly queue: Job[] = [];
  /** CIDs queued or in flight, so a blob named twice is fetched once. */
  private readonly pending = new Set<string>();
  private active = 0;
  /** Bytes each task may still have fetched (its input_bytes less what was kept); tasks with jobs only. */
  private readonly budgets = new Map<bigint, { declared: bigint; left: bigint }>();
  /** Jobs queued or running per task, so a budget is dropped with the task's last job. */
  private readonly jobsPerTask = new Map<bigint, number>();
  /** Jobs dropped on a full queue since the last line that said so (one line per block, not per job). */
  private droppedUnlogged = 0;
  private idleWaiters: Array<() => void> = [];
  private closed = false;
  readonly stats: ReplicatorStats = { observed: 0, queued: 0, active: 0, replicated: 0, dropped: 0, failed: 0 };

  constructor(private readonly deps: ReplicatorDeps) {
    this.settings = withDefaults<ReplicationSettings>(REPLICATION_DEFAULTS, deps.settings ?? {});
  }

  /** The task ids a finalized block submitted (its `task_submitted` events). Synchronous and cheap; none once closed. */
  observeBlockEvents(events: readonly Event[]): void {
    // Blocks still finish while the node shuts down: nothing would ever hand these over.
    if (this.closed) return;
    for (const e of events) {
      if (e.type !== TaskEvent.Submitted) continue;
      const id = e.attributes.find((a) => a.key === "task_id")?.value;
      if (id !== undefined && /^\d{1,20}$/.test(id)) this.submitted.push(BigInt(id));
    }
    this.stats.observed = this.submitted.length;
  }

  /** After a block is committed: queues its tasks' blobs and starts due fetches. Never throws, never waits. */
  committed(): void {
    if (this.closed) return;
    const height = this.deps.currentHeight();
    this.stats.observed = 0;
    for (const taskId of this.submitted.splice(0)) this.enqueue({ taskId, cid: "", role: "task", attempts: 0, dueHeight: height });
    if (this.droppedUnlogged > 0) {
      this.deps.log.warn(`blob replication: queue full (${this.settings.maxQueue}); ${this.droppedUnlogged} task(s) or blob(s) not replicated`);
      this.droppedUnlogged = 0;
    }
    this.pump();
  }

  /** Resolves once nothing is in flight and nothing due waits (tests, shutdown). */
  idle(): Promise<void> {
    if (this.active === 0 && !this.hasDueJob()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops collecting and starting fetches; resolves when those in flight have ended. */
  async close(): Promise<void> {
    this.closed = true;
    this.submitted.length = 0;
    this.stats.observed = 0;
    this.queue.length = 0;
    this.stats.queued = 0;
    this.pending.clear();
    await this.idle();
  }

  /** Once closed, nothing is queued: a job in flight that ends then must not leave work that idle() would wait for. */
  private enqueue(job: Job): void {
    if (this.closed) return;
    const key = jobKey(job);
    if (this.pending.has(key)) return;
    if (this.queue.length >= this.settings.maxQueue) {
      this.stats.dropped += 1;
      this.droppedUnlogged += 1;
      return;
    }
    this.pending.add(key);
    this.jobsPerTask.set(job.taskId, (this.jobsPerTask.get(job.taskId) ?? 0) + 1);
    this.queue.push(job);
    this.stats.queued = this.queue.length;
  }

  private hasDueJob(): boolean {
    const height = this.deps.currentHeight();
    return this.queue.some((j) => j.dueHeight <= height);
  }

  private pump(): void {
    const height = this.deps.currentHeight();
    while (!this.closed && this.active < this.settings.concurrency) {
      const i = this.queue.findIndex((j) => j.dueHeight <= height);
      if (i < 0) break;
      const [job] = this.queue.splice(i, 1);
      this.active += 1;
      this.stats.queued = this.queue.length;
      this.stats.active = this.active;
      void this.run(job!).finally(() => {
        this.active -= 1;
        this.stats.active = this.active;
        this.pump();
        if (this.active === 0 && !this.hasDueJob()) for (const resolve of this.idleWaiters.splice(0)) resolve();
      });
    }
  }

  private async run(job: Job): Promise<JobOutcome> {
    try {
      return await this.runOnce(job);
    } finally {
      const left = (this.jobsPerTask.get(job.taskId) ?? 1) - 1;
      if (left > 0) this.jobsPerTask.set(job.taskId, left);
      else {
        this.jobsPerTask.delete(job.taskId);
        this.budgets.delete(job.taskId);
      }
    }
  }

  private async runOnce(job: Job): Promise<JobOutcome> {
    const key = jobKey(job);
    try {
      const outcome = await this.attempt(job);
      this.pending.delete(key);
      return outcome;
    } catch (err) {
      this.pending.delete(key);
      // Fetches cut short by shutdown are not failures worth a line each.
      if (this.closed) return "failed";
      const attempts = job.attempts + 1;
      const what = job.role === "task" ? `task ${job.taskId}` : `the ${job.role} ${job.cid} of task ${job.taskId}`;
      if ((err instanceof ReplicationFailure && err.final) || attempts >= this.settings.maxAttempts) {
        this.stats.failed += 1;
        this.deps.log.warn(`blob replication: gave up on ${what} after ${attempts} tries: ${errorText(err)}`);
        return "failed";
      }
      const dueHeight = this.deps.currentHeight() + (1n << BigInt(attempts - 1));
      this.deps.log.info(`blob replication: ${what} failed (try ${attempts} of ${this.settings.maxAttempts}), retrying at height ${dueHeight}: ${errorText(err)}`);
      this.enqueue({ ...job, attempts, dueHeight });
      return "failed";
    }
  }

  /** One try. A task that ended or vanished needs nothing more (the sweep releases what was kept). */
  private async attempt(job: Job): Promise<JobOutcome> {
    const task = await this.deps.task(job.taskId);
    if (task === undefined) throw new Error(`task ${job.taskId} is not in committed state`);
    if (isTerminalTaskStatus(task.status)) return "skipped";
    if (job.role === "task") {
      if (task.inputBytes > 0n) this.budgets.set(job.taskId, { declared: task.inputBytes, left: task.inputBytes });
      if (isBlobCid(task.inputCid)) this.enqueue({ taskId: job.taskId, cid: task.inputCid, role: "input", attempts: 0, dueHeight: job.dueHeight });
      if (task.kind === PROGRAM_TASK_KIND && isBlobCid(task.programHash)) this.enqueue({ taskId: job.taskId, cid: task.programHash, role: "program", attempts: 0, dueHeight: job.dueHeight });
      return "skipped";
    }
    const manifestNeeded = job.role === "input" && task.inputEncrypted;
    const bytes = await this.keep(job);
    if (manifestNeeded) this.enqueuePayload(job, bytes ?? (await this.deps.store.readSmall(job.cid)));
    return bytes === undefined ? "skipped" : "done";
  }

  /** Fetches, checks and pins `job.cid`; undefined when this node holds it already (uploaded or adopted). */
  private async keep(job: Job): Promise<Uint8Array | undefined> {
    const { store, maxBlobBytes } = this.deps;
    if (await store.isIndexed(job.cid)) return undefined;
    const started = Date.now();
    const sizeLimits = { timeoutMs: this.settings.fetchTimeoutMs, maxBytes: maxBlobBytes };
    const size = await store.size(job.cid, sizeLimits);
    if (size > maxBlobBytes) throw new ReplicationFailure(`it claims ${size} bytes, over the ${maxBlobBytes}-byte cap`, true);
    // Read after the await: the task's other blobs may have been fetched meanwhile.
    const budget = this.budgets.get(job.taskId);
    if (budget !== undefined && BigInt(size) > budget.left) {
      throw new ReplicationFailure(`it claims ${size} bytes, over the ${budget.left} bytes left of the ${budget.declared} task ${job.taskId} declared and paid for (input_bytes): not replicated`, true);
    }
    const total = await store.totalBytes();
    if (total + size > store.limits.maxTotalBytes) throw new ReplicationFailure(`the blob store is full (${total} of ${store.limits.maxTotalBytes} bytes)`, false);
    // Reserved before the fetch, which may receive no more than the size reserved when a budget applies.
    this.charge(job.taskId, BigInt(size));
    const readCap = budget !== undefined ? size : maxBlobBytes;
    let bytes: Uint8Array;
    try {
      bytes = await store.read(job.cid, { ...sizeLimits, maxBytes: readCap });
    } catch (err) {
      this.charge(job.taskId, -BigInt(size));
      if (err instanceof BlobTooLargeError) throw new ReplicationFailure(`the fetch passed ${budget !== undefined ? `the ${size} bytes it claimed (task ${job.taskId}'s input_bytes budget)` : `the ${maxBlobBytes}-byte cap`} and was stopped`, true);
      throw err;
    }
    this.charge(job.taskId, BigInt(bytes.length - size));
    await store.adopt(job.cid, bytes.length, this.deps.currentHeight());
    this.stats.replicated += 1;
    this.deps.log.info(`blob replication: pinned the ${job.role} ${job.cid} of task ${job.taskId} (${bytes.length} bytes in ${Date.now() - started} ms)`);
    return bytes;
  }

  /** Takes `bytes` off the task's budget (negative: gives them back); no budget, no effect. */
  private charge(taskId: bigint, bytes: bigint): void {
    const budget = this.budgets.get(taskId);
    if (budget !== undefined) budget.left -= bytes;
  }

  private enqueuePayload(job: Job, manifestBytes: Uint8Array | undefined): void {
    if (manifestBytes === undefined) return;
    try {
      const manifest = parseManifest(manifestBytes);
      if (manifest !== undefined && isBlobCid(manifest.payload_cid)) {
        this.enqueue({ taskId: job.taskId, cid: manifest.payload_cid, role: "payload", attempts: 0, dueHeight: job.dueHeight });
        return;
      }
    } catch (err) {
      this.deps.log.debug(`blob replication: the input of task ${job.taskId} is no manifest this version reads: ${errorText(err)}`);
      return;
    }
    this.deps.log.debug(`blob replication: the encrypted input of task ${job.taskId} names no payload`);
  }
}
