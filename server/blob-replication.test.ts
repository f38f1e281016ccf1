import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Event } from "cosmjs-types/tendermint/abci/types";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { silentLogger } from "../app/log.js";
import { MANIFEST_VERSION } from "../crypto/task-crypto.js";
import { Task, TaskStatus } from "../proto/gen/ogpu/market/v1/market.js";
import { blobCid } from "../sdk/blobs.js";
import { FakeIpfsBackend } from "./blob-backend.testkit.js";
import { BlobReplicator, type ReplicationSettings } from "./blob-replication.js";
import { BlobStore } from "./blob-store.js";
import { alice, bytesOf } from "./blobs.testkit.js";

const MAX_BLOB = 4096;
const RETENTION = 10n;

const submitted = (...ids: number[]): Event[] =>
  ids.map((id) => ({ type: "task_submitted", attributes: [{ key: "task_id", value: String(id), index: true }] }));

describe("blob replication at submission", () => {
  let dir: string;
  let backend: FakeIpfsBackend;
  let store: BlobStore;
  let height: bigint;
  let tasks: Map<bigint, Task>;
  let replicator: BlobReplicator;

  let warnings: string[];
  const open = (settings: ReplicationSettings = {}, maxBlobBytes = MAX_BLOB) => {
    const log = silentLogger();
    replicator = new BlobReplicator({
      store,
      task: async (id) => tasks.get(id),
      currentHeight: () => height,
      maxBlobBytes,
      log: { info: log.info.bind(log), debug: log.debug.bind(log), warn: ((message: string) => void warnings.push(message)) as typeof log.warn },
      settings: { fetchTimeoutMs: 20, ...settings },
    });
  };
  /** A block that submits `ids`, committed at the next height; waits for what it started. */
  const commitBlock = async (...ids: number[]) => {
    replicator.observeBlockEvents(submitted(...ids));
    height += 1n;
    replicator.committed();
    await replicator.idle();
  };
  const task = (id: number, fields: Partial<Task>) => tasks.set(BigInt(id), Task.fromPartial({ id: BigInt(id), status: TaskStatus.TASK_STATUS_PENDING, kind: "inference", ...fields }));
  const onPeers = async (bytes: Uint8Array) => {
    const cid = await blobCid(bytes);
    backend.peers.set(cid, bytes);
    return cid;
  };
  const sweep = (referenced: Set<string>) => store.sweep({ height, retentionBlocks: RETENTION, maxBlobs: 100, referenced: async () => referenced });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "ogpu-replication-"));
    backend = new FakeIpfsBackend();
    store = await BlobStore.open(dir, { maxTotalBytes: 1 << 20, minFreeDiskBytes: 0 }, backend);
    height = 1000n;
    tasks = new Map();
    warnings = [];
  });
  afterEach(async () => {
    await replicator?.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("pins a new task's input, the payload its encrypted manifest names and its program bundle, charged to nobody", async () => {
    open();
    const payload = await onPeers(bytesOf(3000, 1));
    const manifest = await onPeers(new TextEncoder().encode(JSON.stringify({ ogpu_encrypted_input: MANIFEST_VERSION, payload_cid: payload, client_key: "", keys: {} })));
    const bundle = await onPeers(bytesOf(2000, 2));
    task(1, { inputCid: manifest, inputEncrypted: true, kind: "program", programHash: bundle });
    await commitBlock(1);
    await replicator.idle();
    expect([...backend.pins.keys()].sort()).toEqual([manifest, payload, bundle].sort());
    for (const cid of [manifest, payload, bundle]) expect(await store.isIndexed(cid)).toBe(true);
    expect(await store.usage(alice.account)).toBe(0);
    expect(replicator.stats).toMatchObject({ replicated: 3, failed: 0, dropped: 0 });
  });

  it("leaves a blob the node uploaded itself as it is: still charged to its uploader, not re-aged", async () => {
    open();
    const bytes = bytesOf(1500, 3);
    const cid = await blobCid(bytes);
    const admission = await store.admit(alice.account, cid, bytes.length, 1 << 20, height);
    if (admission.present) throw new Error("fresh store");
    await store.receive(admission.reservation, (async function* () {
      yield bytes;
    })());
    task(1, { inputCid: cid });
    height += RETENTION - 1n;
    await commitBlock(1);
    expect(backend.reads).toBe(0);
    expect(await store.usage(alice.account)).toBe(1500);
    // Uploaded at 1000: it expires at 1000 + retention, whatever replication did meanwhile.
    height = 1000n + RETENTION;
    expect((await sweep(new Set())).deleted).toEqual([cid]);
  });

  it("bounds the queue and the fetches in flight", async () => {
    open({ concurrency: 2, maxQueue: 3 });
    backend.holdFirstReads = 3;
    for (let id = 1; id <= 6; id++) task(id, { inputCid: await onPeers(bytesOf(500, 10 + id)) });
    await commitBlock(1, 2, 3, 4, 5, 6);
    // Six task lookups for a queue of three: three dropped; their three inputs replicated, two at a time.
    expect(replicator.stats).toMatchObject({ dropped: 3, replicated: 3, failed: 0 });
    expect(backend.maxInFlight).toBe(2);
  });

  it("retries a blob the peers do not have yet on later blocks, and gives up on one that never resolves", async () => {
    open({ maxAttempts: 3 });
    const late = bytesOf(800, 4);
    const lateCid = await blobCid(late);
    const bogus = await blobCid(bytesOf(10, 99));
    task(1, { inputCid: lateCid });
    task(2, { inputCid: bogus });
    await commitBlock(1, 2);
    expect(replicator.stats).toMatchObject({ replicated: 0, failed: 0 });
    // Retry 1 is due one block later: the blob has reached the peers by then.
    backend.peers.set(lateCid, late);
    await commitBlock();
    expect(backend.pins.has(lateCid)).toBe(true);
    // Retry 2 waits two more blocks; after it the bogus CID is dropped for good.
    await commitBlock();
    expect(replicator.stats.failed).toBe(0);
    await commitBlock();
    expect(replicator.stats).toMatchObject({ replicated: 1, failed: 1, queued: 0 });
    await commitBlock();
    expect(backend.pins.has(bogus)).toBe(false);
  });

  it("stops at the size cap: a blob claiming more is never read, one sending more than it claims is cut off", async () => {
    open();
    const big = await onPeers(bytesOf(MAX_BLOB + 1, 5));
    const liar = await onPeers(bytesOf(100, 6));
    backend.oversized.set(liar, bytesOf(MAX_BLOB * 4, 7));
    task(1, { inputCid: big });
    task(2, { inputCid: liar });
    await commitBlock(1);
    expect(backend.reads).toBe(0);
    await commitBlock(2);
    expect(backend.reads).toBe(1);
    // Both are final: no retry on a later block.
    await commitBlock();
    await commitBlock();
    expect(backend.reads).toBe(1);
    expect(replicator.stats).toMatchObject({ replicated: 0, failed: 2 });
    expect(backend.pins.size).toBe(0);
  });

  it("attack: a task declaring 1 KiB with 8 MiB of data is not replicated beyond what it declared; an honest declaration is", async () => {
    // A node cap well above the attack, so only the declaration stops it.
    await store.close();
    store = await BlobStore.open(dir, { maxTotalBytes: 64 << 20, minFreeDiskBytes: 0 }, backend);
    open({}, 16 << 20);
    const KIB = 1024n;
    const EIGHT_MIB = 8 << 20;
    // Public input: 8 MiB declared as 1 KiB.
    const bigInput = await onPeers(bytesOf(EIGHT_MIB, 20));
    task(1, { inputCid: bigInput, inputBytes: KIB });
    // Encrypted input: a small manifest within the declaration, naming an 8 MiB payload.
    const bigPayload = await onPeers(bytesOf(EIGHT_MIB, 21));
    const manifest = await onPeers(new TextEncoder().encode(JSON.stringify({ ogpu_encrypted_input: MANIFEST_VERSION, payload_cid: bigPayload, client_key: "", keys: {} })));
    task(2, { inputCid: manifest, inputEncrypted: true, inputBytes: KIB });
    // A peer sending more than the root claims, within a small declaration.
    const liar = await onPeers(bytesOf(500, 22));
    backend.oversized.set(liar, bytesOf(EIGHT_MIB, 23));
    task(3, { inputCid: liar, inputBytes: KIB });
    // Honest: input + program bundle declared exactly.
    const input = await onPeers(bytesOf(3000, 24));
    const bundle = await onPeers(bytesOf(5000, 25));
    task(4, { inputCid: input, kind: "program", programHash: bundle, inputBytes: 8000n });
    await commitBlock(1, 2, 3, 4);
    await commitBlock();
    await commitBlock();
    await commitBlock();
    expect([...backend.pins.keys()].sort()).toEqual([manifest, input, bundle].sort());
    const kept = [...backend.pins.values()].reduce((sum, b) => sum + b.length, 0);
    expect(kept).toBeLessThanOrEqual(1024 + 8000);
    // Refused for good (final: no retry fetched them later), and said so.
    expect(replicator.stats).toMatchObject({ replicated: 3, failed: 3 });
    expect(warnings.filter((w) => w.includes("declared and paid for (input_bytes)"))).toHaveLength(2);
    expect(warnings.some((w) => w.includes(`task 3`) && w.includes("was stopped"))).toBe(true);
  });

  it("skips a task that already ended and keeps a replica until its task settles and the retention passes", async () => {
    open();
    const ended = await onPeers(bytesOf(700, 8));
    task(1, { inputCid: ended, status: TaskStatus.TASK_STATUS_CANCELLED });
    const input = await onPeers(bytesOf(900, 9));
    task(2, { inputCid: input });
    await commitBlock(1, 2);
    expect([...backend.pins.keys()]).toEqual([input]);

    // Live: the sweep re-ages it rather than dropping it.
    height += RETENTION + 5n;
    expect(await sweep(new Set([input]))).toEqual({ deleted: [], kept: [input] });
    // Settled: released (unpinned) once the retention has passed since it was last referenced.
    tasks.get(2n)!.status = TaskStatus.TASK_STATUS_FINALIZED;
    height += RETENTION - 1n;
    expect((await sweep(new Set())).deleted).toEqual([]);
    height += 1n;
    expect((await sweep(new Set())).deleted).toEqual([input]);
    expect(backend.pins.has(input)).toBe(false);
  });

  it("never throws into block processing when the chain cannot be read", async () => {
    replicator = new BlobReplicator({
      store,
      task: async () => {
        throw new Error("query failed");
      },
      currentHeight: () => height,
      maxBlobBytes: MAX_BLOB,
      log: silentLogger(),
      settings: { maxAttempts: 1 },
    });
    replicator.observeBlockEvents([...submitted(1), { type: "task_submitted", attributes: [{ key: "task_id", value: "not a number", index: true }] }]);
    expect(() => replicator.committed()).not.toThrow();
    await replicator.idle();
    expect(replicator.stats).toMatchObject({ failed: 1, replicated: 0 });
  });
  it("after close(), blocks finishing during shutdown are not collected, a task read in flight queues nothing, and close() resolves without a line logged", async () => {
    const log = silentLogger();
    const logged = (["info", "warn", "debug"] as const).map((level) => vi.spyOn(log, level));
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    replicator = new BlobReplicator({
      store,
      // The task read of block 1 is still in flight when the node starts shutting down.
      task: async (id) => {
        await gate;
        return tasks.get(id);
      },
      currentHeight: () => height,
      maxBlobBytes: MAX_BLOB,
      log,
      settings: { fetchTimeoutMs: 20 },
    });
    task(1, { inputCid: await onPeers(bytesOf(1000, 30)) });
    replicator.observeBlockEvents(submitted(1));
    height += 1n;
    replicator.committed();

    const closing = replicator.close();
    for (let block = 0; block < 100; block++) {
      replicator.observeBlockEvents(submitted(...Array.from({ length: 100 }, (_, i) => 2 + block * 100 + i)));
      height += 1n;
      replicator.committed();
    }
    expect(replicator.stats.observed).toBe(0);

    release();
    await closing;
    expect(replicator.stats).toMatchObject({ observed: 0, queued: 0, active: 0, replicated: 0, failed: 0 });
    expect(backend.pins.size).toBe(0);
    for (const spy of logged) expect(spy).not.toHaveBeenCalled();
    // A close() that waited on work queued after it would never resolve: fail well before the suite's limit.
  }, 30_000);
});
