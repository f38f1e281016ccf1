/**
 * Post-quantum blob uploads: an ML-DSA-65 account authorises an upload with the same signed
 * claim as a secp256k1 one (crypto/pubkey.ts pubKeyFromRaw tells the two apart by key length), and
 * every refusal a secp256k1 upload gets applies to it as well.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MLDSA65_SIGNATURE_LENGTH } from "../crypto/mldsa65.js";
import { BLOB_HEADERS, blobCid } from "../sdk/blobs.js";
import { alice, authHeaders, bytesOf, json, nodeServer, OGPU, post, pqSignerFor, type TestNode } from "./blobs.testkit.js";

const carol = pqSignerFor("carol");
const dave = pqSignerFor("dave");

describe("ML-DSA-65 upload signatures", () => {
  let dir: string;
  let node: TestNode;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ogpu-blobs-pq-"));
    node = await nodeServer(dir, {}, new Map([[carol.account, 100n * OGPU], [dave.account, 100n * OGPU], [alice.account, 100n * OGPU]]));
  });
  afterAll(async () => {
    await node?.app.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("stores an upload signed by an ML-DSA-65 account key and serves it back", async () => {
    const bytes = bytesOf(700, 11);
    const headers = await authHeaders(carol, bytes);
    expect(Buffer.from(headers[BLOB_HEADERS.signature]!, "base64")).toHaveLength(MLDSA65_SIGNATURE_LENGTH);
    const res = await post(node, bytes, headers);
    expect(res.statusCode).toBe(201);
    expect(json(res)).toEqual({ cid: await blobCid(bytes), size: 700 });
    const got = await node.app.inject({ method: "GET", url: `/blobs/${await blobCid(bytes)}` });
    expect(new Uint8Array(got.rawPayload)).toEqual(bytes);
  });

  it("refuses a PQ signature over other bytes, another PQ account's key, a secp256k1-length signature and a truncated key", async () => {
    const bytes = bytesOf(300, 12);
    const cases: { headers: Record<string, string>; reason: string }[] = [];
    cases.push({ headers: await authHeaders(carol, bytes, { signed: bytesOf(300, 13) }), reason: "digest_mismatch" });
    cases.push({ headers: await authHeaders(carol, bytes, { pubkey: dave.pubkey }), reason: "pubkey_mismatch" });
    const short = await authHeaders(carol, bytes);
    short[BLOB_HEADERS.signature] = Buffer.from(new Uint8Array(64).fill(1)).toString("base64");
    cases.push({ headers: short, reason: "invalid_signature" });
    cases.push({ headers: await authHeaders(carol, bytes, { pubkey: carol.pubkey.subarray(0, 1000) }), reason: "invalid_pubkey" });
    // A valid-length ML-DSA signature made by the right key over a different claim (another expiry).
    const replay = await authHeaders(carol, bytes);
    replay[BLOB_HEADERS.expiry] = String(BigInt(replay[BLOB_HEADERS.expiry]!) - 1n);
    cases.push({ headers: replay, reason: "invalid_signature" });
    for (const c of cases) {
      const res = await post(node, bytes, c.headers);
      expect(json(res).reason, JSON.stringify(json(res))).toBe(c.reason);
    }
    // The secp256k1 path is unchanged beside it.
    expect((await post(node, bytes, await authHeaders(alice, bytes))).statusCode).toBe(201);
  });
});
