import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { BLOB_CODESPACE, BLOB_ERROR_CODES, BLOB_HEADERS, BlobError, singleChunkCid, fetchBlob, uploadBlob } from "../sdk/blobs.js";
import { alice, authHeaders, bob, bytesOf, json, MAX_BLOB, NODE_HEIGHT, nodeServer, post, postAs, type TestNode } from "./blobs.testkit.js";
import type { LocalBlobBackend } from "./blob-backend.js";

describe("blob store routes", () => {
  let dir: string;
  let node: TestNode;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ogpu-blobs-"));
    node = await nodeServer(dir);
  });
  afterAll(async () => {
    await node?.app.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("stores a signed upload under its CID and serves it back", async () => {
    const bytes = bytesOf(1000, 1);
    const res = await postAs(node, bytes, alice);
    expect(res.statusCode).toBe(201);
    expect(json(res)).toEqual({ cid: singleChunkCid(bytes), size: 1000 });
    expect((node.blobs.store.backend as LocalBlobBackend).pathOf(singleChunkCid(bytes))).toContain(join("objects", singleChunkCid(bytes).slice(-3, -1)));

    const got = await node.app.inject({ method: "GET", url: `/blobs/${singleChunkCid(bytes)}` });
    expect(got.statusCode).toBe(200);
    expect(got.headers["content-type"]).toBe("application/octet-stream");
    expect(new Uint8Array(got.rawPayload)).toEqual(bytes);

    const head = await node.app.inject({ method: "HEAD", url: `/blobs/${singleChunkCid(bytes)}` });
    expect(head.statusCode).toBe(200);
    expect(head.headers["content-length"]).toBe("1000");
  });

  it("accepts a re-upload of the same bytes without charging again", async () => {
    const bytes = bytesOf(500, 2);
    expect((await postAs(node, bytes, bob)).statusCode).toBe(201);
    const usedByBob = await node.blobs.store.usage(bob.account);
    const again = await postAs(node, bytes, bob);
    expect(again.statusCode).toBe(200);
    expect(json(again)).toEqual({ cid: singleChunkCid(bytes), size: 500 });
    expect((await postAs(node, bytes, alice)).statusCode).toBe(200);
    expect(await node.blobs.store.usage(bob.account)).toBe(usedByBob);
  });

  it("refuses uploads that are unsigned, mis-signed, from a foreign key, expired or expiring too far ahead", async () => {
    const bytes = bytesOf(100, 3);
    const cases: Array<[Record<string, string>, string, number]> = [
      [{ "content-type": "application/octet-stream" }, "missing_auth", 401],
      [{ ...(await authHeaders(alice, bytes)), [BLOB_HEADERS.cid]: singleChunkCid(bytesOf(100, 4)) }, "invalid_signature", 401],
      [await authHeaders(alice, bytes, { pubkey: bob.pubkey }), "pubkey_mismatch", 401],
      [await authHeaders(alice, bytes, { expiry: NODE_HEIGHT - 1n }), "signature_expired", 401],
      [await authHeaders(alice, bytes, { expiry: NODE_HEIGHT + 201n }), "expiry_too_far", 401],
      [{ ...(await authHeaders(alice, bytes)), [BLOB_HEADERS.signature]: "not base64!" }, "invalid_signature", 401],
      [{ ...(await authHeaders(alice, bytes)), [BLOB_HEADERS.account]: "cosmos1qqqq" }, "invalid_account", 401],
      // An uppercase twin of an account would otherwise get its own quota (issue 10 item 11).
      [{ ...(await authHeaders(alice, bytes)), [BLOB_HEADERS.account]: alice.account.toUpperCase() }, "invalid_account", 401],
      [{ ...(await authHeaders(alice, bytes)), [BLOB_HEADERS.size]: "-1" }, "invalid_size", 400],
      [{ ...(await authHeaders(alice, bytes)), [BLOB_HEADERS.cid]: "ABC" }, "invalid_cid", 400],
    ];
    for (const [headers, reason, status] of cases) {
      const res = await post(node, bytes, headers);
      expect(res.statusCode, reason).toBe(status);
      expect(json(res)).toMatchObject({ reason, codespace: BLOB_CODESPACE, code: BLOB_ERROR_CODES[reason as keyof typeof BLOB_ERROR_CODES] });
      expect(json(res).message.length).toBeGreaterThan(10);
    }
    // A signature expiring at the node's height is still good.
    expect((await post(node, bytes, await authHeaders(alice, bytes, { expiry: NODE_HEIGHT }))).statusCode).toBe(201);
    const missing = await node.app.inject({ method: "GET", url: `/blobs/${singleChunkCid(bytesOf(100, 4))}` });
    expect(missing.statusCode).toBe(404);
    expect(json(missing).reason).toBe("blob_not_found");
  });

  it("refuses a blob over the size limit with 413 and a wrong content type with 415", async () => {
    const big = bytesOf(MAX_BLOB + 1, 5);
    const res = await postAs(node, big, alice);
    expect(res.statusCode).toBe(413);
    expect(json(res).reason).toBe("blob_too_large");
    const exact = bytesOf(MAX_BLOB, 5);
    expect((await postAs(node, exact, alice)).statusCode).toBe(201);

    const text = await post(node, bytesOf(10, 6), { ...(await authHeaders(alice, bytesOf(10, 6))), "content-type": "text/plain" });
    expect(text.statusCode).toBe(415);
    expect(json(text).reason).toBe("unsupported_media_type");
  });

  it("rejects malformed CIDs", async () => {
    for (const cid of ["abc", "A".repeat(64), "ab".repeat(32), singleChunkCid(bytesOf(10, 9)).toUpperCase(), `${singleChunkCid(bytesOf(10, 9)).slice(0, -1)}b`, "../../etc/passwd"]) {
      const res = await node.app.inject({ method: "GET", url: `/blobs/${encodeURIComponent(cid)}` });
      expect(res.statusCode).toBe(400);
      expect(json(res).reason).toBe("invalid_cid");
    }
  });

  it("never serves a file whose bytes no longer match its CID, and a re-upload repairs it", async () => {
    const bytes = bytesOf(300, 7);
    const cid = singleChunkCid(bytes);
    expect((await postAs(node, bytes, bob)).statusCode).toBe(201);
    const tampered = Buffer.from(bytes);
    tampered[10]! ^= 0xff;
    await writeFile((node.blobs.store.backend as LocalBlobBackend).pathOf(cid), tampered);

    const res = await node.app.inject({ method: "GET", url: `/blobs/${cid}` });
    expect(res.statusCode).toBe(500);
    expect(res.headers["content-type"]).toMatch(/application\/json/);
    expect(json(res).reason).toBe("blob_corrupted");
    expect(json(res).message).toContain(cid);
    expect((await node.app.inject({ method: "GET", url: `/blobs/${cid}` })).statusCode).toBe(404);

    expect((await postAs(node, bytes, alice)).statusCode).toBe(200);
    const repaired = await node.app.inject({ method: "GET", url: `/blobs/${cid}` });
    expect(new Uint8Array(repaired.rawPayload)).toEqual(bytes);
  });
});

describe("sdk/blobs client", () => {
  let dir: string;
  let node: TestNode;
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
    expect(ref).toEqual({ cid: singleChunkCid(bytes), size: 2048 });
    expect(await fetchBlob(`${url}/`, ref.cid)).toEqual(bytes);
    expect(await uploadBlob(url, bytes, alice, NODE_HEIGHT)).toEqual(ref);
  });

  it("surfaces the store's refusal as a BlobError with its reason and numeric code", async () => {
    const err = await uploadBlob(url, bytesOf(10, 21), alice, NODE_HEIGHT - 500n).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BlobError);
    expect((err as BlobError).code).toBe("signature_expired");
    expect((err as BlobError).abciCode).toBe(BLOB_ERROR_CODES.signature_expired);
    expect((err as BlobError).status).toBe(401);
  });

  it("rejects a server that answers with bytes that do not hash to the CID", async () => {
    const wanted = bytesOf(64, 22);
    const fake = Fastify();
    fakes.push(fake);
    fake.get("/blobs/:cid", async (_req, reply) => reply.type("application/octet-stream").send(Buffer.from(bytesOf(64, 23))));
    const fakeUrl = await fake.listen({ host: "127.0.0.1", port: 0 });
    const err = await fetchBlob(fakeUrl, singleChunkCid(wanted)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BlobError);
    expect((err as BlobError).code).toBe("integrity_mismatch");
    await expect(fetchBlob(fakeUrl, "not-a-cid")).rejects.toThrow(/invalid blob CID/);
  });

  it("fails over between several REST endpoints: past an unreachable node, a lying one and a 404, never past a refusal", async () => {
    const bytes = bytesOf(700, 24);
    const dead = "http://127.0.0.1:9"; // discard port: connection refused
    const liar = Fastify();
    const empty = Fastify();
    fakes.push(liar, empty);
    liar.get("/blobs/:cid", async (_req, reply) => reply.type("application/octet-stream").send(Buffer.from(bytesOf(700, 25))));
    empty.get("/blobs/:cid", async (_req, reply) => reply.code(404).send({ code: 18, codespace: "blobs", reason: "blob_not_found", message: "not here" }));
    const [liarUrl, emptyUrl] = [await liar.listen({ host: "127.0.0.1", port: 0 }), await empty.listen({ host: "127.0.0.1", port: 0 })];

    const ref = await uploadBlob(`${dead},${url}`, bytes, alice, NODE_HEIGHT);
    expect(ref).toEqual({ cid: singleChunkCid(bytes), size: 700 });
    expect(await fetchBlob([dead, liarUrl, emptyUrl, url], ref.cid)).toEqual(bytes);
    // Every endpoint failing: the last failure, naming the others.
    const none = await fetchBlob(`${dead}, ${emptyUrl}`, ref.cid).catch((e: unknown) => e);
    expect(none).toMatchObject({ code: "blob_not_found", message: expect.stringContaining(dead) });
    // A refusal of the request itself is the same on every node: no failover.
    const refused = await uploadBlob(`${url},${dead}`, bytesOf(10, 26), alice, NODE_HEIGHT - 500n).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: "signature_expired", message: expect.not.stringContaining("also tried") });
  });
});

