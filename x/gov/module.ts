import type { AppModule } from "../../app/module.js";
import type { AuthKeeper } from "../auth/keeper.js";
import type { BankKeeper } from "../bank/keeper.js";
import { defaultGovGenesis, exportGovGenesis, initGovGenesis } from "./genesis.js";
import { govInvariants } from "./invariants.js";
import type { GovKeeper } from "./keeper.js";
import { govMsgs } from "./msgs.js";
import { govQueries } from "./queries.js";

/** x/gov: proposals, deposits, stake-weighted votes, and execution of passed proposals' messages (docs/gov.md). */
export function createGovModule(keeper: GovKeeper, deps: { auth: Pick<AuthKeeper, "ensureModuleAccount">; bank: Pick<BankKeeper, "getBalance"> }): AppModule {
  return {
    name: "gov",
    msgs: govMsgs(keeper),
    queries: govQueries(keeper),
    invariants: govInvariants(deps.bank),
    initGenesis: (ctx, state) => initGovGenesis(deps.auth, ctx.store, state),
    exportGenesis: exportGovGenesis,
    defaultGenesis: defaultGovGenesis,
    endBlock: (ctx) => keeper.endBlock(ctx),
  };
}
