import type { Context } from "../../app/context.js";

/**
 * Other modules react to delegation changes without x/staking importing them (x/distribution
 * settles a delegator's rewards before its shares change — the SDK's staking hooks).
 */
export interface StakingHooks {
  /** Called before the shares of (delegator, operator) change, including a new delegation. */
  beforeDelegationSharesChange?(ctx: Context, delegator: Uint8Array, operator: Uint8Array): void;
}

const registered: StakingHooks[] = [];

export function addStakingHooks(hooks: StakingHooks): void {
  if (!registered.includes(hooks)) registered.push(hooks);
}

export function beforeDelegationSharesChange(ctx: Context, delegator: Uint8Array, operator: Uint8Array): void {
  for (const h of registered) h.beforeDelegationSharesChange?.(ctx, delegator, operator);
}
