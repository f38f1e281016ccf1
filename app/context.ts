import type { KVStore } from "./store/kvstore.js";
import type { GasMeter } from "./gas.js";
import type { EventLog } from "./events.js";

/** How a tx is being run: the rules differ slightly (min fee only in check, no sig check in simulate). */
export type ExecMode = "check" | "recheck" | "simulate" | "deliver";

/** Header facts every handler may read; the only source of "now" in consensus code. */
export interface BlockInfo {
  chainId: string;
  height: bigint;
  /** Block time from the header, unix seconds (never the wall clock). */
  timeSeconds: bigint;
  /**
   * The block's randomness beacon (app/beacon.ts): validators' signatures from the last
   * commit, never this block's hash or tx order. Empty outside FinalizeBlock.
   */
  beacon: Uint8Array;
}

/** Everything a message or query handler gets: state, block facts, gas, events. */
export interface Context {
  readonly store: KVStore;
  readonly block: BlockInfo;
  readonly mode: ExecMode;
  readonly gas: GasMeter;
  readonly events: EventLog;
}
