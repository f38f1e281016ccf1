import { secp256k1 } from "@noble/curves/secp256k1.js";
import { sha256 } from "./hash.js";

/**
 * secp256k1 signing and key derivation without node:crypto, so the browser bundle
 * (sdk/browser.ts: the dashboard's local-key wallet) signs with the same code as the Node
 * keyring. The verifiers (native, OpenSSL, noble) stay in crypto/secp256k1.ts, which re-exports these.
 */

/** Deterministic (RFC 6979) low-S signature, 64 bytes r‖s, over sha256(signBytes). */
export function signSecp256k1(privkey: Uint8Array, signBytes: Uint8Array): Uint8Array {
  return secp256k1.sign(sha256(signBytes), privkey, { prehash: false, lowS: true, format: "compact", extraEntropy: false });
}

/** 33-byte compressed public key. */
export function secp256k1PublicKey(privkey: Uint8Array): Uint8Array {
  return secp256k1.getPublicKey(privkey, true);
}
