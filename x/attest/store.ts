import { addDue as addDueEntry, dueEntries, removeDue as removeDueEntry } from "../../app/store/due-index.js";
import { bytesKey, keyBytes, lengthPrefixed, parseU64Key, u64Key } from "../../app/store/keys.js";
import type { KVStore } from "../../app/store/kvstore.js";
import { PendingOpening, TaskRecord } from "../../proto/gen/ogpu/attest/v1/attest.js";

/**
 * x/attest state, all in key order:
 *   attest/r/    ‖ u64(task)                              → TaskRecord   open tasks with a commit
 *   attest/rdl/  ‖ u64(reveal_by) ‖ u64(task)             → ""   reveal deadlines
 *   attest/draw/ ‖ u64(draw height) ‖ u64(task)           → ""   draws due (BeginBlock)
 *   attest/cdl/  ‖ u64(committee deadline) ‖ u64(task)    → ""   audit / dispute deadlines
 *   attest/duty/ ‖ u64(task) ‖ len‖validator              → u64(deadline)  votes owed
 *   attest/dd/   ‖ u64(deadline) ‖ u64(task) ‖ len‖validator → ""   votes owed, by deadline
 *   attest/open/ ‖ u64(task) ‖ len‖validator              → PendingOpening  seals still to open
 * Duties outlive the record: a validator drawn for an audit owes its vote even when the
 * task was finalised by the others' votes first. An audit member whose seal was unopened when
 * its task ended keeps that seal (and the settled digest) beside its duty, so a late opening is
 * still judged (issue 10 item 8); it goes with the duty.
 */
const RECORD = "attest/r/";
export const REVEAL_DEADLINES = "attest/rdl/";
export const DRAWS = "attest/draw/";
export const COMMITTEE_DEADLINES = "attest/cdl/";
const DUTY = "attest/duty/";
const DUTY_DEADLINES = "attest/dd/";
const PENDING_OPENINGS = "attest/open/";

export function getRecord(store: KVStore, taskId: bigint): TaskRecord | undefined {
  const raw = store.get(RECORD + u64Key(taskId));
  return raw === undefined ? undefined : TaskRecord.decode(raw);
}

export function putRecord(store: KVStore, record: TaskRecord): void {
  store.set(RECORD + u64Key(record.taskId), TaskRecord.encode(record).finish());
}

export function deleteRecord(store: KVStore, taskId: bigint): void {
  store.delete(RECORD + u64Key(taskId));
}

export function* allRecords(store: KVStore): Iterable<TaskRecord> {
  for (const [, value] of store.iterate(RECORD)) yield TaskRecord.decode(value);
}

/** A (height, task) index entry. */
export const addDue = (store: KVStore, index: string, height: bigint, taskId: bigint) => addDueEntry(store, index, height, u64Key(taskId));
export const removeDue = (store: KVStore, index: string, height: bigint, taskId: bigint) => removeDueEntry(store, index, height, u64Key(taskId));

/** Every (height, task) entry of an index, in key order (genesis export). */
export const allDue = (store: KVStore, index: string) => dueEntries(store, index).map((e) => ({ height: e.height, taskId: parseU64Key(e.rest) }));

/** Task ids of an index with height ≤ `height`, collected first (callers mutate the index). */
export function dueTasks(store: KVStore, index: string, height: bigint, limit?: number): { height: bigint; taskId: bigint }[] {
  return dueEntries(store, index, height, limit).map((e) => ({ height: e.height, taskId: parseU64Key(e.rest) }));
}

const dutyKey = (taskId: bigint, validator: Uint8Array) => DUTY + u64Key(taskId) + lengthPrefixed(validator);
const dutyRest = (taskId: bigint, validator: Uint8Array) => u64Key(taskId) + lengthPrefixed(validator);

/** One vote owed per (task, validator): a newer committee's deadline replaces an older one. */
export function addDuty(store: KVStore, taskId: bigint, validator: Uint8Array, deadline: bigint): void {
  clearDuty(store, taskId, validator);
  store.set(dutyKey(taskId, validator), keyBytes(u64Key(deadline)));
  addDueEntry(store, DUTY_DEADLINES, deadline, dutyRest(taskId, validator));
}

/** Clears a vote owed (and the seal it still had to open); returns false when none was owed. */
export function clearDuty(store: KVStore, taskId: bigint, validator: Uint8Array): boolean {
  const raw = store.get(dutyKey(taskId, validator));
  if (raw === undefined) return false;
  store.delete(dutyKey(taskId, validator));
  // Only when present: a delete is a write, and writes are hashed into the app hash.
  if (store.has(pendingKey(taskId, validator))) store.delete(pendingKey(taskId, validator));
  removeDueEntry(store, DUTY_DEADLINES, parseU64Key(bytesKey(raw)), dutyRest(taskId, validator));
  return true;
}

export const hasDuty = (store: KVStore, taskId: bigint, validator: Uint8Array) => store.has(dutyKey(taskId, validator));

/** Votes owed whose deadline is at or before `height`. */
export function dueDuties(store: KVStore, height: bigint, limit?: number): { taskId: bigint; validator: Uint8Array }[] {
  return dueEntries(store, DUTY_DEADLINES, height, limit).map((e) => ({ taskId: parseU64Key(e.rest), validator: new Uint8Array(keyBytes(e.rest.slice(9))) }));
}

export function* allDuties(store: KVStore): Iterable<{ taskId: bigint; validator: Uint8Array; deadline: bigint }> {
  for (const [key, value] of store.iterate(DUTY)) {
    const body = key.slice(DUTY.length);
    yield { taskId: parseU64Key(body.slice(0, 8)), validator: new Uint8Array(keyBytes(body.slice(9))), deadline: Buffer.from(value).readBigUInt64BE(0) };
  }
}

const pendingKey = (taskId: bigint, validator: Uint8Array) => PENDING_OPENINGS + u64Key(taskId) + lengthPrefixed(validator);

/** Keeps an owed seal opening past its task's end; only beside a duty (clearDuty drops it). */
export function putPendingOpening(store: KVStore, taskId: bigint, validator: Uint8Array, opening: PendingOpening): void {
  if (hasDuty(store, taskId, validator)) store.set(pendingKey(taskId, validator), PendingOpening.encode(opening).finish());
}

export function getPendingOpening(store: KVStore, taskId: bigint, validator: Uint8Array): PendingOpening | undefined {
  const raw = store.get(pendingKey(taskId, validator));
  return raw === undefined ? undefined : PendingOpening.decode(raw);
}

export function* allPendingOpenings(store: KVStore): Iterable<{ taskId: bigint; validator: Uint8Array; opening: PendingOpening }> {
  for (const [key, value] of store.iterate(PENDING_OPENINGS)) {
    const body = key.slice(PENDING_OPENINGS.length);
    yield { taskId: parseU64Key(body.slice(0, 8)), validator: new Uint8Array(keyBytes(body.slice(9))), opening: PendingOpening.decode(value) };
  }
}
