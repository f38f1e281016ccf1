/**
 * State keys are "binary strings": one JS char per byte (0–255). JS compares strings by
 * UTF-16 code unit, which for such strings is exactly byte order, so sorted string keys are
 * sorted byte keys and prefix scans are plain string ranges. Keepers build keys with these
 * helpers and never think about the encoding again.
 */
export type StoreKey = string;

/** Bytes → key string. */
export function bytesKey(bytes: Uint8Array): StoreKey {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}

/** Key string → bytes (for LevelDB and hashing). */
export function keyBytes(key: StoreKey): Buffer {
  return Buffer.from(key, "latin1");
}

/** Big-endian 8-byte encoding of an unsigned integer, so numeric ids sort numerically. */
export function u64Key(n: bigint | number): StoreKey {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b.toString("latin1");
}

export function parseU64Key(key: StoreKey): bigint {
  return keyBytes(key).readBigUInt64BE(0);
}

/**
 * Length-prefixed component (1 byte length), so a variable-length part such as an address
 * can be followed by more parts without ambiguity — the Cosmos SDK's `address.MustLengthPrefix`.
 */
export function lengthPrefixed(bytes: Uint8Array): StoreKey {
  if (bytes.length > 255) throw new Error("key component longer than 255 bytes");
  return String.fromCharCode(bytes.length) + bytesKey(bytes);
}

/** Splits a key made of length-prefixed components back into byte arrays. */
export function splitLengthPrefixed(key: StoreKey): Uint8Array[] {
  const parts: Uint8Array[] = [];
  let i = 0;
  while (i < key.length) {
    const len = key.charCodeAt(i);
    parts.push(new Uint8Array(keyBytes(key.slice(i + 1, i + 1 + len))));
    i += 1 + len;
  }
  return parts;
}

