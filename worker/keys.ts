/**
 * The worker's key store, in its home directory:
 *
 *   <home>/keyring-<backend>/worker.json   the signing key (secp256k1, or ML-DSA-65 with
 *                                          --key-type mldsa65; BIP-39 mnemonic), kept by
 *                                          crypto/keyring.ts: sealed with scrypt + AES-GCM under
 *                                          $OGPU_KEYRING_PASSPHRASE (file) or in clear (test)
 *   <home>/worker.json                     public part only: address, encryption public key
 *
 * The 64-byte encryption seed for crypto/kem.ts (X25519 + ML-KEM-768) is derived from the same
 * mnemonic with HKDF under its own label, rather than stored as a second secret: it is then
 * protected exactly as the signing key is, and the mnemonic alone recovers both keys. The two
 * keys stay independent (HKDF with distinct labels), so one never reveals the other.
 */
import { hkdfSync } from "node:crypto";
import { readFile, writeFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { Bip39, EnglishMnemonic } from "@cosmjs/crypto";
import { KEM_SEED_LENGTH, kemKeyPairFromSeed, type KemKeyPair } from "../crypto/kem.js";
import { Keyring, type KeyringBackend, type KeyType } from "../crypto/keyring.js";
import { signWithKey } from "../crypto/pubkey.js";
import type { BlobSigner } from "../sdk/blobs.js";
import type { AccountKey } from "../sdk/direct-tx.js";

export const WORKER_KEY_NAME = "worker";
const PUBLIC_FILE = "worker.json";
/**
 * Whose encryption key a mnemonic derives: a worker's, or a validator operator's auditor key
 * (docs/worker.md "Auditor"). Distinct HKDF labels keep the two independent even when one
 * account is both a worker and a validator operator.
 */
export type KemRole = "worker" | "auditor";

export interface WorkerPublicInfo {
  address: string;
  /** base64 of the 1216-byte X25519 ‖ ML-KEM-768 public key registered as enc_pubkey. */
  encPubkey: string;
}

export interface WorkerKeys {
  address: string;
  /** secp256k1, or mldsa65 for a post-quantum worker or auditor. */
  keyType: KeyType;
  /** Signs the worker's transactions (sdk/direct-tx.ts). */
  account: AccountKey;
  /** Authorises blob uploads (sdk/blobs.ts). */
  blobSigner: BlobSigner;
  /** Hybrid KEM key pair: inputs are wrapped to publicKey. */
  kem: KemKeyPair;
}

/** The KEM seed bound to a mnemonic (see the file comment). */
export async function kemSeedFromMnemonic(mnemonic: string, role: KemRole = "worker"): Promise<Uint8Array> {
  const seed = await Bip39.mnemonicToSeed(new EnglishMnemonic(mnemonic.trim().split(/\s+/).join(" ")));
  const salt = Buffer.from(`ogpu/${role}/v1`, "utf8");
  const info = Buffer.from(`ogpu/${role}/v1/kem-seed`, "utf8");
  return new Uint8Array(hkdfSync("sha256", seed, salt, info, KEM_SEED_LENGTH));
}

/**
 * Creates the worker's keys under `home` (fails if they exist). `mnemonic` recovers existing
 * keys instead of generating new ones. Returns the public info and the mnemonic to back up.
 */
export async function initWorkerKeys(home: string, backend: KeyringBackend, mnemonic?: string, type: KeyType = "secp256k1"): Promise<WorkerPublicInfo & { mnemonic: string }> {
  await mkdir(home, { recursive: true, mode: 0o700 });
  const keyring = Keyring.open(home, backend);
  const added = await keyring.add(WORKER_KEY_NAME, mnemonic === undefined ? { type } : { mnemonic, type });
  const kem = kemKeyPairFromSeed(await kemSeedFromMnemonic(added.mnemonic));
  const info: WorkerPublicInfo = { address: added.info.address, encPubkey: Buffer.from(kem.publicKey).toString("base64") };
  await writeFile(join(home, PUBLIC_FILE), JSON.stringify(info, null, 2) + "\n", { mode: 0o644 });
  return { ...info, mnemonic: added.mnemonic };
}

/**
 * Unlocks the worker's keys (the file backend needs $OGPU_KEYRING_PASSPHRASE). `keyType`, when
 * given, must be the key's type: a worker meant to run post-quantum never starts on a classic key.
 */
export function loadWorkerKeys(home: string, backend: KeyringBackend, keyType?: KeyType): Promise<WorkerKeys> {
  return loadRoleKeys(home, backend, WORKER_KEY_NAME, "worker", `run 'ogpu-worker init --home ${home}' first`, keyType);
}

/**
 * Unlocks a validator's operator key `keyName` (in the keyring of `home`, e.g. ogpud's) for the
 * auditor role: its transactions are MsgAttest, its encryption key the operator's auditor key.
 */
export function loadAuditorKeys(home: string, backend: KeyringBackend, keyName: string, keyType?: KeyType): Promise<WorkerKeys> {
  return loadRoleKeys(home, backend, keyName, "auditor", "pass --key with the validator operator's key name", keyType);
}

async function loadRoleKeys(home: string, backend: KeyringBackend, keyName: string, role: KemRole, hint: string, keyType?: KeyType): Promise<WorkerKeys> {
  const keyring = Keyring.open(home, backend);
  const info = await keyring.show(keyName).catch((err: unknown) => {
    throw new Error(`no key '${keyName}' in ${home} (${backend} keyring): ${hint} (${err instanceof Error ? err.message : String(err)})`);
  });
  if (keyType !== undefined && info.type !== keyType) throw new Error(`key '${keyName}' in ${home} is ${info.type}, not ${keyType} (--key-type)`);
  const privkey = await keyring.privateKey(keyName);
  const pubkey = await keyring.pubKey(keyName);
  const kem = kemKeyPairFromSeed(await kemSeedFromMnemonic(await keyring.mnemonic(keyName), role));
  const sign = (bytes: Uint8Array) => signWithKey(pubkey.typeUrl, privkey, bytes);
  return {
    address: info.address,
    keyType: info.type,
    account: { address: info.address, pubkey, sign },
    blobSigner: { account: info.address, pubkey: pubkey.key, sign },
    kem,
  };
}

const AUDITOR_PUBLIC_FILE = "auditor.json";

/**
 * `<home>/auditor.json`: the validator operator's account and auditor encryption key, written by
 * `ogpu-worker audit` so a client on the same machine (devnet, tests) can wrap inputs for it.
 */
export async function writeAuditorPublicInfo(home: string, info: WorkerPublicInfo): Promise<void> {
  await writeFile(join(home, AUDITOR_PUBLIC_FILE), JSON.stringify(info, null, 2) + "\n", { mode: 0o644 });
}

export async function readAuditorPublicInfo(home: string): Promise<WorkerPublicInfo> {
  return JSON.parse(await readFile(join(home, AUDITOR_PUBLIC_FILE), "utf8")) as WorkerPublicInfo;
}

/** The public file written by init (no passphrase needed). */
export async function readWorkerPublicInfo(home: string): Promise<WorkerPublicInfo> {
  return JSON.parse(await readFile(join(home, PUBLIC_FILE), "utf8")) as WorkerPublicInfo;
}
