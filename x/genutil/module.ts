import type { AppModule } from "../../app/module.js";
import { exportGenutilGenesis, initGenutilGenesis } from "./genesis.js";

/**
 * x/genutil: genesis transactions. Last in the module order so gentxs run once balances,
 * pools and params exist; it returns the initial validator set to InitChain.
 */
export const genutilModule: AppModule = {
  name: "genutil",
  msgs: [],
  queries: [],
  invariants: [],
  initGenesis: (ctx, state, tools) => initGenutilGenesis(ctx, state, tools),
  exportGenesis: exportGenutilGenesis,
};
