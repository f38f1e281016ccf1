import { createPublicKey, verify as nodeVerify, type KeyObject } from "node:crypto";
import { sha256 } from "./hash.js";
import { nativeSecp256k1 } from "./secp256k1-native.js";
import { isWellFormedSecp256k1 as isWellFormed, SECP256K1_PUBKEY_LENGTH, SECP256K1_SIGNATURE_LENGTH, verifySecp256k1Noble } from "./secp256k1-noble.js";

/**
 * secp256k1 ECDSA with Cosmos SDK semantics: 33-byte compressed pubkey, 64-byte r‖s signature
 * over sha256(signBytes), low-S required (s > n/2 rejected, as the SDK does to stop
 * malleability), and every malformed input is a plain `false`, never an exception.
 *
 * Three verifiers are kept and tested to agree: libsecp256k1 (native addon, the fastest),
 * OpenSSL through node:crypto (fallback when no native prebuild fits the platform) and
 * @noble/curves (pure JS, the reference). `verifySecp256k1` is the fastest available.
 */

export { SECP256K1_PUBKEY_LENGTH, SECP256K1_SIGNATURE_LENGTH, verifySecp256k1Noble };

/** floor(n/2) for the secp256k1 group order n, big-endian. */
const HALF_ORDER = Buffer.from("7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0", "hex");

/** DER prefix of SubjectPublicKeyInfo{ecPublicKey, secp256k1} with a 33-byte BIT STRING. */
const SPKI_PREFIX = Buffer.from("3036301006072a8648ce3d020106052b8104000a032200", "hex");

/** Hot accounts sign many txs; parsing a KeyObject costs about as much as a verify, so cache. */
const KEY_CACHE_LIMIT = 10_000;
const keyCache = new Map<string, KeyObject>();

/**
 * OpenSSL checks 1 ≤ r,s < n itself but accepts high S, so that rule is enforced here.
 * Equal-length big-endian bytes compare like the numbers they encode.
 */
function hasHighS(signature: Uint8Array): boolean {
  return Buffer.compare(signature.subarray(32, 64), HALF_ORDER) > 0;
}

function keyObjectFor(pubkey: Uint8Array): KeyObject {
  const id = Buffer.from(pubkey.buffer, pubkey.byteOffset, pubkey.byteLength).toString("latin1");
  const cached = keyCache.get(id);
  if (cached) {
    // Re-insert to mark as most recently used (Map keeps insertion order).
    keyCache.delete(id);
    keyCache.set(id, cached);
    return cached;
  }
  const key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, pubkey]), format: "der", type: "spki" });
  keyCache.set(id, key);
  if (keyCache.size > KEY_CACHE_LIMIT) {
    const oldest = keyCache.keys().next().value;
    if (oldest !== undefined) keyCache.delete(oldest);
  }
  return key;
}

/** OpenSSL-backed verifier (node:crypto). */
export function verifySecp256k1Node(pubkey: Uint8Array, signBytes: Uint8Array, signature: Uint8Array): boolean {
  try {
    if (!isWellFormed(pubkey, signature) || !(signBytes instanceof Uint8Array)) return false;
    if (hasHighS(signature)) return false;
    const key = keyObjectFor(pubkey);
    return nodeVerify("sha256", signBytes, { key, dsaEncoding: "ieee-p1363" }, signature);
  } catch {
    return false;
  }
}

/** libsecp256k1 verifier, or null when the addon could not load on this platform. */
type Verifier = (pubkey: Uint8Array, signBytes: Uint8Array, signature: Uint8Array) => boolean;

const native = nativeSecp256k1;
export const verifySecp256k1Native: Verifier | null =
  native === null
    ? null
    : (pubkey, signBytes, signature) => {
        try {
          if (!isWellFormed(pubkey, signature) || !(signBytes instanceof Uint8Array)) return false;
          // libsecp256k1 rejects high S itself; checking here too keeps the rule explicit.
          if (hasHighS(signature)) return false;
          return native.ecdsaVerify(signature, sha256(signBytes), pubkey);
        } catch {
          return false;
        }
      };

/** The verifier the node uses: native when available, else OpenSSL (see bench/crypto.ts). */
export const verifySecp256k1: Verifier = verifySecp256k1Native ?? verifySecp256k1Node;

// Signing has no Node-only dependency; it lives apart so the browser bundle can take it.
export { secp256k1PublicKey, signSecp256k1 } from "./secp256k1-noble.js";

/** Number of cached KeyObjects; exposed for tests of the LRU bound. */
export function secp256k1KeyCacheSize(): number {
  return keyCache.size;
}

export const SECP256K1_KEY_CACHE_LIMIT = KEY_CACHE_LIMIT;
