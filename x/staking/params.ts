import { defineParams } from "../../app/params.js";
import { parseDec, DEC_ONE } from "../../app/dec.js";

/**
 * Staking parameters. Durations are in blocks (the chain has no trusted clock for them);
 * bigint-sized amounts are decimal strings, rates are Cosmos Dec strings (18 decimals).
 * - unbonding_blocks: an undelegation is paid out in the endBlock of creation height + this.
 * - epoch_blocks: compute credits are recomputed when height % epoch_blocks == 0.
 * - compute_window_blocks: C_i sums verified compute over the last this-many blocks.
 * - max_due_per_block: queue entries of each kind this module's block hook settles per block;
 *   the rest stay due and come first in the next block (bounded block work).
 * - compute_alpha_bps / compute_kappa: power = S + α·min(κ·S, credit), credit = market fees (OGPU)
 *   the validator's verified work paid in the window; α ≤ 1 so compute never buys power cheaper
 *   than stake (docs/security.md, issue 10 item 5).
 */
export const stakingParams = defineParams(
  "staking/params",
  {
    bond_denom: "uogpu",
    unbonding_blocks: 100,
    max_validators: 100,
    max_entries: 7,
    epoch_blocks: 100,
    compute_window_blocks: 1000,
    compute_alpha_bps: 10_000,
    compute_kappa: 3,
    /** Chain-wide floor for a validator's self-delegation, uogpu (default 1 OGPU). */
    min_self_delegation: "1000000",
    min_commission_rate: "0",
    max_due_per_block: 1000,
  },
  (p) => {
    for (const k of ["unbonding_blocks", "max_validators", "max_entries", "epoch_blocks", "compute_window_blocks", "max_due_per_block"] as const) {
      if (p[k] < 1) throw new Error(`${k} must be at least 1`);
    }
    // α > 1 would sell a unit of power for less than 1 OGPU of fees: cheaper than stake.
    if (p.compute_alpha_bps < 0 || p.compute_alpha_bps > 10_000) throw new Error("compute_alpha_bps must be in 0..10000");
    if (p.compute_kappa < 0) throw new Error("compute_kappa must not be negative");
    if (!/^[0-9]+$/.test(p.min_self_delegation) || BigInt(p.min_self_delegation) < 1n) throw new Error("min_self_delegation must be a positive integer string");
    const minRate = parseDec(p.min_commission_rate);
    if (minRate > DEC_ONE) throw new Error("min_commission_rate must be in [0, 1]");
  },
);

export type StakingParams = ReturnType<typeof stakingParams.get>;
