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
