/**
 * The node's content-addressed blob store (DESIGN §5): task inputs and outputs, usually sealed
 * envelopes (crypto/envelope.ts), live here while the chain holds only their CIDs.
 *
 *   POST /blobs        raw bytes; authorised by the uploader's account signature (sdk/blobs.ts)
 *   GET  /blobs/:cid   the bytes, re-hashed on every read: a corrupted file is never served
 *   HEAD /blobs/:cid   existence and size, without reading the file
 *
 * Errors are JSON `{ "code", "message" }`. Storage is in blob-store.ts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { parseAccountAddress } from "../app/address.js";
import { SECP256K1_PUBKEY_TYPE_URL, addressOf } from "../crypto/pubkey.js";
import { verifySecp256k1 } from "../crypto/secp256k1.js";
import { BLOB_HEADERS, blobCid, blobUploadSignBytes, isBlobCid } from "../sdk/blobs.js";
import { BlobStore, BlobStoreError } from "./blob-store.js";

export { BlobStore, BlobStoreError } from "./blob-store.js";

export const DEFAULT_MAX_BLOB_BYTES = 16 * 1024 * 1024;
export const DEFAULT_QUOTA_BYTES_PER_ACCOUNT = 256 * 1024 * 1024;
export const DEFAULT_MAX_HEIGHT_SKEW = 100n;

export interface BlobStoreOptions {
  /** Directory of the store (blob files and the quota index); created if missing. */
  dir: string;
  /** The node's latest committed height, against which upload heights are checked. */
  currentHeight: () => bigint;
  maxBlobBytes?: number;
  quotaBytesPerAccount?: number;
  /** How far (in blocks, either way) an upload's signed height may be from the node's. */
  maxHeightSkew?: bigint;
}

/** Base64 of exactly `length` bytes, else null (Buffer.from silently skips bad characters). */
function decodeBase64(text: string, length: number): Uint8Array | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
  const bytes = Buffer.from(text, "base64");
  return bytes.length === length ? new Uint8Array(bytes) : null;
}

function header(request: FastifyRequest, name: string): string | undefined {
  const raw = request.headers[name];
  return Array.isArray(raw) ? raw[0] : raw;
}

interface UploadAuth {
  account: string;
  pubkey: Uint8Array;
  height: bigint;
  signature: Uint8Array;
}

const UPLOAD_MEDIA_TYPE_MESSAGE = "POST /blobs takes the raw bytes with Content-Type application/octet-stream";

const unauthorized = (code: string, message: string) => new BlobStoreError(401, code, message);

/**
 * Everything about the uploader that can be checked before the body arrives: headers present and
 * well formed, pubkey owns the account, height recent. The signature needs the CID, so it waits.
 */
function checkUploader(request: FastifyRequest, currentHeight: bigint, maxSkew: bigint): UploadAuth {
  const account = header(request, BLOB_HEADERS.account);
  const pubkeyText = header(request, BLOB_HEADERS.pubkey);
  const heightText = header(request, BLOB_HEADERS.height);
  const signatureText = header(request, BLOB_HEADERS.signature);
  const missing = Object.values(BLOB_HEADERS).filter((name) => header(request, name) === undefined);
  if (account === undefined || pubkeyText === undefined || heightText === undefined || signatureText === undefined) {
    throw unauthorized("missing_auth", `upload must be signed: missing header(s) ${missing.join(", ")}`);
  }
  let address: Uint8Array;
  try {
    address = parseAccountAddress(account, BLOB_HEADERS.account);
  } catch (err) {
    throw unauthorized("invalid_account", err instanceof Error ? err.message : String(err));
  }
  const pubkey = decodeBase64(pubkeyText, 33);
  if (pubkey === null) throw unauthorized("invalid_pubkey", `${BLOB_HEADERS.pubkey} must be a base64 33-byte compressed secp256k1 key`);
  const signature = decodeBase64(signatureText, 64);
  if (signature === null) throw unauthorized("invalid_signature", `${BLOB_HEADERS.signature} must be a base64 64-byte signature`);
  if (!/^\d{1,20}$/.test(heightText)) throw unauthorized("invalid_height", `${BLOB_HEADERS.height} must be a block height, got '${heightText}'`);
  if (!Buffer.from(addressOf({ typeUrl: SECP256K1_PUBKEY_TYPE_URL, key: pubkey })).equals(address)) {
    throw unauthorized("pubkey_mismatch", `${BLOB_HEADERS.pubkey} is not the key of account ${account}`);
  }
  const height = BigInt(heightText);
  const skew = height > currentHeight ? height - currentHeight : currentHeight - height;
  if (skew > maxSkew) {
    throw unauthorized("stale_height", `upload signed at height ${height}, node is at ${currentHeight}: must be within ${maxSkew} blocks; sign again with a recent height`);
  }
  return { account, pubkey, height, signature };
}

/** Maps any failure to `{code, message}`; fastify's own errors keep their status (413, 415, …). */
function sendError(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (err instanceof BlobStoreError) return reply.code(err.status).send({ code: err.code, message: err.message });
  const status = typeof err === "object" && err !== null && "statusCode" in err && typeof err.statusCode === "number" ? err.statusCode : 500;
  const message = err instanceof Error ? err.message : String(err);
  if (status === 413) return reply.code(413).send({ code: "blob_too_large", message });
  if (status === 415) return reply.code(415).send({ code: "unsupported_media_type", message: UPLOAD_MEDIA_TYPE_MESSAGE });
  if (status >= 500) request.log.error({ err }, "blob request failed");
  return reply.code(status).send({ code: status >= 500 ? "internal" : "bad_request", message });
}

function cidParam(request: FastifyRequest<{ Params: { cid: string } }>): string {
  const { cid } = request.params;
  if (!isBlobCid(cid)) throw new BlobStoreError(400, "invalid_cid", `invalid blob CID '${cid}': expected 64 lowercase hex characters (sha256)`);
  return cid;
}

/**
 * Opens the store under `opts.dir` and mounts the /blobs routes on `app` in their own fastify
 * scope (raw-body parser, JSON error shape), closing the store when `app` closes. Call before
 * `app.listen()`.
 */
export async function registerBlobRoutes(app: FastifyInstance, opts: BlobStoreOptions): Promise<BlobStore> {
  const maxBlobBytes = opts.maxBlobBytes ?? DEFAULT_MAX_BLOB_BYTES;
  const maxSkew = opts.maxHeightSkew ?? DEFAULT_MAX_HEIGHT_SKEW;
  const store = await BlobStore.open(opts.dir, { quotaBytesPerAccount: opts.quotaBytesPerAccount ?? DEFAULT_QUOTA_BYTES_PER_ACCOUNT });
  app.addHook("onClose", async () => store.close());

  await app.register(async (scope) => {
    scope.setErrorHandler((err, request, reply) => sendError(err, request, reply));
    scope.addContentTypeParser("application/octet-stream", { parseAs: "buffer", bodyLimit: maxBlobBytes }, (_request, body, done) => done(null, body));

    scope.post(
      "/blobs",
      {
        bodyLimit: maxBlobBytes,
        // Reject a bad uploader or an announced oversize body before reading megabytes of it.
        onRequest: async (request) => {
          const length = Number(header(request, "content-length") ?? "0");
          if (length > maxBlobBytes) throw new BlobStoreError(413, "blob_too_large", `blob of ${length} bytes exceeds the ${maxBlobBytes}-byte limit`);
          checkUploader(request, opts.currentHeight(), maxSkew);
        },
      },
      async (request, reply) => {
        // Fastify skips the parser for an empty body, leaving it undefined: that is an empty blob.
        const body = request.body ?? Buffer.alloc(0);
        if (!Buffer.isBuffer(body)) throw new BlobStoreError(415, "unsupported_media_type", UPLOAD_MEDIA_TYPE_MESSAGE);
        const auth = checkUploader(request, opts.currentHeight(), maxSkew);
        const cid = blobCid(body);
        if (!verifySecp256k1(auth.pubkey, blobUploadSignBytes(cid, auth.height, auth.account), auth.signature)) {
          throw unauthorized("invalid_signature", `signature does not authorise ${auth.account} to upload blob ${cid} at height ${auth.height}`);
        }
        const { size, created } = await store.put(auth.account, cid, body);
        return reply.code(created ? 201 : 200).send({ cid, size });
      },
    );

    // HEAD answers from the file's size alone; GET's implicit HEAD would read and hash it.
    scope.get<{ Params: { cid: string } }>("/blobs/:cid", { exposeHeadRoute: false }, async (request, reply) => {
      const bytes = await store.read(cidParam(request));
      return reply.type("application/octet-stream").header("cache-control", "public, max-age=31536000, immutable").send(bytes);
    });
    scope.head<{ Params: { cid: string } }>("/blobs/:cid", async (request, reply) => {
      const size = await store.size(cidParam(request));
      return reply.type("application/octet-stream").header("content-length", size).send();
    });
  });
  return store;
}
