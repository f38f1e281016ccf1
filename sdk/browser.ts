/**
 * The SDK's browser entry: what a web page needs to encrypt a task's input for its workers and
 * auditors, name blobs by CID, and open its results — the same modules the Node SDK runs (one
 * code path: @noble + WebCrypto, crypto/envelope.ts), bundled by vite with
 * `browserBuildAliases` (crypto/hash.ts → crypto/hash.browser.ts, the only swap).
 * Signing txs in a browser is stock cosmjs with `ogpuRegistry()` (sdk/registry.ts); blob
 * uploads are signed and sent with sdk/blobs.ts, and a mnemonic gives the same account key
 * (crypto/hd.ts) and encryption key (sdk/client-key.ts) as in the Node keyring.
 *
 * Not yet here (docs/sdk.md): the chain queries of OgpuClient, which still import Node-only
 * modules (crypto/secp256k1.ts's OpenSSL verifier, the file keyring).
 */
export { envelopeContext, EnvelopeError, generateDataKey, openPayload, sealPayload, unwrapKey, wrapKey } from "../crypto/envelope.js";
export { generateKemKeyPair, kemKeyPairFromSeed, type KemKeyPair } from "../crypto/kem.js";
export { secureRandom, type RandomSource } from "../crypto/random.js";
export { openPublicOutput, openTaskInput, openTaskOutput, parseManifest, saltPublicOutput, sealTaskInput, sealTaskOutput, type EncryptedInputManifest, type Recipient } from "../crypto/task-crypto.js";
export { blobCid, isBlobCid } from "../crypto/cid.js";
export { sha256 } from "../crypto/hash.js";
export { clientEncryptionKey, clientEncryptionKeyFromSignature, encryptionKeySigningText } from "./client-key.js";
export { MSG, ogpuRegistry } from "./registry.js";
export { adr036SignBytes, BLOB_HEADERS, BLOB_SIGNATURE_FORM_HEADER, BlobError, blobUploadHeaders, blobUploadSignBytes, fetchBlob, uploadBlob, UPLOAD_VALIDITY_BLOCKS, type BlobRef, type BlobSignatureForm, type BlobSigner, type RestEndpoints } from "./blobs.js";
export { generateMnemonic, HD_PATH, mnemonicSeed, normaliseMnemonic, secp256k1PrivateKeyFromSeed } from "../crypto/hd.js";
export { secp256k1PublicKey, signSecp256k1, verifySecp256k1Noble } from "../crypto/secp256k1-noble.js";
export { ACCOUNT_PREFIX } from "../crypto/bech32.js";
// A task from the client's side, as OgpuClient and the CLI run it (the web dashboard's customer page uses these).
export { auditorRecipients, candidateRecipients, declaredInputBytes, inputManifest, NO_AUDITOR_FOR_TOLERANCE, openTaskLogs, openTaskResult, ResultDigestMismatchError, uploadTaskInput, type CandidateFilter, type CandidateWorker, type OpenedTaskLog, type UploadedInput } from "./task-io.js";
export { submitTaskMsg, type SubmitTaskParams } from "./submit-msg.js";
export { quoteTask, type TaskQuote } from "./quote.js";
export { packProgramFiles, pickedDirectoryEntries, programRequirements, PROGRAM_KIND, unpackProgram, uploadProgram, type PackedProgram, type PickedFile } from "./programs.js";
export { attributesOf, REVEAL_EVENT, resultFrom, taskEvents, type TaskEventView, type TaskResult } from "./events.js";
