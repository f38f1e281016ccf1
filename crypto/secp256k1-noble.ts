import { secp256k1 } from "@noble/curves/secp256k1.js";
import { sha256 } from "./hash.js";

/**
 * secp256k1 on @noble/curves alone (no node:crypto): signing, public keys and the reference
 * verifier, so the browser bundle (sdk/browser.ts: the dashboard's wallets) runs the same code
 * as the Node keyring. crypto/secp256k1.ts re-exports these beside the faster Node verifiers.
 */

export const SECP256K1_PUBKEY_LENGTH = 33;
export const SECP256K1_SIGNATURE_LENGTH = 64;

/** A compressed 33-byte key and a 64-byte r‖s signature; anything else verifies as false. */
export function isWellFormedSecp256k1(pubkey: Uint8Array, signature: Uint8Array): boolean {
  return (
    pubkey instanceof Uint8Array &&
    signature instanceof Uint8Array &&
    pubkey.length === SECP256K1_PUBKEY_LENGTH &&
    (pubkey[0] === 0x02 || pubkey[0] === 0x03) &&
    signature.length === SECP256K1_SIGNATURE_LENGTH
  );
}

/** Deterministic (RFC 6979) low-S signature, 64 bytes r‖s, over sha256(signBytes). */
export function signSecp256k1(privkey: Uint8Array, signBytes: Uint8Array): Uint8Array {
  return secp256k1.sign(sha256(signBytes), privkey, { prehash: false, lowS: true, format: "compact", extraEntropy: false });
}

/** 33-byte compressed public key. */
export function secp256k1PublicKey(privkey: Uint8Array): Uint8Array {
  return secp256k1.getPublicKey(privkey, true);
}

/** The pure-JS verifier (Cosmos rules: 33-byte key, 64-byte r‖s over sha256, low S); malformed input is false. */
export function verifySecp256k1Noble(pubkey: Uint8Array, signBytes: Uint8Array, signature: Uint8Array): boolean {
  try {
    if (!isWellFormedSecp256k1(pubkey, signature) || !(signBytes instanceof Uint8Array)) return false;
    return secp256k1.verify(signature, sha256(signBytes), pubkey, { prehash: false, lowS: true, format: "compact" });
  } catch {
    return false;
  }
}
