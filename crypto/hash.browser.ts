import { ripemd160 as nobleRipemd160 } from "@noble/hashes/legacy.js";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";

/**
 * crypto/hash.ts for browsers: the same functions on @noble/hashes. Node keeps node:crypto
 * (OpenSSL, several times faster on the tx path); the browser bundle of the SDK
 * (sdk/browser.ts, built by vite with `browserBuildAliases`) swaps this file in. Both are
 * checked against the same digests in sdk/browser.test.ts.
 */
export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(data);
}

export function ripemd160(data: Uint8Array): Uint8Array {
  return nobleRipemd160(data);
}
