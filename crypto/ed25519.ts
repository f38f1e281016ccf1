import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from "node:crypto";

/**
 * Ed25519 as CometBFT uses it for consensus keys: a 32-byte public key, and a private key
 * stored as seed ‖ public key (64 bytes). Signatures are deterministic (RFC 8032), which the
 * randomness beacon relies on: a validator has exactly one valid signature per message.
 */
export const ED25519_PUBKEY_LENGTH = 32;
export const ED25519_SIGNATURE_LENGTH = 64;

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");

/** A signer from CometBFT's 64-byte private key value (seed ‖ public key). */
export function ed25519Signer(privateKey: Uint8Array): { publicKey: Uint8Array; sign(message: Uint8Array): Uint8Array } {
  if (privateKey.length !== 64) throw new Error(`ed25519 private key must be 64 bytes, got ${privateKey.length}`);
  const seed = privateKey.subarray(0, 32);
  const publicKey = privateKey.slice(32);
  const key = createPrivateKey({ key: { kty: "OKP", crv: "Ed25519", d: b64url(seed), x: b64url(publicKey) }, format: "jwk" });
  // A seed whose derived public key differs from the stored one is a corrupt key file.
  const derived = Buffer.from(createPublicKey(key).export({ format: "jwk" }).x ?? "", "base64url");
  if (!derived.equals(publicKey)) throw new Error("ed25519 private key: public half does not match the seed");
  return { publicKey, sign: (message) => new Uint8Array(sign(null, message, key)) };
}

/** False (never a throw) for a malformed key or signature. */
export function ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== ED25519_PUBKEY_LENGTH || signature.length !== ED25519_SIGNATURE_LENGTH) return false;
  let key: KeyObject;
  try {
    key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: b64url(publicKey) }, format: "jwk" });
  } catch {
    return false;
  }
  return verify(null, message, key, signature);
}
