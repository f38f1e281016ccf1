/**
 * A blob upload signer from a mnemonic, for Node clients (the SDK, the CLI, test harnesses): the
 * keyring's key derivation and signers. Kept out of sdk/task-io.ts so that file stays portable
 * (the web page signs uploads with its wallet's BlobSigner instead).
 */
import { deriveKey, type KeyType } from "../crypto/keyring.js";
import { signWithKey } from "../crypto/pubkey.js";
import type { BlobSigner } from "./blobs.js";

/** A blob upload signer for the account of `mnemonic` (secp256k1 at m/44'/118'/0'/0/0, or its ML-DSA-65 key). */
export async function blobSignerFromMnemonic(mnemonic: string, account: string, type: KeyType = "secp256k1"): Promise<BlobSigner> {
  const key = await deriveKey(mnemonic, type);
  return { account, pubkey: key.pubkey.key, sign: (bytes) => signWithKey(key.pubkey.typeUrl, key.privateKey, bytes) };
}
