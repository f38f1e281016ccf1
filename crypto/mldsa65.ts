import { ml_dsa65 } from "@noble/post-quantum/ml-dsa.js";

/**
 * ML-DSA-65 (FIPS 204) account keys via @noble/post-quantum. Signatures are over the raw sign
 * bytes with an empty context string; signing is hedged (randomised) as FIPS 204 recommends,
 * so two signatures of the same bytes differ but both verify.
 */

export const MLDSA65_PUBKEY_LENGTH = 1952;
export const MLDSA65_SECRET_KEY_LENGTH = 4032;
export const MLDSA65_SIGNATURE_LENGTH = 3309;
export const MLDSA65_SEED_LENGTH = 32;

export interface MlDsa65KeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

/** Deterministic key pair from a 32-byte seed. */
export function mlDsa65KeyPair(seed32: Uint8Array): MlDsa65KeyPair {
  if (seed32.length !== MLDSA65_SEED_LENGTH) throw new Error(`ML-DSA-65 seed must be ${MLDSA65_SEED_LENGTH} bytes, got ${seed32.length}`);
  const { publicKey, secretKey } = ml_dsa65.keygen(seed32);
  return { publicKey, secretKey };
}

export function signMlDsa65(secretKey: Uint8Array, signBytes: Uint8Array): Uint8Array {
  return ml_dsa65.sign(signBytes, secretKey);
}

/** Never throws: wrong lengths or garbage are just `false`. */
export function verifyMlDsa65(pubkey: Uint8Array, signBytes: Uint8Array, signature: Uint8Array): boolean {
  try {
    if (pubkey.length !== MLDSA65_PUBKEY_LENGTH || signature.length !== MLDSA65_SIGNATURE_LENGTH) return false;
    return ml_dsa65.verify(signature, signBytes, pubkey);
  } catch {
    return false;
  }
}
