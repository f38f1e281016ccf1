/** Test doubles of blob backends (blob-backend.ts), shared by the blob store's tests. */
import { readFile, rm } from "node:fs/promises";
import { BlobTooLargeError, type BlobBackend, type FetchLimits } from "./blob-backend.js";

/**
 * An IPFS node reduced to maps: `peers` is what the node's IPFS peers hold, `pins` what this node
 * keeps. A CID no peer holds is waited for until the fetch's timeout, as kubo does; a local-only
 * read answers from `pins` at once, as kubo's offline mode does.
 */
export class FakeIpfsBackend implements BlobBackend {
  readonly kind = "ipfs";
  readonly peers = new Map<string, Uint8Array>();
  readonly pins = new Map<string, Uint8Array>();
  /** Bytes a lying peer sends for a CID instead of (more than) what its root claims. */
  readonly oversized = new Map<string, Uint8Array>();
  reads = 0;
  /** Reads wait (up to 1 s) until this many have started: shows how many overlap, whatever the load. */
  holdFirstReads = 0;
  inFlight = 0;
  maxInFlight = 0;
  /** A CID not pinned here never arrives, whatever the read asks (a peer that never answers, a timeout not honoured). */
  stallUnheld = false;

  async put(cid: string, file: string): Promise<void> {
    this.pins.set(cid, await readFile(file));
    await rm(file, { force: true });
  }
  async storedSize(cid: string): Promise<number | null> {
    return this.pins.get(cid)?.length ?? null;
  }
  private async fetch(cid: string, limits: FetchLimits): Promise<Uint8Array | undefined> {
    const held = this.pins.get(cid);
    if (held !== undefined) return held;
    if (this.stallUnheld) return new Promise<never>(() => undefined);
    if (limits.localOnly === true) return undefined;
    const bytes = this.peers.get(cid);
    if (bytes === undefined) await new Promise((r) => setTimeout(r, limits.timeoutMs ?? 0));
    return bytes;
  }
  async size(cid: string, limits: FetchLimits = {}): Promise<number | null> {
    return (await this.fetch(cid, limits))?.length ?? null;
  }
  async read(cid: string, limits: FetchLimits = {}): Promise<Uint8Array | undefined> {
    this.reads += 1;
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      for (let waited = 0; this.reads < this.holdFirstReads && waited < 1000; waited += 5) await new Promise((r) => setTimeout(r, 5));
      const sent = this.oversized.get(cid) ?? (await this.fetch(cid, limits));
      if (sent !== undefined && limits.maxBytes !== undefined && sent.length > limits.maxBytes) throw new BlobTooLargeError(cid, limits.maxBytes);
      return sent;
    } finally {
      this.inFlight -= 1;
    }
  }
  async keep(cid: string): Promise<void> {
    const bytes = this.pins.get(cid) ?? this.peers.get(cid);
    if (bytes === undefined) throw new Error(`pin ${cid}: not found`);
    this.pins.set(cid, bytes);
  }
  async remove(cid: string): Promise<void> {
    this.pins.delete(cid);
  }
  async discardCorrupted(cid: string): Promise<string> {
    this.pins.delete(cid);
    return "it has been unpinned";
  }
  async collectGarbage(): Promise<void> {}
  async close(): Promise<void> {}
}
