import type { AppModule } from "../../app/module.js";
import { exportAuthGenesis, initAuthGenesis } from "./genesis.js";
import { authInvariants } from "./invariants.js";
import { authQueries } from "./queries.js";

/** x/auth: accounts, numbers, sequences, public keys. Its tx checks live in the ante handler. */
export const authModule: AppModule = {
  name: "auth",
  msgs: [],
  queries: authQueries,
  invariants: authInvariants,
  initGenesis: (ctx, state) => initAuthGenesis(ctx.store, state),
  exportGenesis: exportAuthGenesis,
};
