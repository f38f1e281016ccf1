import type { AppModule } from "../../app/module.js";
import type { StakingKeeper } from "../staking/keeper.js";
import { defaultGenutilGenesis, exportGenutilGenesis, initGenutilGenesis } from "./genesis.js";

// Shape exemption: keeper, msgs, queries, params, events, errors, invariants, store, tests — it only runs gentxs (gentx.ts) at InitChain and keeps no state; x/staking/staking.test.ts tests gentxs.
/**
 * x/genutil: genesis transactions. Last in the module order so gentxs run once balances,
 * pools and params exist; it returns the initial validator set to InitChain.
 */
export function createGenutilModule(deps: { staking: Pick<StakingKeeper, "applyValidatorSetChanges"> }): AppModule {
  return {
    name: "genutil",
    msgs: [],
    queries: [],
    invariants: [],
    initGenesis: (ctx, state, tools) => initGenutilGenesis(deps.staking, ctx, state, tools),
    exportGenesis: exportGenutilGenesis,
    defaultGenesis: defaultGenutilGenesis,
  };
}
