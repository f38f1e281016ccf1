import { sha256 } from "../../crypto/hash.js";

/** Result digests are sha256 outputs; salts are at least this long so a seal cannot be brute-forced. */
export const DIGEST_LENGTH = 32;
export const MIN_SALT_LENGTH = 16;
export const MAX_SALT_LENGTH = 64;

/**
 * seal = sha256(u64be(task_id) ‖ worker address bytes ‖ result_digest ‖ salt). Binding the
 * worker's address makes a copied seal useless: it opens only for the worker that made it.
 */
export function computeSeal(taskId: bigint, worker: Uint8Array, resultDigest: Uint8Array, salt: Uint8Array): Uint8Array {
  const id = Buffer.alloc(8);
  id.writeBigUInt64BE(taskId);
  return sha256(Buffer.concat([id, Buffer.from(worker), Buffer.from(resultDigest), Buffer.from(salt)]));
}

/**
 * A worker's result seal also names the output it will publish:
 * sha256(u64be(task_id) ‖ worker address bytes ‖ result_digest ‖ sha256(output_cid) ‖ salt).
 * The reveal must name that same CID (issue 10 item 13): a worker cannot be paid for a digest
 * while publishing no output, or swap the output after seeing the audit. The CID's hash has a
 * fixed length, so no bytes can move between it and the salt.
 */
export function computeResultSeal(taskId: bigint, worker: Uint8Array, resultDigest: Uint8Array, outputCid: string, salt: Uint8Array): Uint8Array {
  return computeSeal(taskId, worker, Buffer.concat([Buffer.from(resultDigest), Buffer.from(sha256(new TextEncoder().encode(outputCid)))]), salt);
}
