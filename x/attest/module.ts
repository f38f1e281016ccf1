import type { AppModule } from "../../app/module.js";
import { attestBeginBlock, attestEndBlock } from "./block.js";
import { defaultAttestGenesis, exportAttestGenesis, initAttestGenesis } from "./genesis.js";
import { attestInvariants } from "./invariants.js";
import type { AttestDeps, AttestKeeper } from "./keeper.js";
import { attestMsgs } from "./msgs.js";
import { attestQueries } from "./queries.js";

/**
 * x/attest: Proof of Sync — commit/reveal of results, audit draws from a later block's beacon,
 * validator committees, BFT finality, settlement and slashing (docs/proof-of-sync.md).
 * Its market hooks (dropRecord, minTrustedCv) are wired in app/modules.ts.
 */
export function createAttestModule(keeper: AttestKeeper, deps: AttestDeps): AppModule {
  return {
    name: "attest",
    msgs: attestMsgs(keeper),
    queries: attestQueries(keeper),
    invariants: attestInvariants(deps),
    initGenesis: (ctx, state) => initAttestGenesis(ctx.store, state),
    exportGenesis: exportAttestGenesis,
    defaultGenesis: defaultAttestGenesis,
    beginBlock: (ctx) => attestBeginBlock(keeper, ctx),
    endBlock: (ctx) => attestEndBlock(keeper, ctx),
  };
}
