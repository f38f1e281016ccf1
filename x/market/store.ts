import { parseAccountAddress } from "../../app/address.js";
import { addDue, dueEntries, removeDue } from "../../app/store/due-index.js";
import { bytesKey, keyBytes, lengthPrefixed, parseU64Key, u64Key, type StoreKey } from "../../app/store/keys.js";
import type { KVStore } from "../../app/store/kvstore.js";
import { defineCounter, setBigInt } from "../../app/store/values.js";
import { ProgramRecord, Task, TaskStatus } from "../../proto/gen/ogpu/market/v1/market.js";
import { isTerminalTaskStatus } from "../../proto/task-status.js";

/**
 * Task records and the indexes the block hooks scan, all kept in key order:
 *   market/t/     ‖ u64(id)                                → Task
 *   market/q/     ‖ (3−priority) ‖ u64(MAX−bid) ‖ u64(height) ‖ u64(id) → ""   tasks waiting for slots
 *   market/open/  ‖ u64(id)                                → ""   every non-terminal task
 *   market/slot/  ‖ u64(timeout height) ‖ u64(id) ‖ len‖worker → ""   uncommitted assignments
 *   market/dl/    ‖ u64(deadline) ‖ u64(id)                → ""   deadlines of open tasks
 *   market/sched_cursor                                    → queue key where scheduling resumes
 *   market/bs/    ‖ status ‖ u64(id)                       → ""   list queries by status
 *   market/bc/    ‖ len‖client ‖ u64(id)                   → ""   list queries by client
 *   market/bcs/   ‖ len‖client ‖ status ‖ u64(id)          → ""   … by client and status
 *   market/prune/ ‖ u64(prune height) ‖ u64(id)            → ""   ended tasks awaiting pruning
 *   market/prog/  ‖ utf8(program_hash)                     → ProgramRecord   programs seen (Query/Programs)
 * The three list indexes are kept by putTask/deleteTask alone, so no flow can forget one.
 * Program records outlive their tasks (pruning leaves them): the index is the chain's history
 * of what ran, one entry per distinct program_hash, each written by a submission that paid for it.
 */
const TASK = "market/t/";
const QUEUE = "market/q/";
const OPEN = "market/open/";
const SLOT = "market/slot/";
const DEADLINE = "market/dl/";
const BY_STATUS = "market/bs/";
const BY_CLIENT = "market/bc/";
const BY_CLIENT_STATUS = "market/bcs/";
const PRUNE = "market/prune/";
const PROGRAM = "market/prog/";
const NEXT_ID = "market/next_id";
/** Queue key where the next block's scheduling pass starts (absent = the queue's head). */
const SCHEDULE_CURSOR = "market/sched_cursor";
const EMPTY = new Uint8Array();
const U64_MAX = (1n << 64n) - 1n;

export function getTask(store: KVStore, id: bigint): Task | undefined {
  const raw = store.get(TASK + u64Key(id));
  return raw === undefined ? undefined : Task.decode(raw);
}

const clientPart = (task: Task) => lengthPrefixed(parseAccountAddress(task.client, "client"));
const statusPart = (status: TaskStatus) => String.fromCharCode(status);

function listIndexKeys(task: Task): StoreKey[] {
  const id = u64Key(task.id);
  return [BY_STATUS + statusPart(task.status) + id, BY_CLIENT + clientPart(task) + id, BY_CLIENT_STATUS + clientPart(task) + statusPart(task.status) + id];
}

/** Stores the task and moves its list-index entries when its status changed. */
export function putTask(store: KVStore, task: Task): void {
  const previous = getTask(store, task.id);
  if (previous?.status !== task.status) {
    if (previous) for (const key of listIndexKeys(previous)) store.delete(key);
    for (const key of listIndexKeys(task)) store.set(key, EMPTY);
  }
  store.set(TASK + u64Key(task.id), Task.encode(task).finish());
}

/** Removes an ended task and its list-index entries (pruning). */
export function deleteTask(store: KVStore, task: Task): void {
  for (const key of listIndexKeys(task)) store.delete(key);
  store.delete(TASK + u64Key(task.id));
}

/** Index prefix a Tasks query pages over: by client and/or status, or every task. Tails end in u64(id). */
export function taskListPrefix(filter: { client?: string; status?: TaskStatus }): StoreKey {
  const client = filter.client ? lengthPrefixed(parseAccountAddress(filter.client, "client")) : undefined;
  const status = filter.status ? statusPart(filter.status) : undefined;
  if (client !== undefined && status !== undefined) return BY_CLIENT_STATUS + client + status;
  if (client !== undefined) return BY_CLIENT + client;
  if (status !== undefined) return BY_STATUS + status;
  return TASK;
}

/** The task id at the end of a list-index tail. */
export const taskIdOfTail = (tail: StoreKey): bigint => parseU64Key(tail.slice(tail.length - 8));

/** An ended task is pruned at `height` (close height + task_retention_blocks). */
export function schedulePrune(store: KVStore, height: bigint, taskId: bigint): void {
  addDue(store, PRUNE, height, u64Key(taskId));
}

/** Up to `limit` ended tasks whose retention ran out by `height`; their prune entries are removed. */
export function takeDuePrunes(store: KVStore, height: bigint, limit: number): bigint[] {
  return dueEntries(store, PRUNE, height, limit).map((e) => {
    store.delete(e.key);
    return parseU64Key(e.rest);
  });
}

export function* allTasks(store: KVStore, afterId = 0n): Iterable<Task> {
  for (const [key, value] of store.iterate(TASK)) {
    if (parseU64Key(key.slice(TASK.length)) <= afterId) continue;
    yield Task.decode(value);
  }
}

const taskIds = defineCounter(NEXT_ID, 1n);
export const takeTaskId = taskIds.take;
export const nextTaskId = taskIds.peek;

export function setNextTaskId(store: KVStore, id: bigint): void {
  setBigInt(store, NEXT_ID, id);
}

/** Queue key: priority desc, bid desc, submit height asc, id asc — plain byte order. */
function queueKey(task: Task): string {
  return QUEUE + String.fromCharCode(3 - task.priority) + u64Key(U64_MAX - BigInt(task.maxPricePerUnit)) + u64Key(task.submitHeight) + u64Key(task.id);
}

export function enqueue(store: KVStore, task: Task): void {
  store.set(queueKey(task), keyBytes(u64Key(task.id)));
}

export function dequeue(store: KVStore, task: Task): void {
  store.delete(queueKey(task));
}

/** Queued task ids, in scheduling order. */
export function* queuedTaskIds(store: KVStore): Iterable<bigint> {
  for (const [, value] of store.iterate(QUEUE)) yield parseU64Key(bytesKey(value));
}

/**
 * Queued task ids in scheduling order rotated to start at the schedule cursor: the entries
 * from the cursor on, then those before it. Without a cursor this is queuedTaskIds. Lazy in
 * both halves: a pass that stops after n tasks reads n queue entries, wherever the cursor is
 * (collecting the entries before the cursor first made every block read the whole queue).
 */
export function* queuedTaskIdsFromCursor(store: KVStore): Iterable<bigint> {
  const raw = store.get(SCHEDULE_CURSOR);
  const cursor = raw === undefined ? undefined : bytesKey(raw);
  for (const [, value] of store.iterate(QUEUE, cursor)) yield parseU64Key(bytesKey(value));
  if (cursor === undefined) return;
  for (const [key, value] of store.iterate(QUEUE)) {
    if (key >= cursor) return;
    yield parseU64Key(bytesKey(value));
  }
}

/** Where the next pass starts: the task's queue position, or (undefined) the queue's head. */
export function setScheduleCursor(store: KVStore, task: Task | undefined): void {
  if (task === undefined) {
    if (store.get(SCHEDULE_CURSOR) !== undefined) store.delete(SCHEDULE_CURSOR);
  } else store.set(SCHEDULE_CURSOR, keyBytes(queueKey(task)));
}

export function markOpen(store: KVStore, task: Task): void {
  store.set(OPEN + u64Key(task.id), EMPTY);
  addDue(store, DEADLINE, task.deadlineHeight, u64Key(task.id));
}

export function markClosed(store: KVStore, task: Task): void {
  store.delete(OPEN + u64Key(task.id));
  removeDue(store, DEADLINE, task.deadlineHeight, u64Key(task.id));
}

export function* openTaskIds(store: KVStore): Iterable<bigint> {
  for (const [key] of store.iterate(OPEN)) yield parseU64Key(key.slice(OPEN.length));
}

/** Slot key tail after the timeout height: u64(task) ‖ len‖worker. */
const slotRest = (taskId: bigint, worker: string) => u64Key(taskId) + lengthPrefixed(parseAccountAddress(worker, "worker"));

export function addSlotTimeout(store: KVStore, timeoutHeight: bigint, taskId: bigint, worker: string): void {
  addDue(store, SLOT, timeoutHeight, slotRest(taskId, worker));
}

export function removeSlotTimeout(store: KVStore, timeoutHeight: bigint, taskId: bigint, worker: string): void {
  removeDue(store, SLOT, timeoutHeight, slotRest(taskId, worker));
}

/** Uncommitted assignments whose commit deadline is at or before `height`: (task, worker address bytes). */
export function dueSlots(store: KVStore, height: bigint, limit?: number): { taskId: bigint; worker: Uint8Array }[] {
  return dueEntries(store, SLOT, height, limit).map((e) => ({ taskId: parseU64Key(e.rest), worker: new Uint8Array(keyBytes(e.rest.slice(9))) }));
}

export function dueDeadlines(store: KVStore, height: bigint, limit?: number): bigint[] {
  return dueEntries(store, DEADLINE, height, limit).map((e) => parseU64Key(e.rest));
}

/** Statuses from which nothing moves any more (escrow fully settled): proto/task-status.ts. */
export const isTerminal = isTerminalTaskStatus;

const programKey = (programHash: string): StoreKey => PROGRAM + bytesKey(new TextEncoder().encode(programHash));

export function getProgramRecord(store: KVStore, programHash: string): ProgramRecord | undefined {
  const raw = store.get(programKey(programHash));
  return raw === undefined ? undefined : ProgramRecord.decode(raw);
}

/** Stores a program record; returns the bytes written (key and value), which the submission pays gas for. */
export function putProgramRecord(store: KVStore, record: ProgramRecord): number {
  const key = programKey(record.programHash);
  const value = ProgramRecord.encode(record).finish();
  store.set(key, value);
  return key.length + value.length;
}

/** Index prefix Query/Programs pages over; each value is the ProgramRecord. */
export const PROGRAM_INDEX_PREFIX: StoreKey = PROGRAM;

export function* allProgramRecords(store: KVStore): Iterable<ProgramRecord> {
  for (const [, value] of store.iterate(PROGRAM)) yield ProgramRecord.decode(value);
}
