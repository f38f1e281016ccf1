/**
 * The local-key wallet: a BIP-39 mnemonic held in this browser, sealed at rest
 * (key-record.ts) and unsealed into memory only while unlocked. One mnemonic gives the same
 * account (crypto/hd.ts: m/44'/118'/0'/0/0, prefix ogpu) and the same encryption key
 * (sdk/client-key.ts) as the Node keyring and CLI.
 */
import { DirectSecp256k1Wallet } from "@cosmjs/proto-signing";
import { ACCOUNT_PREFIX, clientEncryptionKey, mnemonicSeed, normaliseMnemonic, secp256k1PrivateKeyFromSeed, secp256k1PublicKey, signSecp256k1, type KemKeyPair } from "../../../sdk/browser";
import { KEY_RECORD_STORAGE_KEY, openMnemonic, sealMnemonic, storedKeyRecord } from "./key-record";
import type { Wallet } from "./types";

// In key-record.ts, so the header can read the stored record without fetching this module's signing code.
export { forgetStored, KEY_RECORD_STORAGE_KEY, storedKeyRecord } from "./key-record";

/** A wallet over `mnemonic`; throws on an invalid mnemonic (bad word or checksum). */
export async function localWallet(mnemonic: string): Promise<Wallet> {
  const words = normaliseMnemonic(mnemonic);
  const privkey = secp256k1PrivateKeyFromSeed(await mnemonicSeed(words));
  const signer = await DirectSecp256k1Wallet.fromKey(privkey, ACCOUNT_PREFIX);
  const [account] = await signer.getAccounts();
  let encryption: Promise<KemKeyPair> | undefined;
  return {
    kind: "local",
    address: account!.address,
    signer,
    blobSigner: { account: account!.address, pubkey: secp256k1PublicKey(privkey), sign: (bytes) => signSecp256k1(privkey, bytes) },
    encryptionKey: () => (encryption ??= clientEncryptionKey(words)),
  };
}

/** Derives the wallet of `mnemonic`, seals the mnemonic under `passphrase` and stores the record. */
export async function importMnemonic(mnemonic: string, passphrase: string, storage: Storage = localStorage): Promise<Wallet> {
  const wallet = await localWallet(mnemonic);
  const record = await sealMnemonic(normaliseMnemonic(mnemonic), wallet.address, passphrase);
  storage.setItem(KEY_RECORD_STORAGE_KEY, JSON.stringify(record));
  return wallet;
}

/** Opens the stored record with `passphrase` (KeyRecordError when wrong) and derives its wallet. */
export async function unlockStored(passphrase: string, storage: Storage = localStorage): Promise<Wallet> {
  const record = storedKeyRecord(storage);
  if (record === undefined) throw new Error("no key is stored in this browser");
  return localWallet(await openMnemonic(record, passphrase));
}
