import type { AppModule } from "../../app/module.js";
import { exportSlashingGenesis, initSlashingGenesis } from "./genesis.js";
import { slashingInvariants } from "./invariants.js";
import { beginBlockSlashing } from "./keeper.js";
import { slashingMsgs } from "./msgs.js";
import { slashingQueries } from "./queries.js";

/**
 * x/slashing: double-sign evidence (5 %, tombstone) and downtime (0.01 %, jail) from each
 * FinalizeBlock's misbehavior and last-commit votes, and MsgUnjail. It runs in beginBlock,
 * before staking's endBlock, so a jailed validator leaves CometBFT's set in the same block.
 */
export const slashingModule: AppModule = {
  name: "slashing",
  msgs: slashingMsgs,
  queries: slashingQueries,
  invariants: slashingInvariants,
  initGenesis: (ctx, state) => initSlashingGenesis(ctx.store, state),
  exportGenesis: exportSlashingGenesis,
  beginBlock: (ctx, req) => beginBlockSlashing(ctx, req.misbehavior, req.decidedLastCommit.votes),
};
