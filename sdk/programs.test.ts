import { chmod, mkdir, mkdtemp, readFile, rm, symlink, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { blobCid } from "../crypto/cid.js";
import { ManifestError, parseProgramManifest, toleranceToPpt } from "./program-manifest.js";
import { PackError, packFiles, unpackFiles } from "./program-pack.js";
import { builtinProgramId, packProgramFiles, pickedDirectoryEntries, unpackProgram } from "./programs.js";
import { packProgram } from "./program-dir.js";

const MANIFEST = { runtime: "process", entrypoint: ["/usr/bin/python3", "main.py"], outputs: [{ name: "result.npy", format: "npy" }] };
const dirs: string[] = [];
afterEach(async () => Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true }))));

async function programDir(order: "ab" | "ba", mode: number, mtime: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "ogpu-prog-"));
  dirs.push(dir);
  const files: [string, string][] = [
    ["ogpu-program.json", JSON.stringify(MANIFEST)],
    ["main.py", "print('hi')\n"],
    ["lib/util.py", "X = 1\n"],
    ["lib/deep/data.bin", "\u0000\u0001"],
  ];
  if (order === "ba") files.reverse();
  for (const [path, text] of files) {
    await mkdir(join(dir, path, ".."), { recursive: true });
    await writeFile(join(dir, path), text);
    await chmod(join(dir, path), mode);
    await utimes(join(dir, path), mtime, mtime);
  }
  return dir;
}

describe("deterministic program pack", () => {
  it("packs the same directory to the same bytes twice, and two copies created differently to the same CID", async () => {
    const a = await programDir("ab", 0o644, 1_000_000);
    const b = await programDir("ba", 0o600, 2_000_000);
    const [a1, a2, b1] = [await packProgram(a), await packProgram(a), await packProgram(b)];
    expect(Buffer.from(a1.bundle).equals(Buffer.from(a2.bundle))).toBe(true);
    expect(b1.cid).toBe(a1.cid);
    expect(a1.cid).toBe(await blobCid(a1.bundle));
    expect(unpackProgram(a1.bundle).files.map((f) => f.path)).toEqual(["lib/deep/data.bin", "lib/util.py", "main.py", "ogpu-program.json"]);
  });

  it("keeps the executable bit (and only it): a chmod +x changes the CID", async () => {
    const a = await programDir("ab", 0o644, 1);
    const before = await packProgram(a);
    await chmod(join(a, "main.py"), 0o755);
    const after = await packProgram(a);
    expect(after.cid).not.toBe(before.cid);
    expect(unpackProgram(after.bundle).files.find((f) => f.path === "main.py")!.executable).toBe(true);
  });

  it("a folder picked in a browser packs to the CLI's CID when only the entrypoint is executable", async () => {
    const dir = await programDir("ab", 0o644, 1);
    const manifest = { ...MANIFEST, entrypoint: ["./main.py"] };
    await writeFile(join(dir, "ogpu-program.json"), JSON.stringify(manifest));
    await chmod(join(dir, "main.py"), 0o755);
    const paths = ["ogpu-program.json", "main.py", "lib/util.py", "lib/deep/data.bin"];
    // What <input webkitdirectory> gives: paths under the picked folder's own name, no mode bits.
    const picked = await Promise.all(paths.map(async (p) => ({ relativePath: `myprog/${p}`, data: new Uint8Array(await readFile(join(dir, p))) })));
    const fromBrowser = await packProgramFiles(pickedDirectoryEntries(picked));
    expect(fromBrowser.cid).toBe((await packProgram(dir)).cid);
    expect(unpackProgram(fromBrowser.bundle).files.filter((f) => f.executable).map((f) => f.path)).toEqual(["main.py"]);
    expect(() => pickedDirectoryEntries(picked.filter((f) => !f.relativePath.endsWith("ogpu-program.json")))).toThrow(/no ogpu-program.json/);
  });

  it("refuses symlinks, a missing manifest, and bad paths", async () => {
    const a = await programDir("ab", 0o644, 1);
    await symlink("/etc/passwd", join(a, "link"));
    await expect(packProgram(a)).rejects.toThrow(/not a regular file/);
    const data = new Uint8Array(1);
    expect(() => unpackProgram(packFiles([{ path: "main.py", executable: false, data }]))).toThrow(/no ogpu-program.json/);
    for (const path of ["../x", "/abs", "a//b", "a/./b", ""]) expect(() => packFiles([{ path, executable: false, data }])).toThrow(PackError);
    expect(() => packFiles([{ path: "a", executable: false, data }, { path: "a/b", executable: false, data }])).toThrow(/both a file and the directory/);
  });

  it("decodes only the canonical encoding: reordered, trailing or truncated bytes are refused", () => {
    const data = new Uint8Array([7]);
    const good = packFiles([{ path: "a", executable: false, data }, { path: "b", executable: true, data }]);
    expect(unpackFiles(good)).toHaveLength(2);
    const swapped = Uint8Array.from(good);
    swapped[14] = "b".charCodeAt(0); // first entry's path "a" → "b": now out of order
    expect(() => unpackFiles(swapped)).toThrow(/ascending/);
    expect(() => unpackFiles(new Uint8Array([...good, 0]))).toThrow(/after the last entry/);
    expect(() => unpackFiles(good.subarray(0, good.length - 1))).toThrow(/truncated/);
    const badMode = Uint8Array.from(good);
    badMode[15] = 2;
    expect(() => unpackFiles(badMode)).toThrow(/mode 2/);
  });

  it("gives built-in kernels fixed ids that no bundle can take", async () => {
    expect(builtinProgramId("matmul")).toBe(await blobCid(new TextEncoder().encode("matmul")));
    expect(builtinProgramId("matmul")).toBe("bafkreihrjppwa5stgvany53ajjhuhvrmiyedbj4rdpqa65afreofdjtqhy");
    expect(builtinProgramId("matmul")).not.toBe(builtinProgramId("hash"));
  });
});

describe("ogpu-program.json", () => {
  it("fills defaults and keeps what was declared", () => {
    const m = parseProgramManifest(JSON.stringify({ ...MANIFEST, verification: { class: "tolerance", atol: "1e-6", rtol: "0.001" }, resources: { memory_mb: 2048 } }));
    expect(m.resources).toEqual({ gpus: 0, min_vram_mb: 0, memory_mb: 2048, timeout_s: 60 });
    expect(m.verification).toEqual({ class: "tolerance", atol: "1e-6", rtol: "0.001" });
    expect(parseProgramManifest(JSON.stringify(MANIFEST)).verification).toEqual({ class: "bitwise" });
  });

  it.each([
    [{ ...MANIFEST, extra: 1 }, /unknown key\(s\) "extra"/],
    [{ ...MANIFEST, runtime: "docker" }, /runtime must be one of/],
    [{ ...MANIFEST, entrypoint: [] }, /entrypoint is required/],
    [{ ...MANIFEST, outputs: [] }, /outputs must be a list of 1..16/],
    [{ ...MANIFEST, outputs: [{ name: "../x", format: "npy" }] }, /plain file name/],
    [{ ...MANIFEST, outputs: [{ name: "a", format: "npy" }, { name: "a", format: "bytes" }] }, /declared twice/],
    [{ ...MANIFEST, outputs: [{ name: "a", format: "f32le", shape: [0] }] }, /shape\[0\] must be an integer/],
    [{ ...MANIFEST, resources: { gpus: 1.5 } }, /resources.gpus must be an integer in 0..16/],
    [{ ...MANIFEST, resources: { min_vram_mb: 100 } }, /needs resources.gpus/],
    [{ ...MANIFEST, verification: { class: "bitwise", atol: "1e-6" } }, /tolerance class only/],
    [{ ...MANIFEST, verification: { class: "tolerance", atol: "-1" } }, /non-negative decimal/],
    [{ ...MANIFEST, runtime: "oci", image: "debian:12" }, /pinned by digest/],
    [{ ...MANIFEST, image: `x@sha256:${"a".repeat(64)}` }, /oci runtime only/],
    [{ ...MANIFEST, entrypoint: ["a\u0000b"] }, /without NUL/],
  ])("refuses %j", (manifest, message) => {
    expect(() => parseProgramManifest(JSON.stringify(manifest))).toThrow(message);
  });

  it("refuses oversized and non-JSON manifests", () => {
    expect(() => parseProgramManifest("x".repeat(17 * 1024))).toThrow(ManifestError);
    expect(() => parseProgramManifest("{")).toThrow(/not valid UTF-8 JSON/);
    expect(() => parseProgramManifest(new Uint8Array([0xff]))).toThrow(/not valid UTF-8 JSON/);
  });

  it("converts tolerances to integer parts per 10^12 without floats", () => {
    expect(toleranceToPpt("1e-6")).toBe(1_000_000n);
    expect(toleranceToPpt("0.001")).toBe(1_000_000_000n);
    expect(toleranceToPpt("2.5e-3")).toBe(2_500_000_000n);
    expect(toleranceToPpt("1")).toBe(1_000_000_000_000n);
    expect(toleranceToPpt("0")).toBe(0n);
    expect(() => toleranceToPpt("1e-13")).toThrow(/finer than 1e-12/);
  });
});
