import { createRequire } from "node:module";

/**
 * libsecp256k1 (bitcoin-core's C library) through the `secp256k1` npm package's prebuilt
 * N-API addon. It verifies ~5× faster than OpenSSL's generic EC code here, which the node
 * needs to reach its tx/s goal (every tx is verified in CheckTx and again in FinalizeBlock).
 *
 * The package's own entry point silently falls back to the slow pure-JS `elliptic`; we load
 * the native binding directly instead so that, when no prebuild fits the platform, the caller
 * knows and falls back to node:crypto.
 */
interface NativeSecp256k1 {
  /** throws on unparsable signature or pubkey; false on a wrong signature */
  ecdsaVerify(sig: Uint8Array, msg32: Uint8Array, pubkey: Uint8Array): boolean;
}

function load(): NativeSecp256k1 | null {
  try {
    const require = createRequire(import.meta.url);
    const binding = require("secp256k1/bindings.js") as NativeSecp256k1;
    return typeof binding.ecdsaVerify === "function" ? binding : null;
  } catch {
    return null;
  }
}

export const nativeSecp256k1: NativeSecp256k1 | null = load();
