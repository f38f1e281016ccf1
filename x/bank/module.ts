import type { AppModule } from "../../app/module.js";
import { defaultBankGenesis, exportBankGenesis, initBankGenesis } from "./genesis.js";
import { bankInvariants } from "./invariants.js";
import { bankMsgs } from "./msgs.js";
import type { BankDeps, BankKeeper } from "./keeper.js";
import { bankQueries } from "./queries.js";

/** x/bank: balances, transfers, supply, the 21M cap and the max-wallet rule. */
export function createBankModule(keeper: BankKeeper, deps: BankDeps): AppModule {
  return {
    name: "bank",
    msgs: bankMsgs(keeper, deps),
    queries: bankQueries,
    invariants: bankInvariants,
    initGenesis: (ctx, state) => initBankGenesis(keeper, ctx.store, state),
    exportGenesis: exportBankGenesis,
    defaultGenesis: defaultBankGenesis,
  };
}
