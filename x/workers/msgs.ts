import { BASE_DENOM, MAX_SUPPLY, parseAmount } from "../../app/coins.js";
import { parseAccountAddress } from "../../app/address.js";
import type { Context } from "../../app/context.js";
import { defineMsg, type RegisteredMsg } from "../../app/module.js";
import { OGPU_MSG_TYPES } from "../../proto/msg-types.js";
import type { KVStore } from "../../app/store/kvstore.js";
import type { Gpu, Worker } from "../../proto/gen/ogpu/workers/v1/workers.js";
import type { WorkersDeps } from "./keeper.js";
import { workersError, WorkersCode } from "./errors.js";
import { emitWorkerEvent, WorkerEvent } from "./events.js";
import { getWorker, gpuTier, newReliability, requireWorker, scheduleExit, setWorker, WORKER_BONDS } from "./keeper.js";
import { workersParams } from "./params.js";
import { kemPublicKeyDefect } from "../../crypto/kem-pubkey.js";

/** X25519 public key (32 B) followed by an ML-KEM-768 encapsulation key (1184 B). */
export const ENC_PUBKEY_LENGTH = 32 + 1184;
const REGION_RE = /^[a-z0-9-]{1,32}$/;

const invalid = (message: string) => workersError(WorkersCode.InvalidWorker, message);

function validateGpus(gpus: readonly Gpu[]): void {
  if (gpus.length === 0) throw invalid("a worker must offer at least one GPU");
  if (gpus.length > 16) throw invalid("at most 16 GPU kinds per worker");
  gpus.forEach((g, i) => {
    if (g.model === "" || g.vendor === "") throw invalid(`gpus[${i}]: vendor and model are required`);
    // A CPU class has no device memory; every GPU has some.
    if (g.vramMb === 0n && g.vendor !== "cpu") throw invalid(`gpus[${i}]: vram_mb must be positive`);
    if (g.count === 0) throw invalid(`gpus[${i}]: count must be positive`);
  });
}

function validatePrice(text: string): bigint {
  let price: bigint;
  try {
    price = parseAmount(text);
  } catch {
    throw workersError(WorkersCode.InvalidPrice, `invalid price_per_unit "${text}": must be a decimal uogpu amount`);
  }
  if (price === 0n || price > MAX_SUPPLY) throw workersError(WorkersCode.InvalidPrice, `price_per_unit ${text} must be in 1..${MAX_SUPPLY} uogpu`);
  return price;
}

function validateOffer(msg: { gpus: Gpu[]; region: string; pricePerUnit: string; encPubkey: Uint8Array }, partial: boolean): void {
  if (!partial || msg.gpus.length > 0) validateGpus(msg.gpus);
  if ((!partial || msg.region !== "") && !REGION_RE.test(msg.region)) throw invalid(`region "${msg.region}" must be 1-32 chars of a-z, 0-9, -`);
  if (!partial || msg.pricePerUnit !== "") validatePrice(msg.pricePerUnit);
  const keyDefect = !partial || msg.encPubkey.length > 0 ? kemPublicKeyDefect(msg.encPubkey) : undefined;
  if (keyDefect) throw invalid(`enc_pubkey ${keyDefect}`);
}

/** Checks that depend on params: catalogued models, max_concurrent bound. */
function checkOfferAgainstParams(store: KVStore, gpus: readonly Gpu[], maxConcurrent: number): void {
  for (const g of gpus) gpuTier(store, g.model);
  const limit = workersParams.get(store).max_concurrent_limit;
  if (maxConcurrent < 1 || maxConcurrent > limit) throw invalid(`max_concurrent ${maxConcurrent} must be in 1..${limit}`);
}

function bondAmount(text: string, field: string): bigint {
  try {
    return parseAmount(text);
  } catch {
    throw invalid(`invalid ${field} "${text}": must be a decimal uogpu amount`);
  }
}

export function workersMsgs({ bank }: WorkersDeps): RegisteredMsg[] {
  function lockBond(ctx: Context, operator: string, amount: bigint): void {
    if (amount > 0n) bank.sendToModule(ctx, parseAccountAddress(operator, "operator"), WORKER_BONDS, [{ denom: BASE_DENOM, amount }]);
  }

  function requireActive(store: KVStore, operator: string): Worker {
    const w = requireWorker(store, operator);
    if (w.exitHeight > 0n) throw workersError(WorkersCode.WorkerExiting, `worker ${operator} is exiting (bond returns at height ${w.exitHeight})`);
    return w;
  }

  const msgRegisterWorker = defineMsg({
    type: OGPU_MSG_TYPES.RegisterWorker,
    gas: 50_000,
    signers: (msg) => [msg.operator],
    validate(msg) {
      parseAccountAddress(msg.operator, "operator");
      validateOffer(msg, false);
      bondAmount(msg.bond, "bond");
    },
    handle(ctx, msg) {
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
      });
      emitWorkerEvent(ctx.events, WorkerEvent.Registered, msg.operator, {
        region: msg.region,
        price_per_unit: msg.pricePerUnit,
        gpu_models: msg.gpus.map((g) => g.model).join(","),
        bond: `${bond}${BASE_DENOM}`,
      });
      return {};
    },
  });

  const msgUpdateWorker = defineMsg({
    type: OGPU_MSG_TYPES.UpdateWorker,
    gas: 20_000,
    signers: (msg) => [msg.operator],
    validate(msg) {
      parseAccountAddress(msg.operator, "operator");
      validateOffer(msg, true);
      if (msg.addBond !== "") bondAmount(msg.addBond, "add_bond");
    },
    handle(ctx, msg) {
      const w = requireActive(ctx.store, msg.operator);
      if (msg.gpus.length > 0) w.gpus = msg.gpus;
      if (msg.region !== "") w.region = msg.region;
      if (msg.pricePerUnit !== "") w.pricePerUnit = validatePrice(msg.pricePerUnit).toString();
      if (msg.maxConcurrent !== 0) w.maxConcurrent = msg.maxConcurrent;
      if (msg.encPubkey.length > 0) w.encPubkey = msg.encPubkey;
      checkOfferAgainstParams(ctx.store, w.gpus, w.maxConcurrent);
      const added = msg.addBond === "" ? 0n : bondAmount(msg.addBond, "add_bond");
      lockBond(ctx, msg.operator, added);
      w.bond = (BigInt(w.bond) + added).toString();
      // An update is also a sign of life.
      w.lastHeartbeatHeight = ctx.block.height;
      setWorker(ctx.store, w);
      emitWorkerEvent(ctx.events, WorkerEvent.Updated, msg.operator, { price_per_unit: w.pricePerUnit, region: w.region, bond: `${w.bond}${BASE_DENOM}` });
      return {};
    },
  });

  const msgHeartbeat = defineMsg({
    type: OGPU_MSG_TYPES.Heartbeat,
    gas: 2_000,
    signers: (msg) => [msg.operator],
    validate: (msg) => void parseAccountAddress(msg.operator, "operator"),
    handle(ctx, msg) {
      const w = requireActive(ctx.store, msg.operator);
      w.lastHeartbeatHeight = ctx.block.height;
      setWorker(ctx.store, w);
      emitWorkerEvent(ctx.events, WorkerEvent.Heartbeat, msg.operator, { height: ctx.block.height.toString() });
      return {};
    },
  });

  const msgExitWorker = defineMsg({
    type: OGPU_MSG_TYPES.ExitWorker,
    gas: 10_000,
    signers: (msg) => [msg.operator],
    validate: (msg) => void parseAccountAddress(msg.operator, "operator"),
    handle(ctx, msg) {
      const w = requireActive(ctx.store, msg.operator);
      // Open tasks still hold the bond as their guarantee: finish or lose them first.
      if (w.openTasks > 0) throw workersError(WorkersCode.TasksOpen, `worker ${msg.operator} has ${w.openTasks} open task(s); exit after they settle`);
      const at = scheduleExit(ctx.store, w, ctx.block.height);
      emitWorkerEvent(ctx.events, WorkerEvent.ExitStarted, msg.operator, { bond_return_height: at.toString(), reason: "exit_requested" });
      return { bondReturnHeight: at };
    },
  });

  return [msgRegisterWorker, msgUpdateWorker, msgHeartbeat, msgExitWorker];
}
