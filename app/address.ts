import { ACCOUNT_PREFIX, fromBech32, toBech32 } from "../crypto/bech32.js";
import { sha256 } from "../crypto/hash.js";
import { invalidArgument, SdkCode, sdkError } from "./errors.js";

/**
 * Decodes an account address from a message field; a bad one is the SDK's code 7 with the
 * field named, e.g. "invalid from address: decoding bech32 failed: …".
 */
export function parseAccountAddress(text: string, field = "address"): Uint8Array {
  if (text === "") throw sdkError(SdkCode.InvalidAddress, `invalid ${field}: empty address string is not allowed`);
  const cached = decoded.get(text);
  if (cached) return cached;
  let bytes: Uint8Array;
  try {
    bytes = fromBech32(text, ACCOUNT_PREFIX);
  } catch (err) {
    throw sdkError(SdkCode.InvalidAddress, `invalid ${field}: ${(err as Error).message}`);
  }
  remember(decoded, text, bytes);
  return bytes;
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
 * the returned bytes.
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
