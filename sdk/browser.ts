/**
 * The SDK's browser entry: what a web page needs to encrypt a task's input for its workers and
 * auditors, name blobs by CID, and open its results — the same modules the Node SDK runs (one
 * code path: @noble + WebCrypto, crypto/envelope.ts), bundled by vite with
 * `browserBuildAliases` (crypto/hash.ts → crypto/hash.browser.ts, the only swap).
 * Signing txs in a browser is stock cosmjs with `ogpuRegistry()` (sdk/registry.ts).
 *
 * Not yet here (docs/sdk.md): blob upload signing and the chain queries of OgpuClient, which
 * still import Node-only modules (crypto/secp256k1.ts's OpenSSL verifier, the file keyring).
 */
export { envelopeContext, EnvelopeError, generateDataKey, openPayload, sealPayload, unwrapKey, wrapKey } from "../crypto/envelope.js";
export { generateKemKeyPair, kemKeyPairFromSeed, type KemKeyPair } from "../crypto/kem.js";
export { secureRandom, type RandomSource } from "../crypto/random.js";
export { openPublicOutput, openTaskInput, openTaskOutput, parseManifest, saltPublicOutput, sealTaskInput, sealTaskOutput, type EncryptedInputManifest, type Recipient } from "../crypto/task-crypto.js";
export { blobCid, isBlobCid } from "../crypto/cid.js";
export { sha256 } from "../crypto/hash.js";
export { clientEncryptionKey } from "./client-key.js";
export { MSG, ogpuRegistry } from "./registry.js";
