import type { OgpuApp } from "./app.js";

/** A CometBFT genesis document as JSON (only the fields ogpud reads or writes are typed). */
export interface GenesisDocument {
  chain_id: string;
  initial_height?: string;
  app_state?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface ExportedGenesis {
  genesis: GenesisDocument;
  height: bigint;
  appHash: Uint8Array;
}

/**
 * The app's committed state as a genesis document for a chain that continues at the next
 * height: `ogpud export` (stopped node) and the REST export a running node may serve both
 * build it here. `base` is the node's own genesis file (consensus params, genesis time).
 * Runs synchronously over the in-memory committed state, so it is the state of exactly one
 * height even while the node keeps committing blocks.
 */
export function exportGenesisDocument(app: OgpuApp, base: GenesisDocument): ExportedGenesis {
  const { height, appHash } = app.lastCommit;
  if (height === 0n) throw new Error("no committed block yet: nothing to export");
  const genesis = continueAt({ ...base, chain_id: app.currentChainId || base.chain_id, app_hash: "", app_state: app.exportAppState() }, height + 1n);
  return { genesis, height, appHash };
}

/**
 * Sets `initial_height` (CometBFT's is a string) and moves vote_extensions_enable_height up to
 * it when it was lower: the first block of a chain has no extended commit to carry, so the
 * beacon (app/beacon.ts) starts one block after the new chain's first, as on a fresh chain.
 */
export function continueAt(genesis: GenesisDocument, initialHeight: bigint): GenesisDocument {
  const params = (genesis.consensus_params ?? {}) as Record<string, unknown>;
  const abci = (params.abci ?? {}) as Record<string, unknown>;
  const enable = BigInt(String(abci.vote_extensions_enable_height ?? "0"));
  const consensus = enable > 0n && enable < initialHeight ? { ...params, abci: { ...abci, vote_extensions_enable_height: String(initialHeight) } } : params;
  return { ...genesis, initial_height: String(initialHeight), consensus_params: consensus };
}
