import type { AppModule } from "../../app/module.js";
import type { AuthKeeper } from "../auth/keeper.js";
import { createMarketEndBlock } from "./block.js";
import { defaultMarketGenesis, exportMarketGenesis, initMarketGenesis } from "./genesis.js";
import { marketInvariants } from "./invariants.js";
import { MARKET_CONSENSUS_VERSION, marketMigrations } from "./migrations.js";
import type { MarketDeps, MarketKeeper } from "./keeper.js";
import { marketMsgs } from "./msgs.js";
import { marketQueries } from "./queries.js";

/**
 * x/market: tasks, escrow, the scheduler, failover and demand pricing. The scheduler runs in
 * EndBlock so the block's own submissions and heartbeats are seen (docs/market.md).
 */
export function createMarketModule(keeper: MarketKeeper, deps: MarketDeps & { auth: Pick<AuthKeeper, "ensureModuleAccount"> }): AppModule {
  return {
    name: "market",
    msgs: marketMsgs(keeper, deps),
    queries: marketQueries,
    invariants: marketInvariants(deps),
    initGenesis: (ctx, state) => initMarketGenesis(deps, ctx.store, state),
    exportGenesis: exportMarketGenesis,
    defaultGenesis: defaultMarketGenesis,
    consensusVersion: MARKET_CONSENSUS_VERSION,
    migrations: marketMigrations,
    endBlock: createMarketEndBlock(keeper, deps),
  };
}
