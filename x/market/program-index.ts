/**
 * The index of programs seen on chain (Query/Programs, `ogpud q market programs`): one record
 * per distinct program_hash, written by every MsgSubmitTask that names it — first and last
 * height, task count, and the runtime and GPU count of the first task. Records outlive pruned
 * tasks. The built-in kernels are listed beside it with their fixed program ids.
 */
import { BUILTIN_KERNEL_KINDS, builtinProgramId } from "../../app/program-runtimes.js";
import type { Context } from "../../app/context.js";
import type { BuiltinProgram, Task } from "../../proto/gen/ogpu/market/v1/market.js";
import { getProgramRecord, putProgramRecord } from "./store.js";

/**
 * Gas of one index write, as the Cosmos SDK's KV gas config prices a write (WriteCostFlat,
 * WriteCostPerByte): the submission pays for the bytes it adds to state.
 */
export const PROGRAM_INDEX_WRITE_GAS = 2_000;
export const PROGRAM_INDEX_GAS_PER_BYTE = 30;

/** Counts the task under its program_hash (new record on first sight) and charges the write. */
export function recordProgramUse(ctx: Context, task: Task): void {
  const known = getProgramRecord(ctx.store, task.programHash);
  const record = known
    ? { ...known, lastSeenHeight: ctx.block.height, taskCount: known.taskCount + 1n }
    : {
        programHash: task.programHash,
        kind: task.kind,
        runtime: task.requirements?.runtime ?? "",
        gpus: task.requirements?.gpus ?? 0,
        firstSeenHeight: ctx.block.height,
        lastSeenHeight: ctx.block.height,
        taskCount: 1n,
      };
  const bytes = putProgramRecord(ctx.store, record);
  ctx.gas.consume(PROGRAM_INDEX_WRITE_GAS + bytes * PROGRAM_INDEX_GAS_PER_BYTE, "market: program index");
}

/** The built-in kernels and their fixed program ids, in BUILTIN_KERNEL_KINDS order. */
export const builtinPrograms = (): BuiltinProgram[] => BUILTIN_KERNEL_KINDS.map((kind) => ({ kind, programHash: builtinProgramId(kind) }));
