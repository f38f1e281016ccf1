import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from "fastify";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ACCOUNT_PREFIX, toBech32 } from "../crypto/bech32.js";
import { sha256 } from "../crypto/hash.js";
import { SECP256K1_PUBKEY_TYPE_URL, addressOf } from "../crypto/pubkey.js";
import { secp256k1PublicKey, signSecp256k1 } from "../crypto/secp256k1.js";
import { BLOB_HEADERS, BlobError, blobCid, blobUploadSignBytes, fetchBlob, uploadBlob, type BlobSigner } from "../sdk/blobs.js";
import { registerBlobRoutes, type BlobStore, type BlobStoreOptions } from "./blobs.js";
import { createNodeMetrics } from "./metrics.js";
import { createRestServer } from "./rest.js";

const NODE_HEIGHT = 1_000n;
const MAX_BLOB = 4096;
const QUOTA = 10_000;

function signerFor(name: string): BlobSigner & { privkey: Uint8Array } {
  const privkey = sha256(new TextEncoder().encode(`blob test key ${name}`));
  const pubkey = secp256k1PublicKey(privkey);
  const account = toBech32(ACCOUNT_PREFIX, addressOf({ typeUrl: SECP256K1_PUBKEY_TYPE_URL, key: pubkey }));
  return { privkey, pubkey, account, sign: (bytes) => signSecp256k1(privkey, bytes) };
}

const alice = signerFor("alice");
const bob = signerFor("bob");

/** Upload headers as uploadBlob sends them; `override` fakes a broken or malicious client. */
function authHeaders(signer: BlobSigner & { privkey: Uint8Array }, bytes: Uint8Array, override: Partial<{ height: bigint; cid: string; pubkey: Uint8Array }> = {}) {
  const height = override.height ?? NODE_HEIGHT;
  const signature = signSecp256k1(signer.privkey, blobUploadSignBytes(override.cid ?? blobCid(bytes), height, signer.account));
  return {
    "content-type": "application/octet-stream",
    [BLOB_HEADERS.account]: signer.account,
    [BLOB_HEADERS.pubkey]: Buffer.from(override.pubkey ?? signer.pubkey).toString("base64"),
    [BLOB_HEADERS.height]: height.toString(),
    [BLOB_HEADERS.signature]: Buffer.from(signature).toString("base64"),
  };
}

const bytesOf = (size: number, seed: number) => new Uint8Array(size).map((_, i) => (i * 31 + seed) & 0xff);
const json = (res: LightMyRequestResponse) => res.json() as { code: string; message: string; cid: string; size: number };

/** The node's real REST server with the blob routes mounted, as server/node.ts wires it. */
async function nodeServer(dir: string, overrides: Partial<BlobStoreOptions> = {}): Promise<{ app: FastifyInstance; store: BlobStore }> {
  const app = await createRestServer({
    query: async () => {
      throw new Error("no queries in blob tests");
    },
    metrics: createNodeMetrics(),
    health: () => ({ height: NODE_HEIGHT, appHash: new Uint8Array(32), chainId: "ogpu-test" }),
  });
  const store = await registerBlobRoutes(app, { dir, currentHeight: () => NODE_HEIGHT, maxBlobBytes: MAX_BLOB, quotaBytesPerAccount: QUOTA, ...overrides });
  await app.ready();
  return { app, store };
}

describe("blob store routes", () => {
  let dir: string;
  let app: FastifyInstance;
  let store: BlobStore;
  const upload = (bytes: Uint8Array, headers: Record<string, string>) => app.inject({ method: "POST", url: "/blobs", headers, payload: Buffer.from(bytes) });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ogpu-blobs-"));
    ({ app, store } = await nodeServer(dir));
  });
  afterAll(async () => {
    await app?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("stores a signed upload under its sha256 and serves it back", async () => {
    const bytes = bytesOf(1000, 1);
    const res = await upload(bytes, authHeaders(alice, bytes));
    expect(res.statusCode).toBe(201);
    expect(json(res)).toEqual({ cid: blobCid(bytes), size: 1000 });
    expect(store.pathOf(blobCid(bytes))).toContain(join("objects", blobCid(bytes).slice(0, 2)));

    const got = await app.inject({ method: "GET", url: `/blobs/${blobCid(bytes)}` });
    expect(got.statusCode).toBe(200);
    expect(got.headers["content-type"]).toBe("application/octet-stream");
    expect(new Uint8Array(got.rawPayload)).toEqual(bytes);

    const head = await app.inject({ method: "HEAD", url: `/blobs/${blobCid(bytes)}` });
    expect(head.statusCode).toBe(200);
    expect(head.headers["content-length"]).toBe("1000");
  });

  it("accepts a re-upload of the same bytes without charging again", async () => {
    const bytes = bytesOf(500, 2);
    expect((await upload(bytes, authHeaders(bob, bytes))).statusCode).toBe(201);
    const usedByBob = await store.usage(bob.account);
    const again = await upload(bytes, authHeaders(bob, bytes));
    expect(again.statusCode).toBe(200);
    expect(json(again)).toEqual({ cid: blobCid(bytes), size: 500 });
    const byAlice = await upload(bytes, authHeaders(alice, bytes));
    expect(byAlice.statusCode).toBe(200);
    expect(await store.usage(bob.account)).toBe(usedByBob);
  });

  it("refuses uploads that are unsigned, mis-signed, from a foreign key or at a stale height", async () => {
    const bytes = bytesOf(100, 3);
    const cases: Array<[Record<string, string>, string]> = [
      [{ "content-type": "application/octet-stream" }, "missing_auth"],
      [authHeaders(alice, bytes, { cid: blobCid(bytesOf(100, 4)) }), "invalid_signature"],
      [authHeaders(alice, bytes, { pubkey: bob.pubkey }), "pubkey_mismatch"],
      [authHeaders(alice, bytes, { height: NODE_HEIGHT - 101n }), "stale_height"],
      [authHeaders(alice, bytes, { height: NODE_HEIGHT + 101n }), "stale_height"],
      [{ ...authHeaders(alice, bytes), [BLOB_HEADERS.signature]: "not base64!" }, "invalid_signature"],
      [{ ...authHeaders(alice, bytes), [BLOB_HEADERS.account]: "cosmos1qqqq" }, "invalid_account"],
      // An uppercase twin of an account would otherwise get its own quota (issue 10 item 11).
      [authHeaders({ ...alice, account: alice.account.toUpperCase() }, bytes), "invalid_account"],
    ];
    for (const [headers, code] of cases) {
      const res = await upload(bytes, headers);
      expect(res.statusCode, code).toBe(401);
      expect(json(res).code).toBe(code);
      expect(json(res).message.length).toBeGreaterThan(10);
    }
    // A signature at the edge of the window is still good.
    expect((await upload(bytes, authHeaders(alice, bytes, { height: NODE_HEIGHT - 100n }))).statusCode).toBe(201);
    const missing = await app.inject({ method: "GET", url: `/blobs/${blobCid(bytesOf(100, 4))}` });
    expect(missing.statusCode).toBe(404);
    expect(json(missing).code).toBe("blob_not_found");
  });

  it("refuses a blob over the size limit with 413 and a wrong content type with 415", async () => {
    const big = bytesOf(MAX_BLOB + 1, 5);
    const res = await upload(big, authHeaders(alice, big));
    expect(res.statusCode).toBe(413);
    expect(json(res).code).toBe("blob_too_large");
    const exact = bytesOf(MAX_BLOB, 5);
    expect((await upload(exact, authHeaders(alice, exact))).statusCode).toBe(201);

    const text = await upload(bytesOf(10, 6), { ...authHeaders(alice, bytesOf(10, 6)), "content-type": "text/plain" });
    expect(text.statusCode).toBe(415);
    expect(json(text).code).toBe("unsupported_media_type");
  });

  it("rejects malformed CIDs", async () => {
    for (const cid of ["abc", "A".repeat(64), "../../etc/passwd"]) {
      const res = await app.inject({ method: "GET", url: `/blobs/${encodeURIComponent(cid)}` });
      expect(res.statusCode).toBe(400);
      expect(json(res).code).toBe("invalid_cid");
    }
  });

  it("never serves a file whose bytes no longer match its CID, and a re-upload repairs it", async () => {
    const bytes = bytesOf(300, 7);
    const cid = blobCid(bytes);
    expect((await upload(bytes, authHeaders(bob, bytes))).statusCode).toBe(201);
    const tampered = Buffer.from(bytes);
    tampered[10]! ^= 0xff;
    await writeFile(store.pathOf(cid), tampered);

    const res = await app.inject({ method: "GET", url: `/blobs/${cid}` });
    expect(res.statusCode).toBe(500);
    expect(res.headers["content-type"]).toMatch(/application\/json/);
    expect(json(res).code).toBe("blob_corrupted");
    expect(json(res).message).toContain(cid);
    expect((await app.inject({ method: "GET", url: `/blobs/${cid}` })).statusCode).toBe(404);

    expect((await upload(bytes, authHeaders(alice, bytes))).statusCode).toBe(200);
    const repaired = await app.inject({ method: "GET", url: `/blobs/${cid}` });
    expect(new Uint8Array(repaired.rawPayload)).toEqual(bytes);
  });
});

describe("per-account quota", () => {
  it("refuses with 403 past the quota, per account, and remembers usage across restarts", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ogpu-blobs-quota-"));
    let node = await nodeServer(dir, { quotaBytesPerAccount: 2500 });
    try {
      const post = (bytes: Uint8Array, signer: typeof alice) =>
        node.app.inject({ method: "POST", url: "/blobs", headers: authHeaders(signer, bytes), payload: Buffer.from(bytes) });
      expect((await post(bytesOf(1200, 10), alice)).statusCode).toBe(201);
      expect((await post(bytesOf(1200, 11), alice)).statusCode).toBe(201);
      const over = await post(bytesOf(200, 12), alice);
      expect(over.statusCode).toBe(403);
      expect(json(over).code).toBe("quota_exceeded");
      expect(json(over).message).toContain("2400 of its 2500");
      expect((await post(bytesOf(200, 12), bob)).statusCode).toBe(201);

      await node.app.close();
      node = await nodeServer(dir, { quotaBytesPerAccount: 2500 });
      expect(await node.store.usage(alice.account)).toBe(2400);
      expect((await post(bytesOf(200, 13), alice)).statusCode).toBe(403);
      expect((await post(bytesOf(100, 13), alice)).statusCode).toBe(201);
    } finally {
      await node.app.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("sdk/blobs client", () => {
  let dir: string;
  let node: { app: FastifyInstance; store: BlobStore };
  let url: string;
  const fakes: FastifyInstance[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ogpu-blobs-sdk-"));
    node = await nodeServer(dir);
    url = await node.app.listen({ host: "127.0.0.1", port: 0 });
  });
  afterEach(async () => {
    await Promise.all(fakes.splice(0).map((f) => f.close()));
  });
  afterAll(async () => {
    await node?.app.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("uploads and fetches over HTTP", async () => {
    const bytes = bytesOf(2048, 20);
    const ref = await uploadBlob(url, bytes, alice, NODE_HEIGHT);
    expect(ref).toEqual({ cid: blobCid(bytes), size: 2048 });
    expect(await fetchBlob(`${url}/`, ref.cid)).toEqual(bytes);
    expect(await uploadBlob(url, bytes, alice, NODE_HEIGHT)).toEqual(ref);
  });

  it("surfaces the store's refusal as a BlobError with its code", async () => {
    const err = await uploadBlob(url, bytesOf(10, 21), alice, NODE_HEIGHT - 500n).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BlobError);
    expect((err as BlobError).code).toBe("stale_height");
    expect((err as BlobError).status).toBe(401);
  });

  it("rejects a server that answers with bytes that do not hash to the CID", async () => {
    const wanted = bytesOf(64, 22);
    const fake = Fastify();
    fakes.push(fake);
    fake.get("/blobs/:cid", async (_req, reply) => reply.type("application/octet-stream").send(Buffer.from(bytesOf(64, 23))));
    const fakeUrl = await fake.listen({ host: "127.0.0.1", port: 0 });
    const err = await fetchBlob(fakeUrl, blobCid(wanted)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BlobError);
    expect((err as BlobError).code).toBe("integrity_mismatch");
    await expect(fetchBlob(fakeUrl, "not-a-cid")).rejects.toThrow(/invalid blob CID/);
  });
});
