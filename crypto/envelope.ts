import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { concatBytes, startsWithBytes } from "./bytes.js";
import { KEM_CIPHERTEXT_LENGTH, KEM_SECRET_LENGTH, kemDecapsulate, kemEncapsulate } from "./kem.js";
import { secureRandom, type RandomSource } from "./random.js";

/**
 * End-to-end encryption envelopes (AES-256-GCM via WebCrypto, so the same code runs in Node and
 * in browsers; in Node WebCrypto is OpenSSL underneath, so bulk payloads keep native speed —
 * pure-JS GCM measured ~17× slower here. WebCrypto is asynchronous, hence so is this API).
 *
 * A task's payload is sealed once under a random 32-byte data key; the data key is then wrapped
 * separately for each recipient (a worker's registered hybrid KEM key, or the client's own key
 * for outputs). The node only ever stores sealed payloads and wrapped keys.
 *
 *   sealed payload = "OGPP" ‖ version(1) ‖ nonce(12) ‖ ciphertext ‖ tag(16)
 *                    AAD = header(5) ‖ caller's aad
 *   key envelope   = "OGPK" ‖ version(1) ‖ kem_ciphertext(1120) ‖ wrapped_key(32) ‖ tag(16)
 *                    KEK = HKDF-SHA256(kem_secret, info "ogpu/envelope/v1/kek"), AAD = header ‖ context
 *
 * The header is authenticated, so a version downgrade is a tamper like any other. The KEK comes
 * from a fresh KEM secret for every envelope and encrypts exactly one message, so its nonce is
 * fixed at zero (nonce reuse needs key reuse). Data keys may seal several payloads (input, and
 * nothing else in practice), so payload nonces are random: 2^32 messages per key stay safe.
 */

export const DATA_KEY_LENGTH = 32;
export const ENVELOPE_VERSION = 1;
const NONCE_LENGTH = 12;
const TAG_LENGTH = 16;
const HEADER_LENGTH = 5;
const ASCII = new TextEncoder();
const PAYLOAD_MAGIC = ASCII.encode("OGPP");
const KEY_MAGIC = ASCII.encode("OGPK");
const KEK_INFO = ASCII.encode("ogpu/envelope/v1/kek");
const KEK_NONCE = new Uint8Array(NONCE_LENGTH);

export const SEALED_PAYLOAD_OVERHEAD = HEADER_LENGTH + NONCE_LENGTH + TAG_LENGTH;
export const KEY_ENVELOPE_LENGTH = HEADER_LENGTH + KEM_CIPHERTEXT_LENGTH + DATA_KEY_LENGTH + TAG_LENGTH;

export type EnvelopeErrorCode = "malformed" | "unsupported_version" | "authentication_failed";

/** Every envelope failure; `code` tells a truncated/foreign blob from a tampered or misaddressed one. */
export class EnvelopeError extends Error {
  constructor(
    readonly code: EnvelopeErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "EnvelopeError";
  }
}

/** Bytes given as a string are UTF-8. */
export type Context = Uint8Array | string;

function contextBytes(context: Context): Uint8Array {
  return typeof context === "string" ? ASCII.encode(context) : context;
}

/**
 * Unambiguous context from parts (each length-prefixed), e.g. `envelopeContext("task", id, worker)`:
 * plain concatenation would let ("ab","c") and ("a","bc") authenticate as the same context.
 */
export function envelopeContext(...parts: string[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  for (const part of parts) {
    const bytes = ASCII.encode(part);
    const length = new Uint8Array(4);
    new DataView(length.buffer).setUint32(0, bytes.length);
    chunks.push(length, bytes);
  }
  return concatBytes(...chunks);
}

/** A fresh random data key. */
export function generateDataKey(random: RandomSource = secureRandom): Uint8Array {
  return random(DATA_KEY_LENGTH);
}

function header(magic: Uint8Array): Uint8Array {
  return concatBytes(magic, Uint8Array.of(ENVELOPE_VERSION));
}

/** Checks magic, version and minimum length; `what` names the envelope kind in errors. */
function checkHeader(what: string, bytes: Uint8Array, magic: Uint8Array, minLength: number): void {
  if (!(bytes instanceof Uint8Array) || bytes.length < minLength) {
    throw new EnvelopeError("malformed", `${what} is truncated: ${bytes instanceof Uint8Array ? bytes.length : 0} bytes, need at least ${minLength}`);
  }
  if (!startsWithBytes(bytes, magic)) throw new EnvelopeError("malformed", `not a ${what} (bad magic)`);
  const version = bytes[magic.length];
  if (version !== ENVELOPE_VERSION) throw new EnvelopeError("unsupported_version", `${what} version ${version} is not supported (expected ${ENVELOPE_VERSION})`);
}

function expectKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== DATA_KEY_LENGTH) {
    throw new EnvelopeError("malformed", `data key must be ${DATA_KEY_LENGTH} bytes`);
  }
}

/** `prefix` ‖ AES-GCM(plaintext) ‖ tag (WebCrypto returns ciphertext ‖ tag, our layout). */
async function gcmEncrypt(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array, prefix: Uint8Array): Promise<Uint8Array> {
  const cryptoKey = await globalThis.crypto.subtle.importKey("raw", key as Uint8Array<ArrayBuffer>, "AES-GCM", false, ["encrypt"]);
  const sealed = await globalThis.crypto.subtle.encrypt({ name: "AES-GCM", iv: nonce as Uint8Array<ArrayBuffer>, additionalData: aad as Uint8Array<ArrayBuffer>, tagLength: TAG_LENGTH * 8 }, cryptoKey, plaintext as Uint8Array<ArrayBuffer>);
  const out = new Uint8Array(prefix.length + sealed.byteLength);
  out.set(prefix, 0);
  out.set(new Uint8Array(sealed), prefix.length);
  return out;
}

/** `sealed` = ciphertext ‖ tag. Throws `authentication_failed` when anything covered by the tag differs. */
async function gcmDecrypt(what: string, key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
  const cryptoKey = await globalThis.crypto.subtle.importKey("raw", key as Uint8Array<ArrayBuffer>, "AES-GCM", false, ["decrypt"]);
  try {
    return new Uint8Array(await globalThis.crypto.subtle.decrypt({ name: "AES-GCM", iv: nonce as Uint8Array<ArrayBuffer>, additionalData: aad as Uint8Array<ArrayBuffer>, tagLength: TAG_LENGTH * 8 }, cryptoKey, sealed as Uint8Array<ArrayBuffer>));
  } catch {
    throw new EnvelopeError("authentication_failed", `${what} failed authentication: wrong key or context, or the bytes were tampered with`);
  }
}

/** Encrypts `plaintext` under `dataKey`; `aad` (e.g. the task id) must be given again to open it. */
export async function sealPayload(dataKey: Uint8Array, plaintext: Uint8Array, aad: Context = new Uint8Array(0), random: RandomSource = secureRandom): Promise<Uint8Array> {
  expectKey(dataKey);
  const head = header(PAYLOAD_MAGIC);
  const nonce = random(NONCE_LENGTH);
  return gcmEncrypt(dataKey, nonce, plaintext, concatBytes(head, contextBytes(aad)), concatBytes(head, nonce));
}

/** Inverse of {@link sealPayload}; throws {@link EnvelopeError} on any mismatch. */
export async function openPayload(dataKey: Uint8Array, sealed: Uint8Array, aad: Context = new Uint8Array(0)): Promise<Uint8Array> {
  expectKey(dataKey);
  checkHeader("sealed payload", sealed, PAYLOAD_MAGIC, SEALED_PAYLOAD_OVERHEAD);
  const nonce = sealed.subarray(HEADER_LENGTH, HEADER_LENGTH + NONCE_LENGTH);
  const aadBytes = concatBytes(sealed.subarray(0, HEADER_LENGTH), contextBytes(aad));
  return gcmDecrypt("sealed payload", dataKey, nonce, sealed.subarray(HEADER_LENGTH + NONCE_LENGTH), aadBytes);
}

function kekFrom(kemSecret: Uint8Array): Uint8Array {
  return hkdf(sha256, kemSecret, new Uint8Array(0), KEK_INFO, DATA_KEY_LENGTH);
}

/**
 * Wraps `dataKey` for the holder of `recipientPub` (a 1216-byte hybrid KEM key). `context`
 * (e.g. `envelopeContext("ogpu/task-key", taskId, workerAddress)`) is authenticated, so an
 * envelope cannot be replayed for another task or worker.
 */
export async function wrapKey(recipientPub: Uint8Array, dataKey: Uint8Array, context: Context, random: RandomSource = secureRandom): Promise<Uint8Array> {
  expectKey(dataKey);
  const { ciphertext: kemCiphertext, sharedSecret } = await kemEncapsulate(recipientPub, random);
  const head = header(KEY_MAGIC);
  return gcmEncrypt(kekFrom(sharedSecret), KEK_NONCE, dataKey, concatBytes(head, contextBytes(context)), concatBytes(head, kemCiphertext));
}

/** Recovers the data key from a key envelope; throws {@link EnvelopeError} on any mismatch. */
export async function unwrapKey(recipientSecret: Uint8Array, envelope: Uint8Array, context: Context): Promise<Uint8Array> {
  checkHeader("key envelope", envelope, KEY_MAGIC, KEY_ENVELOPE_LENGTH);
  if (envelope.length !== KEY_ENVELOPE_LENGTH) {
    throw new EnvelopeError("malformed", `key envelope must be ${KEY_ENVELOPE_LENGTH} bytes, got ${envelope.length}`);
  }
  if (!(recipientSecret instanceof Uint8Array) || recipientSecret.length !== KEM_SECRET_LENGTH) {
    throw new EnvelopeError("malformed", `recipient secret key must be ${KEM_SECRET_LENGTH} bytes`);
  }
  const kemEnd = HEADER_LENGTH + KEM_CIPHERTEXT_LENGTH;
  let sharedSecret: Uint8Array;
  try {
    sharedSecret = await kemDecapsulate(recipientSecret, envelope.subarray(HEADER_LENGTH, kemEnd));
  } catch (err) {
    // A tampered ephemeral X25519 key can be of small order; report it as the tamper it is.
    throw new EnvelopeError("authentication_failed", `key envelope failed authentication: ${err instanceof Error ? err.message : String(err)}`);
  }
  const aad = concatBytes(envelope.subarray(0, HEADER_LENGTH), contextBytes(context));
  return gcmDecrypt("key envelope", kekFrom(sharedSecret), KEK_NONCE, envelope.subarray(kemEnd), aad);
}
