/**
 * The client's encryption key (X25519 + ML-KEM-768, crypto/kem.ts), derived from the account's
 * mnemonic with HKDF under the client's own label, the same way worker/keys.ts derives a
 * worker's: the mnemonic alone recovers it (so results of old tasks can still be opened), and
 * it is independent of the signing key. Portable (cosmjs BIP-39 + @noble HKDF): the Node SDK
 * and the browser bundle (sdk/browser.ts) derive the same key.
 */
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { mnemonicSeed } from "../crypto/hd.js";
import { KEM_SEED_LENGTH, kemKeyPairFromSeed, type KemKeyPair } from "../crypto/kem.js";

const CLIENT_KEM_SALT = new TextEncoder().encode("ogpu/client/v1");
const CLIENT_KEM_INFO = new TextEncoder().encode("ogpu/client/v1/kem-seed");

/** The client's encryption key pair bound to its account mnemonic. */
export async function clientEncryptionKey(mnemonic: string): Promise<KemKeyPair> {
  const seed = await mnemonicSeed(mnemonic);
  return kemKeyPairFromSeed(hkdf(sha256, seed, CLIENT_KEM_SALT, CLIENT_KEM_INFO, KEM_SEED_LENGTH));
}

const SIGNATURE_KEM_SALT = new TextEncoder().encode("ogpu/client/signature/v1");

/**
 * What a wallet without a mnemonic (Keplr) signs, as ADR-036 arbitrary data, to derive the
 * client encryption key: bound to the chain and the account, and saying what it is for, since
 * whoever obtains this one signature can derive the key (docs/web.md).
 */
export function encryptionKeySigningText(chainId: string, address: string): string {
  return [
    "ogpu/client/v1/encryption-key",
    `chain: ${chainId}`,
    `account: ${address}`,
    "Signing this text derives your oGPU task encryption key. Sign it only on an oGPU dashboard.",
  ].join("\n");
}

/**
 * The client's encryption key from a deterministic (RFC 6979) secp256k1 signature over
 * encryptionKeySigningText: the same wallet gives the same signature, hence the same key, on
 * every device. A different key from clientEncryptionKey(mnemonic) of the same account.
 */
export function clientEncryptionKeyFromSignature(signature: Uint8Array): KemKeyPair {
  return kemKeyPairFromSeed(hkdf(sha256, signature, SIGNATURE_KEM_SALT, CLIENT_KEM_INFO, KEM_SEED_LENGTH));
}
