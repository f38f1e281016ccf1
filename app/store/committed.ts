import { Level } from "level";
import { bytesKey, keyBytes, type StoreKey } from "./keys.js";
import { MemStore, type ChangeSet, type KVStore } from "./kvstore.js";

/** LevelDB key layout: "s" + state key → value; "m" + name → metadata. */
const STATE_PREFIX = "s";
const META_HEIGHT = Buffer.from("m/height");
const META_APP_HASH = Buffer.from("m/app_hash");
/** Metadata, not state: outside the app hash, so chains that existed before it keep their hashes. */
const META_BLOCK_TIME = Buffer.from("m/block_time");
/** Entries read per LevelDB round trip while loading the state at start. */
const LOAD_BATCH = 4096;

export interface CommitInfo {
  height: bigint;
  appHash: Uint8Array;
  /** The committed block's header time (seconds); CheckTx, simulate and queries run "at" it. */
  timeSeconds: bigint;
}

/**
 * Committed state: a full in-memory image (reads are synchronous map lookups) made durable
 * by LevelDB. `commit` writes every change of a block plus the new height, app hash and time in
 * one atomic batch, so after kill -9 the database holds either the whole block or none of it
 * and CometBFT's handshake replays whatever is missing.
 */
export class CommittedStore implements KVStore {
  private readonly mem = new MemStore();
  private last: CommitInfo = { height: 0n, appHash: new Uint8Array(), timeSeconds: 0n };

  private constructor(private readonly db: Level<Buffer, Buffer>) {}

  static async open(path: string): Promise<CommittedStore> {
    const db = new Level<Buffer, Buffer>(path, { keyEncoding: "buffer", valueEncoding: "buffer" });
    await db.open();
    const store = new CommittedStore(db);
    await store.load();
    return store;
  }

  private async load(): Promise<void> {
    const gte = Buffer.from(STATE_PREFIX);
    const lt = Buffer.from([STATE_PREFIX.charCodeAt(0) + 1]);
    // In batches (nextv): one promise per batch instead of one per entry, so loading a
    // million entries costs about what LevelDB's own scan does (bench/state-size.ts).
    const iterator = this.db.iterator({ gte, lt });
    try {
      for (let batch = await iterator.nextv(LOAD_BATCH); batch.length > 0; batch = await iterator.nextv(LOAD_BATCH)) {
        for (const [k, v] of batch) this.mem.set(bytesKey(k.subarray(1)), new Uint8Array(v));
      }
    } finally {
      await iterator.close();
    }
    const height = await this.db.get(META_HEIGHT);
    const appHash = await this.db.get(META_APP_HASH);
    // Databases written before the block time was kept have none: 0 until their next commit.
    const time = await this.db.get(META_BLOCK_TIME);
    if (height !== undefined && appHash !== undefined) {
      this.last = { height: height.readBigUInt64BE(0), appHash: new Uint8Array(appHash), timeSeconds: time === undefined ? 0n : time.readBigInt64BE(0) };
    }
  }

  get lastCommit(): CommitInfo {
    return this.last;
  }

  get size(): number {
    return this.mem.size;
  }

  get(key: StoreKey): Uint8Array | undefined {
    return this.mem.get(key);
  }

  has(key: StoreKey): boolean {
    return this.mem.has(key);
  }

  set(): void {
    throw new Error("committed state is written only by commit()");
  }

  delete(): void {
    throw new Error("committed state is written only by commit()");
  }

  iterate(prefix: StoreKey, from?: StoreKey): Iterable<[StoreKey, Uint8Array]> {
    return this.mem.iterate(prefix, from);
  }

  /** Durably applies one block's changes together with its height, app hash and time. */
  async commit(changes: ChangeSet, info: CommitInfo): Promise<void> {
    const batch = this.db.batch();
    for (const [key, value] of changes) {
      const k = Buffer.concat([Buffer.from(STATE_PREFIX), keyBytes(key)]);
      if (value === null) batch.del(k);
      else batch.put(k, Buffer.from(value.buffer, value.byteOffset, value.byteLength));
    }
    const h = Buffer.alloc(8);
    h.writeBigUInt64BE(info.height);
    batch.put(META_HEIGHT, h);
    batch.put(META_APP_HASH, Buffer.from(info.appHash));
    const t = Buffer.alloc(8);
    t.writeBigInt64BE(info.timeSeconds);
    batch.put(META_BLOCK_TIME, t);
    await batch.write({ sync: true });
    this.mem.apply(changes);
    this.last = { ...info };
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
