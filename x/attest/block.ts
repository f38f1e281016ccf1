import type { Context } from "../../app/context.js";
import type { AttestKeeper } from "./keeper.js";
import { attestParams } from "./params.js";
import { clearDuty, COMMITTEE_DEADLINES, DRAWS, dueDuties, dueTasks, removeDue, REVEAL_DEADLINES } from "./store.js";

/**
 * BeginBlock at height H: the draws scheduled for H (tasks whose last reveal, or whose
 * dispute opening, was in H−1), seeded by ctx.block.beacon — validators' signatures over
 * block H−1, which nobody knew when any of those commits or reveals were made.
 */
export function attestBeginBlock(keeper: AttestKeeper, ctx: Context): void {
  for (const { height, taskId } of dueTasks(ctx.store, DRAWS, ctx.block.height, attestParams.get(ctx.store).max_due_per_block)) {
    removeDue(ctx.store, DRAWS, height, taskId);
    keeper.runDraw(ctx, taskId);
  }
}

/**
 * EndBlock (after x/market's, so a task the scheduler reassigns this block keeps its slots):
 * reveal timeouts, then committee deadlines, then votes owed and not delivered.
 */
export function attestEndBlock(keeper: AttestKeeper, ctx: Context): void {
  const h = ctx.block.height;
  // At most max_due_per_block of each kind; the rest stay due and come first next block.
  const maxDue = attestParams.get(ctx.store).max_due_per_block;
  for (const { height, taskId } of dueTasks(ctx.store, REVEAL_DEADLINES, h, maxDue)) {
    removeDue(ctx.store, REVEAL_DEADLINES, height, taskId);
    keeper.handleRevealTimeout(ctx, taskId);
  }
  for (const { height, taskId } of dueTasks(ctx.store, COMMITTEE_DEADLINES, h, maxDue)) keeper.handleCommitteeDeadline(ctx, taskId, height);
  for (const { taskId, validator } of dueDuties(ctx.store, h, maxDue)) {
    clearDuty(ctx.store, taskId, validator);
    keeper.slashAbsentAuditor(ctx, taskId, validator);
  }
}
