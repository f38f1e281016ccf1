/**
 * `--program <dir | cid>` of `ogpud tx market submit-task` (docs/programs.md): a directory is
 * packed (deterministically) and uploaded, a CID names a bundle already in the blob store; either
 * way the manifest is read, so the task's requirements carry the program's runtime and GPUs.
 */
import { stat } from "node:fs/promises";
import { CliError } from "../../cli.js";
import { BLOB_CID_FORM, fetchBlob, isBlobCid, type BlobSigner } from "../../../sdk/blobs.js";
import { unpackProgram, uploadProgram, type PackedProgram } from "../../../sdk/programs.js";
import { packProgram } from "../../../sdk/program-dir.js";
import type { ProgramManifest } from "../../../sdk/program-manifest.js";

export interface ResolvedProgram {
  cid: string;
  manifest: ProgramManifest;
  /** Set when packed from a directory: still to be uploaded. */
  packed?: PackedProgram;
  /** The bundle's size (part of MsgSubmitTask.input_bytes). */
  bundleBytes: number;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export async function resolveProgram(spec: string, restUrl: string): Promise<ResolvedProgram> {
  const isDir = await stat(spec).then((s) => s.isDirectory(), () => false);
  if (isDir) {
    try {
      const packed = await packProgram(spec);
      return { cid: packed.cid, manifest: packed.manifest, packed, bundleBytes: packed.bundle.length };
    } catch (err) {
      throw new CliError(`--program ${spec}: ${message(err)}`);
    }
  }
  if (!isBlobCid(spec)) throw new CliError(`--program ${spec}: neither a directory nor a blob CID (${BLOB_CID_FORM})`);
  try {
    const bundle = await fetchBlob(restUrl, spec);
    return { cid: spec, manifest: unpackProgram(bundle).manifest, bundleBytes: bundle.length };
  } catch (err) {
    throw new CliError(`--program ${spec}: cannot read the bundle from ${restUrl}: ${message(err)}`);
  }
}

/** Uploads a program packed from a directory (the store keeps one copy of equal bundles). */
export async function uploadResolvedProgram(program: ResolvedProgram, restUrl: string, signer: BlobSigner, height: bigint): Promise<void> {
  if (!program.packed) return;
  try {
    await uploadProgram(restUrl, program.packed, signer, height);
  } catch (err) {
    throw new CliError(`uploading the program to ${restUrl} failed: ${message(err)}`);
  }
}
