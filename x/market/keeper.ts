import { BASE_DENOM } from "../../app/coins.js";
import type { Context } from "../../app/context.js";
import { parseAccountAddress } from "../../app/address.js";
import { Task, TaskStatus } from "../../proto/gen/ogpu/market/v1/market.js";
import type { BankKeeper } from "../bank/keeper.js";
import type { TreasuryKeeper } from "../treasury/keeper.js";
import type { WorkersKeeper } from "../workers/keeper.js";
import { marketError, MarketCode } from "./errors.js";
import { emitStatusChange, emitTaskEvent, TaskEvent } from "./events.js";
import { marketParams } from "./params.js";
import { getBasePrice } from "./pricing.js";
import type { KVStore } from "../../app/store/kvstore.js";
import { addSlotTimeout, dequeue, enqueue, getTask as readTask, isTerminal, markClosed, putTask, removeSlotTimeout, schedulePrune } from "./store.js";

/** Module account holding every open task's escrow. */
export const MARKET_ESCROW = "market_escrow";

/** Pending reason codes, as clients see them in Task.pending_reason and task_pending events. */
export const PendingReason = {
  NoCapacity: "no_capacity",
  PriceBelowBase: "price_below_base",
  RequirementsUnmet: "requirements_unmet",
  RedundancyUnavailable: "redundancy_unavailable",
} as const;
export type PendingReason = (typeof PendingReason)[keyof typeof PendingReason];

/** Read access for tools and tests (benchmarks, fixtures) that must not reach into store.ts. */
export { allTasks, nextTaskId } from "./store.js";

/** Stores a status change (stamped and emitted by setTaskStatus) made outside this keeper's own flows. */
export function moveTask(ctx: Context, task: Task, to: TaskStatus, reason: string): void {
  setTaskStatus(ctx, task, to, reason);
  putTask(ctx.store, task);
}

/** The task or a `market` code 7 error. */
export function requireTask(ctx: Context, taskId: bigint): Task {
  const task = readTask(ctx.store, taskId);
  if (!task) throw marketError(MarketCode.TaskNotFound, `task ${taskId} not found`);
  return task;
}

/** Workers currently holding a slot of the task (committed or not), in assignment order. */
export function assignedWorkers(task: Task): string[] {
  return task.assignments.map((a) => a.worker);
}

/** Open slots: redundancy minus the assignments held. */
export function slotsNeeded(task: Task): number {
  return task.redundancy - task.assignments.length;
}

/** Changes status, stamps the reason and emits `task_status`; the caller stores the task. */
export function setTaskStatus(ctx: Context, task: Task, to: TaskStatus, reason: string): void {
  const from = task.status;
  task.status = to;
  task.statusReason = reason;
  task.updatedHeight = ctx.block.height;
  emitStatusChange(ctx.events, task.id, task.client, from, to, reason);
}

/** Records why a queued task waits; emits `task_pending` only when the reason changes. */
export function setPendingReason(ctx: Context, task: Task, reason: PendingReason): void {
  if (task.pendingReason === reason) return;
  task.pendingReason = reason;
  putTask(ctx.store, task);
  emitTaskEvent(ctx.events, TaskEvent.Pending, task.id, { reason });
}

/**
 * x/attest: a worker's commitment arrived; the slot no longer times out. All k committed →
 * COMMITTED. Returns the slot's assign→commit latency and the task's units (undefined when already committed).
 */
export function markCommitted(ctx: Context, taskId: bigint, worker: string): { blocks: bigint; units: bigint } | undefined {
  const task = requireTask(ctx, taskId);
  if (isTerminal(task.status)) throw marketError(MarketCode.TaskEnded, `task ${taskId} has ended (${TaskStatus[task.status]}); its slots take no commits`);
  const a = task.assignments.find((x) => x.worker === worker);
  if (!a) throw marketError(MarketCode.InvalidSettlement, `worker ${worker} is not assigned to task ${taskId}`);
  if (a.committed) return undefined;
  a.committed = true;
  a.committedHeight = ctx.block.height;
  removeSlotTimeout(ctx.store, a.commitByHeight, taskId, worker);
  emitTaskEvent(ctx.events, TaskEvent.Committed, taskId, { worker });
  if (task.status === TaskStatus.TASK_STATUS_ASSIGNED && task.assignments.every((x) => x.committed)) {
    setTaskStatus(ctx, task, TaskStatus.TASK_STATUS_COMMITTED, "all_committed");
  }
  putTask(ctx.store, task);
  return { blocks: a.committedHeight - a.assignedHeight, units: task.units };
}

export interface Payout {
  worker: string;
  /** Gross uogpu earned by this worker (≤ its assigned price × units); the market fee comes out of it. */
  amount: bigint;
}

/**
 * Other modules' reactions to the market, set by the composition root (app/modules.ts):
 * x/attest drops its per-task record when a task ends and sets who may run k = 1 tasks.
 */
export interface MarketHooks {
  /** Called when a task reaches an end state, before its slots are released. */
  taskClosed?(ctx: Context, taskId: bigint): void;
  /** Consecutive valid results from which a worker may run a k = 1 task alone (absent = 0, everyone). */
  minTrustedCv?(ctx: Context): bigint;
  /** A verified result paid `worker`; `fee` is the market fee its payout sent to the treasury (x/mint's C_i). */
  resultPaid?(ctx: Context, worker: string, fee: bigint): void;
  /** `worker` committed `latencyBlocks` after its assignment to a task of `units` units (x/workers' anomaly detection). */
  slotCommitted?(ctx: Context, worker: string, latencyBlocks: bigint, units: bigint): void;
  /**
   * A task settled with ≥ 2 paid (verified) workers: each one's assign→commit latency, in
   * payout order (x/workers compares co-workers of the same task: the peer anomaly rule).
   */
  resultsSettled?(ctx: Context, samples: readonly { operator: string; latencyBlocks: bigint }[]): void;
}

/** What x/market needs: bank moves escrow; workers provides the registry and takes penalties; fees go to the treasury. */
export interface MarketDeps {
  bank: Pick<BankKeeper, "sendFromModule" | "sendToModule" | "getBalance">;
  treasury: Pick<TreasuryKeeper, "deposit">;
  workers: Pick<WorkersKeeper, "params" | "allWorkers" | "workerStatus" | "workerTier" | "gpuTier" | "hardwareMatcher" | "adjustOpenTasks" | "recordResult" | "recordDecline" | "slashBond">;
  hooks: MarketHooks;
}

/** x/market's surface: tasks for x/attest (commit, reveal, audit, settle) and for its own msgs and EndBlock. */
export interface MarketKeeper {
  /** Module account holding every open task's escrow. */
  readonly escrowAccount: string;
  getTask(store: KVStore, taskId: bigint): Task | undefined;
  /** The task or a `market` code 7 error. */
  requireTask(ctx: Context, taskId: bigint): Task;
  isTerminal(status: TaskStatus): boolean;
  /** Changes a task's status (event included) and stores it: x/attest's AUDITING, DISPUTED, REVEALED. */
  moveTask(ctx: Context, task: Task, to: TaskStatus, reason: string): void;
  /** Gives one slot of `task` to `worker` at the worker's price (scheduler only). */
  assignSlot(ctx: Context, task: Task, worker: string, pricePerUnit: bigint): void;
  /** A worker's commitment arrived; the slot no longer times out. All k committed → COMMITTED. */
  markCommitted(ctx: Context, taskId: bigint, worker: string): void;
  /** Takes a slot away from `worker` and requeues the task (or expires it after max_retries). */
  reassignSlot(ctx: Context, taskId: bigint, worker: string, reason: string): void;
  /** Failover: `worker` did not commit in time. */
  timeoutSlot(ctx: Context, taskId: bigint, worker: string): void;
  /** Refunds the whole escrow and ends the task (EXPIRED, CANCELLED or FAILED). */
  refundAndClose(ctx: Context, task: Task, to: TaskStatus, reason: string): bigint;
  /** The result could not be established (e.g. dispute without majority) — full refund. */
  failTask(ctx: Context, taskId: bigint, reason: string): bigint;
  /** No honest party can run the task: FAILED, the client forfeits the unexecutable fee, nobody is penalised. */
  failUnexecutable(ctx: Context, taskId: bigint, reason: string): { fee: bigint; refunded: bigint };
  /** MsgDeclineAssignment: frees `worker`'s uncommitted slot without penalty; true when the task failed as unexecutable. */
  declineSlot(ctx: Context, taskId: bigint, worker: string, reasonClass: string): boolean;
  /** The result is final: payouts minus the market fee, the rest back to the client. */
  /** `fees[i]` is the market fee payouts[i] paid to the treasury (x/attest credits it as verified compute). */
  settleFinalized(ctx: Context, taskId: bigint, payouts: readonly Payout[], reason?: string, to?: TaskStatus): { fee: bigint; fees: bigint[]; refunded: bigint };
  /** The tier's current base price (uogpu per unit), the demand signal λ. */
  basePrice(store: KVStore, tier: number): bigint;
}

export function createMarketKeeper({ bank, treasury, workers, hooks }: MarketDeps): MarketKeeper {
  /** Gives one slot of `task` to `worker` at the worker's price (scheduler only). */
  function assignSlot(ctx: Context, task: Task, worker: string, pricePerUnit: bigint): void {
    const timeout = ctx.block.height + BigInt(marketParams.get(ctx.store).commit_timeout_blocks);
    task.assignments.push({ worker, assignedHeight: ctx.block.height, pricePerUnit: pricePerUnit.toString(), committed: false, committedHeight: 0n, commitByHeight: timeout });
    workers.adjustOpenTasks(ctx.store, worker, 1);
    addSlotTimeout(ctx.store, timeout, task.id, worker);
    emitTaskEvent(ctx.events, TaskEvent.Assigned, task.id, { worker, slot: String(task.assignments.length - 1), price_per_unit: pricePerUnit.toString(), commit_by: timeout.toString() });
    if (slotsNeeded(task) === 0) {
      dequeue(ctx.store, task);
      task.pendingReason = "";
      setTaskStatus(ctx, task, TaskStatus.TASK_STATUS_ASSIGNED, "scheduled");
    }
    putTask(ctx.store, task);
  }

  /** Frees every slot the task holds (end states): workers get the capacity back. */
  function releaseAllSlots(ctx: Context, task: Task): void {
    for (const a of task.assignments) {
      if (!a.committed) removeSlotTimeout(ctx.store, a.commitByHeight, task.id, a.worker);
      workers.adjustOpenTasks(ctx.store, a.worker, -1);
    }
  }

  /** Moves a task to an end state: slots freed, indexes dropped, escrow must already be zero. */
  function close(ctx: Context, task: Task, to: TaskStatus, reason: string): void {
    if (task.escrow !== "0") throw new Error(`task ${task.id} closed with escrow ${task.escrow} left`);
    hooks.taskClosed?.(ctx, task.id);
    releaseAllSlots(ctx, task);
    if (task.status === TaskStatus.TASK_STATUS_PENDING) dequeue(ctx.store, task);
    markClosed(ctx.store, task);
    task.pendingReason = "";
    setTaskStatus(ctx, task, to, reason);
    putTask(ctx.store, task);
    schedulePrune(ctx.store, ctx.block.height + BigInt(marketParams.get(ctx.store).task_retention_blocks), task.id);
  }

  /** Returns everything left in the task's escrow to its client; returns the amount. */
  function refundRest(ctx: Context, task: Task): bigint {
    const rest = BigInt(task.escrow);
    if (rest > 0n) bank.sendFromModule(ctx, MARKET_ESCROW, parseAccountAddress(task.client), [{ denom: BASE_DENOM, amount: rest }]);
    task.escrow = "0";
    return rest;
  }

  /** Refunds the whole escrow and ends the task (EXPIRED, CANCELLED or FAILED). */
  function refundAndClose(ctx: Context, task: Task, to: TaskStatus, reason: string): bigint {
    if (isTerminal(task.status)) throw marketError(MarketCode.NotCancellable, `task ${task.id} is already ${TaskStatus[task.status]}`);
    const refunded = refundRest(ctx, task);
    emitTaskEvent(ctx.events, TaskEvent.Settled, task.id, { paid: "0", fee: "0", refunded: refunded.toString(), client: task.client });
    close(ctx, task, to, reason);
    return refunded;
  }

  /** x/attest: the result could not be established (e.g. dispute without majority) — full refund. */
  function failTask(ctx: Context, taskId: bigint, reason: string): bigint {
    return refundAndClose(ctx, requireTask(ctx, taskId), TaskStatus.TASK_STATUS_FAILED, reason);
  }

  /**
   * The client's fault (its input or program cannot be run by anyone asked): FAILED, and the
   * client forfeits unexecutable_fee_bps of the escrow (at least unexecutable_fee_min, at most
   * all of it) to the treasury — not to workers or auditors, so declining earns nothing.
   */
  function failUnexecutable(ctx: Context, taskId: bigint, reason: string): { fee: bigint; refunded: bigint } {
    const task = requireTask(ctx, taskId);
    if (isTerminal(task.status)) throw marketError(MarketCode.InvalidSettlement, `task ${taskId} is already ${TaskStatus[task.status]}`);
    const p = marketParams.get(ctx.store);
    const escrow = BigInt(task.escrow);
    const share = (escrow * BigInt(p.unexecutable_fee_bps)) / 10_000n;
    const min = BigInt(p.unexecutable_fee_min);
    const fee = share > min ? (share > escrow ? escrow : share) : min > escrow ? escrow : min;
    treasury.deposit(ctx, MARKET_ESCROW, fee, "unexecutable_fee");
    task.escrow = (escrow - fee).toString();
    const refunded = refundRest(ctx, task);
    emitTaskEvent(ctx.events, TaskEvent.Settled, task.id, { paid: "0", fee: fee.toString(), refunded: refunded.toString(), client: task.client });
    close(ctx, task, TaskStatus.TASK_STATUS_FAILED, reason);
    return { fee, refunded };
  }

  /**
   * A worker gives back an uncommitted slot it cannot run. No slash, no CV or EWMA change (the
   * decline is counted: workers' decline rate); it is excluded from the task, which goes back to
   * the queue. Once declines_to_fail distinct workers (at least k) declined for one reason class
   * and nobody committed a result, the task is unexecutable: FAILED at the client's cost.
   */
  function declineSlot(ctx: Context, taskId: bigint, worker: string, reasonClass: string): boolean {
    const task = requireTask(ctx, taskId);
    const slot = task.assignments.find((a) => a.worker === worker);
    if (isTerminal(task.status)) throw marketError(MarketCode.TaskEnded, `task ${taskId} is already ${TaskStatus[task.status]}`);
    if (!slot) throw marketError(MarketCode.NotAssigned, `${worker} holds no slot of task ${taskId}`);
    if (slot.committed) throw marketError(MarketCode.AlreadyCommitted, `${worker} already committed to task ${taskId}: a sealed result cannot be declined`);
    workers.recordDecline(ctx, worker, "declined");
    task.declines += 1;
    task.declineReason = task.declineReason === "" || task.declineReason === reasonClass ? reasonClass : "mixed";
    putTask(ctx.store, task);
    emitTaskEvent(ctx.events, TaskEvent.Declined, taskId, { worker, reason: reasonClass, declines: String(task.declines) });
    const needed = Math.max(marketParams.get(ctx.store).declines_to_fail, task.redundancy);
    if (task.declineReason !== "mixed" && task.declines >= needed && !task.assignments.some((a) => a.committed)) {
      failUnexecutable(ctx, taskId, `unexecutable:${reasonClass}`);
      return true;
    }
    reassignSlot(ctx, taskId, worker, `declined:${reasonClass}`);
    return false;
  }

  /**
   * x/attest: the result is final. Each payout goes to its worker minus market_fee_bps (to the
   * treasury); the client gets back escrow − Σ payouts. Exact, in this block.
   */
  function settleFinalized(
    ctx: Context,
    taskId: bigint,
    payouts: readonly Payout[],
    reason = "finalized",
    to: TaskStatus = TaskStatus.TASK_STATUS_FINALIZED,
  ): { fee: bigint; fees: bigint[]; refunded: bigint } {
    const task = requireTask(ctx, taskId);
    if (isTerminal(task.status) || task.status === TaskStatus.TASK_STATUS_PENDING) {
      throw marketError(MarketCode.InvalidSettlement, `task ${taskId} cannot be settled from ${TaskStatus[task.status]}`);
    }
    const feeBps = BigInt(marketParams.get(ctx.store).market_fee_bps);
    const seen = new Set<string>();
    let paid = 0n;
    for (const p of payouts) {
      const a = task.assignments.find((x) => x.worker === p.worker);
      if (!a || seen.has(p.worker)) throw marketError(MarketCode.InvalidSettlement, `payout to ${p.worker}: not (or twice) an assigned worker of task ${taskId}`);
      seen.add(p.worker);
      const cap = BigInt(a.pricePerUnit) * task.units;
      if (p.amount < 0n || p.amount > cap) throw marketError(MarketCode.InvalidSettlement, `payout ${p.amount} to ${p.worker} exceeds price × units = ${cap}`);
      paid += p.amount;
    }
    const fees = payouts.map((p) => (p.amount * feeBps) / 10_000n);
    const fee = fees.reduce((sum, f) => sum + f, 0n);
    const escrow = BigInt(task.escrow);
    if (paid > escrow) throw marketError(MarketCode.InvalidSettlement, `payouts ${paid} exceed escrow ${escrow}`);
    payouts.forEach((p, i) => {
      const net = p.amount - fees[i]!;
      if (net > 0n) bank.sendFromModule(ctx, MARKET_ESCROW, parseAccountAddress(p.worker), [{ denom: BASE_DENOM, amount: net }]);
    });
    treasury.deposit(ctx, MARKET_ESCROW, fee, "market_fee");
    payouts.forEach((p, i) => hooks.resultPaid?.(ctx, p.worker, fees[i]!));
    const latencies = payouts.flatMap((p) => {
      const a = task.assignments.find((x) => x.worker === p.worker)!;
      return a.committed ? [{ operator: p.worker, latencyBlocks: a.committedHeight - a.assignedHeight }] : [];
    });
    if (latencies.length >= 2) hooks.resultsSettled?.(ctx, latencies);
    task.escrow = (escrow - paid).toString();
    const refunded = refundRest(ctx, task);
    emitTaskEvent(ctx.events, TaskEvent.Settled, task.id, { paid: paid.toString(), fee: fee.toString(), refunded: refunded.toString(), client: task.client });
    close(ctx, task, to, reason);
    return { fee, fees, refunded };
  }

  /**
   * Failover: `worker` did not commit in time. It loses the slot (reliability down, part of
   * its bond to the treasury, never again assigned this task) and the task goes back to the
   * queue — or, once max_retries reassignments are used up, EXPIRES with a full refund.
   */
  function timeoutSlot(ctx: Context, taskId: bigint, worker: string): void {
    const task = requireTask(ctx, taskId);
    if (!task.assignments.some((a) => a.worker === worker && !a.committed)) return;
    const params = marketParams.get(ctx.store);
    workers.recordResult(ctx, worker, false, "commit_timeout");
    workers.slashBond(ctx, worker, params.timeout_slash_bps, "commit_timeout", { task_id: taskId.toString() });
    reassignSlot(ctx, taskId, worker, "commit_timeout");
  }

  /**
   * Takes a slot (committed or not) away from `worker`, excludes it from the task and requeues
   * the task (retries + 1) — or EXPIRES it with a full refund once max_retries are used up.
   * x/attest calls this when a committed worker does not reveal; penalties are the caller's.
   */
  function reassignSlot(ctx: Context, taskId: bigint, worker: string, reason: string): void {
    const task = requireTask(ctx, taskId);
    const index = task.assignments.findIndex((a) => a.worker === worker);
    if (index < 0) return;
    const params = marketParams.get(ctx.store);
    const [lost] = task.assignments.splice(index, 1);
    if (!lost!.committed) removeSlotTimeout(ctx.store, lost!.commitByHeight, taskId, worker);
    workers.adjustOpenTasks(ctx.store, worker, -1);
    task.excludedWorkers.push(worker);
    emitTaskEvent(ctx.events, TaskEvent.SlotTimeout, taskId, { worker, reason });
    if (task.retries >= params.max_retries) {
      refundAndClose(ctx, task, TaskStatus.TASK_STATUS_EXPIRED, "max_retries");
      return;
    }
    task.retries += 1;
    if (task.status !== TaskStatus.TASK_STATUS_PENDING) {
      setTaskStatus(ctx, task, TaskStatus.TASK_STATUS_PENDING, reason);
      enqueue(ctx.store, task);
    }
    putTask(ctx.store, task);
  }

  /** markCommitted, then the slotCommitted hook with the slot's assign→commit latency (first commit only). */
  function markCommittedAndNotify(ctx: Context, taskId: bigint, worker: string): void {
    const latency = markCommitted(ctx, taskId, worker);
    if (latency) hooks.slotCommitted?.(ctx, worker, latency.blocks, latency.units);
  }

  return { escrowAccount: MARKET_ESCROW, getTask: readTask, requireTask, isTerminal, moveTask, assignSlot, markCommitted: markCommittedAndNotify, reassignSlot, timeoutSlot, refundAndClose, failTask, failUnexecutable, declineSlot, settleFinalized, basePrice: getBasePrice };
}
