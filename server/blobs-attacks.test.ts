/**
 * Issue 10 item 10, the four blob-store attacks of the security review, written against what the
 * store had before the fix and has now: `registerBlobRoutes` on the node's REST server, the SDK's
 * `uploadBlob(restUrl, bytes, signer, height)` (its headers are whatever that era's SDK signs) and
 * raw HTTP. So this file runs unchanged on the pre-fix commit, where every test fails
 * (docs/security.md, "Fail-first evidence"). Protocol details of the fixed store (size and digest
 * mismatch, balance scaling, sweep bounds, free-disk floor) are in blobs-abuse.test.ts.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { request as httpRequest, type IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ACCOUNT_PREFIX, toBech32 } from "../crypto/bech32.js";
import { sha256 } from "../crypto/hash.js";
import { SECP256K1_PUBKEY_TYPE_URL, addressOf } from "../crypto/pubkey.js";
import { secp256k1PublicKey, signSecp256k1 } from "../crypto/secp256k1.js";
import { singleChunkCid, uploadBlob, type BlobError, type BlobSigner } from "../sdk/blobs.js";
import { registerBlobRoutes, type BlobStoreOptions } from "./blobs.js";
import { createNodeMetrics } from "./metrics.js";
import { createRestServer } from "./rest.js";

const MiB = 1024 * 1024;
const NODE_HEIGHT = 1_000n;
const OGPU = 1_000_000n;
/** Bytes the node may take off the connection before it refuses an upload from its headers. */
const MAX_READ_BEFORE_REFUSAL = 1 * MiB;

function signerFor(name: string): BlobSigner {
  const privkey = sha256(new TextEncoder().encode(`blob attack key ${name}`));
  const pubkey = secp256k1PublicKey(privkey);
  const account = toBech32(ACCOUNT_PREFIX, addressOf({ typeUrl: SECP256K1_PUBKEY_TYPE_URL, key: pubkey }));
  return { pubkey, account, sign: (bytes) => signSecp256k1(privkey, bytes) };
}
const funded = signerFor("funded");
const bytesOf = (size: number, seed: number) => new Uint8Array(size).map((_, i) => (i * 31 + seed) & 0xff);

interface AttackNode {
  app: FastifyInstance;
  url: string;
  height: { value: bigint };
  /** Server-side sockets, to read how many bytes the node took off each one. */
  sockets: Socket[];
}

const open: Array<{ app: FastifyInstance; dir: string }> = [];
afterEach(async () => {
  for (const { app, dir } of open.splice(0)) {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  }
});

/** The node's REST server with the blob routes, listening; only `funded` holds a balance (10 OGPU). */
async function startNode(overrides: Partial<BlobStoreOptions> = {}, live = new Set<string>()): Promise<AttackNode> {
  const dir = await mkdtemp(join(tmpdir(), "ogpu-blob-attacks-"));
  const height = { value: NODE_HEIGHT };
  const app = await createRestServer({
    query: async () => {
      throw new Error("no queries in blob tests");
    },
    metrics: createNodeMetrics(),
    health: () => ({ height: height.value, appHash: new Uint8Array(32), chainId: "ogpu-test" }),
  });
  open.push({ app, dir });
  await registerBlobRoutes(app, {
    dir,
    currentHeight: () => height.value,
    spendableUogpu: async (account) => (account === funded.account ? 10n * OGPU : 0n),
    liveCids: async () => live,
    unpaidOutputCids: async () => new Set<string>(),
    maxBlobBytes: 16 * MiB,
    sweepIntervalMs: 0,
    ...overrides,
  });
  const sockets: Socket[] = [];
  app.server.on("connection", (socket: Socket) => sockets.push(socket));
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  return { app, url, height, sockets };
}

/** The headers this era's SDK sends to upload `bytes` (its fetch captured, nothing sent). */
async function sdkUploadHeaders(bytes: Uint8Array, signer: BlobSigner): Promise<Record<string, string>> {
  const realFetch = globalThis.fetch;
  let sent: Record<string, string> = {};
  globalThis.fetch = (async (_url: string | URL | Request, init?: RequestInit) => {
    sent = { ...(init?.headers as Record<string, string>) };
    return new Response(JSON.stringify({ cid: sent["x-ogpu-cid"], size: bytes.length }), { status: 201 });
  }) as typeof fetch;
  try {
    await uploadBlob("http://127.0.0.1:9", bytes, signer, NODE_HEIGHT);
  } finally {
    globalThis.fetch = realFetch;
  }
  return sent;
}

/**
 * Streams `body` to POST /blobs in 64 KiB writes, as fast as the socket takes them, until the node
 * answers. Returns the answer and how many bytes the node had read off the connection by then
 * (its socket's bytesRead: what it took in, not what sits in the kernel's buffers).
 */
async function streamUpload(node: AttackNode, headers: Record<string, string>, body: Uint8Array): Promise<{ status: number; reason: string; bytesRead: number }> {
  const { hostname, port } = new URL(node.url);
  return new Promise((resolve, reject) => {
    const socketIndex = node.sockets.length; // agent: false, so this upload opens the next connection
    const req = httpRequest({ host: hostname, port, method: "POST", path: "/blobs", agent: false, headers: { ...headers, "content-length": body.length } });
    let answered = false;
    req.on("response", (res: IncomingMessage) => {
      answered = true;
      // Headers included (under 1 KiB): what matters is how much of the 16 MiB was taken in.
      const bytesRead = node.sockets[socketIndex]?.bytesRead ?? Number.NaN;
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        req.destroy();
        const text = Buffer.concat(chunks).toString("utf8");
        const parsed = JSON.parse(text) as { reason?: string; code?: string | number };
        resolve({ status: res.statusCode ?? 0, reason: String(parsed.reason ?? parsed.code), bytesRead });
      });
    });
    req.on("error", (err) => (answered ? undefined : reject(err)));
    const write = async () => {
      for (let at = 0; at < body.length && !answered && !req.destroyed; at += 64 * 1024) {
        if (req.write(body.subarray(at, at + 64 * 1024))) continue;
        await new Promise<void>((resume) => {
          const done = () => {
            req.off("drain", done).off("close", done);
            resume();
          };
          req.on("drain", done).on("close", done);
        });
      }
      if (!answered && !req.destroyed) req.end();
    };
    void write();
  });
}

describe("issue 10 item 10: blob store attacks (the same requests before and after the fix)", () => {
  it("item 10: a forged or unfunded 16 MiB upload is refused having read at most 1 MiB of its body", async () => {
    const node = await startNode();
    const big = new Uint8Array(16 * MiB).fill(7);
    const signed = await sdkUploadHeaders(big, funded);
    // Forged: the funded account's headers for these bytes, with its signature for other bytes.
    const forgedSignature = (await sdkUploadHeaders(bytesOf(100, 1), funded))["x-ogpu-signature"]!;
    const forged = await streamUpload(node, { ...signed, "x-ogpu-signature": forgedSignature }, big);
    expect(forged.bytesRead, "bytes read before the forged upload was refused").toBeLessThanOrEqual(MAX_READ_BEFORE_REFUSAL);
    expect(forged).toMatchObject({ status: 401, reason: "invalid_signature" });

    const unfunded = await streamUpload(node, await sdkUploadHeaders(big, signerFor("unfunded fresh key")), big);
    expect(unfunded.bytesRead, "bytes read before the unfunded upload was refused").toBeLessThanOrEqual(MAX_READ_BEFORE_REFUSAL);
    expect(unfunded).toMatchObject({ status: 403, reason: "quota_exceeded" });
  });

  it("item 10: five unfunded fresh keys get a quota of 0 bytes; a funded one may upload", async () => {
    const node = await startNode();
    const outcomes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const upload = uploadBlob(node.url, bytesOf(1000, 10 + i), signerFor(`fresh ${i}`), NODE_HEIGHT);
      outcomes.push(await upload.then((ref) => `stored ${ref.size} bytes`, (err: BlobError) => `${err.status} ${err.code}`));
    }
    expect(outcomes).toEqual(Array(5).fill("403 quota_exceeded"));
    await expect(uploadBlob(node.url, bytesOf(1000, 20), funded, NODE_HEIGHT)).resolves.toMatchObject({ size: 1000 });
  });

  it("item 10: a blob no live task references is gone after the retention; a live task's input stays", async () => {
    const input = bytesOf(700, 32);
    const node = await startNode({ retentionBlocks: 100n, sweepIntervalMs: 20 }, new Set([singleChunkCid(input)]));
    const orphan = bytesOf(500, 30);
    for (const b of [orphan, input]) await uploadBlob(node.url, b, funded, NODE_HEIGHT);
    const head = async (b: Uint8Array) => (await node.app.inject({ method: "HEAD", url: `/blobs/${singleChunkCid(b)}` })).statusCode;
    node.height.value = NODE_HEIGHT + 100n;
    // The node's own sweep timer (every 20 ms here, every minute by default) does the deleting.
    await vi.waitFor(async () => expect(await head(orphan), "orphan blob one retention after its upload").toBe(404), { timeout: 5_000, interval: 50 });
    expect(await head(input)).toBe(200);
  });

  it("item 10: at the store's total cap an upload is refused with 507 insufficient_storage", async () => {
    const node = await startNode({ maxTotalBytes: 5000 });
    await uploadBlob(node.url, bytesOf(4000, 40), funded, NODE_HEIGHT);
    await expect(uploadBlob(node.url, bytesOf(2000, 41), funded, NODE_HEIGHT)).rejects.toMatchObject({ status: 507, code: "insufficient_storage" });
  });
});
