/**
 * The one content address of the project (docs/storage.md): a blob — task input, output, log,
 * program bundle, built-in kernel id — is named by its IPFS CIDv1 as
 * `ipfs add --cid-version=1 --raw-leaves` computes it: raw leaves, sha2-256, 256 KiB fixed-size
 * chunks, balanced UnixFS file DAG with at most 174 links per node. A blob of at most one chunk
 * is a single raw block (`bafkrei…`); a bigger one a dag-pb root (`bafybei…`). Both print in
 * base32 lower case, the only form accepted anywhere.
 *
 * `blobCid` computes it with ipfs-unixfs-importer (async; blocks are hashed and dropped, nothing
 * is stored). `isBlobCid` is the chain's check: a pure syntactic one (prefix, length, alphabet,
 * canonical last character), so consensus code never needs the importer or async code.
 * Lives in crypto/ rather than sdk/ because x/ and crypto/task-crypto.ts need it too (folders
 * below sdk/ must not import it); sdk/blobs.ts re-exports it.
 */
import { importByteStream } from "ipfs-unixfs-importer";
import { balanced } from "ipfs-unixfs-importer/layout";
import { fixedSize } from "ipfs-unixfs-importer/chunker";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { create as createDigest } from "multiformats/hashes/digest";
import { sha256 } from "./hash.js";

/** kubo's default chunker (`size-262144`) and the balanced layout's default fan-out. */
export const CID_CHUNK_BYTES = 262_144;
export const CID_MAX_LINKS = 174;

const SHA2_256 = 0x12;

/**
 * base32 "b" + CIDv1 header (version 1, codec raw 0x55 or dag-pb 0x70, sha2-256, 32-byte digest):
 * 36 bytes = 58 base32 characters. The header's last 2 bits are zeros in the 8th character
 * ([a-h]); the 2 padding bits of the last character must be zero ([aeimquy4]).
 */
const BLOB_CID_PATTERN = /^baf(?:kr|yb)ei[a-h][a-z2-7]{50}[aeimquy4]$/;

/** What a blob CID looks like, for error messages. */
export const BLOB_CID_FORM = "an IPFS CIDv1 (base32, raw leaves, sha2-256: bafkrei… or bafybei…, 59 characters)";

/** Whether `text` is a blob CID in its one accepted form (syntax only: deterministic, synchronous). */
export function isBlobCid(text: string): boolean {
  return text.length === 59 && BLOB_CID_PATTERN.test(text);
}

/** The importer wants a blockstore; computing a CID needs none, so every block is dropped. */
const DISCARD = { put: async (cid: CID) => cid };

function* once(bytes: Uint8Array): Generator<Uint8Array> {
  yield bytes;
}

/** The CID of `content` (bytes, or a stream of them such as a file being read). */
export async function blobCid(content: Uint8Array | AsyncIterable<Uint8Array>): Promise<string> {
  const source = content instanceof Uint8Array ? once(content) : content;
  const result = await importByteStream(source, DISCARD, {
    cidVersion: 1,
    rawLeaves: true,
    reduceSingleLeafToSelf: true,
    chunker: fixedSize({ chunkSize: CID_CHUNK_BYTES }),
    layout: balanced({ maxChildrenPerNode: CID_MAX_LINKS }),
  });
  return result.cid.toString();
}

/**
 * The CID of a blob of at most one chunk, synchronously: its single raw block. Equal to
 * `blobCid` for such blobs (crypto/cid.test.ts); for ids computed in synchronous code, such as
 * the built-in kernels' program ids.
 */
export function singleChunkCid(bytes: Uint8Array): string {
  if (bytes.length > CID_CHUNK_BYTES) throw new RangeError(`singleChunkCid takes at most ${CID_CHUNK_BYTES} bytes, got ${bytes.length}; use blobCid`);
  return CID.createV1(raw.code, createDigest(SHA2_256, sha256(bytes))).toString();
}

/** The CID of a short UTF-8 text (a kind name, a test's stand-in blob): one raw block. */
export function textCid(text: string): string {
  return singleChunkCid(new TextEncoder().encode(text));
}
