import type { AppModule } from "../../app/module.js";
import type { AuthKeeper } from "../auth/keeper.js";
import { defaultTreasuryGenesis, exportTreasuryGenesis, initTreasuryGenesis } from "./genesis.js";
import { treasuryInvariants } from "./invariants.js";
import type { TreasuryDeps, TreasuryKeeper } from "./keeper.js";
import { treasuryMsgs } from "./msgs.js";
import { treasuryQueries } from "./queries.js";

// Shape exemption: params — the treasury has no knobs: what flows in is set by its payers' params, what flows out by proposals.
/** x/treasury: the fee pool every payer deposits into through one keeper method, spendable only by a passed proposal (docs/treasury.md). */
export function createTreasuryModule(keeper: TreasuryKeeper, deps: TreasuryDeps & { auth: Pick<AuthKeeper, "ensureModuleAccount"> }): AppModule {
  return {
    name: "treasury",
    msgs: treasuryMsgs(keeper),
    queries: treasuryQueries(keeper),
    invariants: treasuryInvariants(deps),
    initGenesis: (ctx, state) => initTreasuryGenesis(deps.auth, deps.bank, ctx.store, state),
    exportGenesis: exportTreasuryGenesis,
    defaultGenesis: defaultTreasuryGenesis,
  };
}
