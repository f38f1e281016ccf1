/**
 * Byte helpers for every layer. They live in crypto/, the bottom layer, so that app/, x/,
 * server/, sdk/ and worker/ can all share them without an import pointing upwards.
 */

/** Lower-case hex, the form digests and keys take in events, state files and logs. */
export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

/** Upper-case hex, the form CometBFT uses for tx and block hashes. */
export function hexUpper(bytes: Uint8Array): string {
  return hex(bytes).toUpperCase();
}

/** Hex (either case) → plain Uint8Array. */
export function fromHex(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, "hex"));
}

/**
 * Byte order (shorter first on a common prefix): the order of keys and addresses. No Buffer:
 * program bundles are sorted with it in browsers too (sdk/program-pack.ts).
 */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** Whether `bytes` begins with `prefix` (a magic number, a header); no Buffer, so browsers run it too. */
export function startsWithBytes(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

/** Byte equality (no Buffer: this one also runs in browsers, sdk/browser.ts). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Plain Uint8Array (not a pooled Buffer), so callers can compare and serialise it as bytes. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  // Not Buffer.concat: this one also runs in browsers (sdk/browser.ts).
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
