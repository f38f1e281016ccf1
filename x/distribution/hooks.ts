import { addStakingHooks } from "../staking/hooks.js";
import { settleDelegation } from "./keeper.js";

/** Settles rewards before x/staking changes a delegation, so the accumulator stays exact. */
export function registerDistributionHooks(): void {
  addStakingHooks(distributionHooks);
}

const distributionHooks = {
  beforeDelegationSharesChange: settleDelegation,
};
