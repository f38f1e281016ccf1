import { asArray, asObject, asString, atPath, GenesisError } from "../../app/genesis-json.js";
import type { KVStore } from "../../app/store/kvstore.js";
import { ProgramRecord, Task, TaskStatus } from "../../proto/gen/ogpu/market/v1/market.js";
import { MAX_TASK_GPUS } from "../../app/program-runtimes.js";
import type { AuthKeeper } from "../auth/keeper.js";
import { MARKET_ESCROW } from "./keeper.js";
import { marketParams } from "./params.js";
import { getBasePrice, getUtilization, setBasePrice, setUtilization, TIERS } from "./pricing.js";
import { addSlotTimeout, allProgramRecords, allTasks, enqueue, isTerminal, markOpen, nextTaskId, putProgramRecord, putTask, schedulePrune, setNextTaskId } from "./store.js";

/**
 * `market` genesis: params, base prices per tier (default: the floors), and for exported
 * chains the utilisation each tier saw in the last block (bps; the next price move starts
 * from it), the tasks (base64 protobuf) and the next task id; indexes are rebuilt from the tasks.
 * `programs` is the program index (Query/Programs), one JSON object per program_hash; it is
 * state of its own (records outlive pruned tasks), not rebuilt from the tasks.
 */
export function initMarketGenesis(deps: { auth: Pick<AuthKeeper, "ensureModuleAccount"> }, store: KVStore, json: unknown): void {
  const state = asObject(json, "market");
  marketParams.set(store, atPath("market.params", () => marketParams.parse(state.params)));
  deps.auth.ensureModuleAccount(store, MARKET_ESCROW);
  const prices = asArray(state.base_prices, "market.base_prices");
  for (const tier of TIERS) {
    const given = prices[tier] === undefined ? undefined : asString(prices[tier], `market.base_prices[${tier}]`);
    if (given !== undefined && !/^[1-9][0-9]{0,11}$/.test(given)) throw new GenesisError(`market.base_prices[${tier}] must be a positive decimal uogpu amount`);
    setBasePrice(store, tier, given === undefined ? getBasePrice(store, tier) : BigInt(given));
  }
  asArray(state.utilization_bps ?? [], "market.utilization_bps").forEach((entry, tier) => {
    const path = `market.utilization_bps[${tier}]`;
    if (!TIERS.includes(tier) || typeof entry !== "number" || !Number.isInteger(entry) || entry < 0 || entry > 10_000) throw new GenesisError(`${path} must be an integer in [0, 10000] for a known tier`);
    if (entry !== 0) setUtilization(store, tier, entry);
  });
  asArray(state.tasks, "market.tasks").forEach((entry, i) => {
    const path = `market.tasks[${i}]`;
    const task = atPath(path, () => Task.decode(Buffer.from(asString(entry, path), "base64")));
    putTask(store, task);
    if (isTerminal(task.status)) return schedulePrune(store, task.updatedHeight + BigInt(marketParams.get(store).task_retention_blocks), task.id);
    markOpen(store, task);
    if (task.status === TaskStatus.TASK_STATUS_PENDING) enqueue(store, task);
    for (const a of task.assignments) if (!a.committed) addSlotTimeout(store, a.commitByHeight, task.id, a.worker);
  });
  asArray(state.programs ?? [], "market.programs").forEach((entry, i) => putProgramRecord(store, parseProgramRecord(entry, `market.programs[${i}]`)));
  if (state.next_task_id !== undefined) setNextTaskId(store, BigInt(asString(state.next_task_id, "market.next_task_id")));
}

export function exportMarketGenesis(store: KVStore): unknown {
  return {
    params: marketParams.get(store),
    base_prices: TIERS.map((t) => getBasePrice(store, t).toString()),
    utilization_bps: TIERS.map((t) => getUtilization(store, t)),
    tasks: [...allTasks(store)].map((t) => Buffer.from(Task.encode(t).finish()).toString("base64")),
    next_task_id: nextTaskId(store).toString(),
    programs: [...allProgramRecords(store)].map(programRecordJson),
  };
}

function programRecordJson(r: ProgramRecord): Record<string, string | number> {
  return {
    program_hash: r.programHash,
    kind: r.kind,
    runtime: r.runtime,
    gpus: r.gpus,
    first_seen_height: r.firstSeenHeight.toString(),
    last_seen_height: r.lastSeenHeight.toString(),
    task_count: r.taskCount.toString(),
  };
}

function parseProgramRecord(json: unknown, path: string): ProgramRecord {
  const o = asObject(json, path);
  const text = (field: string, max: number) => {
    const v = asString(o[field], `${path}.${field}`);
    if (v.length > max) throw new GenesisError(`${path}.${field} is longer than ${max} characters`);
    return v;
  };
  const height = (field: string) => {
    const v = asString(o[field], `${path}.${field}`);
    if (!/^(0|[1-9][0-9]{0,19})$/.test(v) || BigInt(v) >= 1n << 64n) throw new GenesisError(`${path}.${field} must be a decimal uint64`);
    return BigInt(v);
  };
  const gpus = o.gpus;
  if (typeof gpus !== "number" || !Number.isInteger(gpus) || gpus < 0 || gpus > MAX_TASK_GPUS) throw new GenesisError(`${path}.gpus must be an integer in 0..${MAX_TASK_GPUS}`);
  const record = {
    programHash: text("program_hash", 128),
    kind: text("kind", 64),
    runtime: text("runtime", 32),
    gpus,
    firstSeenHeight: height("first_seen_height"),
    lastSeenHeight: height("last_seen_height"),
    taskCount: height("task_count"),
  };
  if (record.programHash === "") throw new GenesisError(`${path}.program_hash must not be empty`);
  if (record.lastSeenHeight < record.firstSeenHeight) throw new GenesisError(`${path}: last_seen_height is below first_seen_height`);
  return record;
}

/** A fresh chain's `market` section (`ogpud init`): default params, no records. */
export function defaultMarketGenesis(): unknown {
  return { params: marketParams.parse(undefined), tasks: [] };
}
