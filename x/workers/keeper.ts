import { BASE_DENOM } from "../../app/coins.js";
import type { Context } from "../../app/context.js";
import { parseAccountAddress } from "../../app/address.js";
import { addDue, dueEntries } from "../../app/store/due-index.js";
import { keyBytes, lengthPrefixed } from "../../app/store/keys.js";
import type { KVStore } from "../../app/store/kvstore.js";
import { Reliability, Worker, WorkerStatus, type Gpu } from "../../proto/gen/ogpu/workers/v1/workers.js";
import type { BankKeeper } from "../bank/keeper.js";
import { emitWorkerEvent, WorkerEvent } from "./events.js";
import { workersError, WorkersCode } from "./errors.js";
import { workersParams, type GpuCatalogEntry, type WorkersParams } from "./params.js";
import { moduleAddress } from "../../app/address.js";

/** Module account holding every worker's bond (exiting ones included). */
export const WORKER_BONDS = "worker_bonds";
/** Module account receiving market fees and timeout slashes. */
export const TREASURY = "treasury";

/** Workers: "workers/w/" ‖ len‖operator → Worker; exits: "workers/exit/" ‖ u64(height) ‖ len‖operator. */
const WORKER = "workers/w/";
const EXIT_QUEUE = "workers/exit/";

const workerKey = (operator: Uint8Array) => WORKER + lengthPrefixed(operator);

export function getWorker(store: KVStore, operator: string): Worker | undefined {
  const raw = store.get(workerKey(parseAccountAddress(operator, "operator")));
  return raw === undefined ? undefined : Worker.decode(raw);
}

/** The worker or a `workers` code 5 error naming it. */
export function requireWorker(store: KVStore, operator: string): Worker {
  const w = getWorker(store, operator);
  if (!w) throw workersError(WorkersCode.WorkerNotFound, `worker ${operator} is not registered`);
  return w;
}

export function setWorker(store: KVStore, worker: Worker): void {
  store.set(workerKey(parseAccountAddress(worker.operator, "operator")), Worker.encode(worker).finish());
}

/** Every worker in operator-address order (deterministic). */
export function* allWorkers(store: KVStore): Iterable<Worker> {
  for (const [, value] of store.iterate(WORKER)) yield Worker.decode(value);
}

export function newReliability(store: KVStore): Reliability {
  return Reliability.fromPartial({ ewmaSuccessBps: workersParams.get(store).initial_ewma_bps });
}

/** Status at `height`: exiting beats jailed beats offline; derived, never stored. */
export function workerStatus(store: KVStore, w: Worker, height: bigint): WorkerStatus {
  if (w.exitHeight > 0n) return WorkerStatus.WORKER_STATUS_EXITING;
  if ((w.reliability?.jailedUntil ?? 0n) > height) return WorkerStatus.WORKER_STATUS_JAILED;
  const timeout = BigInt(workersParams.get(store).heartbeat_timeout_blocks);
  return height - w.lastHeartbeatHeight > timeout ? WorkerStatus.WORKER_STATUS_OFFLINE : WorkerStatus.WORKER_STATUS_ONLINE;
}

/** Catalogue lookup by model name. */
export function catalogEntry(store: KVStore, model: string): GpuCatalogEntry | undefined {
  return workersParams.get(store).gpu_catalog.find((e) => e.model === model);
}

/** Tier of one GPU model, or a `workers` code 3 error for a model the catalogue does not list. */
export function gpuTier(store: KVStore, model: string): number {
  const entry = catalogEntry(store, model);
  if (!entry) {
    const known = workersParams.get(store).gpu_catalog.map((e) => e.model).join(", ");
    throw workersError(WorkersCode.UnknownGpuModel, `unknown GPU model "${model}" (known: ${known})`);
  }
  return entry.tier;
}

/** A worker's tier is its best GPU's. */
export function workerTier(store: KVStore, w: Worker): number {
  return Math.max(0, ...w.gpus.map((g) => catalogEntry(store, g.model)?.tier ?? 0));
}

/** What a task asks of one GPU card. */
export interface GpuRequirement {
  minVramMb: bigint;
  models: readonly string[];
  tier: number;
}

/** Hardware test for one (GPU list, requirement) pair. */
export type HardwareMatch = (gpus: readonly Gpu[], req: GpuRequirement) => boolean;

/**
 * A matcher bound to the current GPU catalogue (looked up once, not per pair): true when one
 * of the worker's GPU kinds meets vram, model and tier at once.
 */
export function hardwareMatcher(store: KVStore): HardwareMatch {
  const tiers = new Map(workersParams.get(store).gpu_catalog.map((e) => [e.model, e.tier]));
  return (gpus, req) =>
    gpus.some((g) => g.vramMb >= req.minVramMb && (req.models.length === 0 || req.models.includes(g.model)) && (tiers.get(g.model) ?? -1) >= req.tier);
}

export const bondOf = (w: Worker): bigint => BigInt(w.bond);

/** Jails a worker until `until` (x/attest uses this on a wrong result). */
export function jailWorker(ctx: Context, operator: string, until: bigint, reason: string): void {
  const w = requireWorker(ctx.store, operator);
  const rel = w.reliability ?? newReliability(ctx.store);
  rel.jailedUntil = until > rel.jailedUntil ? until : rel.jailedUntil;
  rel.cv = 0n;
  w.reliability = rel;
  setWorker(ctx.store, w);
  emitWorkerEvent(ctx.events, WorkerEvent.Jailed, operator, { until: until.toString(), reason });
}

/** Folds one result into the reliability state: success raises CV and the EWMA, failure resets CV. */
export function recordResult(ctx: Context, operator: string, success: boolean, reason: string): Reliability {
  const w = requireWorker(ctx.store, operator);
  const rel = w.reliability ?? newReliability(ctx.store);
  const alpha = workersParams.get(ctx.store).ewma_alpha_bps;
  const sample = success ? 10_000 : 0;
  // Integer EWMA in basis points; truncation toward the old value keeps it in 0..10000.
  rel.ewmaSuccessBps = rel.ewmaSuccessBps + Math.trunc(((sample - rel.ewmaSuccessBps) * alpha) / 10_000);
  if (success) {
    rel.cv += 1n;
    rel.successes += 1n;
  } else {
    rel.cv = 0n;
    rel.timeouts += 1n;
  }
  w.reliability = rel;
  setWorker(ctx.store, w);
  emitWorkerEvent(ctx.events, WorkerEvent.Reliability, operator, { cv: rel.cv.toString(), ewma_success_bps: String(rel.ewmaSuccessBps), reason });
  return rel;
}

/** Takes (+1) or frees (−1) one of a worker's concurrent task slots. */
export function adjustOpenTasks(store: KVStore, operator: string, delta: 1 | -1): void {
  const w = requireWorker(store, operator);
  if (delta < 0 && w.openTasks === 0) throw new Error(`worker ${operator} has no open task to release`);
  w.openTasks += delta;
  setWorker(store, w);
}

/** Starts the unbonding of an exiting worker; the record stays until the bond returns. */
export function scheduleExit(store: KVStore, w: Worker, height: bigint): bigint {
  const at = height + BigInt(workersParams.get(store).unbonding_blocks);
  w.exitHeight = at;
  setWorker(store, w);
  addDue(store, EXIT_QUEUE, at, lengthPrefixed(parseAccountAddress(w.operator)));
  return at;
}

/** What others learn from x/workers (set in app/modules.ts). */
export interface WorkersHooks {
  /** A worker's EWMA success rate changed (x/staking turns it into the operator's reliability r_i). */
  reliabilityChanged?(ctx: Context, operator: Uint8Array, ewmaSuccessBps: number): void;
}

/** What x/workers needs: bank moves bonds (to the treasury on a slash, back to the operator on exit). */
export interface WorkersDeps {
  bank: Pick<BankKeeper, "sendFromModule" | "sendToModule" | "getBalance">;
  hooks: WorkersHooks;
}

/** x/workers' surface: the registry and reliability for x/market (scheduling) and x/attest (verdicts). */
export interface WorkersKeeper {
  /** Module account holding worker bonds. */
  readonly bondsAccount: string;
  /** Module account receiving slashed bonds and protocol fees. */
  readonly treasury: string;
  params(store: KVStore): WorkersParams;
  getWorker(store: KVStore, operator: string): Worker | undefined;
  requireWorker(store: KVStore, operator: string): Worker;
  setWorker(store: KVStore, worker: Worker): void;
  allWorkers(store: KVStore): Iterable<Worker>;
  workerStatus(store: KVStore, w: Worker, height: bigint): WorkerStatus;
  gpuTier(store: KVStore, model: string): number;
  workerTier(store: KVStore, w: Worker): number;
  hardwareMatcher(store: KVStore): HardwareMatch;
  /** Moves part of a worker's bond to the treasury; returns the amount taken. */
  slashBond(ctx: Context, operator: string, bps: number, reason: string, attributes?: Record<string, string>): bigint;
  /** Jails a worker until `until` (x/attest uses this on a wrong result). */
  jailWorker(ctx: Context, operator: string, until: bigint, reason: string): void;
  /** Folds one result into the reliability state: success raises CV and the EWMA, failure resets CV. */
  recordResult(ctx: Context, operator: string, success: boolean, reason: string): Reliability;
  /** Takes (+1) or frees (−1) one of a worker's concurrent task slots. */
  adjustOpenTasks(store: KVStore, operator: string, delta: 1 | -1): void;
  /** endBlock: returns the bonds of exits whose unbonding delay has passed. */
  completeExits(ctx: Context): void;
}

export function createWorkersKeeper({ bank, hooks }: WorkersDeps): WorkersKeeper {
  /** Moves part of a worker's bond to the treasury; returns the amount taken. */
  function slashBond(ctx: Context, operator: string, bps: number, reason: string, attributes: Record<string, string> = {}): bigint {
    const w = requireWorker(ctx.store, operator);
    const amount = (bondOf(w) * BigInt(bps)) / 10_000n;
    if (amount === 0n) return 0n;
    w.bond = (bondOf(w) - amount).toString();
    setWorker(ctx.store, w);
    bank.sendFromModule(ctx, WORKER_BONDS, moduleAddress(TREASURY), [{ denom: BASE_DENOM, amount }]);
    emitWorkerEvent(ctx.events, WorkerEvent.Slashed, operator, { amount: `${amount}${BASE_DENOM}`, reason, ...attributes });
    return amount;
  }

  /** Returns the bonds of exits whose unbonding delay has passed and deletes those workers. */
  function completeExits(ctx: Context): void {
    for (const { key, rest } of dueEntries(ctx.store, EXIT_QUEUE, ctx.block.height)) {
      const operator = keyBytes(rest.slice(1));
      const w = Worker.decode(ctx.store.get(workerKey(operator))!);
      const bond = bondOf(w);
      if (bond > 0n) bank.sendFromModule(ctx, WORKER_BONDS, operator, [{ denom: BASE_DENOM, amount: bond }]);
      ctx.store.delete(workerKey(operator));
      ctx.store.delete(key);
      emitWorkerEvent(ctx.events, WorkerEvent.Exited, w.operator, { bond_returned: `${bond}${BASE_DENOM}`, reason: "unbonding_complete" });
    }
  }

  /** recordResult, then the hook: the operator's reliability follows the new EWMA. */
  function recordResultAndNotify(ctx: Context, operator: string, success: boolean, reason: string): Reliability {
    const rel = recordResult(ctx, operator, success, reason);
    hooks.reliabilityChanged?.(ctx, parseAccountAddress(operator, "operator"), rel.ewmaSuccessBps);
    return rel;
  }

  return { bondsAccount: WORKER_BONDS, treasury: TREASURY, params: (store) => workersParams.get(store), getWorker, requireWorker, setWorker, allWorkers, workerStatus, gpuTier, workerTier, hardwareMatcher, slashBond, jailWorker, recordResult: recordResultAndNotify, adjustOpenTasks, completeExits };
}
