/**
 * Which blobs live tasks still need (docs/storage.md): the CIDs the chain names, plus the payload
 * each live encrypted-input manifest names (the chain holds only the manifest's CID). The sweep
 * keeps them; a node keeps what it fetched from its IPFS peers for them.
 *
 * Only manifests this node holds (in the store's index) are read, and only from its own storage
 * (FetchLimits.localOnly): a live CID held elsewhere cannot name a payload this node must keep
 * for it, and a read of it would wait on the IPFS peers for the fetch timeout, per CID, per
 * sweep. A CID's bytes never change, so what a manifest names is remembered once read: the work
 * of an answer is one index lookup per live CID not yet read, and one local read per manifest
 * that became held since.
 */
import { MAX_MANIFEST_BYTES, parseManifest } from "../crypto/task-crypto.js";
import type { BlobStore } from "./blob-store.js";

/** Manifests whose reference is remembered; past this the oldest read is forgotten (read again if still live). */
export const REMEMBERED_MANIFESTS = 65_536;

export interface BlobReferencesDeps {
  store: Pick<BlobStore, "indexedSize" | "readSmall">;
  /** The node's latest committed height. */
  currentHeight: () => bigint;
  /** CIDs that tasks not in an end state name, at the current height. */
  liveCids: () => Promise<ReadonlySet<string>>;
  rememberedManifests?: number;
}

export class BlobReferences {
  /** Held CID → the payload its manifest names, or null (not a manifest). Insertion order is forgetting order. */
  private readonly payloadOf = new Map<string, string | null>();
  /** The answer at a height, until a blob is adopted (it may be a manifest the answer did not read). */
  private answer: { height: bigint; generation: number; cids: Promise<ReadonlySet<string>> } | undefined;
  private generation = 0;
  private readonly remembered: number;

  constructor(private readonly deps: BlobReferencesDeps) {
    this.remembered = deps.rememberedManifests ?? REMEMBERED_MANIFESTS;
  }

  /** Live CIDs and the payloads their held manifests name; worked out at most once per height and adoption. */
  referenced(): Promise<ReadonlySet<string>> {
    const height = this.deps.currentHeight();
    if (this.answer?.height !== height || this.answer.generation !== this.generation) {
      const cids = this.deps.liveCids().then((live) => this.closure(live));
      // A failed answer is not kept: the next call tries again.
      cids.catch(() => {
        if (this.answer?.cids === cids) this.answer = undefined;
      });
      this.answer = { height, generation: this.generation, cids };
    }
    return this.answer.cids;
  }

  /** A blob became held here (adopted): the next answer reads it if it is a live manifest. */
  adopted(): void {
    this.generation += 1;
  }

  private async closure(live: ReadonlySet<string>): Promise<ReadonlySet<string>> {
    const all = new Set(live);
    for (const cid of live) {
      const payload = await this.payloadNamedBy(cid);
      if (typeof payload === "string") all.add(payload);
    }
    return all;
  }

  /** The payload `cid` names, null when it names none, undefined when this node does not hold it (asked again later). */
  private async payloadNamedBy(cid: string): Promise<string | null | undefined> {
    const known = this.payloadOf.get(cid);
    if (known !== undefined) return known;
    const size = await this.deps.store.indexedSize(cid);
    if (size === undefined) return undefined;
    let payload: string | null = null;
    if (size <= MAX_MANIFEST_BYTES) {
      const bytes = await this.deps.store.readSmall(cid, { localOnly: true });
      // Indexed but its bytes are not here (lost, or not yet stored): nothing to remember.
      if (bytes === undefined) return undefined;
      try {
        payload = parseManifest(bytes)?.payload_cid ?? null;
      } catch {
        // Not a manifest this version reads: it names no payload.
      }
    }
    this.remember(cid, payload);
    return payload;
  }

  private remember(cid: string, payload: string | null): void {
    if (this.payloadOf.size >= this.remembered) {
      const oldest = this.payloadOf.keys().next();
      if (oldest.done !== true) this.payloadOf.delete(oldest.value);
    }
    this.payloadOf.set(cid, payload);
  }
}
