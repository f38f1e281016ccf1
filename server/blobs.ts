/**
 * The node's content-addressed blob store (DESIGN §5): task inputs and outputs, usually sealed
 * envelopes (crypto/envelope.ts), live here while the chain holds only their CIDs.
 *
 *   POST /blobs        raw bytes, streamed; authorised by signed headers (sdk/blobs.ts) checked
 *                      with quota, total cap and free disk before the body is read
 *   GET  /blobs/:cid   the bytes, checked against their CID on every read: a corrupted file is never served
 *   HEAD /blobs/:cid   existence and size, without reading the file
 *   (both 403 `output_not_paid` for the output of a task that has not settled yet)
 *
 * Errors are Cosmos-style JSON `{ code, codespace: "blobs", reason, message }`. The rules are in
 * blob-store.ts, the bytes in a backend (blob-backend.ts: local files or IPFS, docs/storage.md); a periodic bounded sweep deletes blobs no live task references once they are
 * older than the retention.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Readable } from "node:stream";
import { BLOB_CID_FORM, isBlobCid } from "../sdk/blobs.js";
import { header, verifyUploadClaim } from "./blob-auth.js";
import type { BlobBackend } from "./blob-backend.js";
import { BlobReferences } from "./blob-references.js";
import { BlobStore, BlobStoreError } from "./blob-store.js";

export { BlobStore, BlobStoreError } from "./blob-store.js";

const MiB = 1024 * 1024;
export const BLOB_DEFAULTS = {
  maxBlobBytes: 16 * MiB,
  /** Quota per whole OGPU of spendable balance (docs/security.md: why this figure). */
  bytesPerOgpu: 16 * MiB,
  maxTotalBytes: 10 * 1024 * MiB,
  minFreeDiskBytes: 2 * 1024 * MiB,
  /** ~1 day at 5 s blocks. */
  retentionBlocks: 17_280n,
  sweepMaxBlobs: 1000,
  sweepIntervalMs: 60_000,
  maxSignatureValidity: 200n,
} as const;

/** Node settings of the store (ogpud start flags); unset fields take BLOB_DEFAULTS. */
export interface BlobSettings {
  maxBlobBytes?: number;
  bytesPerOgpu?: number;
  maxTotalBytes?: number;
  minFreeDiskBytes?: number;
  retentionBlocks?: bigint;
  sweepMaxBlobs?: number;
  /** 0 turns the periodic sweep off (sweep() still works). */
  sweepIntervalMs?: number;
  /** Furthest an upload signature's expiry may be ahead of the node's height. */
  maxSignatureValidity?: bigint;
}

export interface BlobStoreOptions extends BlobSettings {
  /** Directory of the store (the index, uploads in progress, the local backend's files); created if missing. */
  dir: string;
  /** Where bytes are kept (blob-backend.ts); default: files under `dir`. */
  backend?: BlobBackend;
  /** The node's latest committed height. */
  currentHeight: () => bigint;
  /** Spendable uogpu of `account` at the last committed height (0 for an unknown account). */
  spendableUogpu: (account: string) => Promise<bigint>;
  /** CIDs that tasks not in an end state name (inputs, revealed outputs): never swept. */
  liveCids: () => Promise<ReadonlySet<string>>;
  /** Output CIDs revealed on tasks that have not settled: not served until they do (issue 10 item 7). */
  unpaidOutputCids: () => Promise<ReadonlySet<string>>;
}

/** The blob service's settings (store, replication): each one given, else its default. */
export function withDefaults<T extends object>(defaults: Required<T>, given: Partial<T>): Required<T> {
  return { ...defaults, ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) } as Required<T>;
}

/** Bytes an account may keep stored: bytesPerOgpu per whole OGPU held, zero when unfunded. */
export function quotaFromBalance(uogpu: bigint, bytesPerOgpu: number): number {
  const bytes = (uogpu * BigInt(bytesPerOgpu)) / 1_000_000n;
  return bytes > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(bytes);
}

export interface BlobService {
  store: BlobStore;
  /** The largest blob this node takes (settings.maxBlobBytes): uploads, and replicas (blob-replication.ts). */
  maxBlobBytes: number;
  /** One bounded sweep now; the node also runs it every sweepIntervalMs. */
  sweep(): Promise<{ deleted: string[]; kept: string[] }>;
}

const EMPTY_BODY: AsyncIterable<Uint8Array> = { [Symbol.asyncIterator]: async function* () {} };

const UPLOAD_MEDIA_TYPE_MESSAGE = "POST /blobs takes the raw bytes with Content-Type application/octet-stream";

function fastifyStatus(err: unknown): number {
  return typeof err === "object" && err !== null && "statusCode" in err && typeof err.statusCode === "number" ? err.statusCode : 500;
}

/** Maps any failure to the Cosmos-style body; fastify's own errors keep their status (415, …). */
function sendError(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (err instanceof BlobStoreError) return reply.code(err.status).send(err.toJSON());
  const status = fastifyStatus(err);
  const message = err instanceof Error ? err.message : String(err);
  if (status === 415) return reply.code(415).send(new BlobStoreError(415, "unsupported_media_type", UPLOAD_MEDIA_TYPE_MESSAGE).toJSON());
  if (status >= 500) request.log.error({ err }, "blob request failed");
  return reply.code(status).send(new BlobStoreError(status, status >= 500 ? "internal" : "bad_request", message).toJSON());
}

/**
 * A set read from chain state at most once per committed height: reads between two blocks
 * would all get the same answer, and each read walks every open task.
 */
function perHeight(currentHeight: () => bigint, read: () => Promise<ReadonlySet<string>>): () => Promise<ReadonlySet<string>> {
  let cached: { height: bigint; cids: Promise<ReadonlySet<string>> } | undefined;
  return () => {
    const height = currentHeight();
    if (cached?.height !== height) cached = { height, cids: read() };
    return cached.cids;
  };
}

function cidParam(request: FastifyRequest<{ Params: { cid: string } }>): string {
  const { cid } = request.params;
  if (!isBlobCid(cid)) throw new BlobStoreError(400, "invalid_cid", `invalid blob CID '${cid.slice(0, 80)}': expected ${BLOB_CID_FORM}`);
  return cid;
}

/**
 * Opens the store under `opts.dir` and mounts the /blobs routes on `app` in their own fastify
 * scope, closing the store (and stopping the sweep) when `app` closes. Call before `app.listen()`.
 */
export async function registerBlobRoutes(app: FastifyInstance, opts: BlobStoreOptions): Promise<BlobService> {
  const settings = withDefaults<BlobSettings>(BLOB_DEFAULTS, opts);
  const store = await BlobStore.open(opts.dir, { maxTotalBytes: settings.maxTotalBytes, minFreeDiskBytes: settings.minFreeDiskBytes }, opts.backend);
  const references = new BlobReferences({ store, currentHeight: opts.currentHeight, liveCids: perHeight(opts.currentHeight, opts.liveCids) });
  const referenced = () => references.referenced();

  const sweep = () =>
    store.sweep({
      height: opts.currentHeight(),
      retentionBlocks: settings.retentionBlocks,
      maxBlobs: settings.sweepMaxBlobs,
      referenced,
    });
  let sweeping: Promise<unknown> = Promise.resolve();
  const timer = settings.sweepIntervalMs > 0
    ? setInterval(() => {
        sweeping = sweep().catch((err: unknown) => app.log.error({ err }, "blob sweep failed"));
      }, settings.sweepIntervalMs)
    : undefined;
  timer?.unref();
  app.addHook("onClose", async () => {
    clearInterval(timer);
    await sweeping;
    await store.close();
  });

  await app.register(async (scope) => {
    scope.setErrorHandler((err, request, reply) => sendError(err, request, reply));
    // Hand the handler the unread stream: it decides on the headers before reading any of it. No
    // other parser stays, so no other content type gets its body buffered (fastify answers 415).
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("application/octet-stream", (_request, payload, done) => done(null, payload));

    scope.post("/blobs", async (request, reply) => {
      // A refused upload closes the connection rather than draining the rest of its body.
      reply.header("connection", "close");
      const claim = verifyUploadClaim(request, opts.currentHeight(), settings.maxSignatureValidity);
      if (claim.size > settings.maxBlobBytes) throw new BlobStoreError(413, "blob_too_large", `blob of ${claim.size} bytes exceeds the ${settings.maxBlobBytes}-byte limit`);
      const length = header(request, "content-length");
      if (length !== undefined && length !== String(claim.size)) {
        throw new BlobStoreError(400, "size_mismatch", `Content-Length ${length} is not the signed size ${claim.size}`);
      }
      const allowance = quotaFromBalance(await opts.spendableUogpu(claim.account), settings.bytesPerOgpu);
      const admission = await store.admit(claim.account, claim.cid, claim.size, allowance, opts.currentHeight());
      // Fastify skips the parser for an empty body, leaving it undefined: that is an empty blob.
      const body = (request.body as Readable | undefined) ?? EMPTY_BODY;
      if (!admission.present) {
        await store.receive(admission.reservation, body);
        reply.removeHeader("connection");
      }
      return reply.code(admission.present || !admission.reservation.charged ? 200 : 201).send({ cid: claim.cid, size: claim.size });
    });

    const unpaidOutputs = perHeight(opts.currentHeight, opts.unpaidOutputCids);
    /** A readable CID: a task's output is served only once the task has settled (payment certain). */
    const readableCid = async (request: FastifyRequest<{ Params: { cid: string } }>) => {
      const cid = cidParam(request);
      if ((await unpaidOutputs()).has(cid)) throw new BlobStoreError(403, "output_not_paid", `blob ${cid} is the output of a task that has not settled yet; it is served once the task is paid`);
      return cid;
    };
    // HEAD answers from the file's size alone; GET's implicit HEAD would read and hash it.
    scope.get<{ Params: { cid: string } }>("/blobs/:cid", { exposeHeadRoute: false }, async (request, reply) => {
      const cid = await readableCid(request);
      const bytes = await store.read(cid);
      // A worker's or auditor's node keeps what it fetched from its IPFS peers for a live task.
      if (store.backend.kind === "ipfs" && !(await store.isIndexed(cid)) && (await referenced()).has(cid)) {
        await store.adopt(cid, bytes.length, opts.currentHeight());
        // It may be a live manifest whose payload is fetched next, within this height.
        references.adopted();
      }
      return reply.type("application/octet-stream").header("cache-control", "public, max-age=31536000, immutable").send(bytes);
    });
    scope.head<{ Params: { cid: string } }>("/blobs/:cid", async (request, reply) => {
      const size = await store.size(await readableCid(request));
      return reply.type("application/octet-stream").header("content-length", size).send();
    });
  });
  return { store, sweep, maxBlobBytes: settings.maxBlobBytes };
}
