/**
 * Where a node keeps blob bytes (docs/storage.md). The blob store (blob-store.ts) does everything
 * else the same way for every backend: signed uploads, quota, total cap, expiry sweep, and the
 * CID check of every byte it serves. A backend only keeps, returns and drops bytes by CID:
 *
 *   local  files under <dir>/objects/ (the zero-setup default of a single node)
 *   ipfs   a kubo node over its RPC API (blob-ipfs.ts): uploads are pinned, reads may come from
 *          the node's IPFS peers, dropped blobs are unpinned and garbage-collected
 */
import { mkdir, open, readFile, rename, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";

export type BlobBackendKind = "local" | "ipfs";

/** Bounds on one fetch of a blob (replication: blob-replication.ts); unset = the backend's own. */
export interface FetchLimits {
  /** Longest wait for a blob read from the node's peers (IPFS), in ms. */
  timeoutMs?: number;
  /** A blob longer than this is refused (BlobTooLargeError) as soon as the excess is seen. */
  maxBytes?: number;
  /** Only what this node holds, answered at once: never asks its peers (IPFS: kubo's offline mode). */
  localOnly?: boolean;
}

/** A fetch stopped because the blob exceeds FetchLimits.maxBytes. */
export class BlobTooLargeError extends Error {
  constructor(
    readonly cid: string,
    readonly maxBytes: number,
  ) {
    super(`blob ${cid} is longer than ${maxBytes} bytes`);
    this.name = "BlobTooLargeError";
  }
}

export interface BlobBackend {
  readonly kind: BlobBackendKind;
  /** Keeps the verified bytes in `file` under `cid`. The file is the store's temp file: a backend may move it. */
  put(cid: string, file: string): Promise<void>;
  /** Size of `cid` when this node keeps it (a file, a pin), else null. */
  storedSize(cid: string): Promise<number | null>;
  /** Size of `cid` if it can be read at all (IPFS: also from the node's peers), else null. */
  size(cid: string, limits?: FetchLimits): Promise<number | null>;
  /** The bytes of `cid`, unverified (the store checks them against the CID), or undefined. */
  read(cid: string, limits?: FetchLimits): Promise<Uint8Array | undefined>;
  /** Keeps a blob read from elsewhere (IPFS: pins what `read` fetched from a peer); local: nothing to do. */
  keep(cid: string): Promise<void>;
  /** Stops keeping `cid` (deletes the file / unpins). */
  remove(cid: string): Promise<void>;
  /** Sets aside a blob whose bytes failed their CID check; says where it went. */
  discardCorrupted(cid: string): Promise<string>;
  /** Reclaims the space of removed blobs (IPFS: repo gc); called after a sweep removed any. */
  collectGarbage(): Promise<void>;
  close(): Promise<void>;
}

function isNotFound(err: unknown): boolean {
  return typeof err === "object" && err !== null && "code" in err && err.code === "ENOENT";
}

/**
 *   <dir>/objects/<cid[-3:-1]>/<cid>   blob files, sharded so no directory grows huge (a CID's
 *                                      leading characters are its fixed header, its last one
 *                                      is one of 8: crypto/cid.ts)
 *   <dir>/quarantine/                  files found corrupted on read, kept for inspection
 */
export class LocalBlobBackend implements BlobBackend {
  readonly kind = "local";

  private constructor(readonly dir: string) {}

  static async open(dir: string): Promise<LocalBlobBackend> {
    for (const sub of ["objects", "quarantine"]) await mkdir(join(dir, sub), { recursive: true });
    return new LocalBlobBackend(dir);
  }

  pathOf(cid: string): string {
    return join(this.dir, "objects", cid.slice(-3, -1), cid);
  }

  /** rename → fsync the shard directory, so the file survives a crash before the index names it. */
  async put(cid: string, file: string): Promise<void> {
    const shard = dirname(this.pathOf(cid));
    await mkdir(shard, { recursive: true });
    await rename(file, this.pathOf(cid));
    const handle = await open(shard, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  async storedSize(cid: string): Promise<number | null> {
    try {
      return (await stat(this.pathOf(cid))).size;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  size(cid: string): Promise<number | null> {
    return this.storedSize(cid);
  }

  async read(cid: string, limits: FetchLimits = {}): Promise<Uint8Array | undefined> {
    try {
      if (limits.maxBytes !== undefined && ((await this.storedSize(cid)) ?? 0) > limits.maxBytes) throw new BlobTooLargeError(cid, limits.maxBytes);
      return await readFile(this.pathOf(cid));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async keep(): Promise<void> {}

  async remove(cid: string): Promise<void> {
    await rm(this.pathOf(cid), { force: true });
  }

  async discardCorrupted(cid: string): Promise<string> {
    // Date.now only names the quarantined copy: two corruptions of one CID must not collide.
    const quarantined = join(this.dir, "quarantine", `${cid}.${Date.now()}`);
    await rename(this.pathOf(cid), quarantined).catch(() => undefined);
    return "it has been quarantined";
  }

  async collectGarbage(): Promise<void> {}

  async close(): Promise<void> {}
}
