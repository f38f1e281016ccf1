/**
 * Result digest and Proof-of-Sync seal as the worker computes them. The seal formula lives in
 * x/attest (the chain checks reveals against it), so it is imported, not restated: a worker
 * and the chain can never disagree about it.
 */
import { sha256 } from "../crypto/hash.js";
import { computeResultSeal, computeSeal, DIGEST_LENGTH, MAX_SALT_LENGTH, MIN_SALT_LENGTH } from "../x/attest/seal.js";
import { randomBytes } from "node:crypto";

/** digest = sha256(output bytes): what workers reveal and auditors re-derive. */
export function resultDigest(output: Uint8Array): Uint8Array {
  return sha256(output);
}

/** seal = sha256(u64be(taskId) ‖ address ‖ digest ‖ salt), via x/attest's computeSeal (auditors' seals). */
export function seal(taskId: bigint, workerAddress: Uint8Array, digest: Uint8Array, salt: Uint8Array): Uint8Array {
  checkSealInputs(taskId, digest, salt);
  return computeSeal(taskId, workerAddress, digest, salt);
}

/** A worker's result seal: also commits to the output CID it will reveal (x/attest computeResultSeal). */
export function resultSeal(taskId: bigint, workerAddress: Uint8Array, digest: Uint8Array, outputCid: string, salt: Uint8Array): Uint8Array {
  checkSealInputs(taskId, digest, salt);
  return computeResultSeal(taskId, workerAddress, digest, outputCid, salt);
}

function checkSealInputs(taskId: bigint, digest: Uint8Array, salt: Uint8Array): void {
  if (taskId < 0n || taskId >= 1n << 64n) throw new Error("seal: task id must be an unsigned 64-bit integer");
  if (digest.length !== DIGEST_LENGTH) throw new Error(`seal: digest must be ${DIGEST_LENGTH} bytes, got ${digest.length}`);
  if (salt.length < MIN_SALT_LENGTH || salt.length > MAX_SALT_LENGTH) {
    throw new Error(`seal: salt must be ${MIN_SALT_LENGTH}..${MAX_SALT_LENGTH} bytes, got ${salt.length}`);
  }
}

/**
 * An auditor's salt for its audit seal: sha256("ogpu-audit-salt" ‖ secret ‖ u64be(taskId)).
 * Derived from the auditor's secret key, so a restart between seal and opening still opens it,
 * and nobody without the key can brute-force the sealed digest.
 */
export function auditSalt(secret: Uint8Array, taskId: bigint): Uint8Array {
  const id = Buffer.alloc(8);
  id.writeBigUInt64BE(taskId);
  return sha256(Buffer.concat([Buffer.from("ogpu-audit-salt"), Buffer.from(secret), id]));
}

/** A fresh random salt (32 bytes) for a commit; keep it until the reveal. */
export function newSalt(): Uint8Array {
  return new Uint8Array(randomBytes(32));
}
