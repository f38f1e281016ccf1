import { makeSignDoc, serializeSignDoc } from "@cosmjs/amino";
import { toBase64, toHex } from "@cosmjs/encoding";
import { BLOB_CID_FORM, blobCid, isBlobCid, singleChunkCid, textCid } from "../crypto/cid.js";

export { BLOB_CID_FORM, blobCid, isBlobCid, singleChunkCid, textCid };

/**
 * Client side of the node's content-addressed blob store (server/blobs.ts), and the protocol
 * pieces both sides share: the CID rule (crypto/cid.ts, docs/storage.md), the upload headers, the bytes an uploader signs and
 * the error codes.
 *
 * An upload is authorised by the uploader's account key signing (UTF-8; secp256k1: ECDSA over its
 * sha256, ML-DSA-65: FIPS 204 over the bytes themselves, as for tx sign bytes)
 *   "ogpu-blob-upload/v2" \n cid \n size \n expiry height \n account \n pubkey (hex)
 * The key's algorithm is told by its length (crypto/pubkey.ts pubKeyFromRaw): 33 bytes secp256k1, 1952 ML-DSA-65.
 * All of it travels in headers, so the node checks the signature, the quota and the disk before
 * it reads a byte of the body; the body must then hash to the signed CID and be exactly `size`
 * bytes. A signature is void after its expiry height, so a leaked one stops working.
 *
 * A wallet that cannot sign raw bytes (Keplr: only ADR-036 `signArbitrary`) signs the same claim
 * text wrapped in an ADR-036 sign doc instead, and says so in BLOB_SIGNATURE_FORM_HEADER
 * (adr036SignBytes). The two forms sign different bytes, so a signature of one form never
 * verifies as the other.
 *
 * Portable (no Buffer, no node:crypto): the browser bundle (sdk/browser.ts) uploads with it too.
 */

export const BLOB_HEADERS = {
  account: "x-ogpu-account",
  pubkey: "x-ogpu-pubkey",
  cid: "x-ogpu-cid",
  size: "x-ogpu-size",
  expiry: "x-ogpu-expiry",
  signature: "x-ogpu-signature",
} as const;

/**
 * Which bytes the signature covers: absent or "plain" = blobUploadSignBytes itself, "adr036" =
 * the ADR-036 sign doc of those bytes (adr036SignBytes; secp256k1 keys only). Not one of
 * BLOB_HEADERS, which are all required.
 */
export const BLOB_SIGNATURE_FORM_HEADER = "x-ogpu-signature-form";
export const BLOB_SIGNATURE_FORMS = ["plain", "adr036"] as const;
export type BlobSignatureForm = (typeof BLOB_SIGNATURE_FORMS)[number];

/** Blocks an SDK upload signature stays valid for, counted from the height the client passes. */
export const UPLOAD_VALIDITY_BLOCKS = 100n;

/** Codespace of the store's errors: `{code, codespace: "blobs", reason, message}`. */
export const BLOB_CODESPACE = "blobs";

/** Numeric codes of the store's refusals (stable: clients may match on them), by reason. */
export const BLOB_ERROR_CODES = {
  internal: 1,
  bad_request: 2,
  invalid_cid: 3,
  missing_auth: 4,
  invalid_account: 5,
  invalid_pubkey: 6,
  invalid_signature: 7,
  invalid_expiry: 8,
  invalid_size: 9,
  pubkey_mismatch: 10,
  signature_expired: 11,
  expiry_too_far: 12,
  blob_too_large: 13,
  size_mismatch: 14,
  digest_mismatch: 15,
  quota_exceeded: 16,
  insufficient_storage: 17,
  blob_not_found: 18,
  unsupported_media_type: 19,
  blob_corrupted: 20,
  output_not_paid: 21,
} as const;

export type BlobErrorReason = keyof typeof BLOB_ERROR_CODES;

const SIGN_DOMAIN = "ogpu-blob-upload/v2";

/** What an upload signature covers. */
export interface UploadClaim {
  cid: string;
  size: number;
  /** Last block height at which the signature is accepted. */
  expiry: bigint;
  account: string;
  pubkey: Uint8Array;
}

/** The message an uploader signs (the signer hashes it with sha256, as for Cosmos sign bytes). */
export function blobUploadSignBytes(claim: UploadClaim): Uint8Array {
  const fields = [SIGN_DOMAIN, claim.cid, String(claim.size), claim.expiry.toString(), claim.account, toHex(claim.pubkey)];
  return new TextEncoder().encode(fields.join("\n"));
}

/**
 * ADR-036 ("arbitrary data") sign bytes of `data` for `signer`, as Keplr's signArbitrary signs
 * them: the amino JSON sign doc with one `sign/MsgSignData{signer, data: base64}` message, empty
 * chain id, zero account number, sequence and fee, serialised canonically (sorted keys,
 * escaped); the signature is secp256k1 over their sha256.
 */
export function adr036SignBytes(signer: string, data: Uint8Array): Uint8Array {
  const msg = { type: "sign/MsgSignData", value: { signer, data: toBase64(data) } };
  return serializeSignDoc(makeSignDoc([msg], { gas: "0", amount: [] }, "", "", 0, 0));
}

/** An account key able to authorise uploads, e.g. crypto/pubkey.ts signWithKey with its private key. */
export interface BlobSigner {
  /** bech32 account address (ogpu1…). */
  account: string;
  /** 33-byte compressed secp256k1 or 1952-byte ML-DSA-65 public key. */
  pubkey: Uint8Array;
  /** secp256k1: 64-byte r‖s low-S signature over sha256(signBytes); ML-DSA-65: 3309-byte signature of signBytes. */
  sign(signBytes: Uint8Array): Uint8Array | Promise<Uint8Array>;
  /**
   * How `sign` covers the claim it is given: "plain" (default) signs those bytes, "adr036" signs
   * their ADR-036 sign doc (adr036SignBytes; what Keplr's signArbitrary does).
   */
  form?: BlobSignatureForm;
}

export interface BlobRef {
  cid: string;
  size: number;
}

/**
 * A refusal by the store or a failed client-side check. `code` is the reason name
 * (e.g. "quota_exceeded"); `abciCode` the store's numeric code in codespace "blobs".
 */
export class BlobError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status?: number,
    readonly abciCode?: number,
  ) {
    super(message);
    this.name = "BlobError";
  }
}

function blobUrl(restUrl: string, cid?: string): string {
  const base = restUrl.replace(/\/+$/, "");
  return cid === undefined ? `${base}/blobs` : `${base}/blobs/${cid}`;
}

/** The store's `{code, codespace, reason, message}` error as a BlobError; falls back to the HTTP status text. */
async function errorFrom(response: Response): Promise<BlobError> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as { code?: unknown; reason?: unknown; message?: unknown };
    if (typeof body.reason === "string" && typeof body.message === "string") {
      return new BlobError(body.reason, body.message, response.status, typeof body.code === "number" ? body.code : undefined);
    }
  } catch {
    // Not JSON: report the raw status below.
  }
  return new BlobError("http_error", `blob store answered ${response.status} ${response.statusText}: ${text.slice(0, 200)}`, response.status);
}

/** The headers that authorise uploading `bytes` until block `expiry`. */
export async function blobUploadHeaders(bytes: Uint8Array, signer: BlobSigner, expiry: bigint): Promise<Record<string, string>> {
  const claim: UploadClaim = { cid: await blobCid(bytes), size: bytes.length, expiry, account: signer.account, pubkey: signer.pubkey };
  const signature = await signer.sign(blobUploadSignBytes(claim));
  return {
    "content-type": "application/octet-stream",
    ...(signer.form === "adr036" ? { [BLOB_SIGNATURE_FORM_HEADER]: "adr036" } : {}),
    [BLOB_HEADERS.account]: signer.account,
    [BLOB_HEADERS.pubkey]: toBase64(signer.pubkey),
    [BLOB_HEADERS.cid]: claim.cid,
    [BLOB_HEADERS.size]: String(claim.size),
    [BLOB_HEADERS.expiry]: expiry.toString(),
    [BLOB_HEADERS.signature]: toBase64(signature),
  };
}

/**
 * One node's REST URL, or several to fail over between: an array or a comma-separated list
 * (`--rest a,b,c`). Tried in order; the next is tried when one is unreachable or answers a
 * failure another node may not have (docs/storage.md, "Several REST endpoints").
 */
export type RestEndpoints = string | readonly string[];

/** The URLs of `rest`, in order; at least one. */
export function restEndpoints(rest: RestEndpoints): string[] {
  const urls = (typeof rest === "string" ? rest.split(",") : [...rest]).map((u) => u.trim()).filter((u) => u !== "");
  if (urls.length === 0) throw new BlobError("no_endpoint", "no REST endpoint given");
  return urls;
}

/**
 * Whether another node could do better: unreachable (fetch's network TypeError), a server-side
 * failure or a full store (5xx, 507), a rate limit (429), a blob this node lacks (404) or served
 * wrong (integrity/CID mismatch). A refusal of the request itself (bad signature, quota) is final.
 */
function worthAnotherEndpoint(err: unknown): boolean {
  if (!(err instanceof BlobError)) return true;
  if (err.code === "integrity_mismatch" || err.code === "cid_mismatch") return true;
  return err.status !== undefined && (err.status >= 500 || err.status === 404 || err.status === 429);
}

async function withFailover<T>(rest: RestEndpoints, attempt: (url: string) => Promise<T>): Promise<T> {
  const urls = restEndpoints(rest);
  const failures: string[] = [];
  for (const [i, url] of urls.entries()) {
    try {
      return await attempt(url);
    } catch (err) {
      if (i === urls.length - 1 || !worthAnotherEndpoint(err)) {
        if (failures.length === 0) throw err;
        const last = err instanceof BlobError ? err : new BlobError("unreachable", `${url}: ${err instanceof Error ? err.message : String(err)}`);
        throw new BlobError(last.code, `${last.message} (also tried: ${failures.join("; ")})`, last.status, last.abciCode);
      }
      failures.push(`${url}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  throw new BlobError("no_endpoint", "no REST endpoint given");
}

/**
 * Uploads `bytes` authorised by `signer`; `height` is a recent block height and the signature
 * expires UPLOAD_VALIDITY_BLOCKS after it. Idempotent, so a failed endpoint's retry elsewhere is safe.
 */
export async function uploadBlob(rest: RestEndpoints, bytes: Uint8Array, signer: BlobSigner, height: bigint): Promise<BlobRef> {
  const headers = await blobUploadHeaders(bytes, signer, height + UPLOAD_VALIDITY_BLOCKS);
  const cid = headers[BLOB_HEADERS.cid]!;
  return withFailover(rest, async (restUrl) => {
    // DOM typings (the web bundle) type a fetch body as ArrayBuffer-backed; the bytes are sent as they are.
    const response = await fetch(blobUrl(restUrl), { method: "POST", headers, body: bytes as Uint8Array<ArrayBuffer> });
    if (!response.ok) throw await errorFrom(response);
    const ref = (await response.json()) as BlobRef;
    // The store names what it stored; a different CID means it is not the blob we sent.
    if (ref.cid !== cid) throw new BlobError("cid_mismatch", `blob store stored ${ref.cid}, expected ${cid}`);
    return ref;
  });
}

/** Downloads a blob and checks its bytes hash to `cid`; a node serving wrong bytes is an error (the next endpoint is tried). */
export async function fetchBlob(rest: RestEndpoints, cid: string): Promise<Uint8Array> {
  if (!isBlobCid(cid)) throw new BlobError("invalid_cid", `invalid blob CID '${cid.slice(0, 80)}': expected ${BLOB_CID_FORM}`);
  return withFailover(rest, async (restUrl) => {
    const response = await fetch(blobUrl(restUrl, cid));
    if (!response.ok) throw await errorFrom(response);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const actual = await blobCid(bytes);
    if (actual !== cid) {
      throw new BlobError("integrity_mismatch", `blob ${cid} failed its integrity check: the ${bytes.length} bytes received from ${restUrl} hash to ${actual}`);
    }
    return bytes;
  });
}
