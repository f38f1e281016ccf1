import { randomBytes } from "node:crypto";
import { mkdir, open, rm, statfs, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { Level } from "level";
import { MAX_MANIFEST_BYTES } from "../crypto/task-crypto.js";
import { BLOB_CODESPACE, BLOB_ERROR_CODES, blobCid, type BlobErrorReason } from "../sdk/blobs.js";
import { LocalBlobBackend, type BlobBackend, type FetchLimits } from "./blob-backend.js";

/**
 * The blob store's rules (HTTP side: blobs.ts), the same above every backend (blob-backend.ts:
 * local files or IPFS): admit → receive, read, size, sweep.
 *
 *   <dir>/tmp/     uploads in progress; handed to the backend when complete and verified
 *   <dir>/index/   LevelDB: per-account usage, total, each blob's record, age index
 *   (the local backend keeps its files beside them: <dir>/objects/, <dir>/quarantine/)
 *
 * A blob is charged to its first uploader until it is swept; re-uploading the same bytes (by
 * anyone) is free and restores a missing file. An upload is admitted (quota, total cap, free
 * disk) before its body is read, and holds a reservation while it streams, so concurrent
 * uploads cannot together overshoot a limit.
 */

/** A refusal with its HTTP status and a reason from BLOB_ERROR_CODES. */
export class BlobStoreError extends Error {
  constructor(
    readonly status: number,
    readonly reason: BlobErrorReason,
    message: string,
  ) {
    super(message);
    this.name = "BlobStoreError";
  }

  /** The Cosmos-style JSON body: numeric code in codespace "blobs", reason name, message. */
  toJSON(): { code: number; codespace: string; reason: BlobErrorReason; message: string } {
    return { code: BLOB_ERROR_CODES[this.reason], codespace: BLOB_CODESPACE, reason: this.reason, message: this.message };
  }
}

export interface StoreLimits {
  /** Most bytes the store holds in all (committed plus uploads in progress). */
  maxTotalBytes: number;
  /** Uploads are refused when they would leave less than this free on the store's filesystem. */
  minFreeDiskBytes: number;
}

interface BlobRecord {
  owner: string;
  size: number;
  /** Height at which the blob was stored, or last seen referenced by a live task. */
  height: string;
}

/** An admitted upload: its bytes are reserved until receive() stores or drops them. */
export interface Reservation {
  account: string;
  cid: string;
  size: number;
  height: bigint;
  /** False when the blob is already indexed and only its file is being restored. */
  charged: boolean;
}

export type Admission = { present: true } | { present: false; reservation: Reservation };

const usageKey = (account: string) => `usage/${account}`;
const blobKey = (cid: string) => `blob/${cid}`;
const TOTAL_KEY = "total";
/** Age index: blobs by the height they were stored or last referenced, oldest first. */
const ageKey = (height: bigint, cid: string) => `age/${height.toString().padStart(20, "0")}/${cid}`;

export class BlobStore {
  /** Index updates and admissions run one at a time, so a check and its charge cannot interleave. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly reservedBy = new Map<string, number>();
  private reservedTotal = 0;

  private constructor(
    readonly dir: string,
    private readonly db: Level<string, string>,
    readonly limits: StoreLimits,
    readonly backend: BlobBackend,
  ) {}

  /** Opens the store under `dir` over `backend` (default: files under `dir`). */
  static async open(dir: string, limits: StoreLimits, backend?: BlobBackend): Promise<BlobStore> {
    await mkdir(dir, { recursive: true });
    // Left over from a crash mid-upload; never referenced by anything.
    await rm(join(dir, "tmp"), { recursive: true, force: true });
    await mkdir(join(dir, "tmp"));
    const db = new Level<string, string>(join(dir, "index"), { valueEncoding: "utf8" });
    await db.open();
    return new BlobStore(dir, db, limits, backend ?? (await LocalBlobBackend.open(dir)));
  }

  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    await this.db.close();
    await this.backend.close();
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Bytes charged to `account` (stored blobs it uploaded first). */
  async usage(account: string): Promise<number> {
    return Number((await this.db.get(usageKey(account))) ?? "0");
  }

  /** Bytes of all indexed blobs. */
  async totalBytes(): Promise<number> {
    return Number((await this.db.get(TOTAL_KEY)) ?? "0");
  }

  private async record(cid: string): Promise<BlobRecord | undefined> {
    const raw = await this.db.get(blobKey(cid));
    return raw === undefined ? undefined : (JSON.parse(raw) as BlobRecord);
  }

  /**
   * Decides an upload from its signed claim, before any body byte is read: `present` when the
   * blob is stored already, else a reservation once quota (`allowance` bytes for the account),
   * the total cap and the free-disk floor all have room for it.
   */
  admit(account: string, cid: string, size: number, allowance: number, height: bigint): Promise<Admission> {
    return this.serial(async () => {
      const existing = await this.record(cid);
      if (existing !== undefined) {
        if ((await this.backend.storedSize(cid)) === existing.size) return { present: true };
        return { present: false, reservation: this.reserve({ account, cid, size, height, charged: false }) };
      }
      const used = (await this.usage(account)) + (this.reservedBy.get(account) ?? 0);
      if (used + size > allowance) {
        throw new BlobStoreError(403, "quota_exceeded", `account ${account} may store ${allowance} bytes (from its spendable balance) and uses ${used}; this ${size}-byte blob would exceed it`);
      }
      const total = (await this.totalBytes()) + this.reservedTotal;
      if (total + size > this.limits.maxTotalBytes) {
        throw new BlobStoreError(507, "insufficient_storage", `the node's blob store is full: ${total} of its ${this.limits.maxTotalBytes} bytes used; try another node or later`);
      }
      const fs = await statfs(this.dir);
      const free = Number(fs.bavail) * Number(fs.bsize) - this.reservedTotal;
      if (free - size < this.limits.minFreeDiskBytes) {
        throw new BlobStoreError(507, "insufficient_storage", `storing ${size} bytes would leave ${free - size} bytes free on the node's disk, below its ${this.limits.minFreeDiskBytes}-byte floor`);
      }
      return { present: false, reservation: this.reserve({ account, cid, size, height, charged: true }) };
    });
  }

  private reserve(r: Reservation): Reservation {
    this.reservedBy.set(r.account, (this.reservedBy.get(r.account) ?? 0) + r.size);
    this.reservedTotal += r.size;
    return r;
  }

  private release(r: Reservation): void {
    const left = (this.reservedBy.get(r.account) ?? 0) - r.size;
    if (left > 0) this.reservedBy.set(r.account, left);
    else this.reservedBy.delete(r.account);
    this.reservedTotal -= r.size;
  }

  /**
   * Streams an admitted upload to a temp file while hashing it. Refused at the first byte past
   * the signed size, or at the end if short or not hashing to the signed CID; only then is the
   * file renamed into place and charged.
   */
  async receive(r: Reservation, body: AsyncIterable<Uint8Array>): Promise<void> {
    const tmp = join(this.dir, "tmp", `${r.cid}.${randomBytes(6).toString("hex")}`);
    let file: FileHandle | undefined;
    try {
      const out = await open(tmp, "wx");
      file = out;
      let received = 0;
      // One pass: each chunk is size-checked, written and handed to the CID computation.
      const written = async function* () {
        for await (const chunk of body) {
          received += chunk.length;
          if (received > r.size) throw new BlobStoreError(413, "size_mismatch", `body is longer than the signed size of ${r.size} bytes; refused at byte ${received}`);
          await out.write(chunk);
          yield chunk;
        }
      };
      const actual = await blobCid(written());
      if (received !== r.size) throw new BlobStoreError(400, "size_mismatch", `body has ${received} bytes, the signed size is ${r.size}`);
      if (actual !== r.cid) throw new BlobStoreError(400, "digest_mismatch", `body hashes to ${actual}, not to the signed CID ${r.cid}`);
      await file.sync();
      await file.close();
      file = undefined;
      await this.serial(() => this.commit(r, tmp));
    } finally {
      await file?.close();
      await rm(tmp, { force: true });
      this.release(r);
    }
  }

  /** Backend first, index after: a crash leaves no charge without the bytes kept. */
  private async commit(r: Reservation, tmp: string): Promise<void> {
    await this.backend.put(r.cid, tmp);
    // Indexed meanwhile by a concurrent upload of the same bytes, or a restore: no new charge.
    if (!r.charged || (await this.record(r.cid)) !== undefined) return;
    const record: BlobRecord = { owner: r.account, size: r.size, height: r.height.toString() };
    await this.db.batch([
      { type: "put", key: blobKey(r.cid), value: JSON.stringify(record) },
      { type: "put", key: ageKey(r.height, r.cid), value: "" },
      { type: "put", key: usageKey(r.account), value: String((await this.usage(r.account)) + r.size) },
      { type: "put", key: TOTAL_KEY, value: String((await this.totalBytes()) + r.size) },
    ]);
  }

  /**
   * One bounded sweep: looks at up to `maxBlobs` blobs whose age (height stored or last seen
   * referenced) is at least `retentionBlocks`, keeps those in `referenced` (re-aged to `height`)
   * and deletes the rest, refunding their uploader's quota.
   */
  sweep(opts: { height: bigint; retentionBlocks: bigint; maxBlobs: number; referenced: (candidates: string[]) => Promise<ReadonlySet<string>> }): Promise<{ deleted: string[]; kept: string[] }> {
    return this.serial(async () => {
      const cutoff = opts.height - opts.retentionBlocks;
      if (cutoff < 0n) return { deleted: [], kept: [] };
      const candidates: Array<{ key: string; cid: string }> = [];
      for await (const key of this.db.keys({ gte: "age/", lt: ageKey(cutoff + 1n, ""), limit: opts.maxBlobs })) {
        candidates.push({ key, cid: key.slice(key.lastIndexOf("/") + 1) });
      }
      if (candidates.length === 0) return { deleted: [], kept: [] };
      const referenced = await opts.referenced(candidates.map((c) => c.cid));
      const deleted: string[] = [];
      const kept: string[] = [];
      for (const { key, cid } of candidates) {
        const record = await this.record(cid);
        if (record === undefined) {
          await this.db.del(key);
        } else if (referenced.has(cid)) {
          await this.db.batch([
            { type: "del", key },
            { type: "put", key: ageKey(opts.height, cid), value: "" },
            { type: "put", key: blobKey(cid), value: JSON.stringify({ ...record, height: opts.height.toString() }) },
          ]);
          kept.push(cid);
        } else {
          await this.backend.remove(cid);
          await this.db.batch([
            { type: "del", key },
            { type: "del", key: blobKey(cid) },
            // A blob kept for a task (adopt) was charged to nobody.
            ...(record.owner === "" ? [] : [{ type: "put" as const, key: usageKey(record.owner), value: String(Math.max(0, (await this.usage(record.owner)) - record.size)) }]),
            { type: "put", key: TOTAL_KEY, value: String(Math.max(0, (await this.totalBytes()) - record.size)) },
          ]);
          deleted.push(cid);
        }
      }
      if (deleted.length > 0) await this.backend.collectGarbage();
      return { deleted, kept };
    });
  }

  /** Whether the index holds `cid` (uploaded here, or adopted for a task). */
  async isIndexed(cid: string): Promise<boolean> {
    return (await this.record(cid)) !== undefined;
  }

  /** The size the index records for `cid` (uploaded here, or adopted for a task), else undefined. */
  async indexedSize(cid: string): Promise<number | undefined> {
    return (await this.record(cid))?.size;
  }

  /**
   * Keeps a blob this node read from its IPFS peers because a live task names it (a worker's or
   * auditor's node): charged to nobody, swept like any other once no live task names it.
   */
  adopt(cid: string, size: number, height: bigint): Promise<void> {
    return this.serial(async () => {
      if ((await this.record(cid)) !== undefined) return;
      await this.backend.keep(cid);
      const record: BlobRecord = { owner: "", size, height: height.toString() };
      await this.db.batch([
        { type: "put", key: blobKey(cid), value: JSON.stringify(record) },
        { type: "put", key: ageKey(height, cid), value: "" },
        { type: "put", key: TOTAL_KEY, value: String((await this.totalBytes()) + size) },
      ]);
    });
  }

  /** The bytes of `cid` when readable within `limits` and small enough to be an input manifest, else undefined. */
  async readSmall(cid: string, limits?: FetchLimits): Promise<Uint8Array | undefined> {
    const size = await this.backend.size(cid, limits);
    if (size === null || size > MAX_MANIFEST_BYTES) return undefined;
    return this.read(cid, limits).catch(() => undefined);
  }

  private notFound(cid: string): BlobStoreError {
    const where = this.backend.kind === "ipfs" ? "on this node or its IPFS peers" : "on this node";
    return new BlobStoreError(404, "blob_not_found", `blob ${cid} is not stored ${where}`);
  }

  async size(cid: string, limits?: FetchLimits): Promise<number> {
    const size = await this.backend.size(cid, limits);
    if (size === null) throw this.notFound(cid);
    return size;
  }

  /**
   * The blob's bytes, their CID recomputed first: disk rot, tampering or a lying peer must never
   * reach a client. A blob that fails is set aside (a re-upload of the real bytes restores it).
   */
  async read(cid: string, limits?: FetchLimits): Promise<Uint8Array> {
    const bytes = await this.backend.read(cid, limits);
    if (bytes === undefined) throw this.notFound(cid);
    const actual = await blobCid(bytes);
    if (actual === cid) return bytes;
    const where = await this.backend.discardCorrupted(cid);
    throw new BlobStoreError(
      500,
      "blob_corrupted",
      `stored blob ${cid} failed its integrity check (its bytes hash to ${actual}); it was not served and ${where} — re-upload it to restore`,
    );
  }
}
