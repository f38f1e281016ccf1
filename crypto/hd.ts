import { Bip39, EnglishMnemonic, Random, Slip10, Slip10Curve, stringToPath } from "@cosmjs/crypto";

/**
 * Mnemonic → seed → account key, shared by the Node keyring (crypto/keyring.ts), the client
 * encryption key (sdk/client-key.ts) and the browser wallet (web/src/wallet/local.ts), so one
 * mnemonic gives the same address and keys everywhere. Portable: cosmjs BIP-39/SLIP-10 only.
 */

/** SLIP-44 coin type of account keys: the Cosmos Hub's, as wallets expect for Cosmos chains. */
export const BIP44_COIN_TYPE = 118;
/** The account key's HD path, as cosmjs DirectSecp256k1HdWallet and Keplr use for coin type 118. */
export const HD_PATH = `m/44'/${BIP44_COIN_TYPE}'/0'/0/0`;

/** Same normalisation for every path so whitespace differences never change the seed. */
export function normaliseMnemonic(mnemonic: string): string {
  return mnemonic.trim().split(/\s+/).join(" ");
}

/** The BIP-39 seed (empty password); throws on an invalid mnemonic (bad word or checksum). */
export function mnemonicSeed(mnemonic: string): Promise<Uint8Array> {
  return Bip39.mnemonicToSeed(new EnglishMnemonic(normaliseMnemonic(mnemonic)));
}

/** The secp256k1 account private key at HD_PATH. */
export function secp256k1PrivateKeyFromSeed(seed: Uint8Array): Uint8Array {
  return Slip10.derivePath(Slip10Curve.Secp256k1, seed, stringToPath(HD_PATH)).privkey;
}

/** A fresh 24-word mnemonic (256 bits of entropy from the platform's CSPRNG). */
export function generateMnemonic(): string {
  return Bip39.encode(Random.getBytes(32)).toString();
}
