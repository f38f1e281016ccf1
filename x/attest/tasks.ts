/** Helpers shared by attest's commit/reveal (keeper.ts), committees (committee.ts) and settlement (settle.ts). */
import type { Context } from "../../app/context.js";
import { Phase, type TaskRecord } from "../../proto/gen/ogpu/attest/v1/attest.js";
import { TaskStatus, type Task } from "../../proto/gen/ogpu/market/v1/market.js";
import type { MarketKeeper } from "../market/keeper.js";
import { attestError, AttestCode } from "./errors.js";
import { addDue, DRAWS } from "./store.js";

/**
 * The open task, or `attest` code 3 (absent) / 14 (ended). Every commit, reveal and vote goes
 * through here, so none can act on a task that already ended (a cancel earlier in the same block).
 */
export function requireOpenTask(market: Pick<MarketKeeper, "getTask" | "isTerminal">, ctx: Context, taskId: bigint): Task {
  const task = market.getTask(ctx.store, taskId);
  if (!task) throw attestError(AttestCode.TaskNotFound, `task ${taskId} not found`);
  if (market.isTerminal(task.status)) throw attestError(AttestCode.TaskEnded, `task ${taskId} has ended (${TaskStatus[task.status]}); it takes no more commits, reveals or votes`);
  return task;
}

/** The draw runs in the BeginBlock of the next block, seeded by that block's beacon. */
export function scheduleDraw(ctx: Context, record: TaskRecord): void {
  record.phase = record.phase === Phase.PHASE_DISPUTE ? Phase.PHASE_DISPUTE : Phase.PHASE_DRAW;
  record.drawHeight = ctx.block.height + 1n;
  addDue(ctx.store, DRAWS, record.drawHeight, record.taskId);
}

/** Terminal statuses are x/market's (one definition); anything else is still open. */
export const isOpen = (market: Pick<MarketKeeper, "isTerminal">, task: Task) => !market.isTerminal(task.status);
