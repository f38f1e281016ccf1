/**
 * Commit and reveal: the first two steps of Proof of Sync (docs/proof-of-sync.md).
 * A worker seals its result (MsgCommitResult); once every slot of the task is committed the
 * workers open their seals (MsgRevealResult); the block after the last reveal draws the audit.
 */
import { bytesEqual, hex } from "../../crypto/bytes.js";
import { parseAccountAddress } from "../../app/address.js";
import type { Context } from "../../app/context.js";
import { Phase, TaskRecord } from "../../proto/gen/ogpu/attest/v1/attest.js";
import { TaskStatus, type Task } from "../../proto/gen/ogpu/market/v1/market.js";
import { getTask, markCommitted, reassignSlot, setTaskStatus } from "../market/keeper.js";
import { isTerminal, putTask } from "../market/store.js";
import { recordResult, slashBond } from "../workers/keeper.js";
import { attestError, AttestCode } from "./errors.js";
import { AttestEvent, emitAttestEvent } from "./events.js";
import { attestParams } from "./params.js";
import { computeSeal } from "./seal.js";
import { addDue, deleteRecord, DRAWS, COMMITTEE_DEADLINES, getRecord, putRecord, removeDue, REVEAL_DEADLINES } from "./store.js";

/** The open task or an `attest` code 3 error. */
export function requireOpenTask(ctx: Context, taskId: bigint): Task {
  const task = getTask(ctx.store, taskId);
  if (!task) throw attestError(AttestCode.TaskNotFound, `task ${taskId} not found`);
  return task;
}

function newRecord(taskId: bigint): TaskRecord {
  return TaskRecord.fromPartial({ taskId, phase: Phase.PHASE_COMMIT });
}

/** Stores a task's status change made here (the market keeper stamps and emits it). */
export function moveTask(ctx: Context, task: Task, to: TaskStatus, reason: string): void {
  setTaskStatus(ctx, task, to, reason);
  putTask(ctx.store, task);
}

/** MsgCommitResult: an assigned worker's first and only seal for the task. */
export function commitResult(ctx: Context, worker: string, taskId: bigint, seal: Uint8Array): void {
  const task = requireOpenTask(ctx, taskId);
  const slot = task.assignments.find((a) => a.worker === worker);
  if (!slot) throw attestError(AttestCode.NotAssigned, `${worker} is not an assigned worker of task ${taskId}`);
  const record = getRecord(ctx.store, taskId) ?? newRecord(taskId);
  if (slot.committed || record.results.some((r) => r.worker === worker)) throw attestError(AttestCode.AlreadyCommitted, `${worker} already committed to task ${taskId}`);
  if (record.results.some((r) => bytesEqual(r.seal, seal))) {
    throw attestError(AttestCode.DuplicateSeal, `seal of task ${taskId} equals another worker's seal (a copied seal can never be opened)`);
  }
  record.results.push({ worker, seal, committedHeight: ctx.block.height, revealed: false, resultDigest: new Uint8Array(), salt: new Uint8Array(), outputCid: "", revealedHeight: 0n });
  markCommitted(ctx, taskId, worker);
  emitAttestEvent(ctx.events, AttestEvent.Committed, taskId, { worker });
  if (getTask(ctx.store, taskId)!.status === TaskStatus.TASK_STATUS_COMMITTED) openReveals(ctx, record);
  putRecord(ctx.store, record);
}

/** Every slot is committed: reveals are accepted until reveal_by (inclusive). */
function openReveals(ctx: Context, record: TaskRecord): void {
  record.phase = Phase.PHASE_REVEAL;
  record.revealByHeight = ctx.block.height + BigInt(attestParams.get(ctx.store).reveal_timeout_blocks);
  addDue(ctx.store, REVEAL_DEADLINES, record.revealByHeight, record.taskId);
}

/** MsgRevealResult: opens the worker's own seal; the last reveal schedules the audit draw. */
export function revealResult(ctx: Context, worker: string, taskId: bigint, digest: Uint8Array, salt: Uint8Array, outputCid: string): void {
  const task = requireOpenTask(ctx, taskId);
  const record = getRecord(ctx.store, taskId);
  const result = record?.results.find((r) => r.worker === worker);
  if (!record || !result) throw attestError(AttestCode.NotAssigned, `${worker} has no commitment on task ${taskId}`);
  if (record.phase !== Phase.PHASE_REVEAL) throw attestError(AttestCode.WrongPhase, `task ${taskId} is not revealing (${Phase[record.phase]}): reveals open once all ${task.redundancy} slots are committed`);
  if (result.revealed) throw attestError(AttestCode.AlreadyRevealed, `${worker} already revealed on task ${taskId}`);
  if (!bytesEqual(computeSeal(taskId, parseAccountAddress(worker), digest, salt), result.seal)) {
    throw attestError(AttestCode.SealMismatch, `result_digest and salt do not open ${worker}'s seal on task ${taskId}`);
  }
  Object.assign(result, { revealed: true, resultDigest: digest, salt, outputCid, revealedHeight: ctx.block.height });
  emitAttestEvent(ctx.events, AttestEvent.Revealed, taskId, { worker, result_digest: hex(digest), output_cid: outputCid });
  if (record.results.length === task.redundancy && record.results.every((r) => r.revealed)) {
    removeDue(ctx.store, REVEAL_DEADLINES, record.revealByHeight, taskId);
    record.revealByHeight = 0n;
    moveTask(ctx, task, TaskStatus.TASK_STATUS_REVEALED, "all_revealed");
    scheduleDraw(ctx, record);
  }
  putRecord(ctx.store, record);
}

/** The draw runs in the BeginBlock of the next block, seeded by that block's beacon. */
export function scheduleDraw(ctx: Context, record: TaskRecord): void {
  record.phase = record.phase === Phase.PHASE_DISPUTE ? Phase.PHASE_DISPUTE : Phase.PHASE_DRAW;
  record.drawHeight = ctx.block.height + 1n;
  addDue(ctx.store, DRAWS, record.drawHeight, record.taskId);
}

/**
 * EndBlock: workers that committed but did not reveal by reveal_by lose
 * reveal_timeout_slash_bps of their bond (to the treasury) and their slot; the market
 * requeues the task (or expires it after max_retries). Reveals already public make the
 * next round's audit certain (a newcomer could copy them).
 */
export function handleRevealTimeout(ctx: Context, taskId: bigint): void {
  const record = getRecord(ctx.store, taskId);
  if (!record || record.phase !== Phase.PHASE_REVEAL) return;
  const p = attestParams.get(ctx.store);
  const silent = record.results.filter((r) => !r.revealed).map((r) => r.worker);
  record.revealsExposed ||= record.results.some((r) => r.revealed);
  record.results = record.results.filter((r) => r.revealed);
  record.phase = Phase.PHASE_COMMIT;
  record.revealByHeight = 0n;
  putRecord(ctx.store, record);
  for (const worker of silent) {
    recordResult(ctx, worker, false, "reveal_timeout");
    const slashed = slashBond(ctx, worker, p.reveal_timeout_slash_bps, "reveal_timeout", { task_id: taskId.toString() });
    emitAttestEvent(ctx.events, AttestEvent.RevealTimeout, taskId, { worker, slashed: slashed.toString() });
    const task = getTask(ctx.store, taskId);
    if (task && task.assignments.some((a) => a.worker === worker) && isOpen(task)) reassignSlot(ctx, taskId, worker, "reveal_timeout");
  }
}

export const isOpen = (task: Task) => !isTerminal(task.status);

/** Market close hook: the task ended (settled, expired, cancelled) — its record and index entries go. */
export function dropRecord(ctx: Context, taskId: bigint): void {
  const record = getRecord(ctx.store, taskId);
  if (!record) return;
  if (record.revealByHeight > 0n) removeDue(ctx.store, REVEAL_DEADLINES, record.revealByHeight, taskId);
  if (record.drawHeight > 0n) removeDue(ctx.store, DRAWS, record.drawHeight, taskId);
  for (const c of [record.audit, record.dispute]) if (c) removeDue(ctx.store, COMMITTEE_DEADLINES, c.deadlineHeight, taskId);
  deleteRecord(ctx.store, taskId);
}
