/**
 * Fixtures for market/worker tests and the market-finalize benchmark: messages built the way
 * a client builds them (chain and signer: app/testkit.ts).
 */
import { MICRO_PER_OGPU } from "../../app/coins.js";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { sha256 } from "../../crypto/hash.js";
import { textCid } from "../../crypto/cid.js";
import { concatBytes } from "../../crypto/bytes.js";
import { kemKeyPairFromSeed } from "../../crypto/kem.js";
import type { KVStore } from "../../app/store/kvstore.js";
import { DeclineReason, VerificationClass, type Task } from "../../proto/gen/ogpu/market/v1/market.js";
import { putTask } from "./store.js";
import { MsgCancelTask, MsgDeclineAssignment, MsgSubmitTask } from "../../proto/gen/ogpu/market/v1/tx.js";
import { MsgExitWorker, MsgHeartbeat, MsgRegisterWorker } from "../../proto/gen/ogpu/workers/v1/tx.js";
import type { Gpu } from "../../proto/gen/ogpu/workers/v1/workers.js";
import { MSG } from "../../sdk/registry.js";

export const OGPU = MICRO_PER_OGPU;
/** The default min_worker_bond. */
export const MIN_BOND = 1000n * OGPU;

/**
 * A real X25519 ‖ ML-KEM-768 public key from a fixed seed: registration checks the key
 * (low-order point, FIPS 203 modulus check), and a constant fill would also read as deep
 * group nesting to the wire check (app/proto-guard.ts). Memoised: keygen costs ~1 ms.
 */
const testKeys = new Map<number, Uint8Array>();
export function testEncPubkey(seed: number): Uint8Array {
  let key = testKeys.get(seed);
  if (!key) {
    const half = sha256(new TextEncoder().encode(`test enc key ${seed}`));
    key = kemKeyPairFromSeed(concatBytes(half, sha256(half))).publicKey;
    testKeys.set(seed, key);
  }
  return key;
}

export interface WorkerOffer {
  gpus: Partial<Gpu>[];
  region: string;
  price: bigint;
  maxConcurrent?: number;
  bond?: bigint;
  /** Program runtimes advertised ("process", "oci"). */
  runtimes?: string[];
}

export function gpu(model: string, vramMb: number, count = 1, vendor = "nvidia"): Partial<Gpu> {
  return { vendor, model, vramMb: BigInt(vramMb), pciId: "0000:01:00.0", count };
}

export function registerWorkerMsg(operator: string, offer: WorkerOffer): Any {
  const value = MsgRegisterWorker.fromPartial({
    operator,
    gpus: offer.gpus,
    region: offer.region,
    pricePerUnit: offer.price.toString(),
    maxConcurrent: offer.maxConcurrent ?? 4,
    encPubkey: testEncPubkey(operator.length),
    bond: (offer.bond ?? MIN_BOND).toString(),
    runtimes: offer.runtimes ?? [],
  });
  return { typeUrl: MSG.RegisterWorker, value: MsgRegisterWorker.encode(value).finish() };
}

export const heartbeatMsg = (operator: string): Any => ({ typeUrl: MSG.Heartbeat, value: MsgHeartbeat.encode({ operator }).finish() });
export const exitWorkerMsg = (operator: string): Any => ({ typeUrl: MSG.ExitWorker, value: MsgExitWorker.encode({ operator }).finish() });
export const declineMsg = (worker: string, taskId: bigint, reason: DeclineReason): Any => ({
  typeUrl: MSG.DeclineAssignment,
  value: MsgDeclineAssignment.encode({ worker, taskId, reason }).finish(),
});
export const cancelTaskMsg = (client: string, taskId: bigint): Any => ({ typeUrl: MSG.CancelTask, value: MsgCancelTask.encode({ client, taskId }).finish() });

export interface TaskSpec {
  units?: bigint;
  bid: bigint;
  k?: number;
  priority?: number;
  minVramMb?: number;
  models?: string[];
  tier?: number;
  region?: string;
  deadlineBlocks?: bigint;
  /** Encrypted input, wrapped to the auditor keys with these fingerprints. */
  encrypted?: boolean;
  auditorKeyFingerprints?: Uint8Array[];
  /** A VERIFICATION_CLASS_TOLERANCE task with these tolerances (parts per 10^12); bitwise otherwise. */
  tolerance?: { atol: bigint; rtol: bigint };
  /** A client program (kind "program"): its runtime, GPU devices and bundle CID. */
  program?: { runtime: string; gpus?: number; hash?: string };
  /** Declared input_bytes (default: the test input's 10 bytes). */
  inputBytes?: bigint;
}

export function submitTaskMsg(client: string, spec: TaskSpec): Any {
  const value = MsgSubmitTask.fromPartial({
    client,
    kind: spec.program ? "program" : "inference",
    programHash: spec.program?.hash ?? textCid("inference"),
    inputCid: textCid("test input"),
    units: spec.units ?? 10n,
    requirements: { minVramMb: BigInt(spec.minVramMb ?? 0), gpuModels: spec.models ?? [], tier: spec.tier ?? 0, preferredRegion: spec.region ?? "", runtime: spec.program?.runtime ?? "", gpus: spec.program?.gpus ?? 0 },
    redundancy: spec.k ?? 1,
    maxPricePerUnit: spec.bid.toString(),
    priority: spec.priority ?? 0,
    deadlineBlocks: spec.deadlineBlocks ?? 0n,
    verification: spec.tolerance ? VerificationClass.VERIFICATION_CLASS_TOLERANCE : VerificationClass.VERIFICATION_CLASS_BITWISE,
    inputEncrypted: spec.encrypted ?? false,
    auditorKeyFingerprints: spec.auditorKeyFingerprints ?? [],
    atol: spec.tolerance?.atol ?? 0n,
    rtol: spec.tolerance?.rtol ?? 0n,
    inputBytes: spec.inputBytes ?? BigInt("test input".length),
  });
  return { typeUrl: MSG.SubmitTask, value: MsgSubmitTask.encode(value).finish() };
}

/**
 * A task record and its indexes written as the store holds them, outside any flow (no events,
 * no escrow): for benchmarks that build large states directly (bench/state-size.ts).
 */
export const writeTaskRecord = (store: KVStore, task: Task): void => putTask(store, task);
