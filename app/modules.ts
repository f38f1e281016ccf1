import type { AppModule } from "./module.js";
import { authModule } from "../x/auth/module.js";
import { bankModule } from "../x/bank/module.js";
import { stakingModule } from "../x/staking/module.js";
import { distributionModule } from "../x/distribution/module.js";
import { slashingModule } from "../x/slashing/module.js";
import { genutilModule } from "../x/genutil/module.js";
import { workersModule } from "../x/workers/module.js";
import { marketModule } from "../x/market/module.js";
import { attestModule } from "../x/attest/module.js";

/**
 * The modules of the oGPU chain, in genesis and block-hook order. genutil is last: its
 * gentxs need balances and pools, and it returns the validator set staking computed.
 */
export const appModules: readonly AppModule[] = [authModule, bankModule, stakingModule, distributionModule, slashingModule, workersModule, marketModule, attestModule, genutilModule];
