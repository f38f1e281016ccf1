import type { AppModule } from "../../app/module.js";
import { onTaskClosed } from "../market/keeper.js";
import { setTrustPolicy } from "../market/block.js";
import { attestBeginBlock, attestEndBlock } from "./block.js";
import { exportAttestGenesis, initAttestGenesis } from "./genesis.js";
import { attestInvariants } from "./invariants.js";
import { dropRecord } from "./keeper.js";
import { attestMsgs } from "./msgs.js";
import { attestParams } from "./params.js";
import { attestQueries } from "./queries.js";

// A task that ends in x/market (settled, expired, cancelled) takes its record with it, and
// the scheduler gives k = 1 tasks to workers with CV ≥ adaptive_min_cv (adaptive replication).
onTaskClosed(dropRecord);
setTrustPolicy((ctx) => BigInt(attestParams.get(ctx.store).adaptive_min_cv));

/**
 * x/attest: Proof of Sync — commit/reveal of results, audit draws from a later block's beacon,
 * validator committees, BFT finality, settlement and slashing (docs/proof-of-sync.md).
 */
export const attestModule: AppModule = {
  name: "attest",
  msgs: attestMsgs,
  queries: attestQueries,
  invariants: attestInvariants,
  initGenesis: (ctx, state) => initAttestGenesis(ctx.store, state),
  exportGenesis: exportAttestGenesis,
  beginBlock: (ctx) => attestBeginBlock(ctx),
  endBlock: (ctx) => attestEndBlock(ctx),
};
