import type { ValidatorUpdate } from "cosmjs-types/tendermint/abci/types";
import { sha256 } from "../crypto/hash.js";
import type { KVStore } from "./store/kvstore.js";
import { bytesKey } from "./store/keys.js";
import { getBigInt, setBigInt } from "./store/values.js";

/**
 * What the app knows about CometBFT's validators, for checking beacon signatures:
 *   app/conskey/ ‖ address(20) → ed25519 pubkey, for every validator CometBFT was ever told of
 *     (InitChain's set and every validator update). An address is a hash of its key, so an
 *     entry never changes and is never removed: a validator leaving the set at H still signs
 *     the commit of H + 1, which the beacon of H + 2 carries.
 *   app/ve_enable_height → consensus_params.abci.vote_extensions_enable_height from InitChain.
 *   app/last_block_hash → hash of the last finalized block (what its precommits signed over).
 */
const CONSENSUS_KEY = "app/conskey/";
const VE_ENABLE_HEIGHT = "app/ve_enable_height";
const LAST_BLOCK_HASH = "app/last_block_hash";

export function recordConsensusKeys(store: KVStore, updates: readonly ValidatorUpdate[]): void {
  for (const u of updates) {
    const key = u.pubKey?.ed25519;
    if (key === undefined || key.length !== 32) continue;
    const entry = CONSENSUS_KEY + bytesKey(sha256(key).subarray(0, 20));
    if (store.get(entry) === undefined) store.set(entry, key);
  }
}

export function consensusKeyByAddress(store: KVStore, address: Uint8Array): Uint8Array | undefined {
  if (address.length !== 20) return undefined;
  return store.get(CONSENSUS_KEY + bytesKey(address));
}

export function setVoteExtensionsEnableHeight(store: KVStore, height: bigint): void {
  setBigInt(store, VE_ENABLE_HEIGHT, height, 0n);
}

export function voteExtensionsEnableHeight(store: KVStore): bigint {
  return getBigInt(store, VE_ENABLE_HEIGHT);
}

export function setLastBlockHash(store: KVStore, hash: Uint8Array): void {
  store.set(LAST_BLOCK_HASH, hash);
}

export function lastBlockHash(store: KVStore): Uint8Array {
  return store.get(LAST_BLOCK_HASH) ?? new Uint8Array();
}

/** consensus_params.block.max_gas from InitChain; absent (CometBFT's −1) = no block gas limit. */
const MAX_BLOCK_GAS = "app/max_block_gas";

/** Records a positive max_gas only, so chains without one keep their state (and app hash). */
export function setMaxBlockGas(store: KVStore, maxGas: bigint): void {
  if (maxGas > 0n) setBigInt(store, MAX_BLOCK_GAS, maxGas, 0n);
}

/** The block gas limit, or undefined when the chain has none. */
export function maxBlockGas(store: KVStore): bigint | undefined {
  const gas = getBigInt(store, MAX_BLOCK_GAS);
  return gas > 0n ? gas : undefined;
}
