import type { Context } from "../../app/context.js";
import { TaskStatus, type Task } from "../../proto/gen/ogpu/market/v1/market.js";
import { WorkerStatus } from "../../proto/gen/ogpu/workers/v1/workers.js";
import { PendingReason, setPendingReason, slotsNeeded, type MarketDeps, type MarketKeeper } from "./keeper.js";
import { marketParams } from "./params.js";
import { getBasePrice, TIERS, updateBasePrices, type TierLoad } from "./pricing.js";
import { taskRequirement } from "./requirements.js";
import { hardwareChecks, planAssignments, requirementShape, TASK_LOAD_CHECKS, type SchedulerTask, type SchedulerWorker } from "./scheduler.js";
import { deleteTask, dueDeadlines, dueSlots, getTask, isTerminal, queuedTaskIdsFromCursor, setScheduleCursor, takeDuePrunes } from "./store.js";
import { accountAddressString } from "../../app/address.js";

export function createMarketEndBlock(keeper: MarketKeeper, { workers: registry, hooks }: Pick<MarketDeps, "workers" | "hooks">): (ctx: Context) => void {
  /**
   * x/market's EndBlock, after every tx of the block (so a task submitted or a heartbeat sent
   * in this block already counts), in this order:
   *   1. commit timeouts (failover), 2. deadlines, 3. scheduling, 4. base prices,
   *   5. pruning of ended tasks past task_retention_blocks (at most max_prunes_per_block).
   */
  function marketEndBlock(ctx: Context): void {
    // At most max_due_per_block of each; the rest stay due and come first next block.
    const { max_due_per_block: maxDue } = marketParams.get(ctx.store);
    for (const { taskId, worker } of dueSlots(ctx.store, ctx.block.height, maxDue)) keeper.timeoutSlot(ctx, taskId, accountAddressString(worker));
    for (const id of dueDeadlines(ctx.store, ctx.block.height, maxDue)) expireAtDeadline(ctx, id);
    const workers = schedule(ctx);
    updateBasePrices(ctx, tierLoads(workers));
    pruneEndedTasks(ctx);
  }

  /** Ended tasks leave state after their retention window; their history is in the tx/event index. */
  function pruneEndedTasks(ctx: Context): void {
    const p = marketParams.get(ctx.store);
    for (const id of takeDuePrunes(ctx.store, ctx.block.height, p.max_prunes_per_block)) {
      const task = getTask(ctx.store, id);
      if (task && isTerminal(task.status)) deleteTask(ctx.store, task);
    }
  }

  /** Uncommitted tasks past their deadline expire with a full refund; committed ones are x/attest's. */
  function expireAtDeadline(ctx: Context, id: bigint): void {
    const task = getTask(ctx.store, id);
    if (task && (task.status === TaskStatus.TASK_STATUS_PENDING || task.status === TaskStatus.TASK_STATUS_ASSIGNED)) {
      keeper.refundAndClose(ctx, task, TaskStatus.TASK_STATUS_EXPIRED, "deadline");
    }
  }

  interface WorkerRow extends SchedulerWorker {
    tier: number;
  }

  /** Registered, non-exiting workers in address order, with their availability at this height. */
  function schedulerWorkers(ctx: Context): WorkerRow[] {
    const minBond = BigInt(registry.params(ctx.store).min_worker_bond);
    const trustCv = hooks.minTrustedCv?.(ctx) ?? 0n;
    const rows: WorkerRow[] = [];
    for (const w of registry.allWorkers(ctx.store)) {
      const status = registry.workerStatus(ctx.store, w, ctx.block.height);
      if (status === WorkerStatus.WORKER_STATUS_EXITING) continue;
      rows.push({
        operator: w.operator,
        gpus: w.gpus,
        runtimes: w.runtimes,
        price: BigInt(w.pricePerUnit),
        region: w.region,
        openTasks: w.openTasks,
        maxConcurrent: w.maxConcurrent,
        ewmaSuccessBps: w.reliability?.ewmaSuccessBps ?? 0,
        available: status === WorkerStatus.WORKER_STATUS_ONLINE && BigInt(w.bond) >= minBond,
        trusted: (w.reliability?.cv ?? 0n) >= trustCv,
        tier: registry.workerTier(ctx.store, w),
      });
    }
    return rows;
  }

  function schedulerTask(task: Task): SchedulerTask {
    const req = task.requirements;
    return {
      id: task.id,
      priority: task.priority,
      need: slotsNeeded(task),
      bid: BigInt(task.maxPricePerUnit),
      units: task.units,
      requirement: taskRequirement(req),
      preferredRegion: req?.preferredRegion ?? "",
      blocked: new Set([...task.assignments.map((a) => a.worker), ...task.excludedWorkers]),
      trustedOnly: task.redundancy < 2,
    };
  }

  /**
   * Plans up to max_tasks_per_block queued tasks, from the schedule cursor on, against the
   * workers within max_worker_checks_per_block, and applies the plan. When the budget stops
   * it, the cursor moves to the first task it did not examine, so the next block starts there.
   */
  function schedule(ctx: Context): WorkerRow[] {
    const p = marketParams.get(ctx.store);
    const basePrices = TIERS.map((t) => getBasePrice(ctx.store, t));
    const tasks = new Map<bigint, Task>();
    const candidates: SchedulerTask[] = [];
    const workers = schedulerWorkers(ctx);
    // One budget bounds all the per-block work a queue can cause: every task read and decoded
    // costs TASK_LOAD_CHECKS (below-base ones too), each new shape its hardware checks (the
    // planner counts the same way). The first task is always loaded, so the rotation moves.
    const shapes = new Set<string>();
    let checks = 0;
    let loaded = 0;
    let cut: Task | undefined;
    for (const id of queuedTaskIdsFromCursor(ctx.store)) {
      const task = getTask(ctx.store, id)!;
      if (tasks.size >= p.max_tasks_per_block || (loaded > 0 && loaded + checks + TASK_LOAD_CHECKS > p.max_worker_checks_per_block)) {
        cut = task;
        break;
      }
      loaded += TASK_LOAD_CHECKS;
      if (BigInt(task.maxPricePerUnit) < basePrices[task.requirements?.tier ?? 0]!) {
        // Passed by the cursor like any examined task: re-examined on the rotation's next lap.
        tasks.set(id, task);
        setPendingReason(ctx, task, PendingReason.PriceBelowBase);
        continue;
      }
      const candidate = schedulerTask(task);
      const shape = requirementShape(candidate.requirement);
      if (!shapes.has(shape)) {
        const cost = hardwareChecks(workers.length, candidate.requirement.models.length);
        if (checks > 0 && loaded + checks + cost > p.max_worker_checks_per_block) {
          cut = task;
          break;
        }
        shapes.add(shape);
        checks += cost;
      }
      tasks.set(id, task);
      candidates.push(candidate);
    }
    if (candidates.length === 0) {
      setScheduleCursor(ctx.store, cut);
      ctx.events.emit("schedule", { worker_checks: "0", task_loads: String(tasks.size), unexamined: String(cut === undefined ? 0 : 1) });
      return workers;
    }
    const plan = planAssignments(
      candidates,
      workers,
      {
        regionPenaltyBps: p.region_penalty_bps,
        loadPenaltyBps: p.load_penalty_bps,
        reliabilityCreditBps: p.reliability_credit_bps,
        maxNewSlotsPerWorker: p.max_new_slots_per_worker,
        maxWorkerChecks: p.max_worker_checks_per_block,
      },
      registry.hardwareMatcher(ctx.store),
    );
    for (const slot of plan.assignments) {
      keeper.assignSlot(ctx, tasks.get(slot.taskId)!, slot.worker, slot.price);
      workers[slot.workerIndex]!.openTasks += 1;
    }
    for (const [id, reason] of plan.waiting) setPendingReason(ctx, tasks.get(id)!, reason);
    const resume = plan.unexamined[0];
    setScheduleCursor(ctx.store, resume === undefined ? cut : tasks.get(resume));
    ctx.events.emit("schedule", { worker_checks: String(plan.checks), task_loads: String(tasks.size), unexamined: String(plan.unexamined.length + (cut === undefined ? 0 : 1)) });
    return workers;
  }

  /** Used and total slots of the available workers, per tier. */
  function tierLoads(workers: readonly WorkerRow[]): TierLoad[] {
    const loads = TIERS.map(() => ({ used: 0, capacity: 0 }));
    for (const w of workers) {
      if (!w.available) continue;
      loads[w.tier]!.used += w.openTasks;
      loads[w.tier]!.capacity += w.maxConcurrent;
    }
    return loads;
  }

  return marketEndBlock;
}
