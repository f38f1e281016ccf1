/**
 * The worker's per-task progress, persisted so a restarted worker neither redoes a committed job
 * nor loses the salt it needs to reveal: a seal it cannot open costs 20 % of its bond.
 *
 * One small JSON file (<home>/worker-state.json), rewritten atomically (tmp + fsync + rename)
 * on every change. Changes are rare (a few per task), so a database would buy nothing.
 */
import { open, readFile, rename } from "node:fs/promises";

/**
 * - sealed: output computed and uploaded, salt chosen — about to commit (or committed; the
 *   chain says which after a restart);
 * - committed: the commit is on chain; waiting for the other slots to commit, then reveal;
 * - revealed: done from the worker's side;
 * - failed: the job could not run (bad input, crash, timeout, no key): never retried, the slot
 *   times out on chain and moves to another worker.
 */
export type TaskPhase = "sealed" | "committed" | "revealed" | "failed";

export interface TaskRecord {
  taskId: string;
  phase: TaskPhase;
  /** hex */
  salt?: string;
  /** hex sha256 of the plaintext output */
  digest?: string;
  outputCid?: string;
  error?: string;
  /** Height of the assignment this record is for (a task is never reassigned to the same worker). */
  assignedHeight: string;
}

export interface StateStore {
  get(taskId: bigint): TaskRecord | undefined;
  put(record: TaskRecord): Promise<void>;
  delete(taskId: bigint): Promise<void>;
  all(): TaskRecord[];
}

/** In-memory store for tests. */
export class MemoryStateStore implements StateStore {
  protected readonly records = new Map<string, TaskRecord>();
  get(taskId: bigint): TaskRecord | undefined {
    return this.records.get(taskId.toString());
  }
  async put(record: TaskRecord): Promise<void> {
    this.records.set(record.taskId, { ...record });
  }
  async delete(taskId: bigint): Promise<void> {
    this.records.delete(taskId.toString());
  }
  all(): TaskRecord[] {
    return [...this.records.values()];
  }
}

export class FileStateStore extends MemoryStateStore {
  /** Writes are chained so two changes never race on the tmp file. */
  private writing: Promise<void> = Promise.resolve();

  private constructor(readonly path: string) {
    super();
  }

  static async open(path: string): Promise<FileStateStore> {
    const store = new FileStateStore(path);
    try {
      const parsed = JSON.parse(await readFile(path, "utf8")) as { tasks: TaskRecord[] };
      for (const r of parsed.tasks) store.records.set(r.taskId, r);
    } catch (err) {
      if ((err as { code?: string }).code !== "ENOENT") throw new Error(`cannot read worker state ${path}: ${(err as Error).message}`);
    }
    return store;
  }

  override async put(record: TaskRecord): Promise<void> {
    await super.put(record);
    await this.flush();
  }

  override async delete(taskId: bigint): Promise<void> {
    await super.delete(taskId);
    await this.flush();
  }

  private flush(): Promise<void> {
    const text = JSON.stringify({ tasks: this.all() }, null, 1) + "\n";
    this.writing = this.writing.then(async () => {
      const tmp = `${this.path}.tmp`;
      const fh = await open(tmp, "w", 0o600);
      try {
        await fh.writeFile(text);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, this.path);
    });
    return this.writing;
  }
}
