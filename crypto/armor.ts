import { randomBytes, scrypt as scryptCb } from "node:crypto";
import bcrypt from "bcryptjs";
import { xsalsa20poly1305 } from "@noble/ciphers/salsa.js";
import { bytesEqual, concatBytes, fromHex } from "./bytes.js";
import { sha256 } from "./hash.js";

/**
 * The Cosmos SDK's ASCII-armored private key (`gaiad keys export` / `keys import`), so a key
 * moves between ogpud and any SDK chain's CLI. The facts of the format (crypto/armor.go):
 *
 *   -----BEGIN TENDERMINT PRIVATE KEY-----
 *   kdf: bcrypt
 *   salt: <16 random bytes, upper-case hex>
 *   type: secp256k1
 *
 *   <base64 of nonce(24) ‖ secretbox(amino(privkey), nonce, key)>
 *   =<base64 CRC-24 of the body>
 *   -----END TENDERMINT PRIVATE KEY-----
 *
 * key = sha256(bcrypt hash string "$2a$12$…" of the passphrase with that salt); amino(privkey)
 * is the prefix e1b0f79b 20 then the 32-byte scalar. Newer SDKs also write kdf scrypt (with a
 * kdfparams header): read here, never written, so older gaiad versions can import ours.
 */

export const PRIVATE_KEY_BLOCK = "TENDERMINT PRIVATE KEY";
/** The SDK's bcrypt cost; a var in the SDK only so its own tests can lower it. */
const BCRYPT_COST = 12;
const SALT_LENGTH = 16;
const NONCE_LENGTH = 24;
const SECRETBOX_OVERHEAD = 16;
/** Amino binary prefix of tendermint/PrivKeySecp256k1 and the length byte of its 32-byte value. */
const AMINO_SECP256K1_PRIVKEY_PREFIX = fromHex("e1b0f79b20");
const SECP256K1_PRIVKEY_LENGTH = 32;
const LINE_LENGTH = 64;

export class ArmorError extends Error {}

/** A decoded armor block: its type line, headers and body bytes. */
export interface ArmorBlock {
  blockType: string;
  headers: Record<string, string>;
  data: Uint8Array;
}

/** OpenPGP's CRC-24 (RFC 4880 §6.1), the checksum line of an armor block. */
function crc24(data: Uint8Array): number {
  let crc = 0xb704ce;
  for (const byte of data) {
    crc ^= byte << 16;
    for (let i = 0; i < 8; i++) {
      crc <<= 1;
      if (crc & 0x1000000) crc ^= 0x1864cfb;
    }
  }
  return crc & 0xffffff;
}

function crcLine(data: Uint8Array): string {
  const crc = crc24(data);
  return "=" + Buffer.from([crc >> 16, (crc >> 8) & 0xff, crc & 0xff]).toString("base64");
}

/** Writes an armor block; headers in key order (Go's encoder sorts them too). */
export function encodeArmor(block: ArmorBlock): string {
  const lines = [`-----BEGIN ${block.blockType}-----`];
  for (const key of Object.keys(block.headers).sort()) lines.push(`${key}: ${block.headers[key]}`);
  lines.push("");
  const body = Buffer.from(block.data).toString("base64");
  for (let i = 0; i < body.length; i += LINE_LENGTH) lines.push(body.slice(i, i + LINE_LENGTH));
  lines.push(crcLine(block.data), `-----END ${block.blockType}-----`);
  return lines.join("\n") + "\n";
}

/** Reads one armor block; a wrong checksum or a mangled frame is an ArmorError. */
export function decodeArmor(text: string): ArmorBlock {
  const lines = text.replace(/\r\n/g, "\n").split("\n").map((l) => l.trim());
  const begin = lines.findIndex((l) => /^-----BEGIN .+-----$/.test(l));
  if (begin < 0) throw new ArmorError("no '-----BEGIN …-----' line: not an armored key");
  const blockType = lines[begin]!.slice("-----BEGIN ".length, -"-----".length);
  const end = lines.indexOf(`-----END ${blockType}-----`, begin + 1);
  if (end < 0) throw new ArmorError(`no '-----END ${blockType}-----' line`);
  const headers: Record<string, string> = {};
  let i = begin + 1;
  for (; i < end && lines[i] !== ""; i++) {
    const m = /^([^:]+):\s*(.*)$/.exec(lines[i]!);
    if (!m) throw new ArmorError(`bad armor header line '${lines[i]}'`);
    headers[m[1]!.trim()] = m[2]!;
  }
  const bodyLines = lines.slice(i + 1, end).filter((l) => l !== "");
  const checksum = bodyLines.at(-1)?.startsWith("=") ? bodyLines.pop() : undefined;
  const body = bodyLines.join("");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) throw new ArmorError("armor body is not base64");
  const data = new Uint8Array(Buffer.from(body, "base64"));
  if (checksum !== undefined && checksum !== crcLine(data)) throw new ArmorError("armor checksum mismatch: the key text is damaged");
  return { blockType, headers, data };
}

/** sha256 of the SDK's bcrypt hash string ("$2a$12$" + salt + hash) of the passphrase. */
async function bcryptKey(passphrase: string, salt: Uint8Array, cost: number): Promise<Uint8Array> {
  const saltText = `$2a$${String(cost).padStart(2, "0")}$${bcrypt.encodeBase64(salt, SALT_LENGTH)}`;
  const hashed = await bcrypt.hash(passphrase, saltText);
  return sha256(new Uint8Array(Buffer.from(hashed, "utf8")));
}

function scryptKey(passphrase: string, salt: Uint8Array, params: string): Promise<Uint8Array> {
  const m = /^n=(\d+),r=(\d+),p=(\d+),dklen=(\d+)$/.exec(params);
  if (!m) throw new ArmorError(`invalid scrypt kdfparams '${params}'`);
  const [N, r, p, dkLen] = m.slice(1).map(Number) as [number, number, number, number];
  if (N > 1 << 20 || r > 32 || p > 16 || dkLen !== 32) throw new ArmorError(`scrypt kdfparams out of range: ${params}`);
  return new Promise((resolve, reject) =>
    scryptCb(passphrase, salt, dkLen, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(new Uint8Array(key)))),
  );
}

async function deriveArmorKey(headers: Record<string, string>, passphrase: string): Promise<Uint8Array> {
  const salt = /^[0-9A-Fa-f]{32}$/.test(headers.salt ?? "") ? fromHex(headers.salt!) : undefined;
  if (!salt) throw new ArmorError("armor header 'salt' must be 16 bytes of hex");
  if (headers.kdf === "bcrypt") return bcryptKey(passphrase, salt, BCRYPT_COST);
  if (headers.kdf === "scrypt") return scryptKey(passphrase, salt, headers.kdfparams ?? "");
  throw new ArmorError(`unsupported kdf '${headers.kdf ?? ""}' (bcrypt or scrypt)`);
}

/** Encrypts a secp256k1 private key into the SDK's armored text (what `keys export` prints). */
export async function encryptArmorPrivKey(privateKey: Uint8Array, passphrase: string): Promise<string> {
  if (privateKey.length !== SECP256K1_PRIVKEY_LENGTH) throw new ArmorError("only 32-byte secp256k1 private keys have an armored form");
  const salt = new Uint8Array(randomBytes(SALT_LENGTH));
  const key = await bcryptKey(passphrase, salt, BCRYPT_COST);
  const nonce = new Uint8Array(randomBytes(NONCE_LENGTH));
  const sealed = xsalsa20poly1305(key, nonce).encrypt(concatBytes(AMINO_SECP256K1_PRIVKEY_PREFIX, privateKey));
  const headers = { kdf: "bcrypt", salt: Buffer.from(salt).toString("hex").toUpperCase(), type: "secp256k1" };
  return encodeArmor({ blockType: PRIVATE_KEY_BLOCK, headers, data: concatBytes(nonce, sealed) });
}

/** Thrown when the secretbox does not open: almost always the wrong passphrase. */
export class WrongArmorPassphraseError extends ArmorError {
  constructor() {
    super("invalid account password: the passphrase does not decrypt this key");
  }
}

/** Decrypts an armored private key (what `keys import` reads) to its 32-byte secp256k1 scalar. */
export async function decryptArmorPrivKey(text: string, passphrase: string): Promise<{ privateKey: Uint8Array; algo: string }> {
  const { blockType, headers, data } = decodeArmor(text);
  if (blockType !== PRIVATE_KEY_BLOCK) throw new ArmorError(`unrecognized armor type '${blockType}', expected '${PRIVATE_KEY_BLOCK}'`);
  const algo = headers.type || "secp256k1";
  if (algo !== "secp256k1") throw new ArmorError(`unsupported key type '${algo}': only secp256k1 keys can be imported`);
  if (data.length < NONCE_LENGTH + SECRETBOX_OVERHEAD) throw new ArmorError("armored key is too short");
  const key = await deriveArmorKey(headers, passphrase);
  let plain: Uint8Array;
  try {
    plain = xsalsa20poly1305(key, data.subarray(0, NONCE_LENGTH)).decrypt(data.subarray(NONCE_LENGTH));
  } catch {
    throw new WrongArmorPassphraseError();
  }
  const prefix = plain.subarray(0, AMINO_SECP256K1_PRIVKEY_PREFIX.length);
  if (plain.length !== AMINO_SECP256K1_PRIVKEY_PREFIX.length + SECP256K1_PRIVKEY_LENGTH || !bytesEqual(prefix, AMINO_SECP256K1_PRIVKEY_PREFIX)) {
    throw new ArmorError("decrypted key is not an amino secp256k1 private key");
  }
  return { privateKey: new Uint8Array(plain.subarray(AMINO_SECP256K1_PRIVKEY_PREFIX.length)), algo };
}
