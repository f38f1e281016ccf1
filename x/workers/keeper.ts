import { CLEAR_RUNTIMES } from "../../app/program-runtimes.js";
import { BASE_DENOM, MAX_SUPPLY, parseAmount } from "../../app/coins.js";
import type { MsgRegisterWorker, MsgUpdateWorker } from "../../proto/gen/ogpu/workers/v1/tx.js";
import type { Context } from "../../app/context.js";
import { parseAccountAddress } from "../../app/address.js";
import type { KVStore } from "../../app/store/kvstore.js";
import { Reliability, Worker, WorkerStatus, type Gpu } from "../../proto/gen/ogpu/workers/v1/workers.js";
import type { BankKeeper } from "../bank/keeper.js";
import type { TreasuryKeeper } from "../treasury/keeper.js";
import { emitWorkerEvent, WorkerEvent } from "./events.js";
import { invalidWorker as invalid, workersError, WorkersCode } from "./errors.js";
import { workersParams, type GpuCatalogEntry, type WorkersParams } from "./params.js";
import { addExit, allWorkers, dueExits, getWorker, setWorker } from "./store.js";
import { createAnomalyDetector, type PeerLatency } from "./anomaly.js";

/** Worker reads and writes for x/workers' own files, tools and tests (the layout stays in store.ts). */
export { allWorkers, getWorker, setWorker } from "./store.js";

/** Module account holding every worker's bond (exiting ones included). */
export const WORKER_BONDS = "worker_bonds";
/** Why part of a bond is slashed (each has its own treasury reason, `<reason>_slash`). */
export type BondSlashReason = "commit_timeout" | "reveal_timeout" | "anomaly";

/** The worker or a `workers` code 5 error naming it. */
export function requireWorker(store: KVStore, operator: string): Worker {
  const w = getWorker(store, operator);
  if (!w) throw workersError(WorkersCode.WorkerNotFound, `worker ${operator} is not registered`);
  return w;
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

/** What a task asks of a worker's hardware (per GPU card) and software. */
export interface GpuRequirement {
  minVramMb: bigint;
  models: readonly string[];
  tier: number;
  /** Program runtime the worker must advertise; "" = none needed (built-in kernel). */
  runtime: string;
  /** GPU devices needed on the worker, each meeting vram, model and tier; 0 = one matching GPU kind suffices. */
  gpus: number;
}

/** Hardware (and runtime) test for one (worker offer, requirement) pair. */
export type HardwareMatch = (offer: { readonly gpus: readonly Gpu[]; readonly runtimes: readonly string[] }, req: GpuRequirement) => boolean;

/**
 * A matcher bound to the current GPU catalogue (looked up once, not per pair): true when the
 * worker advertises the required runtime and one of its GPU kinds meets vram, model and tier at
 * once — or, when the task needs `gpus` devices, its matching GPU devices (not the CPU class)
 * number at least that many.
 */
export function hardwareMatcher(store: KVStore): HardwareMatch {
  const tiers = new Map(workersParams.get(store).gpu_catalog.map((e) => [e.model, e.tier]));
  // A plain loop, no closure per call: the scheduler calls this up to max_worker_checks_per_block times a block.
  return (offer, req) => {
    if (req.runtime !== "" && !offer.runtimes.includes(req.runtime)) return false;
    let devices = 0;
    for (const g of offer.gpus) {
      if (g.vramMb >= req.minVramMb && (req.models.length === 0 || req.models.includes(g.model)) && (tiers.get(g.model) ?? -1) >= req.tier) {
        if (req.gpus === 0) return true;
        if (g.vendor !== "cpu") devices += g.count;
      }
    }
    return req.gpus > 0 && devices >= req.gpus;
  };
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

/**
 * Folds one result into the reliability state: success raises CV and the EWMA, failure resets CV.
 * A failure moves the EWMA by α; a success by α × min(fee, reliability_full_fee) /
 * reliability_full_fee, `feePaid` being the market fee its payout paid: success is weighted by
 * paid work, so fee-less self-dealt tasks cannot lift a failed worker's rate (and its
 * operator's r_i) back (issue 10 item 5).
 */
export function recordResult(ctx: Context, operator: string, success: boolean, reason: string, feePaid = 0n): Reliability {
  const w = requireWorker(ctx.store, operator);
  const rel = w.reliability ?? newReliability(ctx.store);
  const p = workersParams.get(ctx.store);
  const fullFee = BigInt(p.reliability_full_fee);
  const weightBps = success ? Number(((feePaid < fullFee ? feePaid : fullFee) * 10_000n) / fullFee) : 10_000;
  const alpha = Math.trunc((p.ewma_alpha_bps * weightBps) / 10_000);
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

/**
 * The worker declined an assignment (x/market MsgDeclineAssignment): counted, so clients and
 * operators see a decline rate (declines / (successes + timeouts + declines)), but CV, EWMA and
 * bond are untouched — a task nobody can run is not the worker's fault.
 */
export function recordDecline(ctx: Context, operator: string, reason: string): Reliability {
  const w = requireWorker(ctx.store, operator);
  const rel = w.reliability ?? newReliability(ctx.store);
  rel.declines += 1n;
  w.reliability = rel;
  setWorker(ctx.store, w);
  emitWorkerEvent(ctx.events, WorkerEvent.Reliability, operator, { cv: rel.cv.toString(), ewma_success_bps: String(rel.ewmaSuccessBps), declines: rel.declines.toString(), reason });
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
  addExit(store, at, w.operator);
  return at;
}

/** A decimal uogpu price in 1..MAX_SUPPLY, or a `workers` InvalidPrice error. */
export function validatePrice(text: string): bigint {
  let price: bigint;
  try {
    price = parseAmount(text);
  } catch {
    throw workersError(WorkersCode.InvalidPrice, `invalid price_per_unit "${text}": must be a decimal uogpu amount`);
  }
  if (price === 0n || price > MAX_SUPPLY) throw workersError(WorkersCode.InvalidPrice, `price_per_unit ${text} must be in 1..${MAX_SUPPLY} uogpu`);
  return price;
}

/** A decimal uogpu bond amount, or an InvalidWorker error naming `field`. */
export function bondAmount(text: string, field: string): bigint {
  try {
    return parseAmount(text);
  } catch {
    throw invalid(`invalid ${field} "${text}": must be a decimal uogpu amount`);
  }
}

/** Checks that depend on params: catalogued models, max_concurrent bound. */
function checkOfferAgainstParams(store: KVStore, gpus: readonly Gpu[], maxConcurrent: number): void {
  for (const g of gpus) gpuTier(store, g.model);
  const limit = workersParams.get(store).max_concurrent_limit;
  if (maxConcurrent < 1 || maxConcurrent > limit) throw invalid(`max_concurrent ${maxConcurrent} must be in 1..${limit}`);
}

/** What others learn from x/workers (set in app/modules.ts). */
export interface WorkersHooks {
  /** A worker's EWMA success rate changed (x/staking turns it into the operator's reliability r_i). */
  reliabilityChanged?(ctx: Context, operator: Uint8Array, ewmaSuccessBps: number): void;
  /** A sign of life (register, update, heartbeat) at the block's height (x/mint's uptime T_i). */
  heartbeat?(ctx: Context, operator: string): void;
}

/** What x/workers needs: bank moves bonds (back to the operator on exit); a slashed share is deposited in the treasury. */
export interface WorkersDeps {
  bank: Pick<BankKeeper, "sendFromModule" | "sendToModule" | "getBalance">;
  treasury: Pick<TreasuryKeeper, "deposit">;
  hooks: WorkersHooks;
}

/** x/workers' surface: the registry and reliability for x/market (scheduling) and x/attest (verdicts). */
export interface WorkersKeeper {
  /** Module account holding worker bonds. */
  readonly bondsAccount: string;
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
  slashBond(ctx: Context, operator: string, bps: number, reason: BondSlashReason, attributes?: Record<string, string>): bigint;
  /** Jails a worker until `until` (x/attest uses this on a wrong result). */
  jailWorker(ctx: Context, operator: string, until: bigint, reason: string): void;
  /** Folds one result into the reliability state: success raises CV and the EWMA, failure resets CV. */
  /** `feePaid`: the market fee a verified result's payout paid (weights the success in the EWMA). */
  recordResult(ctx: Context, operator: string, success: boolean, reason: string, feePaid?: bigint): Reliability;
  /** A declined assignment: counted in the decline rate, no penalty (anomaly detection may flag a high rate). */
  recordDecline(ctx: Context, operator: string, reason: string): Reliability;
  /** x/market's slotCommitted hook: a commit's assign→commit latency feeds anomaly detection (docs/anomaly.md). */
  recordCommitLatency(ctx: Context, operator: string, latencyBlocks: bigint, units: bigint): void;
  /** x/market's resultsSettled hook: the verified workers of one task and their assign→commit latencies (the peer rule, docs/anomaly.md). */
  recordPeerLatencies(ctx: Context, samples: readonly PeerLatency[]): void;
  /** Takes (+1) or frees (−1) one of a worker's concurrent task slots. */
  adjustOpenTasks(store: KVStore, operator: string, delta: 1 | -1): void;
  /** endBlock: returns the bonds of exits whose unbonding delay has passed. */
  completeExits(ctx: Context): void;
  /** The Msgs' state changes (msgs.ts decodes and checks statelessly, then calls these). */
  registerWorker(ctx: Context, msg: MsgRegisterWorker): void;
  updateWorker(ctx: Context, msg: MsgUpdateWorker): void;
  heartbeat(ctx: Context, operator: string): void;
  exitWorker(ctx: Context, operator: string): bigint;
}

export function createWorkersKeeper({ bank, treasury, hooks }: WorkersDeps): WorkersKeeper {
  /** Moves part of a worker's bond to the treasury; returns the amount taken. */
  function slashBond(ctx: Context, operator: string, bps: number, reason: BondSlashReason, attributes: Record<string, string> = {}): bigint {
    const w = requireWorker(ctx.store, operator);
    const amount = (bondOf(w) * BigInt(bps)) / 10_000n;
    if (amount === 0n) return 0n;
    w.bond = (bondOf(w) - amount).toString();
    setWorker(ctx.store, w);
    treasury.deposit(ctx, WORKER_BONDS, amount, `${reason}_slash`);
    emitWorkerEvent(ctx.events, WorkerEvent.Slashed, operator, { amount: `${amount}${BASE_DENOM}`, reason, ...attributes });
    return amount;
  }

  function lockBond(ctx: Context, operator: string, amount: bigint): void {
    if (amount > 0n) bank.sendToModule(ctx, parseAccountAddress(operator, "operator"), WORKER_BONDS, [{ denom: BASE_DENOM, amount }]);
  }

  function requireActive(store: KVStore, operator: string): Worker {
    const w = requireWorker(store, operator);
    if (w.exitHeight > 0n) throw workersError(WorkersCode.WorkerExiting, `worker ${operator} is exiting (bond returns at height ${w.exitHeight})`);
    return w;
  }

  /** MsgRegisterWorker after its stateless checks: params, minimum bond, bond locked, record written. */
  function registerWorker(ctx: Context, msg: MsgRegisterWorker): void {
    if (getWorker(ctx.store, msg.operator)) throw workersError(WorkersCode.AlreadyRegistered, `worker ${msg.operator} is already registered`);
    checkOfferAgainstParams(ctx.store, msg.gpus, msg.maxConcurrent);
    const bond = bondAmount(msg.bond, "bond");
    const min = BigInt(workersParams.get(ctx.store).min_worker_bond);
    if (bond < min) throw workersError(WorkersCode.BondTooSmall, `bond ${bond}${BASE_DENOM} is below min_worker_bond ${min}${BASE_DENOM}`);
    lockBond(ctx, msg.operator, bond);
    setWorker(ctx.store, {
      operator: msg.operator,
      gpus: msg.gpus,
      region: msg.region,
      pricePerUnit: validatePrice(msg.pricePerUnit).toString(),
      maxConcurrent: msg.maxConcurrent,
      encPubkey: msg.encPubkey,
      bond: bond.toString(),
      registeredHeight: ctx.block.height,
      lastHeartbeatHeight: ctx.block.height,
      openTasks: 0,
      reliability: newReliability(ctx.store),
      exitHeight: 0n,
      // Written on the first counted event (docs/anomaly.md).
      anomaly: undefined,
      runtimes: msg.runtimes,
    });
    hooks.heartbeat?.(ctx, msg.operator);
    emitWorkerEvent(ctx.events, WorkerEvent.Registered, msg.operator, {
      region: msg.region,
      price_per_unit: msg.pricePerUnit,
      gpu_models: msg.gpus.map((g) => g.model).join(","),
      bond: `${bond}${BASE_DENOM}`,
    });
  }

  /** MsgUpdateWorker: changes the given offer fields, adds bond, counts as a heartbeat. */
  function updateWorker(ctx: Context, msg: MsgUpdateWorker): void {
    const w = requireActive(ctx.store, msg.operator);
    if (msg.gpus.length > 0) w.gpus = msg.gpus;
    if (msg.region !== "") w.region = msg.region;
    if (msg.pricePerUnit !== "") w.pricePerUnit = validatePrice(msg.pricePerUnit).toString();
    if (msg.maxConcurrent !== 0) w.maxConcurrent = msg.maxConcurrent;
    if (msg.encPubkey.length > 0) w.encPubkey = msg.encPubkey;
    if (msg.runtimes.length > 0) w.runtimes = msg.runtimes[0] === CLEAR_RUNTIMES ? [] : msg.runtimes;
    checkOfferAgainstParams(ctx.store, w.gpus, w.maxConcurrent);
    const added = msg.addBond === "" ? 0n : bondAmount(msg.addBond, "add_bond");
    lockBond(ctx, msg.operator, added);
    w.bond = (BigInt(w.bond) + added).toString();
    // An update is also a sign of life.
    w.lastHeartbeatHeight = ctx.block.height;
    setWorker(ctx.store, w);
    hooks.heartbeat?.(ctx, msg.operator);
    emitWorkerEvent(ctx.events, WorkerEvent.Updated, msg.operator, { price_per_unit: w.pricePerUnit, region: w.region, bond: `${w.bond}${BASE_DENOM}` });
  }

  function heartbeat(ctx: Context, operator: string): void {
    const w = requireActive(ctx.store, operator);
    w.lastHeartbeatHeight = ctx.block.height;
    setWorker(ctx.store, w);
    hooks.heartbeat?.(ctx, operator);
    emitWorkerEvent(ctx.events, WorkerEvent.Heartbeat, operator, { height: ctx.block.height.toString() });
  }

  /** Starts an exit; returns the height its bond comes back. */
  function exitWorker(ctx: Context, operator: string): bigint {
    const w = requireActive(ctx.store, operator);
    // Open tasks still hold the bond as their guarantee: finish or lose them first.
    if (w.openTasks > 0) throw workersError(WorkersCode.TasksOpen, `worker ${operator} has ${w.openTasks} open task(s); exit after they settle`);
    const at = scheduleExit(ctx.store, w, ctx.block.height);
    emitWorkerEvent(ctx.events, WorkerEvent.ExitStarted, operator, { bond_return_height: at.toString(), reason: "exit_requested" });
    return at;
  }

  /** Returns the bonds of exits whose unbonding delay has passed (at most max_due_per_block a block) and deletes those workers. */
  function completeExits(ctx: Context): void {
    for (const { operator, worker: w, remove } of dueExits(ctx.store, ctx.block.height, workersParams.get(ctx.store).max_due_per_block)) {
      const bond = bondOf(w);
      if (bond > 0n) bank.sendFromModule(ctx, WORKER_BONDS, operator, [{ denom: BASE_DENOM, amount: bond }]);
      remove();
      emitWorkerEvent(ctx.events, WorkerEvent.Exited, w.operator, { bond_returned: `${bond}${BASE_DENOM}`, reason: "unbonding_complete" });
    }
  }

  const anomaly = createAnomalyDetector({
    requireWorker: (ctx, operator) => requireWorker(ctx.store, operator),
    setWorker: (ctx, w) => setWorker(ctx.store, w),
    workerTier: (ctx, w) => workerTier(ctx.store, w),
    jailWorker,
    slashBond,
  });

  /** recordResult, then the hook (the operator's reliability follows the new EWMA), then anomaly detection. */
  function recordResultAndNotify(ctx: Context, operator: string, success: boolean, reason: string, feePaid?: bigint): Reliability {
    const rel = recordResult(ctx, operator, success, reason, feePaid);
    hooks.reliabilityChanged?.(ctx, parseAccountAddress(operator, "operator"), rel.ewmaSuccessBps);
    anomaly.observeOutcome(ctx, operator, !success);
    return rel;
  }

  function recordDeclineAndObserve(ctx: Context, operator: string, reason: string): Reliability {
    const rel = recordDecline(ctx, operator, reason);
    anomaly.observeDecline(ctx, operator);
    return rel;
  }

  return { bondsAccount: WORKER_BONDS, params: (store) => workersParams.get(store), getWorker, requireWorker, setWorker, allWorkers, workerStatus, gpuTier, workerTier, hardwareMatcher, slashBond, jailWorker, recordResult: recordResultAndNotify, recordDecline: recordDeclineAndObserve, recordCommitLatency: anomaly.observeCommitLatency, recordPeerLatencies: anomaly.observePeerLatencies, adjustOpenTasks, completeExits, registerWorker, updateWorker, heartbeat, exitWorker };
}
