import { concatBytes } from "./bytes.js";
import { x25519 } from "@noble/curves/ed25519.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { ml_kem768 } from "@noble/post-quantum/ml-kem.js";
import { base64urlnopad } from "@scure/base";
import { secureRandom, type RandomSource } from "./random.js";

/**
 * Hybrid KEM: X25519 + ML-KEM-768, combined with HKDF-SHA256 (the X-Wing construction's shape).
 * The shared secret stays safe while either component holds: X25519 against today's attackers,
 * ML-KEM-768 against a future quantum computer that records ciphertexts now.
 *
 *   public key  = x25519_pub(32) ‖ mlkem_pub(1184)            — a worker's registered `enc_pubkey`
 *   ciphertext  = x25519_ephemeral_pub(32) ‖ mlkem_ct(1088)
 *   secret      = HKDF-SHA256(ikm  = x25519_ss ‖ mlkem_ss,
 *                             salt = "ogpu/kem/v1",
 *                             info = "ogpu/kem/v1" ‖ x25519_ephemeral_pub ‖ x25519_recipient_pub)
 *
 * Only the X25519 public parts go into `info`: ML-KEM is IND-CCA2 and already binds its own
 * ciphertext and public key into its secret, while raw X25519 output does not (X-Wing makes the
 * same choice). Node's HKDF caps `info` at 1024 bytes, which the ML-KEM parts would exceed.
 *
 * The same code runs in Node and in browsers (sdk/browser.ts): X25519 key exchange through
 * WebCrypto, key derivation from a seed through @noble/curves (synchronous, once per key), HKDF
 * and ML-KEM through @noble.
 */

export const X25519_KEY_LENGTH = 32;
export const MLKEM768_PUBKEY_LENGTH = 1184;
export const MLKEM768_SECRET_LENGTH = 2400;
export const MLKEM768_CIPHERTEXT_LENGTH = 1088;
export const KEM_SEED_LENGTH = 64;
export const KEM_SHARED_SECRET_LENGTH = 32;
/** 1216 bytes: the `enc_pubkey` length x/workers checks. */
export const KEM_PUBKEY_LENGTH = X25519_KEY_LENGTH + MLKEM768_PUBKEY_LENGTH;
/** x25519_secret(32) ‖ x25519_pub(32) ‖ mlkem_secret(2400); the X25519 public part feeds `info`. */
export const KEM_SECRET_LENGTH = 2 * X25519_KEY_LENGTH + MLKEM768_SECRET_LENGTH;
export const KEM_CIPHERTEXT_LENGTH = X25519_KEY_LENGTH + MLKEM768_CIPHERTEXT_LENGTH;

const LABEL = new TextEncoder().encode("ogpu/kem/v1");
const X25519_SEED_INFO = new TextEncoder().encode("ogpu/kem/v1/seed/x25519");
const MLKEM_SEED_INFO = new TextEncoder().encode("ogpu/kem/v1/seed/ml-kem-768");

export interface KemKeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

export interface KemEncapsulation {
  ciphertext: Uint8Array;
  sharedSecret: Uint8Array;
}

/** A WebCrypto key (the lib has no DOM types; this is what importKey gives). */
type WebCryptoKey = Awaited<ReturnType<typeof globalThis.crypto.subtle.importKey>>;

/** PKCS#8 DER of an X25519 private key (OID 1.3.101.110) is this prefix ‖ the raw 32 bytes. */
const X25519_PKCS8_PREFIX = Uint8Array.of(0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20);

/** A WebCrypto X25519 private key from its raw 32 bytes (WebCrypto imports private keys as PKCS#8 only). */
function importX25519Secret(secret: Uint8Array): Promise<WebCryptoKey> {
  return globalThis.crypto.subtle.importKey("pkcs8", concatBytes(X25519_PKCS8_PREFIX, secret) as Uint8Array<ArrayBuffer>, { name: "X25519" }, true, ["deriveBits"]);
}

/** The raw public key of a WebCrypto X25519 private key (its JWK carries it as `x`). */
async function x25519PublicOf(key: WebCryptoKey): Promise<Uint8Array> {
  const jwk = await globalThis.crypto.subtle.exportKey("jwk", key);
  return base64urlnopad.decode(jwk.x ?? "");
}

/**
 * X25519 shared secret through WebCrypto (OpenSSL in Node, the browser's own in browsers):
 * ~13× faster here than @noble/curves' ladder, which matters because a client wraps a key for
 * every candidate worker. An invalid or small-order peer key (all-zero secret) is refused.
 */
async function x25519SharedSecret(secret: WebCryptoKey, peerPublic: Uint8Array): Promise<Uint8Array> {
  let shared: Uint8Array;
  try {
    const peer = await globalThis.crypto.subtle.importKey("raw", peerPublic as Uint8Array<ArrayBuffer>, { name: "X25519" }, false, []);
    shared = new Uint8Array(await globalThis.crypto.subtle.deriveBits({ name: "X25519", public: peer }, secret, 256));
  } catch (err) {
    throw new Error(`hybrid KEM: invalid X25519 public key: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (shared.every((b) => b === 0)) throw new Error("hybrid KEM: X25519 public key has small order");
  return shared;
}

function combine(x25519Secret: Uint8Array, mlkemSecret: Uint8Array, ephemeralPub: Uint8Array, recipientPub: Uint8Array): Uint8Array {
  return hkdf(sha256, concatBytes(x25519Secret, mlkemSecret), LABEL, concatBytes(LABEL, ephemeralPub, recipientPub), KEM_SHARED_SECRET_LENGTH);
}

function expectLength(what: string, bytes: Uint8Array, length: number): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
    const got = bytes instanceof Uint8Array ? `${bytes.length} bytes` : typeof bytes;
    throw new Error(`hybrid KEM: ${what} must be ${length} bytes, got ${got}`);
  }
}

/**
 * Deterministic key pair from a 64-byte seed, so a keyring can store just the seed. Each
 * component gets its own HKDF-expanded seed, so neither key reveals anything about the other.
 */
export function kemKeyPairFromSeed(seed: Uint8Array): KemKeyPair {
  expectLength("seed", seed, KEM_SEED_LENGTH);
  const xSecret = hkdf(sha256, seed, LABEL, X25519_SEED_INFO, X25519_KEY_LENGTH);
  const mlkemSeed = hkdf(sha256, seed, LABEL, MLKEM_SEED_INFO, KEM_SEED_LENGTH);
  const xPublic = x25519.getPublicKey(xSecret);
  const mlkem = ml_kem768.keygen(mlkemSeed);
  return {
    publicKey: concatBytes(xPublic, mlkem.publicKey),
    secretKey: concatBytes(xSecret, xPublic, mlkem.secretKey),
  };
}

/** A key pair from a fresh random seed; returns the seed too, for a keyring to store. */
export function generateKemKeyPair(random: RandomSource = secureRandom): KemKeyPair & { seed: Uint8Array } {
  const seed = random(KEM_SEED_LENGTH);
  return { seed, ...kemKeyPairFromSeed(seed) };
}

/** Public key of a secret key (the embedded X25519 public part ‖ the ML-KEM key's own copy). */
export function kemPublicKey(secretKey: Uint8Array): Uint8Array {
  expectLength("secret key", secretKey, KEM_SECRET_LENGTH);
  const mlkemSecret = secretKey.subarray(2 * X25519_KEY_LENGTH);
  return concatBytes(secretKey.subarray(X25519_KEY_LENGTH, 2 * X25519_KEY_LENGTH), ml_kem768.getPublicKey(mlkemSecret));
}

/**
 * A fresh shared secret for `recipientPub` and the ciphertext that lets its owner recover it.
 * `random` supplies the ephemeral X25519 secret and ML-KEM's 32-byte message, in that order.
 */
export async function kemEncapsulate(recipientPub: Uint8Array, random: RandomSource = secureRandom): Promise<KemEncapsulation> {
  expectLength("public key", recipientPub, KEM_PUBKEY_LENGTH);
  const recipientX = recipientPub.subarray(0, X25519_KEY_LENGTH);
  const recipientMlkem = recipientPub.subarray(X25519_KEY_LENGTH);
  const ephemeral = await importX25519Secret(random(X25519_KEY_LENGTH));
  const ephemeralPub = await x25519PublicOf(ephemeral);
  const xSecret = await x25519SharedSecret(ephemeral, recipientX);
  let mlkem: { cipherText: Uint8Array; sharedSecret: Uint8Array };
  try {
    mlkem = ml_kem768.encapsulate(recipientMlkem, random(32));
  } catch (err) {
    throw new Error(`hybrid KEM: invalid ML-KEM-768 public key: ${err instanceof Error ? err.message : String(err)}`);
  }
  return {
    ciphertext: concatBytes(ephemeralPub, mlkem.cipherText),
    sharedSecret: combine(xSecret, mlkem.sharedSecret, ephemeralPub, recipientX),
  };
}

/**
 * The shared secret inside `ciphertext`. A ciphertext made for another key does not throw
 * (ML-KEM's implicit rejection yields an unrelated secret); the AEAD keyed from it fails instead.
 */
export async function kemDecapsulate(secretKey: Uint8Array, ciphertext: Uint8Array): Promise<Uint8Array> {
  expectLength("secret key", secretKey, KEM_SECRET_LENGTH);
  expectLength("ciphertext", ciphertext, KEM_CIPHERTEXT_LENGTH);
  const ephemeralPub = ciphertext.subarray(0, X25519_KEY_LENGTH);
  const recipientX = secretKey.subarray(X25519_KEY_LENGTH, 2 * X25519_KEY_LENGTH);
  const xSecret = await x25519SharedSecret(await importX25519Secret(secretKey.subarray(0, X25519_KEY_LENGTH)), ephemeralPub);
  const mlkemSecret = ml_kem768.decapsulate(ciphertext.subarray(X25519_KEY_LENGTH), secretKey.subarray(2 * X25519_KEY_LENGTH));
  return combine(xSecret, mlkemSecret, ephemeralPub, recipientX);
}
