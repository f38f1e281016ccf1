/**
 * The worker's key store, in its home directory:
 *
 *   <home>/keyring-<backend>/worker.json   the signing key (secp256k1, BIP-39 mnemonic), kept by
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
import { DirectSecp256k1Wallet, type OfflineDirectSigner } from "@cosmjs/proto-signing";
import { ACCOUNT_PREFIX } from "../crypto/bech32.js";
import { KEM_SEED_LENGTH, kemKeyPairFromSeed, type KemKeyPair } from "../crypto/kem.js";
import { Keyring, type KeyringBackend } from "../crypto/keyring.js";
import { signSecp256k1 } from "../crypto/secp256k1.js";
import type { BlobSigner } from "../sdk/blobs.js";

export const WORKER_KEY_NAME = "worker";
const PUBLIC_FILE = "worker.json";
const KEM_SEED_SALT = Buffer.from("ogpu/worker/v1", "utf8");
const KEM_SEED_INFO = Buffer.from("ogpu/worker/v1/kem-seed", "utf8");

export interface WorkerPublicInfo {
  address: string;
  /** base64 of the 1216-byte X25519 ‖ ML-KEM-768 public key registered as enc_pubkey. */
  encPubkey: string;
}

export interface WorkerKeys {
  address: string;
  /** Signs the worker's transactions (cosmjs). */
  signer: OfflineDirectSigner;
  /** Authorises blob uploads (sdk/blobs.ts). */
  blobSigner: BlobSigner;
  /** Hybrid KEM key pair: inputs are wrapped to publicKey. */
  kem: KemKeyPair;
}

/** The KEM seed bound to a mnemonic (see the file comment). */
export async function kemSeedFromMnemonic(mnemonic: string): Promise<Uint8Array> {
  const seed = await Bip39.mnemonicToSeed(new EnglishMnemonic(mnemonic.trim().split(/\s+/).join(" ")));
  return new Uint8Array(hkdfSync("sha256", seed, KEM_SEED_SALT, KEM_SEED_INFO, KEM_SEED_LENGTH));
}

/**
 * Creates the worker's keys under `home` (fails if they exist). `mnemonic` recovers existing
 * keys instead of generating new ones. Returns the public info and the mnemonic to back up.
 */
export async function initWorkerKeys(home: string, backend: KeyringBackend, mnemonic?: string): Promise<WorkerPublicInfo & { mnemonic: string }> {
  await mkdir(home, { recursive: true, mode: 0o700 });
  const keyring = Keyring.open(home, backend);
  const added = await keyring.add(WORKER_KEY_NAME, mnemonic === undefined ? {} : { mnemonic });
  const kem = kemKeyPairFromSeed(await kemSeedFromMnemonic(added.mnemonic));
  const info: WorkerPublicInfo = { address: added.info.address, encPubkey: Buffer.from(kem.publicKey).toString("base64") };
  await writeFile(join(home, PUBLIC_FILE), JSON.stringify(info, null, 2) + "\n", { mode: 0o644 });
  return { ...info, mnemonic: added.mnemonic };
}

/** Unlocks the worker's keys (the file backend needs $OGPU_KEYRING_PASSPHRASE). */
export async function loadWorkerKeys(home: string, backend: KeyringBackend): Promise<WorkerKeys> {
  const keyring = Keyring.open(home, backend);
  const info = await keyring.show(WORKER_KEY_NAME).catch((err: unknown) => {
    throw new Error(`no worker key in ${home} (${backend} keyring): run 'ogpu-worker init --home ${home}' first (${err instanceof Error ? err.message : String(err)})`);
  });
  const privkey = await keyring.privateKey(WORKER_KEY_NAME);
  const pubkey = (await keyring.pubKey(WORKER_KEY_NAME)).key;
  const kem = kemKeyPairFromSeed(await kemSeedFromMnemonic(await keyring.mnemonic(WORKER_KEY_NAME)));
  const signer = await DirectSecp256k1Wallet.fromKey(privkey, ACCOUNT_PREFIX);
  return {
    address: info.address,
    signer,
    blobSigner: { account: info.address, pubkey, sign: (bytes) => signSecp256k1(privkey, bytes) },
    kem,
  };
}

/** The public file written by init (no passphrase needed). */
export async function readWorkerPublicInfo(home: string): Promise<WorkerPublicInfo> {
  return JSON.parse(await readFile(join(home, PUBLIC_FILE), "utf8")) as WorkerPublicInfo;
}
