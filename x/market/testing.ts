/**
 * Helpers for market/worker tests and the market-finalize benchmark: messages built the way a
 * client builds them, and a signer that tracks its own account number and sequence.
 */
import { MICRO_PER_OGPU } from "../../app/coins.js";
import type { Any } from "cosmjs-types/google/protobuf/any";
import type { Event, ExecTxResult } from "cosmjs-types/tendermint/abci/types";
import { sha256 } from "../../crypto/hash.js";
import { concatBytes } from "../../crypto/bytes.js";
import { kemKeyPairFromSeed } from "../../crypto/kem.js";
import { finalizeRequest, signTx, type TestChain, type TestKey } from "../../app/testkit.js";
import { DeclineReason, VerificationClass } from "../../proto/gen/ogpu/market/v1/market.js";
import { MsgCancelTask, MsgDeclineAssignment, MsgSubmitTask } from "../../proto/gen/ogpu/market/v1/tx.js";
import { MsgExitWorker, MsgHeartbeat, MsgRegisterWorker } from "../../proto/gen/ogpu/workers/v1/tx.js";
import type { Gpu } from "../../proto/gen/ogpu/workers/v1/workers.js";
import { MSG } from "../../sdk/registry.js";
import { getAccount } from "../auth/keeper.js";

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
}

export function submitTaskMsg(client: string, spec: TaskSpec): Any {
  const value = MsgSubmitTask.fromPartial({
    client,
    kind: "inference",
    programHash: "ab".repeat(32),
    inputCid: "bafy-input",
    units: spec.units ?? 10n,
    requirements: { minVramMb: BigInt(spec.minVramMb ?? 0), gpuModels: spec.models ?? [], tier: spec.tier ?? 0, preferredRegion: spec.region ?? "" },
    redundancy: spec.k ?? 1,
    maxPricePerUnit: spec.bid.toString(),
    priority: spec.priority ?? 0,
    deadlineBlocks: spec.deadlineBlocks ?? 0n,
    verification: VerificationClass.VERIFICATION_CLASS_BITWISE,
    inputEncrypted: spec.encrypted ?? false,
    auditorKeyFingerprints: spec.auditorKeyFingerprints ?? [],
  });
  return { typeUrl: MSG.SubmitTask, value: MsgSubmitTask.encode(value).finish() };
}

/** A key that signs txs with its on-chain account number and its own running sequence. */
export class ChainSigner {
  private sequence = 0n;
  constructor(
    readonly chain: TestChain,
    readonly key: TestKey,
  ) {}

  get address(): string {
    return this.key.address;
  }

  /** Signs `msgs` as the next tx (fee 1000uogpu, gas 2M). */
  tx(msgs: Any[]): Uint8Array {
    const acc = getAccount(this.chain.app.store, this.key.addressBytes);
    if (!acc) throw new Error(`${this.key.address} has no account yet`);
    const tx = signTx(this.key, msgs, { accountNumber: acc.accountNumber, sequence: this.sequence, fee: [{ denom: "uogpu", amount: "1000" }], gas: 2_000_000n });
    this.sequence += 1n;
    return tx;
  }
}

/** Fee each ChainSigner tx pays. */
export const TX_FEE = 1000n;

/** Like chain.block, but also returns the block-level (Begin/EndBlock) events. */
export async function blockWithEvents(chain: TestChain, txs: Uint8Array[]): Promise<{ txResults: ExecTxResult[]; events: Event[] }> {
  chain.height += 1n;
  const req = finalizeRequest(chain.height, txs);
  chain.requests.push(req);
  const res = chain.app.finalizeBlock(req);
  await chain.app.commit();
  return { txResults: res.txResults, events: res.events };
}

/** Attributes of the events of one type, as plain objects. */
export function eventsOf(events: readonly Event[], type: string): Record<string, string>[] {
  return events.filter((e) => e.type === type).map((e) => Object.fromEntries(e.attributes.map((a) => [a.key, a.value])));
}

/** Runs `n` empty blocks. */
export async function emptyBlocks(chain: TestChain, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await chain.block([]);
}
