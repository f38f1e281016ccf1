import type { AppModule } from "../../app/module.js";
import { defaultSlashingGenesis, exportSlashingGenesis, initSlashingGenesis } from "./genesis.js";
import { slashingInvariants } from "./invariants.js";
import type { SlashingKeeper } from "./keeper.js";
import { slashingMsgs } from "./msgs.js";
import { slashingQueries } from "./queries.js";

/**
 * x/slashing: double-sign evidence (5 %, tombstone) and downtime (0.01 %, jail) from each
 * FinalizeBlock's misbehavior and last-commit votes, and MsgUnjail. It runs in beginBlock,
 * before staking's endBlock, so a jailed validator leaves CometBFT's set in the same block.
 */
export function createSlashingModule(keeper: SlashingKeeper): AppModule {
  return {
    name: "slashing",
    msgs: slashingMsgs(keeper),
    queries: slashingQueries,
    invariants: slashingInvariants,
    initGenesis: (ctx, state) => initSlashingGenesis(ctx.store, state),
    exportGenesis: exportSlashingGenesis,
    defaultGenesis: defaultSlashingGenesis,
    beginBlock: (ctx, req) => keeper.beginBlockSlashing(ctx, req.misbehavior, req.decidedLastCommit.votes),
  };
}
