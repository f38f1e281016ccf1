/**
 * Issue 10 item 10 (blob store abuse), the fixed store's protocol in detail, against a real fastify
 * server with the node's REST stack, chain reads (balances, live task CIDs) stubbed through the
 * injected functions. The attacks themselves, written so they also run on the pre-fix store, are
 * in blobs-attacks.test.ts.
 */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BLOB_CODESPACE, BLOB_ERROR_CODES, singleChunkCid } from "../sdk/blobs.js";
import { sealTaskInput } from "../crypto/task-crypto.js";
import { generateKemKeyPair } from "../crypto/kem.js";
import { alice, authHeaders, BYTES_PER_OGPU, bytesOf, json, NODE_HEIGHT, nodeServer, OGPU, post, postAs, signerFor, type TestNode } from "./blobs.testkit.js";
import type { BlobStoreOptions } from "./blobs.js";

const open: Array<{ node: TestNode; dir: string }> = [];
afterEach(async () => {
  for (const { node, dir } of open.splice(0)) {
    await node.app.close();
    await rm(dir, { recursive: true, force: true });
  }
});

async function startNode(overrides: Partial<BlobStoreOptions> = {}, balances?: Map<string, bigint>): Promise<TestNode & { dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), "ogpu-blobs-abuse-"));
  const node = await nodeServer(dir, overrides, balances);
  open.push({ node, dir });
  return { ...node, dir };
}

/**
 * Starts a raw HTTP upload, writes `first` and keeps the request open: resolves with the
 * server's answer only if it answers before the rest of the body is sent.
 */
async function answerBeforeBodyEnds(url: string, headers: Record<string, string | number>, first: Uint8Array): Promise<{ status: number; body: { reason: string; code: number; codespace: string; message: string } }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, method: "POST", path: "/blobs", headers });
    req.on("response", (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) });
      });
    });
    req.on("error", (err) => (err.message.includes("socket hang up") || err.message.includes("ECONNRESET") ? undefined : reject(err)));
    req.write(first);
  });
}

const tmpFiles = async (dir: string) => readdir(join(dir, "tmp"));

describe("issue 10 item 10: blob store abuse", () => {
  it("item 10: a body longer than its signed size is refused at the first byte over, and one that does not hash to the signed CID is not stored", async () => {
    const node = await startNode();
    const url = await node.app.listen({ host: "127.0.0.1", port: 0 });
    const bytes = bytesOf(1000, 2);
    // Chunked, so no Content-Length announces the lie: the node counts as it streams.
    const chunked = { ...(await authHeaders(alice, bytes)), "transfer-encoding": "chunked" };
    const over = await answerBeforeBodyEnds(url, chunked, new Uint8Array(1001).fill(1));
    expect(over.status).toBe(413);
    expect(over.body.reason).toBe("size_mismatch");

    // A Content-Length other than the signed size is refused before the body is read.
    const longer = await post(node, bytesOf(1200, 3), await authHeaders(alice, bytes));
    expect(longer.statusCode).toBe(400);
    expect(json(longer).reason).toBe("size_mismatch");
    const lied = bytesOf(1000, 4);
    const mismatch = await post(node, lied, await authHeaders(alice, bytes));
    expect(mismatch.statusCode).toBe(400);
    expect(json(mismatch).reason).toBe("digest_mismatch");
    expect((await node.app.inject({ method: "HEAD", url: `/blobs/${singleChunkCid(lied)}` })).statusCode).toBe(404);
    expect((await node.app.inject({ method: "HEAD", url: `/blobs/${singleChunkCid(bytes)}` })).statusCode).toBe(404);
    expect(await node.blobs.store.usage(alice.account)).toBe(0);
    expect(await tmpFiles(node.dir)).toEqual([]);
  });

  it("item 10: quota follows the uploader's spendable balance; a refusal is a Cosmos-style error", async () => {
    const node = await startNode();
    const fresh = await postAs(node, bytesOf(1000, 10), signerFor("fresh"));
    expect(fresh.statusCode).toBe(403);
    expect(json(fresh)).toMatchObject({ reason: "quota_exceeded", codespace: BLOB_CODESPACE, code: BLOB_ERROR_CODES.quota_exceeded });
    const funded = signerFor("funded with 1 OGPU");
    node.balances.set(funded.account, OGPU);
    expect((await postAs(node, bytesOf(4000, 20), funded)).statusCode).toBe(201);
    expect((await postAs(node, bytesOf(4000, 21), funded)).statusCode).toBe(201);
    const over = await postAs(node, bytesOf(4000, 22), funded);
    expect(over.statusCode).toBe(403);
    expect(json(over).message).toContain(`may store ${BYTES_PER_OGPU} bytes`);
    node.balances.set(funded.account, 2n * OGPU);
    expect((await postAs(node, bytesOf(4000, 22), funded)).statusCode).toBe(201);
  });

  it("item 10: blobs no live task references are swept after the retention, a bounded number per run, and their quota is refunded", async () => {
    const node = await startNode({ retentionBlocks: 100n, sweepMaxBlobs: 2 });
    const orphanA = bytesOf(500, 30);
    const orphanB = bytesOf(600, 31);
    const liveInput = bytesOf(700, 32);
    const { payload, manifest } = await sealTaskInput(bytesOf(300, 33), generateKemKeyPair().publicKey, [{ address: alice.account, encPubkey: generateKemKeyPair().publicKey }]);
    for (const b of [orphanA, orphanB, liveInput, payload, manifest]) expect((await postAs(node, b, alice)).statusCode).toBe(201);
    // The chain names the live task's input and the encrypted task's manifest; the payload only through the manifest.
    node.live.add(singleChunkCid(liveInput));
    node.live.add(singleChunkCid(manifest));

    node.height.value = NODE_HEIGHT + 99n;
    expect(await node.blobs.sweep()).toEqual({ deleted: [], kept: [] });

    node.height.value = NODE_HEIGHT + 100n;
    const runs: Array<{ deleted: string[]; kept: string[] }> = [];
    for (let i = 0; i < 4; i++) runs.push(await node.blobs.sweep());
    for (const run of runs) expect(run.deleted.length + run.kept.length).toBeLessThanOrEqual(2);
    const deleted = runs.flatMap((r) => r.deleted).sort();
    expect(deleted).toEqual([singleChunkCid(orphanA), singleChunkCid(orphanB)].sort());
    for (const b of [orphanA, orphanB]) expect((await node.app.inject({ method: "HEAD", url: `/blobs/${singleChunkCid(b)}` })).statusCode).toBe(404);
    for (const b of [liveInput, payload, manifest]) expect((await node.app.inject({ method: "HEAD", url: `/blobs/${singleChunkCid(b)}` })).statusCode).toBe(200);
    expect(await node.blobs.store.usage(alice.account)).toBe(700 + payload.length + manifest.length);

    // Once the task ends the chain no longer names them: they go one retention later.
    node.live.clear();
    node.height.value = NODE_HEIGHT + 200n;
    const last = await node.blobs.sweep();
    expect(last.deleted.length).toBe(2);
    expect((await node.blobs.sweep()).deleted.length).toBe(1);
    expect(await node.blobs.store.usage(alice.account)).toBe(0);
    expect(await node.blobs.store.totalBytes()).toBe(0);
  });

  it("item 10: the store refuses with 507 at its total cap and at the free-disk floor, never filling the node's disk", async () => {
    const capped = await startNode({ maxTotalBytes: 5000 });
    expect((await postAs(capped, bytesOf(4000, 40), alice)).statusCode).toBe(201);
    const full = await postAs(capped, bytesOf(2000, 41), alice);
    expect(full.statusCode).toBe(507);
    expect(json(full)).toMatchObject({ reason: "insufficient_storage", codespace: BLOB_CODESPACE, code: BLOB_ERROR_CODES.insufficient_storage });
    expect(json(full).message).toContain("4000 of its 5000 bytes");

    // A floor above the disk's real free space (statfs): nothing more may be written.
    const floored = await startNode({ minFreeDiskBytes: Number.MAX_SAFE_INTEGER });
    const low = await postAs(floored, bytesOf(10, 42), alice);
    expect(low.statusCode).toBe(507);
    expect(json(low).reason).toBe("insufficient_storage");
    expect(json(low).message).toMatch(/below its \d+-byte floor/);
    expect(await tmpFiles(floored.dir)).toEqual([]);
  });
});
