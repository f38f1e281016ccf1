import type { Context } from "../../app/context.js";

/**
 * Other modules react to delegation changes without x/staking importing them (x/distribution
 * settles a delegator's rewards before its shares change — the SDK's staking hooks). The
 * composition root (app/modules.ts) builds this object and hands it to createStakingKeeper.
 */
export interface StakingHooks {
  /** Called before the shares of (delegator, operator) change, including a new delegation. */
  beforeDelegationSharesChange?(ctx: Context, delegator: Uint8Array, operator: Uint8Array): void;
}
