import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { KEM_CIPHERTEXT_LENGTH, KEM_SECRET_LENGTH, kemDecapsulate, kemEncapsulate } from "./kem.js";

/**
 * End-to-end encryption envelopes (AES-256-GCM via node:crypto).
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
const PAYLOAD_MAGIC = Buffer.from("OGPP", "latin1");
const KEY_MAGIC = Buffer.from("OGPK", "latin1");
const KEK_INFO = Buffer.from("ogpu/envelope/v1/kek", "latin1");
const KEK_NONCE = Buffer.alloc(NONCE_LENGTH);

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
  return typeof context === "string" ? Buffer.from(context, "utf8") : context;
}

/**
 * Unambiguous context from parts (each length-prefixed), e.g. `envelopeContext("task", id, worker)`:
 * plain concatenation would let ("ab","c") and ("a","bc") authenticate as the same context.
 */
export function envelopeContext(...parts: string[]): Uint8Array {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const bytes = Buffer.from(part, "utf8");
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    chunks.push(length, bytes);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/** A fresh random data key. */
export function generateDataKey(): Uint8Array {
  return new Uint8Array(randomBytes(DATA_KEY_LENGTH));
}

function header(magic: Buffer): Buffer {
  return Buffer.concat([magic, Buffer.of(ENVELOPE_VERSION)]);
}

/** Checks magic, version and minimum length; `what` names the envelope kind in errors. */
function checkHeader(what: string, bytes: Uint8Array, magic: Buffer, minLength: number): void {
  if (!(bytes instanceof Uint8Array) || bytes.length < minLength) {
    throw new EnvelopeError("malformed", `${what} is truncated: ${bytes instanceof Uint8Array ? bytes.length : 0} bytes, need at least ${minLength}`);
  }
  if (!magic.equals(bytes.subarray(0, magic.length))) throw new EnvelopeError("malformed", `not a ${what} (bad magic)`);
  const version = bytes[magic.length];
  if (version !== ENVELOPE_VERSION) throw new EnvelopeError("unsupported_version", `${what} version ${version} is not supported (expected ${ENVELOPE_VERSION})`);
}

function expectKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== DATA_KEY_LENGTH) {
    throw new EnvelopeError("malformed", `data key must be ${DATA_KEY_LENGTH} bytes`);
  }
}

/**
 * `prefix` ‖ AES-GCM(plaintext) ‖ tag in one buffer: the ciphertext is copied once, into place
 * (payloads reach 16 MiB, and every extra concat showed up as lost throughput in bench/envelope.ts).
 */
function gcmEncrypt(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array, prefix: Uint8Array): Uint8Array {
  const cipher = createCipheriv("aes-256-gcm", key, nonce, { authTagLength: TAG_LENGTH });
  cipher.setAAD(aad);
  // Every byte is written below, so skip zero-filling (unpooled: the result owns its ArrayBuffer).
  const slab = Buffer.allocUnsafeSlow(prefix.length + plaintext.length + TAG_LENGTH);
  const out = new Uint8Array(slab.buffer, slab.byteOffset, slab.byteLength);
  out.set(prefix, 0);
  const body = cipher.update(plaintext);
  out.set(body, prefix.length);
  const rest = cipher.final(); // empty for GCM, kept for correctness
  out.set(rest, prefix.length + body.length);
  out.set(cipher.getAuthTag(), prefix.length + body.length + rest.length);
  return out;
}

/** Throws `authentication_failed` when anything covered by the tag differs. */
function gcmDecrypt(what: string, key: Uint8Array, nonce: Uint8Array, ciphertext: Uint8Array, tag: Uint8Array, aad: Uint8Array): Uint8Array {
  const decipher = createDecipheriv("aes-256-gcm", key, nonce, { authTagLength: TAG_LENGTH });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  const head = decipher.update(ciphertext);
  try {
    const rest = decipher.final();
    const plaintext = rest.length === 0 ? head : Buffer.concat([head, rest]);
    return new Uint8Array(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength);
  } catch {
    throw new EnvelopeError("authentication_failed", `${what} failed authentication: wrong key or context, or the bytes were tampered with`);
  }
}

/** Encrypts `plaintext` under `dataKey`; `aad` (e.g. the task id) must be given again to open it. */
export function sealPayload(dataKey: Uint8Array, plaintext: Uint8Array, aad: Context = new Uint8Array(0)): Uint8Array {
  expectKey(dataKey);
  const head = header(PAYLOAD_MAGIC);
  const nonce = randomBytes(NONCE_LENGTH);
  return gcmEncrypt(dataKey, nonce, plaintext, Buffer.concat([head, contextBytes(aad)]), Buffer.concat([head, nonce]));
}

/** Inverse of {@link sealPayload}; throws {@link EnvelopeError} on any mismatch. */
export function openPayload(dataKey: Uint8Array, sealed: Uint8Array, aad: Context = new Uint8Array(0)): Uint8Array {
  expectKey(dataKey);
  checkHeader("sealed payload", sealed, PAYLOAD_MAGIC, SEALED_PAYLOAD_OVERHEAD);
  const nonce = sealed.subarray(HEADER_LENGTH, HEADER_LENGTH + NONCE_LENGTH);
  const ciphertext = sealed.subarray(HEADER_LENGTH + NONCE_LENGTH, sealed.length - TAG_LENGTH);
  const tag = sealed.subarray(sealed.length - TAG_LENGTH);
  const aadBytes = Buffer.concat([sealed.subarray(0, HEADER_LENGTH), contextBytes(aad)]);
  return gcmDecrypt("sealed payload", dataKey, nonce, ciphertext, tag, aadBytes);
}

function kekFrom(kemSecret: Uint8Array): Uint8Array {
  return new Uint8Array(hkdfSync("sha256", kemSecret, new Uint8Array(0), KEK_INFO, DATA_KEY_LENGTH));
}

/**
 * Wraps `dataKey` for the holder of `recipientPub` (a 1216-byte hybrid KEM key). `context`
 * (e.g. `envelopeContext("ogpu/task-key", taskId, workerAddress)`) is authenticated, so an
 * envelope cannot be replayed for another task or worker.
 */
export function wrapKey(recipientPub: Uint8Array, dataKey: Uint8Array, context: Context): Uint8Array {
  expectKey(dataKey);
  const { ciphertext: kemCiphertext, sharedSecret } = kemEncapsulate(recipientPub);
  const head = header(KEY_MAGIC);
  return gcmEncrypt(kekFrom(sharedSecret), KEK_NONCE, dataKey, Buffer.concat([head, contextBytes(context)]), Buffer.concat([head, kemCiphertext]));
}

/** Recovers the data key from a key envelope; throws {@link EnvelopeError} on any mismatch. */
export function unwrapKey(recipientSecret: Uint8Array, envelope: Uint8Array, context: Context): Uint8Array {
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
    sharedSecret = kemDecapsulate(recipientSecret, envelope.subarray(HEADER_LENGTH, kemEnd));
  } catch (err) {
    // A tampered ephemeral X25519 key can be of small order; report it as the tamper it is.
    throw new EnvelopeError("authentication_failed", `key envelope failed authentication: ${err instanceof Error ? err.message : String(err)}`);
  }
  const wrapped = envelope.subarray(kemEnd, kemEnd + DATA_KEY_LENGTH);
  const tag = envelope.subarray(kemEnd + DATA_KEY_LENGTH);
  const aad = Buffer.concat([envelope.subarray(0, HEADER_LENGTH), contextBytes(context)]);
  return gcmDecrypt("key envelope", kekFrom(sharedSecret), KEK_NONCE, wrapped, tag, aad);
}
