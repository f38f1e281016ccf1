import type { AppModule } from "../../app/module.js";
import { defaultMintGenesis, exportMintGenesis, initMintGenesis } from "./genesis.js";
import { mintInvariants } from "./invariants.js";
import type { MintDeps, MintKeeper } from "./keeper.js";
import { mintMsgs } from "./msgs.js";
import { mintQueries } from "./queries.js";

/**
 * x/mint: the halving emission under the 21M cap — block rewards to the fee collector (paid
 * by x/distribution) and provider rewards P_i = f(C_i, T_i, λ) per epoch. Runs its block hook
 * before x/distribution's, so a block's reward is allocated in the same block.
 */
export function createMintModule(keeper: MintKeeper, deps: MintDeps): AppModule {
  return {
    name: "mint",
    msgs: mintMsgs(keeper),
    queries: mintQueries(keeper),
    invariants: mintInvariants(deps.bank),
    initGenesis: (ctx, state) => initMintGenesis(deps, ctx.store, state),
    exportGenesis: exportMintGenesis,
    defaultGenesis: defaultMintGenesis,
    beginBlock: (ctx) => keeper.beginBlock(ctx),
  };
}
