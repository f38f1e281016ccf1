/**
 * The IPFS blob backend: a kubo node (the node's own, started by `ogpud start`, or an existing
 * one / an IPFS cluster's kubo) spoken to over its RPC API with kubo-rpc-client — one HTTP call
 * per operation, never a process per request (docs/storage.md).
 *
 * - put:    `add` of the verified upload with the CID rules of crypto/cid.ts (CIDv1, raw leaves,
 *           256 KiB chunks), pinned; kubo must name the same CID or the upload fails
 * - read:   `cat`, from the local blockstore or the node's peers (bitswap), bounded by a timeout;
 *           a local-only read (FetchLimits.localOnly) passes kubo's `offline` option, so a block
 *           the node lacks is "not found locally" at once instead of a wait on the peers
 * - keep:   `pin add` (a blob a worker's or auditor's node fetched for a live task)
 * - remove: `pin rm`; collectGarbage runs `repo gc` after a sweep removed any
 */
import { createReadStream } from "node:fs";
import { rm } from "node:fs/promises";
import { create, multiaddr, type KuboRPCClient } from "kubo-rpc-client";
import { CID } from "multiformats/cid";
import { CID_CHUNK_BYTES } from "../crypto/cid.js";
import { BlobTooLargeError, type BlobBackend, type FetchLimits } from "./blob-backend.js";
import { BlobStoreError } from "./blob-store.js";

export interface IpfsBackendOptions {
  /** kubo RPC API, e.g. http://127.0.0.1:5001 */
  api: string;
  /** Longest wait for a blob the node does not hold (fetched from peers). */
  fetchTimeoutMs?: number;
}

export const IPFS_DEFAULTS = { fetchTimeoutMs: 20_000 } as const;

/** kubo answers these when a path or pin does not exist. */
function isMissing(err: unknown): boolean {
  const message = err instanceof Error ? err.message : String(err);
  return /not pinned|not found|no link named|is not pinned|block was not found/i.test(message);
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError" || /timeout|aborted/i.test(err.message));
}

/** kubo's per-call options of a bounded fetch; `offline` is kubo's global flag, sent as a query parameter. */
function fetchOptions(limits: FetchLimits, defaultTimeoutMs: number): { timeout: number; offline?: boolean } {
  return { timeout: limits.timeoutMs ?? defaultTimeoutMs, ...(limits.localOnly === true ? { offline: true } : {}) };
}

export class IpfsBlobBackend implements BlobBackend {
  readonly kind = "ipfs";
  private readonly fetchTimeoutMs: number;

  private constructor(
    private readonly ipfs: KuboRPCClient,
    readonly api: string,
    opts: IpfsBackendOptions,
  ) {
    this.fetchTimeoutMs = opts.fetchTimeoutMs ?? IPFS_DEFAULTS.fetchTimeoutMs;
  }

  /** Connects and checks that kubo answers (a node must not serve uploads it cannot keep). */
  static async open(opts: IpfsBackendOptions): Promise<IpfsBlobBackend> {
    const ipfs = create({ url: opts.api });
    try {
      await ipfs.id({ timeout: 10_000 });
    } catch (err) {
      throw new Error(`kubo RPC API at ${opts.api} does not answer: ${err instanceof Error ? err.message : String(err)}`);
    }
    return new IpfsBlobBackend(ipfs, opts.api, opts);
  }

  async put(cid: string, file: string): Promise<void> {
    try {
      const added = await this.ipfs.add(createReadStream(file), { cidVersion: 1, rawLeaves: true, chunker: `size-${CID_CHUNK_BYTES}`, hashAlg: "sha2-256", pin: true });
      if (added.cid.toString() !== cid) {
        await this.ipfs.pin.rm(added.cid).catch(() => undefined);
        throw new BlobStoreError(500, "internal", `kubo stored the upload as ${added.cid.toString()}, not ${cid}: its add settings differ from the CID rules (docs/storage.md)`);
      }
    } finally {
      await rm(file, { force: true });
    }
  }

  async storedSize(cid: string): Promise<number | null> {
    try {
      for await (const pin of this.ipfs.pin.ls({ paths: [CID.parse(cid)], type: "recursive" })) {
        if (pin.cid.toString() === cid) return this.size(cid);
      }
      return null;
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async size(cid: string, limits: FetchLimits = {}): Promise<number | null> {
    try {
      const stat = await this.ipfs.files.stat(`/ipfs/${cid}`, fetchOptions(limits, this.fetchTimeoutMs));
      return Number(stat.size);
    } catch (err) {
      if (isMissing(err) || isTimeout(err)) return null;
      throw err;
    }
  }

  /** A DAG's root may claim any size: maxBytes counts what actually arrives, and stops the fetch past it. */
  async read(cid: string, limits: FetchLimits = {}): Promise<Uint8Array | undefined> {
    const parts: Uint8Array[] = [];
    let received = 0;
    try {
      for await (const part of this.ipfs.cat(CID.parse(cid), fetchOptions(limits, this.fetchTimeoutMs))) {
        received += part.length;
        if (limits.maxBytes !== undefined && received > limits.maxBytes) throw new BlobTooLargeError(cid, limits.maxBytes);
        parts.push(part);
      }
    } catch (err) {
      if (err instanceof BlobTooLargeError) throw err;
      if (isMissing(err) || isTimeout(err)) return undefined;
      throw err;
    }
    return Buffer.concat(parts);
  }

  async keep(cid: string): Promise<void> {
    await this.ipfs.pin.add(CID.parse(cid), { timeout: this.fetchTimeoutMs });
  }

  async remove(cid: string): Promise<void> {
    try {
      await this.ipfs.pin.rm(CID.parse(cid));
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
  }

  async discardCorrupted(cid: string): Promise<string> {
    await this.remove(cid);
    await this.collectGarbage();
    return "it has been unpinned and garbage-collected";
  }

  async collectGarbage(): Promise<void> {
    for await (const removed of this.ipfs.repo.gc()) {
      if (removed.err) throw removed.err;
    }
  }

  /** Dials each peer (`/ip4/…/tcp/…/p2p/<id>`) this kubo is not connected to; failures are left for the next round. */
  async connectPeers(addrs: readonly string[]): Promise<void> {
    const connected = new Set((await this.ipfs.swarm.peers({ timeout: 5_000 })).map((p) => p.peer.toString()));
    for (const addr of addrs) {
      if (connected.has(addr.slice(addr.lastIndexOf("/") + 1))) continue;
      await this.ipfs.swarm.connect(multiaddr(addr), { timeout: 5_000 }).catch(() => undefined);
    }
  }

  async close(): Promise<void> {}
}
