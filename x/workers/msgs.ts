import { parseAccountAddress } from "../../app/address.js";
import { defineMsg, type RegisteredMsg } from "../../app/module.js";
import { OGPU_MSG_TYPES } from "../../proto/msg-types.js";
import { defineUpdateParamsMsg } from "../../app/update-params.js";
import { workersParams } from "./params.js";
import type { Gpu } from "../../proto/gen/ogpu/workers/v1/workers.js";
import type { WorkersKeeper } from "./keeper.js";
import { invalidWorker } from "./errors.js";
import { bondAmount, validatePrice } from "./keeper.js";
import { kemPublicKeyDefect } from "../../crypto/kem-pubkey.js";
import { CLEAR_RUNTIMES, runtimeListDefect } from "../../app/program-runtimes.js";

/** X25519 public key (32 B) followed by an ML-KEM-768 encapsulation key (1184 B). */
export const ENC_PUBKEY_LENGTH = 32 + 1184;
const REGION_RE = /^[a-z0-9-]{1,32}$/;

const invalid = invalidWorker;

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

function validateOffer(msg: { gpus: Gpu[]; region: string; pricePerUnit: string; encPubkey: Uint8Array; runtimes: string[] }, partial: boolean): void {
  // MsgUpdateWorker's ["none"] clears the list (empty keeps it).
  const runtimeDefect = partial && msg.runtimes.length === 1 && msg.runtimes[0] === CLEAR_RUNTIMES ? undefined : runtimeListDefect(msg.runtimes);
  if (runtimeDefect) throw invalid(`runtimes ${runtimeDefect}`);
  if (!partial || msg.gpus.length > 0) validateGpus(msg.gpus);
  if ((!partial || msg.region !== "") && !REGION_RE.test(msg.region)) throw invalid(`region "${msg.region}" must be 1-32 chars of a-z, 0-9, -`);
  if (!partial || msg.pricePerUnit !== "") validatePrice(msg.pricePerUnit);
  const keyDefect = !partial || msg.encPubkey.length > 0 ? kemPublicKeyDefect(msg.encPubkey) : undefined;
  if (keyDefect) throw invalid(`enc_pubkey ${keyDefect}`);
}

export function workersMsgs(keeper: Pick<WorkersKeeper, "registerWorker" | "updateWorker" | "heartbeat" | "exitWorker">): RegisteredMsg[] {
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
      keeper.registerWorker(ctx, msg);
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
      keeper.updateWorker(ctx, msg);
      return {};
    },
  });

  const msgHeartbeat = defineMsg({
    type: OGPU_MSG_TYPES.Heartbeat,
    gas: 2_000,
    signers: (msg) => [msg.operator],
    validate: (msg) => void parseAccountAddress(msg.operator, "operator"),
    handle(ctx, msg) {
      keeper.heartbeat(ctx, msg.operator);
      return {};
    },
  });

  const msgExitWorker = defineMsg({
    type: OGPU_MSG_TYPES.ExitWorker,
    gas: 10_000,
    signers: (msg) => [msg.operator],
    validate: (msg) => void parseAccountAddress(msg.operator, "operator"),
    handle(ctx, msg) {
      return { bondReturnHeight: keeper.exitWorker(ctx, msg.operator) };
    },
  });

  const msgUpdateParams = defineUpdateParamsMsg("workers", workersParams, OGPU_MSG_TYPES.UpdateWorkersParams);
  return [msgRegisterWorker, msgUpdateWorker, msgHeartbeat, msgExitWorker, msgUpdateParams];
}
