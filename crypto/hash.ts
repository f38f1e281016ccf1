import { createHash } from "node:crypto";

/** Hashes via node:crypto (OpenSSL): several times faster than pure-JS hashing on the tx path. */
function digest(algorithm: "sha256" | "ripemd160", data: Uint8Array): Uint8Array {
  const out = createHash(algorithm).update(data).digest();
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

export function sha256(data: Uint8Array): Uint8Array {
  return digest("sha256", data);
}

export function ripemd160(data: Uint8Array): Uint8Array {
  return digest("ripemd160", data);
}
