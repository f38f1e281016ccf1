import { PubKey as PubKeyProto } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { MLDSA65PubKey } from "../proto/gen/ogpu/crypto/v1/keys.js";
import { ripemd160, sha256 } from "./hash.js";
import { MLDSA65_PUBKEY_LENGTH, MLDSA65_SIGNATURE_LENGTH, signMlDsa65, verifyMlDsa65 } from "./mldsa65.js";
import { SECP256K1_PUBKEY_LENGTH, SECP256K1_SIGNATURE_LENGTH, signSecp256k1, verifySecp256k1 } from "./secp256k1.js";

export const SECP256K1_PUBKEY_TYPE_URL = "/cosmos.crypto.secp256k1.PubKey";
export const MLDSA65_PUBKEY_TYPE_URL = "/ogpu.crypto.v1.MLDSA65PubKey";

export type PubKeyTypeUrl = typeof SECP256K1_PUBKEY_TYPE_URL | typeof MLDSA65_PUBKEY_TYPE_URL;

export interface PubKey {
  typeUrl: PubKeyTypeUrl;
  key: Uint8Array;
}

export const ADDRESS_LENGTH = 20;

/** Gas per signature, DESIGN §1: 1000 per secp256k1 signature. */
export const SECP256K1_SIG_VERIFY_GAS = 1000n;
/**
 * ML-DSA-65 verification measured 24–32× slower than secp256k1 on the node's verifier
 * (bench/crypto.ts: ~450–520 vs ~12,700–14,400 verify/s with libsecp256k1), so it costs 30×.
 * Its 1952 B key and 3309 B signature additionally pay the per-byte tx gas.
 */
export const MLDSA65_SIG_VERIFY_GAS = 30_000n;

const EXPECTED_LENGTH: Record<PubKeyTypeUrl, number> = {
  [SECP256K1_PUBKEY_TYPE_URL]: SECP256K1_PUBKEY_LENGTH,
  [MLDSA65_PUBKEY_TYPE_URL]: MLDSA65_PUBKEY_LENGTH,
};

export function isPubKeyTypeUrl(typeUrl: string): typeUrl is PubKeyTypeUrl {
  return typeUrl === SECP256K1_PUBKEY_TYPE_URL || typeUrl === MLDSA65_PUBKEY_TYPE_URL;
}

const SIGNATURE_LENGTH: Record<PubKeyTypeUrl, number> = {
  [SECP256K1_PUBKEY_TYPE_URL]: SECP256K1_SIGNATURE_LENGTH,
  [MLDSA65_PUBKEY_TYPE_URL]: MLDSA65_SIGNATURE_LENGTH,
};

/** Length of a signature by a key of this type (secp256k1 r‖s: 64; ML-DSA-65: 3309). */
export function signatureLength(typeUrl: PubKeyTypeUrl): number {
  return SIGNATURE_LENGTH[typeUrl];
}

/**
 * The key type of a raw public key, told by its length (33-byte compressed secp256k1 or
 * 1952-byte ML-DSA-65); undefined for any other length. Where only raw key bytes travel
 * (blob upload headers) this is the one rule that names their algorithm.
 */
export function pubKeyFromRaw(key: Uint8Array): PubKey | undefined {
  if (key.length === SECP256K1_PUBKEY_LENGTH) return { typeUrl: SECP256K1_PUBKEY_TYPE_URL, key };
  if (key.length === MLDSA65_PUBKEY_LENGTH) return { typeUrl: MLDSA65_PUBKEY_TYPE_URL, key };
  return undefined;
}

/** Signs raw sign bytes with the private key of `typeUrl`'s algorithm (secp256k1 hashes them with sha256 first). */
export function signWithKey(typeUrl: PubKeyTypeUrl, privateKey: Uint8Array, signBytes: Uint8Array): Uint8Array {
  return typeUrl === MLDSA65_PUBKEY_TYPE_URL ? signMlDsa65(privateKey, signBytes) : signSecp256k1(privateKey, signBytes);
}

/** Protobuf codec per key type: cosmjs-types for secp256k1, our generated one for ML-DSA-65. */
const CODEC: Record<PubKeyTypeUrl, { decode(b: Uint8Array): { key: Uint8Array }; encode(m: { key: Uint8Array }): { finish(): Uint8Array } }> = {
  [SECP256K1_PUBKEY_TYPE_URL]: PubKeyProto,
  [MLDSA65_PUBKEY_TYPE_URL]: MLDSA65PubKey,
};

/** Decodes a pubkey Any; throws on unknown type URL, bad protobuf or wrong key length. */
export function decodePubKeyAny(any: { typeUrl: string; value: Uint8Array }): PubKey {
  if (!isPubKeyTypeUrl(any.typeUrl)) throw new Error(`unsupported pubkey type '${any.typeUrl}'`);
  let key: Uint8Array;
  try {
    key = CODEC[any.typeUrl].decode(any.value).key;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`malformed ${any.typeUrl}: ${reason}`);
  }
  const expected = EXPECTED_LENGTH[any.typeUrl];
  if (key.length !== expected) throw new Error(`${any.typeUrl} key must be ${expected} bytes, got ${key.length}`);
  return { typeUrl: any.typeUrl, key };
}

export function encodePubKeyAny(pk: PubKey): Any {
  return { typeUrl: pk.typeUrl, value: CODEC[pk.typeUrl].encode({ key: pk.key }).finish() };
}

/** Never throws; an unknown type is simply not a valid signature. */
export function verifySignature(pk: PubKey, signBytes: Uint8Array, signature: Uint8Array): boolean {
  switch (pk.typeUrl) {
    case SECP256K1_PUBKEY_TYPE_URL:
      return verifySecp256k1(pk.key, signBytes, signature);
    case MLDSA65_PUBKEY_TYPE_URL:
      return verifyMlDsa65(pk.key, signBytes, signature);
    default:
      return false;
  }
}

/**
 * 20-byte account address. secp256k1: ripemd160(sha256(key)), exactly as the Cosmos SDK.
 * ML-DSA-65: sha256(key)[0:20] — the truncated-sha256 form the SDK uses for its newer key
 * types (ed25519, multisig); ripemd160 adds nothing for a 1952-byte key.
 */
export function addressOf(pk: PubKey): Uint8Array {
  switch (pk.typeUrl) {
    case SECP256K1_PUBKEY_TYPE_URL:
      return ripemd160(sha256(pk.key));
    case MLDSA65_PUBKEY_TYPE_URL:
      return sha256(pk.key).subarray(0, ADDRESS_LENGTH);
    default:
      throw new Error(`unsupported pubkey type '${(pk as { typeUrl: string }).typeUrl}'`);
  }
}

export function sigVerifyGas(pk: PubKey): bigint {
  return pk.typeUrl === MLDSA65_PUBKEY_TYPE_URL ? MLDSA65_SIG_VERIFY_GAS : SECP256K1_SIG_VERIFY_GAS;
}
