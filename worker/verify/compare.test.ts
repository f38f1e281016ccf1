import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packFiles } from "../../sdk/program-pack.js";
import type { ProgramOutput } from "../../sdk/program-manifest.js";
import { compareOutputs, compareProgramOutputs, toleranceValue, withinTolerance } from "./compare.js";
import { parseNpy, parseRaw, type NumericArray } from "./npy.js";

/** Debian's numpy installs into the system interpreter, which may not be the first python3 on PATH. */
const PYTHON = "/usr/bin/python3";

const arr = (values: number[], shape = [values.length]): NumericArray => ({ shape, dtype: "f8", data: Float64Array.from(values) });

/** A version-1 .npy file built by hand (no numpy), so the parser is checked against the format text. */
function npyV1(descr: string, shape: number[], body: Uint8Array): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(", ")}${shape.length === 1 ? "," : ""}), }`;
  header += " ".repeat(63 - ((10 + header.length) % 64)) + "\n";
  const out = new Uint8Array(10 + header.length + body.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(body, 10 + header.length);
  return out;
}

describe("withinTolerance", () => {
  it("accepts |got − ref| ≤ atol + rtol·|ref| and rejects just beyond it", () => {
    expect(withinTolerance(arr([100, 0]), arr([100.5, 1e-6]), 1e-6, 5e-3).match).toBe(true);
    const beyond = withinTolerance(arr([100, 0]), arr([100.5, 2e-6]), 1e-6, 5e-3);
    expect(beyond.match).toBe(false);
    expect(beyond.reason).toContain("element 1");
    expect(withinTolerance(arr([100]), arr([100.6]), 0, 5e-3).match).toBe(false);
  });

  it("matches NaN only with NaN and an infinity only with the same infinity", () => {
    expect(withinTolerance(arr([NaN, Infinity, -Infinity]), arr([NaN, Infinity, -Infinity]), 0, 0).match).toBe(true);
    expect(withinTolerance(arr([NaN]), arr([0]), 1e9, 1e9).match).toBe(false);
    expect(withinTolerance(arr([1]), arr([NaN]), 1e9, 1e9).match).toBe(false);
    expect(withinTolerance(arr([Infinity]), arr([-Infinity]), 1e9, 1e9).match).toBe(false);
    expect(withinTolerance(arr([1e300]), arr([Infinity]), 1e9, 1e9).match).toBe(false);
  });

  it("treats a shape mismatch as no match even when the values are equal", () => {
    const result = withinTolerance(arr([1, 2, 3, 4], [2, 2]), arr([1, 2, 3, 4], [4]), 1, 1);
    expect(result.match).toBe(false);
    expect(result.reason).toContain("shape");
  });

  it("refuses negative tolerances", () => {
    expect(() => withinTolerance(arr([1]), arr([1]), -1, 0)).toThrow(/non-negative/);
  });
});

describe("parseNpy / parseRaw", () => {
  it("reads hand-built little- and big-endian files of every dtype", () => {
    const le = new Uint8Array(8);
    new DataView(le.buffer).setFloat32(0, 1.5, true);
    new DataView(le.buffer).setFloat32(4, -2.25, true);
    expect(Array.from(parseNpy(npyV1("<f4", [2], le)).data)).toEqual([1.5, -2.25]);
    const be = new Uint8Array(16);
    new DataView(be.buffer).setFloat64(0, Math.PI, false);
    new DataView(be.buffer).setBigInt64(8, -7n, false);
    expect(Array.from(parseNpy(npyV1(">f8", [1], be.subarray(0, 8))).data)).toEqual([Math.PI]);
    expect(Array.from(parseNpy(npyV1(">i8", [1], be.subarray(8))).data)).toEqual([-7]);
    const i4 = new Uint8Array(4);
    new DataView(i4.buffer).setInt32(0, -3, true);
    const parsed = parseNpy(npyV1("<i4", [1, 1], i4));
    expect(parsed.shape).toEqual([1, 1]);
    expect(parsed.dtype).toBe("i4");
  });

  it("refuses bad magic, unsupported dtypes, Fortran order, short bodies and oversized headers", () => {
    expect(() => parseNpy(new TextEncoder().encode("not an npy file"))).toThrow(/magic/);
    expect(() => parseNpy(npyV1("<c16", [1], new Uint8Array(16)))).toThrow(/dtype/);
    const fortran = npyV1("<f8", [1], new Uint8Array(8));
    const text = new TextDecoder("latin1").decode(fortran).replace("False", "True ");
    expect(() => parseNpy(Uint8Array.from(text, (c) => c.charCodeAt(0)))).toThrow(/Fortran/);
    expect(() => parseNpy(npyV1("<f8", [2], new Uint8Array(8)))).toThrow(/needs 16/);
    const huge = npyV1("<f8", [1], new Uint8Array(8));
    huge[6] = 2;
    new DataView(huge.buffer).setUint32(8, 1 << 20, true);
    expect(() => parseNpy(huge)).toThrow(/exceeds/);
  });

  it("reads raw f32le/f64le with a declared shape and refuses a wrong size", () => {
    const body = new Uint8Array(Float32Array.from([1, 2, 3, 4]).buffer);
    expect(parseRaw(body, "f32le", [2, 2]).shape).toEqual([2, 2]);
    expect(() => parseRaw(body, "f64le", [2, 2])).toThrow(/needs 32/);
    expect(() => parseRaw(body, "f32le", [-1])).toThrow(/dimension/);
  });
});

describe("numpy-written outputs", () => {
  let dir = "";
  beforeAll(() => {
    if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: install python3-numpy (make deps)`);
    dir = mkdtempSync(join(tmpdir(), "ogpu-npy-"));
    // The same float32 sum taken in two orders differs in its last bits: the case tolerance exists for.
    const script = [
      "import numpy as np, sys",
      "d = sys.argv[1]",
      "x = np.random.default_rng(7).standard_normal(100000).astype(np.float32)",
      "fwd = np.cumsum(x, dtype=np.float32)[-1:]",
      "rev = np.cumsum(x[::-1], dtype=np.float32)[-1:]",
      "np.save(d + '/fwd.npy', fwd.reshape(1, 1))",
      "np.save(d + '/rev.npy', rev.reshape(1, 1))",
      "np.save(d + '/far.npy', (fwd + np.float32(1.0)).reshape(1, 1))",
      "np.save(d + '/be.npy', np.arange(6, dtype='>f8').reshape(2, 3))",
      "np.save(d + '/i8.npy', np.arange(6, dtype='<i8').reshape(2, 3))",
      "np.lib.format.write_array(open(d + '/v2.npy', 'wb'), np.arange(6, dtype='<f4').reshape(2, 3), version=(2, 0))",
      "np.lib.format.write_array(open(d + '/v3.npy', 'wb'), np.arange(6, dtype='<f8').reshape(2, 3), version=(3, 0))",
      "np.arange(6, dtype='<f4').tofile(d + '/raw.f32')",
    ].join("\n");
    execFileSync(PYTHON, ["-c", script, dir]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string) => new Uint8Array(readFileSync(join(dir, name)));

  it("finds two summation orders bitwise different but within tolerance, and a +1 perturbation beyond it", () => {
    const fwd = file("fwd.npy");
    const rev = file("rev.npy");
    expect(Buffer.from(fwd).equals(Buffer.from(rev))).toBe(false);
    expect(compareOutputs(fwd, rev, { format: "npy" }, 1e-3, 1e-4).match).toBe(true);
    expect(compareOutputs(fwd, rev, { format: "npy" }, 0, 0).match).toBe(false);
    expect(compareOutputs(fwd, file("far.npy"), { format: "npy" }, 1e-3, 1e-4).match).toBe(false);
  });

  it("reads big-endian, int64, version 2 and 3 headers and raw f32le identically", () => {
    const expected = [0, 1, 2, 3, 4, 5];
    for (const name of ["be.npy", "i8.npy", "v2.npy", "v3.npy"]) {
      const parsed = parseNpy(file(name));
      expect(parsed.shape, name).toEqual([2, 3]);
      expect(Array.from(parsed.data), name).toEqual(expected);
    }
    expect(Array.from(parseRaw(file("raw.f32"), "f32le", [2, 3]).data)).toEqual(expected);
    expect(compareOutputs(file("raw.f32"), file("raw.f32"), { format: "f32le", shape: [2, 3] }, 0, 0).match).toBe(true);
    expect(compareOutputs(file("be.npy"), file("v2.npy"), { format: "npy" }, 0, 0).match).toBe(true);
  });

  it("calls an unreadable worker output a mismatch", () => {
    const result = compareOutputs(file("fwd.npy"), new TextEncoder().encode("garbage"), { format: "npy" }, 1, 1);
    expect(result.match).toBe(false);
    expect(result.reason).toContain("unreadable");
  });
});

describe("compareProgramOutputs (a program's result: the bundle of its declared outputs)", () => {
  const f8 = (values: number[]) => new Uint8Array(Float64Array.from(values).buffer);
  const f32 = (values: number[]) => new Uint8Array(Float32Array.from(values).buffer);
  const OUTPUTS: ProgramOutput[] = [
    { name: "weights.npy", format: "npy" },
    { name: "grid.f32", format: "f32le", shape: [2, 2] },
    { name: "trace.f64", format: "f64le" },
    { name: "note.txt", format: "bytes" },
  ];
  /** A result bundle; `change` replaces some outputs' bytes. */
  const result = (change: Record<string, Uint8Array | undefined> = {}) => {
    const files: Record<string, Uint8Array | undefined> = {
      "weights.npy": npyV1("<f8", [3], f8([1, 2, 3])),
      "grid.f32": f32([10, 20, 30, 40]),
      "trace.f64": f8([0.5, 0.25]),
      "note.txt": new TextEncoder().encode("steps=200"),
      ...change,
    };
    return packFiles(Object.entries(files).flatMap(([path, data]) => (data ? [{ path, executable: false, data }] : [])));
  };
  const compare = (candidate: Uint8Array, outputs = OUTPUTS) => compareProgramOutputs(result(), candidate, outputs, 1e-3, 1e-4);

  it("compares every declared output by name in its own format, within tolerance", () => {
    const close = result({ "weights.npy": npyV1("<f8", [3], f8([1.0005, 2, 3])), "grid.f32": f32([10.001, 20, 30, 40]), "trace.f64": f8([0.5, 0.2505]) });
    expect(compare(close)).toMatchObject({ match: true, reason: "" });
    expect(compare(close).maxAbsDiff).toBeGreaterThan(0);
  });

  it("names the output that differs beyond tolerance, whichever format it has", () => {
    expect(compare(result({ "weights.npy": npyV1("<f8", [3], f8([1, 2, 3.1])) })).reason).toMatch(/^weights\.npy: element 2/);
    expect(compare(result({ "grid.f32": f32([10, 20, 30, 41]) })).reason).toMatch(/^grid\.f32: element 3/);
    expect(compare(result({ "trace.f64": f8([0.5, 0.3]) })).reason).toMatch(/^trace\.f64: element 1/);
    expect(compare(result({ "note.txt": new TextEncoder().encode("steps=201") })).reason).toMatch(/^note\.txt: declared as bytes: compared bit for bit/);
  });

  it("reads raw arrays with their declared shape: a different element count is a mismatch", () => {
    expect(compare(result({ "grid.f32": f32([10, 20, 30]) })).reason).toMatch(/^grid\.f32: worker output unreadable: .*needs 16/);
    expect(compare(result({ "trace.f64": f8([0.5, 0.25, 0]) })).reason).toMatch(/^trace\.f64: worker output unreadable/);
  });

  it("calls a result missing a declared output, holding an undeclared file, or not a bundle a mismatch", () => {
    expect(compare(result({ "note.txt": undefined })).reason).toBe("note.txt: missing from the worker output");
    expect(compare(result({ "extra.bin": new Uint8Array([1]) })).reason).toMatch(/undeclared file\(s\) "extra\.bin"/);
    expect(compare(npyV1("<f8", [3], f8([1, 2, 3]))).reason).toMatch(/not an output bundle/);
  });

  it("compares bit for bit an output whose own bytes do not parse as declared", () => {
    const outputs: ProgramOutput[] = [...OUTPUTS.slice(0, 3), { name: "note.txt", format: "f64le" }];
    expect(compare(result(), outputs).match).toBe(true);
    expect(compare(result({ "note.txt": new TextEncoder().encode("steps=201") }), outputs).reason).toMatch(/^note\.txt: our own output does not parse as declared f64le/);
  });
});

describe("on-chain tolerances", () => {
  it("reads parts per 10^12 as the float the comparison uses", () => {
    expect(toleranceValue(1_000_000n)).toBe(1e-6);
    expect(toleranceValue(10n ** 12n)).toBe(1);
    expect(toleranceValue(0n)).toBe(0);
  });
});
