import type { AppModule } from "../../app/module.js";
import { defaultStakingGenesis, exportStakingGenesis, initStakingGenesis } from "./genesis.js";
import { stakingInvariants } from "./invariants.js";
import type { AuthKeeper } from "../auth/keeper.js";
import type { BankKeeper } from "../bank/keeper.js";
import type { StakingKeeper } from "./keeper.js";
import { stakingMsgs } from "./msgs.js";
import { isEpochBoundary, recomputeComputeCredits } from "./power.js";
import { stakingQueries } from "./queries.js";

/**
 * x/staking: compute-weighted proof of stake. endBlock pays matured unbondings, recomputes
 * compute credits at epoch boundaries, and sends CometBFT only the powers that changed.
 * Its initGenesis returns nothing: x/genutil (last in the module order) returns the set
 * once the genesis txs have created the validators.
 */
export function createStakingModule(keeper: StakingKeeper, deps: { auth: Pick<AuthKeeper, "ensureModuleAccount">; bank: Pick<BankKeeper, "getBalance"> }): AppModule {
  return {
    name: "staking",
    msgs: stakingMsgs(keeper),
    queries: stakingQueries(deps.bank),
    invariants: stakingInvariants(deps.bank),
    initGenesis: (ctx, state) => initStakingGenesis(deps.auth, ctx.store, state),
    exportGenesis: exportStakingGenesis,
    defaultGenesis: defaultStakingGenesis,
    endBlock(ctx) {
      keeper.completeMaturedEntries(ctx);
      if (isEpochBoundary(ctx.store, ctx.block.height)) recomputeComputeCredits(ctx.store, ctx.block.height);
      return keeper.applyValidatorSetChanges(ctx.store);
    },
  };
}
