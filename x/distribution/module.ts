import type { AppModule } from "../../app/module.js";
import type { AuthKeeper } from "../auth/keeper.js";
import { defaultDistributionGenesis, exportDistributionGenesis, initDistributionGenesis } from "./genesis.js";
import { distributionInvariants } from "./invariants.js";
import type { DistributionDeps, DistributionKeeper } from "./keeper.js";
import { distributionMsgs } from "./msgs.js";
import { distributionQueries } from "./queries.js";

// Shape exemption: params — no community tax or proposer bonus: every fee goes to validators and delegators.
/** x/distribution: each block's fees to validators by power, then to delegators after commission. */
export function createDistributionModule(keeper: DistributionKeeper, deps: DistributionDeps & { auth: Pick<AuthKeeper, "ensureModuleAccount"> }): AppModule {
  return {
    name: "distribution",
    msgs: distributionMsgs(keeper, deps.staking),
    queries: distributionQueries(keeper, deps.staking),
    invariants: distributionInvariants(keeper, deps),
    initGenesis: (ctx, state) => initDistributionGenesis(deps.auth, ctx.store, state),
    exportGenesis: (store) => exportDistributionGenesis(deps.staking, store),
    defaultGenesis: defaultDistributionGenesis,
    beginBlock: (ctx) => keeper.allocateFees(ctx),
  };
}
