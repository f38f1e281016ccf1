import type { AppModule } from "../../app/module.js";
import { marketEndBlock } from "./block.js";
import { exportMarketGenesis, initMarketGenesis } from "./genesis.js";
import { marketInvariants } from "./invariants.js";
import { marketMsgs } from "./msgs.js";
import { marketQueries } from "./queries.js";

/**
 * x/market: tasks, escrow, the scheduler, failover and demand pricing. The scheduler runs in
 * EndBlock so the block's own submissions and heartbeats are seen (docs/market.md).
 */
export const marketModule: AppModule = {
  name: "market",
  msgs: marketMsgs,
  queries: marketQueries,
  invariants: marketInvariants,
  initGenesis: (ctx, state) => initMarketGenesis(ctx.store, state),
  exportGenesis: exportMarketGenesis,
  endBlock: (ctx) => marketEndBlock(ctx),
};
