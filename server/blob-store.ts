import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { Level } from "level";
import { blobCid } from "../sdk/blobs.js";

/**
 * Disk side of the blob store (HTTP side: blobs.ts).
 *
 *   <dir>/objects/<cid[0:2]>/<cid>   blob files, sharded so no directory grows huge
 *   <dir>/tmp/                       uploads in progress; renamed into objects/ when complete
 *   <dir>/quarantine/                files found corrupted on read, kept for inspection
 *   <dir>/index/                     LevelDB: per-account usage and each blob's first uploader
 *
 * A blob is charged once, to its first uploader; re-uploading the same bytes (by anyone) is free
 * and restores a missing or quarantined file. Writes go to tmp, are fsynced and renamed, so a
 * reader never sees a partial file; the file lands before its index entry, so a crash between the
 * two leaves an uncharged file that the next upload charges, never a charge without a file.
 */

/** A refusal with its HTTP status and a machine-readable code. */
export class BlobStoreError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "BlobStoreError";
  }
}

interface BlobRecord {
  owner: string;
  size: number;
}

const usageKey = (account: string) => `usage/${account}`;
const blobKey = (cid: string) => `blob/${cid}`;

function isNotFound(err: unknown): boolean {
  return typeof err === "object" && err !== null && "code" in err && err.code === "ENOENT";
}

export class BlobStore {
  /** Uploads run one at a time, so the quota check and the charge cannot interleave. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly dir: string,
    private readonly db: Level<string, string>,
    readonly quotaBytesPerAccount: number,
  ) {}

  static async open(dir: string, opts: { quotaBytesPerAccount: number }): Promise<BlobStore> {
    for (const sub of ["objects", "tmp", "quarantine"]) await mkdir(join(dir, sub), { recursive: true });
    // Left over from a crash mid-upload; never referenced by anything.
    await rm(join(dir, "tmp"), { recursive: true, force: true });
    await mkdir(join(dir, "tmp"));
    const db = new Level<string, string>(join(dir, "index"), { valueEncoding: "utf8" });
    await db.open();
    return new BlobStore(dir, db, opts.quotaBytesPerAccount);
  }

  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    await this.db.close();
  }

  pathOf(cid: string): string {
    return join(this.dir, "objects", cid.slice(0, 2), cid);
  }

  /** Bytes charged to `account` so far. */
  async usage(account: string): Promise<number> {
    return Number((await this.db.get(usageKey(account))) ?? "0");
  }

  /** Stores `bytes` (whose CID the caller computed) for `account`; `created` is false for a re-upload. */
  put(account: string, cid: string, bytes: Uint8Array): Promise<{ size: number; created: boolean }> {
    const run = this.queue.then(() => this.putNow(account, cid, bytes));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async putNow(account: string, cid: string, bytes: Uint8Array): Promise<{ size: number; created: boolean }> {
    const existing = await this.db.get(blobKey(cid));
    if (existing !== undefined) {
      const record = JSON.parse(existing) as BlobRecord;
      if ((await this.fileSize(cid)) !== record.size) await this.writeAtomically(cid, bytes);
      return { size: record.size, created: false };
    }
    const used = await this.usage(account);
    if (used + bytes.length > this.quotaBytesPerAccount) {
      throw new BlobStoreError(
        403,
        "quota_exceeded",
        `account ${account} has stored ${used} of its ${this.quotaBytesPerAccount} quota bytes; this ${bytes.length}-byte blob would exceed it`,
      );
    }
    await this.writeAtomically(cid, bytes);
    const record: BlobRecord = { owner: account, size: bytes.length };
    await this.db.batch([
      { type: "put", key: blobKey(cid), value: JSON.stringify(record) },
      { type: "put", key: usageKey(account), value: String(used + bytes.length) },
    ]);
    return { size: bytes.length, created: true };
  }

  /** tmp file → fsync → rename → fsync the directory, so the blob survives a crash whole or not at all. */
  private async writeAtomically(cid: string, bytes: Uint8Array): Promise<void> {
    const tmp = join(this.dir, "tmp", `${cid}.${randomBytes(6).toString("hex")}`);
    const file = await open(tmp, "wx");
    try {
      await file.writeFile(bytes);
      await file.sync();
    } finally {
      await file.close();
    }
    const shard = join(this.dir, "objects", cid.slice(0, 2));
    await mkdir(shard, { recursive: true });
    await rename(tmp, this.pathOf(cid));
    const dir = await open(shard, "r");
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }

  private async fileSize(cid: string): Promise<number | null> {
    try {
      return (await stat(this.pathOf(cid))).size;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  private notFound(cid: string): BlobStoreError {
    return new BlobStoreError(404, "blob_not_found", `blob ${cid} is not stored on this node`);
  }

  async size(cid: string): Promise<number> {
    const size = await this.fileSize(cid);
    if (size === null) throw this.notFound(cid);
    return size;
  }

  /**
   * The blob's bytes, re-hashed first: disk rot or tampering must never reach a client. A file
   * that fails is moved to quarantine (a re-upload of the real bytes then restores it).
   */
  async read(cid: string): Promise<Buffer> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.pathOf(cid));
    } catch (err) {
      if (isNotFound(err)) throw this.notFound(cid);
      throw err;
    }
    const actual = blobCid(bytes);
    if (actual === cid) return bytes;
    const quarantined = join(this.dir, "quarantine", `${cid}.${Date.now()}`);
    await rename(this.pathOf(cid), quarantined).catch(() => undefined);
    throw new BlobStoreError(
      500,
      "blob_corrupted",
      `stored blob ${cid} failed its integrity check (its bytes hash to ${actual}); it was not served and has been quarantined — re-upload it to restore`,
    );
  }
}
