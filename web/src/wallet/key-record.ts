/**
 * The local wallet's mnemonic at rest: sealed with AES-256-GCM under a key derived from the
 * user's passphrase by PBKDF2-SHA256 (WebCrypto), random salt and IV per sealing. The record is
 * versioned JSON; its public header (version, KDF and its parameters, the address) is the GCM
 * associated data, so editing any of it — e.g. lowering the iteration count — makes opening fail
 * like a wrong passphrase does. The mnemonic itself is never stored or logged in clear.
 */
import { fromBase64, toBase64 } from "@cosmjs/encoding";

export const KEY_RECORD_VERSION = 1;
/** OWASP's 2023 figure for PBKDF2-HMAC-SHA256; a record asking for fewer is refused unopened. */
export const MIN_PBKDF2_ITERATIONS = 600_000;
const SALT_BYTES = 16;
const IV_BYTES = 12;

export interface EncryptedKeyRecord {
  version: typeof KEY_RECORD_VERSION;
  /** The account the mnemonic derives (shown while locked; bound into the ciphertext). */
  address: string;
  kdf: { name: "PBKDF2-SHA256"; iterations: number; salt: string };
  cipher: { name: "AES-256-GCM"; iv: string };
  /** base64 of the GCM ciphertext ‖ tag of the UTF-8 mnemonic. */
  ciphertext: string;
}

/** Opening failed: a wrong passphrase and a tampered record look the same to GCM, by design. */
export class KeyRecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KeyRecordError";
  }
}

function bufferOf(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes) as Uint8Array<ArrayBuffer>;
}

async function passphraseKey(passphrase: string, salt: Uint8Array, iterations: number): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey("raw", new TextEncoder().encode(passphrase), "PBKDF2", false, ["deriveKey"]);
  return crypto.subtle.deriveKey({ name: "PBKDF2", hash: "SHA-256", salt: bufferOf(salt), iterations }, base, { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
}

/** The associated data: everything in the record but the ciphertext, in a fixed order. */
function associatedData(record: Omit<EncryptedKeyRecord, "ciphertext">): Uint8Array<ArrayBuffer> {
  const header = [record.version, record.address, record.kdf.name, record.kdf.iterations, record.kdf.salt, record.cipher.name, record.cipher.iv];
  return bufferOf(new TextEncoder().encode(JSON.stringify(header)));
}

/** Seals `mnemonic` (for `address`) under `passphrase`. */
export async function sealMnemonic(mnemonic: string, address: string, passphrase: string, iterations = MIN_PBKDF2_ITERATIONS): Promise<EncryptedKeyRecord> {
  if (passphrase === "") throw new KeyRecordError("a passphrase is required");
  if (!Number.isSafeInteger(iterations) || iterations < MIN_PBKDF2_ITERATIONS) throw new KeyRecordError(`PBKDF2 needs at least ${MIN_PBKDF2_ITERATIONS} iterations`);
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const header = {
    version: KEY_RECORD_VERSION,
    address,
    kdf: { name: "PBKDF2-SHA256", iterations, salt: toBase64(salt) },
    cipher: { name: "AES-256-GCM", iv: toBase64(iv) },
  } as const;
  const key = await passphraseKey(passphrase, salt, iterations);
  const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: associatedData(header) }, key, new TextEncoder().encode(mnemonic));
  return { ...header, kdf: { ...header.kdf }, cipher: { ...header.cipher }, ciphertext: toBase64(new Uint8Array(sealed)) };
}

/** Parses stored JSON into a record of a known version; throws KeyRecordError on anything else. */
export function parseKeyRecord(json: string): EncryptedKeyRecord {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new KeyRecordError("the stored key is not valid JSON");
  }
  const r = value as Partial<EncryptedKeyRecord> | null;
  const wellFormed =
    r !== null &&
    typeof r === "object" &&
    r.version === KEY_RECORD_VERSION &&
    typeof r.address === "string" &&
    r.kdf?.name === "PBKDF2-SHA256" &&
    typeof r.kdf.iterations === "number" &&
    typeof r.kdf.salt === "string" &&
    r.cipher?.name === "AES-256-GCM" &&
    typeof r.cipher.iv === "string" &&
    typeof r.ciphertext === "string";
  if (!wellFormed) throw new KeyRecordError(`the stored key is not a version ${KEY_RECORD_VERSION} key record`);
  return r as EncryptedKeyRecord;
}

/** The mnemonic sealed in `record`; KeyRecordError for a wrong passphrase or a tampered record. */
export async function openMnemonic(record: EncryptedKeyRecord, passphrase: string): Promise<string> {
  if (!Number.isSafeInteger(record.kdf.iterations) || record.kdf.iterations < MIN_PBKDF2_ITERATIONS) {
    throw new KeyRecordError(`the stored key asks for ${record.kdf.iterations} PBKDF2 iterations, fewer than ${MIN_PBKDF2_ITERATIONS}: refused`);
  }
  let salt: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array;
  try {
    [salt, iv, ciphertext] = [fromBase64(record.kdf.salt), fromBase64(record.cipher.iv), fromBase64(record.ciphertext)];
  } catch {
    throw new KeyRecordError("the stored key is corrupted (bad base64)");
  }
  const key = await passphraseKey(passphrase, salt, record.kdf.iterations);
  try {
    const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: bufferOf(iv), additionalData: associatedData(record) }, key, bufferOf(ciphertext));
    return new TextDecoder().decode(plain);
  } catch {
    throw new KeyRecordError("wrong passphrase, or the stored key was altered");
  }
}

/** Where the sealed record lives in localStorage (the only thing the local wallet stores). */
export const KEY_RECORD_STORAGE_KEY = "ogpu.wallet.local";

/** The sealed record in `storage`, if any (a malformed one throws KeyRecordError). */
export function storedKeyRecord(storage: Storage = localStorage): EncryptedKeyRecord | undefined {
  const json = storage.getItem(KEY_RECORD_STORAGE_KEY);
  return json === null ? undefined : parseKeyRecord(json);
}

/** Removes the sealed record: only the mnemonic's owner can bring the key back. */
export function forgetStored(storage: Storage = localStorage): void {
  storage.removeItem(KEY_RECORD_STORAGE_KEY);
}
