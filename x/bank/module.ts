import type { AppModule } from "../../app/module.js";
import { exportBankGenesis, initBankGenesis } from "./genesis.js";
import { bankInvariants } from "./invariants.js";
import { bankMsgs } from "./msgs.js";
import { bankQueries } from "./queries.js";

/** x/bank: balances, transfers, supply, the 21M cap and the max-wallet rule. */
export const bankModule: AppModule = {
  name: "bank",
  msgs: bankMsgs,
  queries: bankQueries,
  invariants: bankInvariants,
  initGenesis: (ctx, state) => initBankGenesis(ctx.store, state),
  exportGenesis: exportBankGenesis,
};
