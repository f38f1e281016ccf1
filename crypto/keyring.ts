import { createCipheriv, createDecipheriv, randomBytes, scrypt as scryptCb, type ScryptOptions } from "node:crypto";
import { mkdir, readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { ACCOUNT_PREFIX, toBech32 } from "./bech32.js";
import { fromHex } from "./bytes.js";
import { BIP44_COIN_TYPE, generateMnemonic, HD_PATH, mnemonicSeed, normaliseMnemonic, secp256k1PrivateKeyFromSeed } from "./hd.js";
import { mlDsa65KeyPair, MLDSA65_SEED_LENGTH } from "./mldsa65.js";
import { addressOf, MLDSA65_PUBKEY_TYPE_URL, SECP256K1_PUBKEY_TYPE_URL, signWithKey, type PubKey } from "./pubkey.js";
import { secp256k1PublicKey } from "./secp256k1.js";
import { writeSecretFile } from "./secret-file.js";

/**
 * A local keyring in the spirit of the Cosmos SDK's. One JSON file per key holding the
 * public part in clear (so `list`/`show` need no passphrase) and the mnemonic either in clear
 * (`test` backend, for scripts) or sealed with AES-256-GCM under an scrypt-derived key (`file`
 * backend). The public header is the GCM associated data, so editing it breaks decryption.
 *
 * Derivation: secp256k1 keys follow BIP-39 → SLIP-10/BIP-32 at m/44'/118'/0'/0/0, exactly like
 * cosmjs DirectSecp256k1HdWallet, so a mnemonic gives the same address in any Cosmos wallet
 * set to prefix "ogpu". ML-DSA-65 keys use the first 32 bytes of the same BIP-39 seed as the
 * FIPS 204 key-generation seed (no HD path: ML-DSA has no standard hierarchical derivation).
 */

export type KeyringBackend = "file" | "test";
export type KeyType = "secp256k1" | "mldsa65";

export interface KeyInfo {
  name: string;
  type: KeyType;
  /** bech32 account address (ogpu1…) */
  address: string;
  /** base64 of the raw public key bytes */
  pubkey: string;
}

export { BIP44_COIN_TYPE, generateMnemonic, HD_PATH };
export const PASSPHRASE_ENV = "OGPU_KEYRING_PASSPHRASE";

const FILE_VERSION = 1;
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** N=2^15, r=8: ~0.1 s and 32 MiB per derivation, the usual interactive-login strength. */
const SCRYPT_PARAMS = { N: 1 << 15, r: 8, p: 1 } as const;
const SCRYPT_MAXMEM = 64 * 1024 * 1024;

interface SealedSecret {
  kdf: "scrypt";
  N: number;
  r: number;
  p: number;
  salt: string;
  cipher: "aes-256-gcm";
  iv: string;
  tag: string;
  ciphertext: string;
}

interface KeyFile {
  version: number;
  info: KeyInfo;
  /**
   * What the secret is: a BIP-39 mnemonic (keys added or recovered; the default), or the hex of
   * a raw secp256k1 private key (keys imported from another wallet's armored export).
   */
  secret?: "mnemonic" | "privkey";
  /** test backend only: the secret in clear (a mnemonic, or the private key's hex) */
  mnemonic?: string;
  /** file backend only */
  sealed?: SealedSecret;
}

interface DerivedKey {
  pubkey: PubKey;
  privateKey: Uint8Array;
}

function scrypt(passphrase: string, salt: Buffer, params: { N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { ...params, maxmem: SCRYPT_MAXMEM };
  return new Promise((resolve, reject) =>
    scryptCb(passphrase, salt, 32, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** Derives the account key of `type` from a mnemonic; throws on an invalid mnemonic. */
export async function deriveKey(mnemonic: string, type: KeyType): Promise<DerivedKey> {
  const seed = await mnemonicSeed(mnemonic);
  if (type === "mldsa65") {
    const { publicKey, secretKey } = mlDsa65KeyPair(seed.slice(0, MLDSA65_SEED_LENGTH));
    return { pubkey: { typeUrl: MLDSA65_PUBKEY_TYPE_URL, key: publicKey }, privateKey: secretKey };
  }
  const privkey = secp256k1PrivateKeyFromSeed(seed);
  return { pubkey: { typeUrl: SECP256K1_PUBKEY_TYPE_URL, key: secp256k1PublicKey(privkey) }, privateKey: privkey };
}

function secp256k1FromPrivateKey(privateKey: Uint8Array): DerivedKey {
  if (privateKey.length !== 32) throw new Error(`a secp256k1 private key is 32 bytes, got ${privateKey.length}`);
  return { pubkey: { typeUrl: SECP256K1_PUBKEY_TYPE_URL, key: secp256k1PublicKey(privateKey) }, privateKey: new Uint8Array(privateKey) };
}

export class Keyring {
  private readonly dir: string;
  /** Decrypted secrets, so repeated signing does not pay scrypt each time. */
  private readonly unlocked = new Map<string, DerivedKey>();

  private constructor(
    readonly home: string,
    readonly backend: KeyringBackend,
    private passphrase: string | undefined,
    /** Asked once, the first time a secret is needed, when no passphrase was given (a terminal prompt). */
    private readonly askPassphrase: (() => Promise<string>) | undefined,
  ) {
    this.dir = join(home, `keyring-${backend}`);
  }

  /**
   * The `file` backend takes the passphrase from the argument, else from $OGPU_KEYRING_PASSPHRASE,
   * else from `ask` (called only when a secret is actually read or written).
   */
  static open(home: string, backend: KeyringBackend, passphrase?: string, ask?: () => Promise<string>): Keyring {
    if (backend !== "file" && backend !== "test") throw new Error(`unknown keyring backend '${String(backend)}' (use file or test)`);
    const secret = backend === "file" ? (passphrase ?? process.env[PASSPHRASE_ENV]) : undefined;
    return new Keyring(home, backend, secret, backend === "file" ? ask : undefined);
  }

  async add(name: string, opts: { mnemonic?: string; type?: KeyType } = {}): Promise<{ info: KeyInfo; mnemonic: string }> {
    checkName(name);
    const type = opts.type ?? "secp256k1";
    if (type !== "secp256k1" && type !== "mldsa65") throw new Error(`unknown key type '${String(type)}' (use secp256k1 or mldsa65)`);
    if (await this.exists(name)) throw new Error(`key '${name}' already exists`);
    const mnemonic = opts.mnemonic === undefined ? generateMnemonic() : normaliseMnemonic(opts.mnemonic);
    let derived: DerivedKey;
    try {
      derived = await deriveKey(mnemonic, type);
    } catch (err) {
      throw new Error(`invalid mnemonic: ${err instanceof Error ? err.message : String(err)}`);
    }
    const info: KeyInfo = {
      name,
      type,
      address: toBech32(ACCOUNT_PREFIX, addressOf(derived.pubkey)),
      pubkey: Buffer.from(derived.pubkey.key).toString("base64"),
    };
    await this.write(info, "mnemonic", mnemonic);
    this.unlocked.set(name, derived);
    return { info, mnemonic };
  }

  /**
   * Stores a secp256k1 private key that came without a mnemonic (`keys import` of an armored
   * export). Such a key signs like any other but has no mnemonic to show or derive from.
   */
  async importPrivateKey(name: string, privateKey: Uint8Array): Promise<KeyInfo> {
    checkName(name);
    if (await this.exists(name)) throw new Error(`key '${name}' already exists`);
    const derived = secp256k1FromPrivateKey(privateKey);
    const info: KeyInfo = { name, type: "secp256k1", address: toBech32(ACCOUNT_PREFIX, addressOf(derived.pubkey)), pubkey: Buffer.from(derived.pubkey.key).toString("base64") };
    await this.write(info, "privkey", Buffer.from(privateKey).toString("hex"));
    this.unlocked.set(name, derived);
    return info;
  }

  private async write(info: KeyInfo, secret: "mnemonic" | "privkey", value: string): Promise<void> {
    const file: KeyFile = { version: FILE_VERSION, info, ...(secret === "privkey" ? { secret } : {}) };
    if (this.backend === "test") {
      file.mnemonic = value;
    } else {
      const passphrase = await this.requirePassphrase();
      await this.checkPassphraseMatchesExisting(passphrase);
      file.sealed = await seal(value, passphrase, aadOf(info));
    }
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await writeSecretFile(this.pathOf(info.name), JSON.stringify(file, null, 2) + "\n");
  }

  async list(): Promise<KeyInfo[]> {
    let entries: string[];
    try {
      entries = await readdir(this.dir);
    } catch (err) {
      if (isNotFound(err)) return [];
      throw err;
    }
    const names = entries.filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -".json".length));
    const infos = await Promise.all(names.filter((n) => NAME_PATTERN.test(n)).map((n) => this.show(n)));
    return infos.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async show(name: string): Promise<KeyInfo> {
    return (await this.readKeyFile(name)).info;
  }

  async delete(name: string): Promise<void> {
    await this.readKeyFile(name); // unknown-name error first
    await rm(this.pathOf(name));
    this.unlocked.delete(name);
  }

  async mnemonic(name: string): Promise<string> {
    const file = await this.readKeyFile(name);
    if (file.secret === "privkey") throw new Error(`key '${name}' was imported from a private key: it has no mnemonic`);
    return this.secretOf(file);
  }

  private async secretOf(file: KeyFile): Promise<string> {
    if (file.mnemonic !== undefined) return file.mnemonic;
    if (!file.sealed) throw new Error(`key '${file.info.name}' has no stored secret`);
    return unseal(file.sealed, await this.requirePassphrase(), aadOf(file.info));
  }

  /** secp256k1: the 32-byte scalar; mldsa65: the 4032-byte FIPS 204 secret key. */
  async privateKey(name: string): Promise<Uint8Array> {
    return (await this.unlock(name)).privateKey;
  }

  async pubKey(name: string): Promise<PubKey> {
    return (await this.unlock(name)).pubkey;
  }

  /** Signs raw sign bytes (e.g. a SignDoc) with the key's own algorithm. */
  async sign(name: string, signBytes: Uint8Array): Promise<{ pubkey: PubKey; signature: Uint8Array }> {
    const { pubkey, privateKey } = await this.unlock(name);
    return { pubkey, signature: signWithKey(pubkey.typeUrl, privateKey, signBytes) };
  }

  private async unlock(name: string): Promise<DerivedKey> {
    const cached = this.unlocked.get(name);
    if (cached) return cached;
    const file = await this.readKeyFile(name);
    const secret = await this.secretOf(file);
    const derived = file.secret === "privkey" ? secp256k1FromPrivateKey(fromHex(secret)) : await deriveKey(secret, file.info.type);
    this.unlocked.set(name, derived);
    return derived;
  }

  private pathOf(name: string): string {
    return join(this.dir, `${name}.json`);
  }

  private async exists(name: string): Promise<boolean> {
    try {
      await this.readKeyFile(name);
      return true;
    } catch (err) {
      if (err instanceof UnknownKeyError) return false;
      throw err;
    }
  }

  private async readKeyFile(name: string): Promise<KeyFile> {
    checkName(name);
    let text: string;
    try {
      text = await readFile(this.pathOf(name), "utf8");
    } catch (err) {
      if (isNotFound(err)) throw new UnknownKeyError(name, this.backend);
      throw err;
    }
    const file = JSON.parse(text) as KeyFile;
    if (file.version !== FILE_VERSION || !file.info) throw new Error(`key file for '${name}' has an unsupported format`);
    return file;
  }

  private async requirePassphrase(): Promise<string> {
    if (this.passphrase === undefined && this.askPassphrase) this.passphrase = await this.askPassphrase();
    if (!this.passphrase) {
      throw new Error(`the file keyring needs a passphrase: set ${PASSPHRASE_ENV} (or use --keyring-backend test for throwaway keys)`);
    }
    return this.passphrase;
  }

  /** Like the SDK's keyhash: every key in one file keyring shares a passphrase. */
  private async checkPassphraseMatchesExisting(passphrase: string): Promise<void> {
    const [first] = await this.list();
    if (!first) return;
    const file = await this.readKeyFile(first.name);
    if (file.sealed) await unseal(file.sealed, passphrase, aadOf(file.info));
  }
}

export class UnknownKeyError extends Error {
  constructor(name: string, backend: KeyringBackend) {
    super(`key '${name}' not found in the ${backend} keyring`);
  }
}

export class WrongPassphraseError extends Error {
  constructor() {
    super("wrong keyring passphrase");
  }
}

function checkName(name: string): void {
  // Names become file names; this also keeps "../x" from escaping the keyring directory.
  if (!NAME_PATTERN.test(name)) throw new Error(`invalid key name '${name}': use 1-64 letters, digits, '.', '_' or '-'`);
}

function isNotFound(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === "ENOENT";
}

function aadOf(info: KeyInfo): Buffer {
  return Buffer.from(JSON.stringify([info.name, info.type, info.address, info.pubkey]), "utf8");
}

async function seal(plaintext: string, passphrase: string, aad: Buffer): Promise<SealedSecret> {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const key = await scrypt(passphrase, salt, SCRYPT_PARAMS);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return {
    kdf: "scrypt",
    ...SCRYPT_PARAMS,
    salt: salt.toString("base64"),
    cipher: "aes-256-gcm",
    iv: iv.toString("base64"),
    tag: cipher.getAuthTag().toString("base64"),
    ciphertext: ciphertext.toString("base64"),
  };
}

async function unseal(sealed: SealedSecret, passphrase: string, aad: Buffer): Promise<string> {
  const key = await scrypt(passphrase, Buffer.from(sealed.salt, "base64"), { N: sealed.N, r: sealed.r, p: sealed.p });
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(sealed.iv, "base64"));
  decipher.setAAD(aad);
  decipher.setAuthTag(Buffer.from(sealed.tag, "base64"));
  try {
    return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, "base64")), decipher.final()]).toString("utf8");
  } catch {
    // GCM cannot tell a wrong passphrase from a tampered file; the passphrase is the usual cause.
    throw new WrongPassphraseError();
  }
}
