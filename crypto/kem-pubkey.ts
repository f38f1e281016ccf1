import { KEM_PUBKEY_LENGTH, X25519_KEY_LENGTH } from "./kem.js";
import { hexToBytes } from "@noble/hashes/utils.js";
import { sha256 } from "./hash.js";

/**
 * How a task names an auditor key it wrapped its input to (MsgSubmitTask
 * auditor_key_fingerprints): sha256 of the key bytes, 32 bytes. x/attest draws committees only
 * from validators whose key is named, and an auditor checks its own is in the list.
 */
export const auditorKeyFingerprint = (encPubkey: Uint8Array): Uint8Array => sha256(encPubkey);

/**
 * Checks a hybrid KEM public key (X25519 ‖ ML-KEM-768, crypto/kem.ts) before the chain stores
 * it. A client wraps its data key to every matching worker's and every active validator's key
 * in one go, so a key that cannot be encapsulated to would make every such submission fail.
 * Pure integer work, so consensus may run it.
 */

/** Curve25519's field prime 2^255 - 19. */
const P = (1n << 255n) - 19n;

/**
 * u-coordinates (mod p) of the points of order 1, 2, 4 and 8 on Curve25519 and its twist: 0,
 * 1, p-1 and the two of order 8. Clamping makes every X25519 scalar a multiple of 8, so any of
 * these gives the all-zero shared secret (RFC 7748 §6.1), whatever the other side's key.
 */
const LOW_ORDER_U = new Set<bigint>([
  0n,
  1n,
  P - 1n,
  littleEndian(hexToBytes("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800")),
  littleEndian(hexToBytes("5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157")),
]);

function littleEndian(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

/** True when the 32-byte X25519 key is a low-order point (bit 255 ignored, as RFC 7748 says). */
export function isLowOrderX25519(key: Uint8Array): boolean {
  const masked = new Uint8Array(key);
  masked[31]! &= 0x7f;
  return LOW_ORDER_U.has(littleEndian(masked) % P);
}

/** ML-KEM-768: k = 3 polynomials of 256 12-bit coefficients (384·k bytes), then the 32-byte seed ρ. */
const MLKEM_Q = 3329;
const MLKEM768_K = 3;
const MLKEM_POLY_BYTES = 384;

/**
 * FIPS 203 §7.2 modulus check: ByteEncode12(ByteDecode12(ek[0:384k])) must equal ek[0:384k].
 * ByteDecode12 reduces each 12-bit value mod q, so the round trip holds exactly when every
 * coefficient is below q; this tests that directly.
 */
export function passesMlKemModulusCheck(encapsulationKey: Uint8Array): boolean {
  const end = MLKEM_POLY_BYTES * MLKEM768_K;
  for (let i = 0; i < end; i += 3) {
    const b0 = encapsulationKey[i]!;
    const b1 = encapsulationKey[i + 1]!;
    const b2 = encapsulationKey[i + 2]!;
    if ((b0 | ((b1 & 0x0f) << 8)) >= MLKEM_Q || ((b1 >> 4) | (b2 << 4)) >= MLKEM_Q) return false;
  }
  return true;
}

/** Why `key` is not a usable hybrid KEM public key, or undefined when it is. */
export function kemPublicKeyDefect(key: Uint8Array): string | undefined {
  if (key.length !== KEM_PUBKEY_LENGTH) return `must be ${KEM_PUBKEY_LENGTH} bytes (X25519 ‖ ML-KEM-768), got ${key.length}`;
  if (isLowOrderX25519(key.subarray(0, X25519_KEY_LENGTH))) return "X25519 part is a low-order point (every shared secret would be zero)";
  if (!passesMlKemModulusCheck(key.subarray(X25519_KEY_LENGTH))) return `ML-KEM-768 part fails the FIPS 203 modulus check (a coefficient is not below q = ${MLKEM_Q})`;
  return undefined;
}
