/**
 * Minimal PNG encoder for 8-bit grayscale images (colour type 0), enough for the `render`
 * kernel. Byte-exact output matters (Proof of Sync compares digests of these bytes), so:
 * - every scanline uses filter type 0 (None) — no heuristic filter choice;
 * - deflate runs with fixed options and strategy Z_RLE. Z_RLE only looks for runs of the
 *   previous byte, so it never uses zlib's match-finding hash table, which is the part that
 *   differs between zlib builds (Chromium's zlib, bundled in Node, may hash with CPU-specific
 *   SIMD instructions). Fractal images are mostly runs, so RLE still compresses them well.
 */
import { constants, deflateSync } from "node:zlib";

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
const GRAYSCALE = 0;

export const PNG_DEFLATE_OPTIONS = {
  level: 9,
  strategy: constants.Z_RLE,
  windowBits: 15,
  memLevel: 9,
} as const;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (ISO-HDLC, the polynomial PNG and zlib use). */
export function crc32(...parts: Uint8Array[]): number {
  let c = 0xffffffff;
  for (const part of parts) for (const byte of part) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  const typeBytes = new TextEncoder().encode(type);
  view.setUint32(0, data.length);
  out.set(typeBytes, 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(typeBytes, data));
  return out;
}

/** `pixels` is row-major, one byte per pixel, width × height long. */
export function encodeGrayscalePng(width: number, height: number, pixels: Uint8Array): Uint8Array {
  if (pixels.length !== width * height) throw new Error(`png: expected ${width * height} pixels, got ${pixels.length}`);
  const header = new Uint8Array(13);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, width);
  hv.setUint32(4, height);
  header[8] = 8; // bit depth
  header[9] = GRAYSCALE;
  // bytes 10..12: compression 0 (deflate), filter method 0, no interlace
  const raw = new Uint8Array(height * (width + 1));
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  const idat = new Uint8Array(deflateSync(raw, PNG_DEFLATE_OPTIONS));
  const parts = [SIGNATURE, chunk("IHDR", header), chunk("IDAT", idat), chunk("IEND", new Uint8Array())];
  return new Uint8Array(Buffer.concat(parts));
}
