import type { AppModule } from "../../app/module.js";
import { exportDistributionGenesis, initDistributionGenesis } from "./genesis.js";
import { registerDistributionHooks } from "./hooks.js";
import { distributionInvariants } from "./invariants.js";
import { allocateFees } from "./keeper.js";
import { distributionMsgs } from "./msgs.js";
import { distributionQueries } from "./queries.js";

registerDistributionHooks();

/** x/distribution: each block's fees to validators by power, then to delegators after commission. */
export const distributionModule: AppModule = {
  name: "distribution",
  msgs: distributionMsgs,
  queries: distributionQueries,
  invariants: distributionInvariants,
  initGenesis: (ctx, state) => initDistributionGenesis(ctx.store, state),
  exportGenesis: exportDistributionGenesis,
  beginBlock: (ctx) => allocateFees(ctx),
};
