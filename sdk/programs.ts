/**
 * Client side of programs (docs/programs.md): pack a directory holding `ogpu-program.json`
 * into the canonical bundle (sdk/program-pack.ts), whose blob CID is the task's
 * `program_hash`, and upload it to the blob store. Workers and auditors check the CID of what
 * they fetch against `program_hash` before running anything. No I/O but the upload, so browsers
 * run it too: a directory on disk is read by sdk/program-dir.ts (`packProgram`), a directory
 * picked in a browser by `pickedDirectoryEntries`.
 */
import { blobCid, uploadBlob, type BlobSigner } from "./blobs.js";
import { MANIFEST_FILE, parseProgramManifest, type ProgramManifest } from "./program-manifest.js";
import { PackError, packFiles, unpackFiles, type PackEntry } from "./program-pack.js";

/** MsgSubmitTask.kind of a task that runs a client program (its bundle CID is program_hash). */
export { PROGRAM_TASK_KIND as PROGRAM_KIND, builtinProgramId } from "../app/program-runtimes.js";

export interface PackedProgram {
  bundle: Uint8Array;
  /** Blob CID of the bundle: the task's program_hash. */
  cid: string;
  manifest: ProgramManifest;
}

export interface UnpackedProgram {
  manifest: ProgramManifest;
  files: PackEntry[];
}

/** Decodes a bundle and parses its manifest (PackError / ManifestError otherwise). */
export function unpackProgram(bundle: Uint8Array): UnpackedProgram {
  const files = unpackFiles(bundle);
  const manifestFile = files.find((f) => f.path === MANIFEST_FILE);
  if (!manifestFile) throw new PackError(`no ${MANIFEST_FILE} at the top of the bundle`);
  return { manifest: parseProgramManifest(manifestFile.data), files };
}

/** Packs files (validating the manifest among them). */
export async function packProgramFiles(files: readonly PackEntry[]): Promise<PackedProgram> {
  const bundle = packFiles(files);
  const { manifest } = unpackProgram(bundle);
  return { bundle, cid: await blobCid(bundle), manifest };
}

/** A file of a directory picked in a browser (`<input type=file webkitdirectory>`). */
export interface PickedFile {
  /** `webkitRelativePath`: "<picked folder>/sub/file". */
  relativePath: string;
  data: Uint8Array;
}

/**
 * Bundle entries of a directory picked in a browser, as packProgram reads one from disk: paths
 * relative to the picked folder (its own name dropped). Browsers do not expose mode bits, so the
 * one executable file is the manifest's entrypoint when that is a path in the bundle (`./run.sh`),
 * which the process runtime needs; the same folder packed by the CLI has the same CID when its
 * executable bits are exactly that.
 */
export function pickedDirectoryEntries(files: readonly PickedFile[]): PackEntry[] {
  const relative = files.map((f) => ({ path: f.relativePath.split("/").slice(1).join("/"), data: f.data }));
  const manifestFile = relative.find((f) => f.path === MANIFEST_FILE);
  if (!manifestFile) throw new PackError(`no ${MANIFEST_FILE} at the top of the picked folder`);
  const entry = (parseProgramManifest(manifestFile.data).entrypoint[0] ?? "").replace(/^\.\//, "");
  return relative.map((f) => ({ path: f.path, executable: f.path === entry, data: f.data }));
}

/** What a program task asks of its workers, from the manifest: MsgSubmitTask.requirements fields. */
export function programRequirements(manifest: ProgramManifest): { runtime: string; gpus: number; minVramMb: bigint } {
  return { runtime: manifest.runtime, gpus: manifest.resources.gpus, minVramMb: BigInt(manifest.resources.min_vram_mb) };
}

/** Uploads a packed program; returns its CID (= program_hash). */
export async function uploadProgram(restUrl: string, program: PackedProgram, signer: BlobSigner, height: bigint): Promise<string> {
  return (await uploadBlob(restUrl, program.bundle, signer, height)).cid;
}
