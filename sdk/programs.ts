/**
 * Client side of programs (docs/programs.md): pack a directory holding `ogpu-program.json`
 * into the canonical bundle (sdk/program-pack.ts), whose blob CID is the task's
 * `program_hash`, and upload it to the blob store. Workers and auditors check the CID of what
 * they fetch against `program_hash` before running anything.
 */
import { blobCid, uploadBlob, type BlobSigner } from "./blobs.js";
import { MANIFEST_FILE, parseProgramManifest, type ProgramManifest } from "./program-manifest.js";
import { PackError, packFiles, readDirectoryEntries, unpackFiles, type PackEntry } from "./program-pack.js";

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

/** Packs the directory `dir`: same files → same bytes → same CID, on any machine. */
export async function packProgram(dir: string): Promise<PackedProgram> {
  return packProgramFiles(await readDirectoryEntries(dir));
}

/** What a program task asks of its workers, from the manifest: MsgSubmitTask.requirements fields. */
export function programRequirements(manifest: ProgramManifest): { runtime: string; gpus: number; minVramMb: bigint } {
  return { runtime: manifest.runtime, gpus: manifest.resources.gpus, minVramMb: BigInt(manifest.resources.min_vram_mb) };
}

/** Uploads a packed program; returns its CID (= program_hash). */
export async function uploadProgram(restUrl: string, program: PackedProgram, signer: BlobSigner, height: bigint): Promise<string> {
  return (await uploadBlob(restUrl, program.bundle, signer, height)).cid;
}
