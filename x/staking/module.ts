import type { AppModule } from "../../app/module.js";
import { exportStakingGenesis, initStakingGenesis } from "./genesis.js";
import { stakingInvariants } from "./invariants.js";
import { completeMaturedEntries } from "./keeper.js";
import { stakingMsgs } from "./msgs.js";
import { applyValidatorSetChanges, isEpochBoundary, recomputeComputeMultipliers } from "./power.js";
import { stakingQueries } from "./queries.js";

/**
 * x/staking: compute-weighted proof of stake. endBlock pays matured unbondings, recomputes
 * compute multipliers at epoch boundaries, and sends CometBFT only the powers that changed.
 * Its initGenesis returns nothing: x/genutil (last in the module order) returns the set
 * once the genesis txs have created the validators.
 */
export const stakingModule: AppModule = {
  name: "staking",
  msgs: stakingMsgs,
  queries: stakingQueries,
  invariants: stakingInvariants,
  initGenesis: (ctx, state) => initStakingGenesis(ctx.store, state),
  exportGenesis: exportStakingGenesis,
  endBlock(ctx) {
    completeMaturedEntries(ctx);
    if (isEpochBoundary(ctx.store, ctx.block.height)) recomputeComputeMultipliers(ctx.store, ctx.block.height);
    return applyValidatorSetChanges(ctx.store);
  },
};
