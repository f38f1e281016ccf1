/**
 * The IPFS blob backend on real processes (docs/storage.md): two nodes made by
 * `ogpud init --storage ipfs`, each running its own kubo (`ogpud start`), on one chain id (so
 * one derived swarm key), node B's kubo peered with node A's. Uploads go through A, reads
 * through B come over bitswap; every read is checked against its CID; an expired blob is
 * unpinned and garbage-collected on A. Ports: TEST_PORTS.storageIpfs (testnet/ports.ts):
 * node A (+kubo) at +0, node B (+kubo) at +20.
 */
import { TEST_PORTS, portAt } from "../../testnet/ports.js";
import { join } from "node:path";
import { create } from "kubo-rpc-client";
import { CID } from "multiformats/cid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blobCid } from "../../crypto/cid.js";
import { IpfsBlobBackend } from "../../server/blob-ipfs.js";
import { ipfsPeerOf, setIpfsPeering } from "../../cmd/ogpud/ipfs-repo.js";
import { BlobError, fetchBlob, uploadBlob } from "../../sdk/blobs.js";
import { blobSignerFromMnemonic } from "../../sdk/blob-signer.js";
import { ipfsPortsFrom, rpcStatus } from "../../testnet/devnet.js";
import { OGPU, startTestNode, until, type TestNode } from "./helpers.js";

const CHAIN_ID = "ogpu-ipfs-e2e";
const RETENTION_BLOCKS = 4;
let a: TestNode;
let b: TestNode;

beforeAll(async () => {
  const accounts = [{ name: "client", coins: `${100n * OGPU}uogpu` }];
  a = await startTestNode({ portBase: TEST_PORTS.storageIpfs.base, chainId: CHAIN_ID, storage: "ipfs", accounts, startArgs: ["--blob-retention-blocks", String(RETENTION_BLOCKS), "--blob-sweep-interval-ms", "300"] });
  b = await startTestNode({
    portBase: portAt(TEST_PORTS.storageIpfs, 20),
    chainId: CHAIN_ID,
    storage: "ipfs",
    accounts,
    beforeStart: async (devnet) => setIpfsPeering(join(devnet.home, "ipfs"), [ipfsPeerOf(join(a.devnet.home, "ipfs"))]),
  });
}, 180_000);

afterAll(async () => {
  await b?.cleanup();
  await a?.cleanup();
}, 60_000);

const kuboOf = (node: TestNode) => create({ url: `http://127.0.0.1:${ipfsPortsFrom(node.devnet.ports).api}` });
const bytesOf = (size: number, seed: number) => new Uint8Array(size).map((_, i) => (i * 29 + seed) & 0xff);
const height = async (node: TestNode) => (await rpcStatus(node.devnet.rpcUrl)).height;
const signerOf = (node: TestNode) => blobSignerFromMnemonic(node.devnet.accounts[0]!.mnemonic, node.devnet.accounts[0]!.address);

async function pinned(node: TestNode, cid: string): Promise<boolean> {
  try {
    for await (const pin of kuboOf(node).pin.ls({ paths: [CID.parse(cid)], type: "recursive" })) if (pin.cid.toString() === cid) return true;
    return false;
  } catch {
    return false;
  }
}

/** Whether kubo's blockstore holds the block of a single-chunk blob (compared by multihash). */
async function hasBlock(node: TestNode, cid: string): Promise<boolean> {
  const wanted = CID.parse(cid).multihash.bytes.toString();
  for await (const ref of kuboOf(node).refs.local()) {
    if (ref.ref !== undefined && CID.parse(ref.ref).multihash.bytes.toString() === wanted) return true;
  }
  return false;
}

describe("storage on IPFS (kubo) across two nodes", () => {
  it("an upload through node A is pinned by A's kubo under the same CID and read back through node B, checked against its CID", async () => {
    const signer = await signerOf(a);
    for (const [size, seed] of [[1000, 1], [3 * 1024 * 1024, 2]] as const) {
      const bytes = bytesOf(size, seed);
      const ref = await uploadBlob(a.devnet.restUrl, bytes, signer, await height(a));
      expect(ref).toEqual({ cid: await blobCid(bytes), size });
      // kubo computed the CID itself when it stored the bytes (the upload fails otherwise) and pinned it.
      expect(await pinned(a, ref.cid)).toBe(true);
      // B never received the upload: its kubo fetches the blocks from A over bitswap; fetchBlob re-verifies.
      expect(await fetchBlob(b.devnet.restUrl, ref.cid)).toEqual(bytes);
      const head = await fetch(`${b.devnet.restUrl}/blobs/${ref.cid}`, { method: "HEAD" });
      expect([head.status, head.headers.get("content-length")]).toEqual([200, String(size)]);
    }
  }, 120_000);

  it("a CID nobody holds is 404 blob_not_found on both nodes (after B's bounded wait on its peers)", async () => {
    const absent = await blobCid(bytesOf(500, 3));
    for (const node of [a, b]) {
      const err = await fetchBlob(node.devnet.restUrl, absent).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BlobError);
      expect((err as BlobError).code).toBe("blob_not_found");
    }
  }, 90_000);

  it("a local-only read (the sweep's) of a CID this node does not hold answers at once, though its peers have it", async () => {
    // Pinned in A's kubo outside A's blob store, so A's short retention never drops it.
    const bytes = bytesOf(1500, 5);
    const cid = (await kuboOf(a).add(bytes, { cidVersion: 1, rawLeaves: true, pin: true })).cid.toString();
    expect(cid).toBe(await blobCid(bytes));
    // A fetch timeout far past this test's own: only kubo's offline mode lets these reads end.
    const onB = await IpfsBlobBackend.open({ api: `http://127.0.0.1:${ipfsPortsFrom(b.devnet.ports).api}`, fetchTimeoutMs: 3_600_000 });
    const absent = await blobCid(bytesOf(500, 6));
    for (const missing of [cid, absent]) {
      expect(await onB.size(missing, { localOnly: true })).toBeNull();
      expect(await onB.read(missing, { localOnly: true })).toBeUndefined();
    }
    // B could fetch it from A all along (so the local-only miss was not for want of a peer); then it holds it.
    const sameBytes = (got: Uint8Array | undefined) => got !== undefined && Buffer.from(got).equals(Buffer.from(bytes));
    expect(sameBytes(await onB.read(cid, { timeoutMs: 30_000 }))).toBe(true);
    expect(sameBytes(await onB.read(cid, { localOnly: true }))).toBe(true);
  }, 60_000);

  it("a blob no live task names is unpinned and garbage-collected once its retention has passed", async () => {
    const bytes = bytesOf(2000, 4);
    const { cid } = await uploadBlob(a.devnet.restUrl, bytes, await signerOf(a), await height(a));
    expect(await pinned(a, cid)).toBe(true);
    expect(await hasBlock(a, cid)).toBe(true);
    await until("unpinned after the retention", () => pinned(a, cid), (isPinned) => !isPinned, 60_000);
    await until("garbage-collected", () => hasBlock(a, cid), (held) => !held, 30_000);
  }, 120_000);
});
