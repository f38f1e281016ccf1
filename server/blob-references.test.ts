/**
 * What the sweep keeps on an IPFS node (blob-references.ts): live CIDs and the payloads of held
 * live manifests, worked out from this node's own storage only, against the node's real REST
 * server with the blob routes over a fake kubo whose reads of a CID it does not hold never end.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { generateKemKeyPair } from "../crypto/kem.js";
import { sealTaskInput } from "../crypto/task-crypto.js";
import { blobCid } from "../sdk/blobs.js";
import { FakeIpfsBackend } from "./blob-backend.testkit.js";
import { alice, bytesOf, NODE_HEIGHT, nodeServer, postAs, type TestNode } from "./blobs.testkit.js";

const RETENTION = 100n;
const open: Array<{ node: TestNode; dir: string }> = [];
afterEach(async () => {
  for (const { node, dir } of open.splice(0)) {
    await node.app.close();
    await rm(dir, { recursive: true, force: true });
  }
});

async function ipfsNode(backend: FakeIpfsBackend): Promise<TestNode> {
  const dir = await mkdtemp(join(tmpdir(), "ogpu-blob-refs-"));
  const node = await nodeServer(dir, { backend, retentionBlocks: RETENTION });
  open.push({ node, dir });
  return node;
}

async function sealedInput(seed: number): Promise<{ payload: Uint8Array; manifest: Uint8Array; payloadCid: string; manifestCid: string }> {
  const { payload, manifest } = await sealTaskInput(bytesOf(300, seed), generateKemKeyPair().publicKey, [{ address: alice.account, encPubkey: generateKemKeyPair().publicKey }]);
  return { payload, manifest, payloadCid: await blobCid(payload), manifestCid: await blobCid(manifest) };
}

describe("blob references on an IPFS node", () => {
  it("a live CID this node does not hold never stalls the sweep: it finishes, keeps the payload a held live manifest names, and reads each manifest once", async () => {
    const backend = new FakeIpfsBackend();
    backend.stallUnheld = true;
    const node = await ipfsNode(backend);
    const input = await sealedInput(1);
    const orphan = bytesOf(500, 2);
    for (const bytes of [input.payload, input.manifest, orphan]) expect((await postAs(node, bytes, alice)).statusCode).toBe(201);
    // Live on chain: the held manifest, and inputs uploaded to other nodes, which this kubo would wait on forever.
    const elsewhere = [await blobCid(bytesOf(700, 3)), await blobCid(bytesOf(800, 4))];
    for (const cid of [input.manifestCid, ...elsewhere]) node.live.add(cid);

    node.height.value = NODE_HEIGHT + RETENTION;
    const first = await node.blobs.sweep();
    expect(first.deleted).toEqual([await blobCid(orphan)]);
    expect(first.kept.sort()).toEqual([input.manifestCid, input.payloadCid].sort());
    expect(backend.reads).toBe(1);
    expect([...backend.pins.keys()].sort()).toEqual([input.manifestCid, input.payloadCid].sort());

    // One retention later the same blobs come up again: the manifest's reference is remembered, not re-read.
    node.height.value = NODE_HEIGHT + 2n * RETENTION;
    const second = await node.blobs.sweep();
    expect(second).toEqual({ deleted: [], kept: expect.arrayContaining([input.manifestCid, input.payloadCid]) as string[] });
    expect(backend.reads).toBe(1);

    // Once the task ends, both go after the retention.
    node.live.clear();
    node.height.value = NODE_HEIGHT + 3n * RETENTION;
    expect((await node.blobs.sweep()).deleted.sort()).toEqual([input.manifestCid, input.payloadCid].sort());
    expect(backend.pins.size).toBe(0);
    // A sweep that waited on a CID nobody here holds would never end: fail well before the suite's limit.
  }, 30_000);

  it("a worker's node keeps a live manifest it fetched from its peers and, within the same height, the payload it names", async () => {
    const backend = new FakeIpfsBackend();
    const node = await ipfsNode(backend);
    const input = await sealedInput(5);
    backend.peers.set(input.manifestCid, input.manifest);
    backend.peers.set(input.payloadCid, input.payload);
    node.live.add(input.manifestCid);

    for (const cid of [input.manifestCid, input.payloadCid]) {
      const res = await node.app.inject({ method: "GET", url: `/blobs/${cid}` });
      expect(res.statusCode).toBe(200);
    }
    expect([...backend.pins.keys()].sort()).toEqual([input.manifestCid, input.payloadCid].sort());
    for (const cid of [input.manifestCid, input.payloadCid]) expect(await node.blobs.store.isIndexed(cid)).toBe(true);
    // Charged to nobody.
    expect(await node.blobs.store.usage(alice.account)).toBe(0);
  });
});
