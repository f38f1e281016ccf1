import type { Context } from "../../app/context.js";
import { marketParams } from "./params.js";

/** x/market's consensus version: 2 since params are stored complete (see migrations below). */
export const MARKET_CONSENSUS_VERSION = 2;

/**
 * x/market's in-place migrations, keyed by the version they migrate from; an upgrade handler
 * runs them (app/upgrades/). Fresh chains start at MARKET_CONSENSUS_VERSION and skip them.
 */
export const marketMigrations: Readonly<Record<number, (ctx: Context) => void>> = {
  /**
   * 1 → 2: params stored by an earlier release lack the fields added since (max_gpu_models,
   * max_auditor_key_fingerprints, …); they are written back with each missing field at its
   * default, so state and export carry every param this release reads.
   */
  1: (ctx) => marketParams.set(ctx.store, marketParams.get(ctx.store)),
};
