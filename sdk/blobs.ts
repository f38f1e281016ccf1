import { blobCid } from "../crypto/hash.js";

export { blobCid };

/**
 * Client side of the node's content-addressed blob store (server/blobs.ts), and the protocol
 * pieces both sides share: the CID rule, the upload headers and the bytes an uploader signs.
 *
 * An upload is authorised by the uploader's account key signing
 *   "ogpu-blob-upload/v1" ‖ cid ‖ height (decimal) ‖ account     (UTF-8; ECDSA over its sha256)
 * The height must be recent, so a leaked signature expires; the CID binds it to these bytes.
 */

export const BLOB_HEADERS = {
  account: "x-ogpu-account",
  pubkey: "x-ogpu-pubkey",
  height: "x-ogpu-height",
  signature: "x-ogpu-signature",
} as const;

const SIGN_DOMAIN = "ogpu-blob-upload/v1";
const CID_PATTERN = /^[0-9a-f]{64}$/;

export function isBlobCid(text: string): boolean {
  return CID_PATTERN.test(text);
}

/** The message an uploader signs (the signer hashes it with sha256, as for Cosmos sign bytes). */
export function blobUploadSignBytes(cid: string, height: bigint, account: string): Uint8Array {
  return new TextEncoder().encode(`${SIGN_DOMAIN}${cid}${height.toString()}${account}`);
}

/** An account key able to authorise uploads, e.g. from crypto/secp256k1.ts signSecp256k1. */
export interface BlobSigner {
  /** bech32 account address (ogpu1…). */
  account: string;
  /** 33-byte compressed secp256k1 public key. */
  pubkey: Uint8Array;
  /** 64-byte r‖s low-S signature over sha256(signBytes). */
  sign(signBytes: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

export interface BlobRef {
  cid: string;
  size: number;
}

/** A refusal by the store (`code`/`message` from its JSON error) or a failed client-side check. */
export class BlobError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = "BlobError";
  }
}

function blobUrl(restUrl: string, cid?: string): string {
  const base = restUrl.replace(/\/+$/, "");
  return cid === undefined ? `${base}/blobs` : `${base}/blobs/${cid}`;
}

/** The store's `{code, message}` error as a BlobError; falls back to the HTTP status text. */
async function errorFrom(response: Response): Promise<BlobError> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as { code?: unknown; message?: unknown };
    if (typeof body.code === "string" && typeof body.message === "string") return new BlobError(body.code, body.message, response.status);
  } catch {
    // Not JSON: report the raw status below.
  }
  return new BlobError("http_error", `blob store answered ${response.status} ${response.statusText}: ${text.slice(0, 200)}`, response.status);
}

/** Uploads `bytes` authorised by `signer` at a recent block `height`; idempotent. */
export async function uploadBlob(restUrl: string, bytes: Uint8Array, signer: BlobSigner, height: bigint): Promise<BlobRef> {
  const cid = blobCid(bytes);
  const signature = await signer.sign(blobUploadSignBytes(cid, height, signer.account));
  const response = await fetch(blobUrl(restUrl), {
    method: "POST",
    headers: {
      "content-type": "application/octet-stream",
      [BLOB_HEADERS.account]: signer.account,
      [BLOB_HEADERS.pubkey]: Buffer.from(signer.pubkey).toString("base64"),
      [BLOB_HEADERS.height]: height.toString(),
      [BLOB_HEADERS.signature]: Buffer.from(signature).toString("base64"),
    },
    body: bytes,
  });
  if (!response.ok) throw await errorFrom(response);
  const ref = (await response.json()) as BlobRef;
  // The store names what it stored; a different CID means it is not the blob we sent.
  if (ref.cid !== cid) throw new BlobError("cid_mismatch", `blob store stored ${ref.cid}, expected ${cid}`);
  return ref;
}

/** Downloads a blob and checks its bytes hash to `cid`; a node serving wrong bytes is an error. */
export async function fetchBlob(restUrl: string, cid: string): Promise<Uint8Array> {
  if (!isBlobCid(cid)) throw new BlobError("invalid_cid", `invalid blob CID '${cid}': expected 64 lowercase hex characters`);
  const response = await fetch(blobUrl(restUrl, cid));
  if (!response.ok) throw await errorFrom(response);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const actual = blobCid(bytes);
  if (actual !== cid) {
    throw new BlobError("integrity_mismatch", `blob ${cid} failed its integrity check: the ${bytes.length} bytes received hash to ${actual}`);
  }
  return bytes;
}
