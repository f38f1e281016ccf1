import { ACCOUNT_PREFIX, fromBech32, toBech32 } from "../crypto/bech32.js";
import { sha256 } from "../crypto/hash.js";
import { invalidArgument, SdkCode, sdkError } from "./errors.js";

/**
 * The one address length the chain accepts: key accounts and validator operators are
 * ripemd160(sha256(pubkey)), module accounts sha256(name)[:20] (x/auth moduleAddress), and no
 * 32-byte derived accounts exist here. The SDK's VerifyAddressFormat allows 1..255; fixing
 * the length in use stops funds going to addresses no key can sign for (0 or 100 bytes).
 */
export const ADDRESS_LENGTH = 20;

/**
 * The one parser for every bech32 address a message or genesis names. It accepts only the
 * canonical spelling: lowercase (BIP-173 makes bech32 case-insensitive, but state keys and
 * committee lists hold address strings, so an uppercase twin of an address would compare
 * unequal to it), the expected prefix, and exactly {@link ADDRESS_LENGTH} bytes. A bad one is the SDK's code 7
 * with the field named, e.g. "invalid from address: decoding bech32 failed: …".
 */
export function parseBech32Address(text: string, prefix: string, field: string): Uint8Array {
  if (text === "") throw sdkError(SdkCode.InvalidAddress, `invalid ${field}: empty address string is not allowed`);
  const key = prefix + "\u0000" + text;
  const cached = decoded.get(key);
  if (cached) return cached;
  let bytes: Uint8Array;
  try {
    bytes = fromBech32(text, prefix);
  } catch (err) {
    throw sdkError(SdkCode.InvalidAddress, `invalid ${field}: ${(err as Error).message}`);
  }
  if (bytes.length !== ADDRESS_LENGTH) {
    throw sdkError(SdkCode.InvalidAddress, `invalid ${field}: address must be ${ADDRESS_LENGTH} bytes, got ${bytes.length}`);
  }
  if (text !== text.toLowerCase()) {
    throw sdkError(SdkCode.InvalidAddress, `invalid ${field}: address must be lowercase bech32 (canonical form ${toBech32(prefix, bytes)})`);
  }
  remember(decoded, key, bytes);
  return bytes;
}

/** An account address (ogpu1…) from a message field; see {@link parseBech32Address}. */
export function parseAccountAddress(text: string, field = "address"): Uint8Array {
  return parseBech32Address(text, ACCOUNT_PREFIX, field);
}

export function accountAddressString(address: Uint8Array): string {
  const key = Buffer.from(address.buffer, address.byteOffset, address.byteLength).toString("latin1");
  const cached = encoded.get(key);
  if (cached) return cached;
  const text = toBech32(ACCOUNT_PREFIX, address);
  remember(encoded, key, text);
  return text;
}

/*
 * bech32 costs ~10 µs each way and a tx converts the same few addresses many times
 * (signer, sender, recipient, events), so conversions are memoised. A cache hit returns
 * exactly what the conversion would, so this cannot affect consensus; callers never mutate
 * the returned bytes. Only accepted addresses are cached, so a rejection is never skipped.
 */
const CACHE_LIMIT = 100_000;
const decoded = new Map<string, Uint8Array>();
const encoded = new Map<string, string>();

function remember<V>(cache: Map<string, V>, key: string, value: V): void {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, value);
}

/** An address in a query request: a bad one is gRPC InvalidArgument, as the SDK reports it. */
export function parseQueryAddress(text: string): Uint8Array {
  if (text === "") throw invalidArgument("address cannot be empty");
  try {
    return parseAccountAddress(text);
  } catch (err) {
    throw invalidArgument((err as Error).message);
  }
}

/** Module account address: sha256(name)[:20], as the Cosmos SDK derives it. */
export function moduleAddress(name: string): Uint8Array {
  return sha256(new TextEncoder().encode(name)).subarray(0, 20);
}
