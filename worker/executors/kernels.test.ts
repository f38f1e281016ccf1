import { createHash } from "node:crypto";
import { inflateSync, crc32 as zlibCrc32 } from "node:zlib";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { describe, expect, it } from "vitest";
import { encodeHashInput } from "./hash.js";
import { executors, runJob, ExecutorError } from "./index.js";
import { BUILTIN_KERNEL_KINDS } from "../../app/program-runtimes.js";
import { encodeMatmulInput } from "./matmul.js";
import { crc32 } from "./png.js";
import { FRAC_BITS, toFixed } from "./render.js";

const ctx = () => ({ signal: new AbortController().signal, slot: 0 });
const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const run = (kind: string, input: Uint8Array) => executors.get(kind)!.run(input, ctx());

/** Reference C = A×B computed with BigInt and reduced to int32 only at the end. */
function naiveProduct(n: number, a: ArrayLike<number>, b: ArrayLike<number>): number[] {
  const c: number[] = [];
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let sum = 0n;
      for (let k = 0; k < n; k++) sum += BigInt(a[i * n + k]!) * BigInt(b[k * n + j]!);
      c.push(Number(BigInt.asIntN(32, sum)));
    }
  return c;
}

function int32le(bytes: Uint8Array): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: bytes.length / 4 }, (_, i) => view.getInt32(4 * i, true));
}

/** Independent restatement of the documented seed generator (sha256 counter stream). */
function seededValues(n: number, seed: bigint): number[] {
  const out: number[] = [];
  for (let block = 0; out.length < 2 * n * n; block++) {
    const ctr = Buffer.alloc(12);
    ctr.writeBigUInt64BE(seed, 0);
    ctr.writeUInt32BE(block, 8);
    out.push(...int32le(createHash("sha256").update("ogpu/matmul/v1").update(ctr).digest()));
  }
  return out.slice(0, 2 * n * n);
}

async function expectFailure(kind: string, input: Uint8Array, message: RegExp): Promise<void> {
  const outcome = await runJob(executors.get(kind)!, input, ctx());
  expect(outcome.ok).toBe(false);
  if (!outcome.ok) {
    expect(outcome.failure.kind).toBe("bad_input");
    expect(outcome.failure.message).toMatch(message);
  }
}

describe("matmul", () => {
  it("multiplies binary matrices like a naive BigInt loop, wrapping to int32", async () => {
    const n = 7;
    const a = Int32Array.from({ length: n * n }, (_, i) => (i % 3 === 0 ? 2147483647 - i : -1000 * i + 17));
    const b = Int32Array.from({ length: n * n }, (_, i) => (i % 4 === 0 ? -2147483648 + i : 31 * i - 5));
    const out = await run("matmul", encodeMatmulInput(n, a, b));
    expect(out.length).toBe(4 * n * n);
    expect(int32le(out)).toEqual(naiveProduct(n, a, b));
  });

  it("generates matrices from a seed as documented and multiplies them", async () => {
    const n = 12;
    const seed = 18446744073709551615n;
    const values = seededValues(n, seed);
    const out = await run("matmul", json({ n, seed: seed.toString() }));
    expect(int32le(out)).toEqual(naiveProduct(n, values.slice(0, n * n), values.slice(n * n)));
  });

  it("is deterministic, and different seeds give different products", async () => {
    const first = await run("matmul", json({ n: 64, seed: 42 }));
    const again = await run("matmul", json({ n: 64, seed: 42 }));
    const other = await run("matmul", json({ n: 64, seed: 43 }));
    expect(Buffer.from(again).equals(Buffer.from(first))).toBe(true);
    expect(Buffer.from(other).equals(Buffer.from(first))).toBe(false);
  });

  it("rejects bad inputs with clear errors", async () => {
    await expectFailure("matmul", json({ n: 0, seed: 1 }), /"n" must be in 1\.\.512/);
    await expectFailure("matmul", json({ n: 513, seed: 1 }), /"n" must be in/);
    await expectFailure("matmul", json({ n: 4, seed: -1 }), /"seed" must be an unsigned 64-bit/);
    await expectFailure("matmul", json({ n: 4, seed: "18446744073709551616" }), /"seed"/);
    await expectFailure("matmul", json({ n: 4 }), /"seed"/);
    await expectFailure("matmul", json({ n: 4, seed: 1, extra: true }), /unknown field "extra"/);
    await expectFailure("matmul", new TextEncoder().encode("{not json"), /not valid UTF-8 JSON/);
    await expectFailure("matmul", encodeMatmulInput(3, new Int32Array(9), new Int32Array(9)).subarray(0, 50), /must be 80 bytes/);
    await expectFailure("matmul", new TextEncoder().encode("XXXX\0\0\0\0"), /neither a JSON object nor binary "OGMM"/);
    await expectFailure("matmul", new Uint8Array(3), /neither a JSON object/);
    await expectFailure("matmul", new TextEncoder().encode("OGMM\x01"), /too short/);
  });
});

describe("hash", () => {
  function iterateNoble(data: Uint8Array, rounds: number): Uint8Array {
    let h = data;
    for (let i = 0; i < rounds; i++) h = nobleSha256(h);
    return h;
  }

  it("iterates sha256 exactly `rounds` times (checked with an independent sha256)", async () => {
    const data = new TextEncoder().encode("ogpu proof of sync");
    const viaJson = await run("hash", json({ rounds: 1000, data: "ogpu proof of sync" }));
    const viaHex = await run("hash", json({ rounds: 1000, data_hex: Buffer.from(data).toString("hex") }));
    const viaBinary = await run("hash", encodeHashInput(1000, data));
    const expected = iterateNoble(data, 1000);
    expect(viaJson.length).toBe(32);
    for (const out of [viaJson, viaHex, viaBinary]) expect(Buffer.from(out).equals(Buffer.from(expected))).toBe(true);
    expect(Buffer.from(await run("hash", json({ rounds: 1, data: "" }))).toString("hex")).toBe(Buffer.from(nobleSha256(new Uint8Array())).toString("hex"));
  });

  it("is deterministic across runs that yield to the event loop", async () => {
    const input = json({ rounds: 70_000, data: "x" });
    const [a, b] = await Promise.all([run("hash", input), run("hash", input)]);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(Buffer.from(a).equals(Buffer.from(iterateNoble(new TextEncoder().encode("x"), 70_000)))).toBe(true);
  });

  it("rejects bad inputs", async () => {
    await expectFailure("hash", json({ rounds: 0, data: "a" }), /"rounds" must be in 1\.\./);
    await expectFailure("hash", json({ rounds: 1.5, data: "a" }), /"rounds" must be an integer/);
    await expectFailure("hash", json({ rounds: 5 }), /exactly one of "data" and "data_hex"/);
    await expectFailure("hash", json({ rounds: 5, data: "a", data_hex: "00" }), /exactly one/);
    await expectFailure("hash", json({ rounds: 5, data_hex: "abc" }), /even-length hex/);
    await expectFailure("hash", encodeHashInput(0, new Uint8Array(4)), /rounds must be in/);
    await expectFailure("hash", json([1, 2]), /JSON object/);
  });

  it("stops when cancelled", async () => {
    const controller = new AbortController();
    const pending = runJob(executors.get("hash")!, json({ rounds: 10_000_000, data: "a" }), { signal: controller.signal, slot: 0 });
    setTimeout(() => controller.abort(), 20);
    const outcome = await pending;
    expect(outcome.ok ? "ok" : outcome.failure.kind).toBe("cancelled");
  });
});

interface DecodedPng {
  width: number;
  height: number;
  bitDepth: number;
  colourType: number;
  pixels: Uint8Array;
}

/** Decodes the PNG independently: chunk CRCs via zlib.crc32, IDAT via inflate, filter-0 rows. */
function decodePng(png: Uint8Array): DecodedPng {
  const buf = Buffer.from(png);
  expect(buf.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
  let off = 8;
  let ihdr: Buffer | undefined;
  const idat: Buffer[] = [];
  const types: string[] = [];
  while (off < buf.length) {
    const len = buf.readUInt32BE(off);
    const type = buf.subarray(off + 4, off + 8).toString("latin1");
    const data = buf.subarray(off + 8, off + 8 + len);
    expect(buf.readUInt32BE(off + 8 + len)).toBe(zlibCrc32(buf.subarray(off + 4, off + 8 + len)));
    types.push(type);
    if (type === "IHDR") ihdr = data;
    if (type === "IDAT") idat.push(data);
    off += 12 + len;
  }
  expect(types[0]).toBe("IHDR");
  expect(types.at(-1)).toBe("IEND");
  const width = ihdr!.readUInt32BE(0);
  const height = ihdr!.readUInt32BE(4);
  const raw = inflateSync(Buffer.concat(idat));
  expect(raw.length).toBe(height * (width + 1));
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    expect(raw[y * (width + 1)]).toBe(0); // filter type None
    pixels.set(raw.subarray(y * (width + 1) + 1, (y + 1) * (width + 1)), y * width);
  }
  return { width, height, bitDepth: ihdr![8]!, colourType: ihdr![9]!, pixels };
}

/** Reference escape time in BigInt (>> is an exact floor shift), restated from the doc comment. */
function referenceGray(zRe: bigint, zIm: bigint, cRe: bigint, cIm: bigint, maxIter: number): number {
  const F = BigInt(FRAC_BITS);
  let [x, y, i] = [zRe, zIm, 0];
  while (i < maxIter) {
    const x2 = (x * x) >> F;
    const y2 = (y * y) >> F;
    if (x2 + y2 > 4n << F) break;
    y = ((2n * x * y) >> F) + cIm;
    x = x2 - y2 + cRe;
    i++;
  }
  return i === maxIter ? 0 : 255 - Math.floor((255 * i) / maxIter);
}

describe("render", () => {
  const mandelbrot = { width: 97, height: 61, max_iter: 200, re_min: toFixed(-2.2), im_max: toFixed(1.2), step: toFixed(0.04) };

  it("outputs a valid grayscale PNG whose pixels match a BigInt escape-time computation", async () => {
    const img = decodePng(await run("render", json(mandelbrot)));
    expect([img.width, img.height, img.bitDepth, img.colourType]).toEqual([97, 61, 8, 0]);
    let inside = 0;
    for (let py = 0; py < img.height; py++)
      for (let px = 0; px < img.width; px++) {
        const re = BigInt(mandelbrot.re_min + px * mandelbrot.step);
        const im = BigInt(mandelbrot.im_max - py * mandelbrot.step);
        const want = referenceGray(0n, 0n, re, im, mandelbrot.max_iter);
        expect(img.pixels[py * img.width + px], `pixel ${px},${py}`).toBe(want);
        if (want === 0) inside++;
      }
    // The image shows both the set and its outside, so the comparison is not vacuous.
    expect(inside).toBeGreaterThan(100);
    expect(inside).toBeLessThan(img.width * img.height - 100);
  });

  it("renders Julia sets, and is deterministic", async () => {
    const params = { ...mandelbrot, width: 40, height: 30, re_min: toFixed(-1.6), step: toFixed(0.08), fractal: "julia", julia_re: toFixed(-0.8), julia_im: toFixed(0.156) };
    const first = await run("render", json(params));
    const second = await run("render", json(params));
    expect(Buffer.from(first).equals(Buffer.from(second))).toBe(true);
    const img = decodePng(first);
    for (const [px, py] of [[0, 0], [20, 15], [13, 9], [39, 29]] as const) {
      const z = [BigInt(params.re_min + px * params.step), BigInt(params.im_max - py * params.step)] as const;
      expect(img.pixels[py * img.width + px]).toBe(referenceGray(z[0], z[1], BigInt(params.julia_re), BigInt(params.julia_im), params.max_iter));
    }
  });

  it("has a default viewport for {width, height, max_iter}", async () => {
    const img = decodePng(await run("render", json({ width: 64, height: 48, max_iter: 64 })));
    expect([img.width, img.height]).toEqual([64, 48]);
    expect(new Set(img.pixels).size).toBeGreaterThan(5);
  });

  it("rejects bad inputs", async () => {
    await expectFailure("render", json({ width: 0, height: 10, max_iter: 10 }), /"width" must be in/);
    await expectFailure("render", json({ width: 4096, height: 4096, max_iter: 1000 }), /width × height × max_iter/);
    await expectFailure("render", json({ width: 10, height: 10, max_iter: 10, re_min: toFixed(3.9), im_max: 0, step: toFixed(0.5) }), /exceeds re = \+4\.0/);
    await expectFailure("render", json({ width: 10, height: 10, max_iter: 10, re_min: 0, step: 1000 }), /missing field "im_max"/);
    await expectFailure("render", json({ width: 10, height: 10, max_iter: 10, fractal: "julia" }), /missing field "julia_re"/);
    await expectFailure("render", json({ width: 10, height: 10, max_iter: 10, fractal: "sierpinski" }), /"fractal" must be/);
    await expectFailure("render", json({ width: 10, height: 10, max_iter: 10, julia_re: 0 }), /only to fractal=julia/);
    await expectFailure("render", new Uint8Array([1, 2, 3]), /JSON object/);
  });
});

describe("png crc32", () => {
  it("matches zlib's CRC-32", () => {
    const data = new TextEncoder().encode("IHDR and some bytes");
    expect(crc32(data)).toBe(zlibCrc32(Buffer.from(data)));
    expect(crc32(data.subarray(0, 4), data.subarray(4))).toBe(zlibCrc32(Buffer.from(data)));
  });
});

describe("registry", () => {
  it("serves the three kernels by kind and keeps ExecutorError typed", () => {
    expect([...executors.keys()].sort()).toEqual(["hash", "matmul", "render"]);
    // The chain lists these kinds with their program ids (Query/Programs builtins).
    expect([...executors.keys()].sort()).toEqual([...BUILTIN_KERNEL_KINDS].sort());
    expect(new ExecutorError("timeout", "x").kind).toBe("timeout");
  });
});
