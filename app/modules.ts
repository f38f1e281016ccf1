import type { AppModule } from "./module.js";
import type { AnteHandler } from "./tx/runner.js";
import { createAnteHandler } from "../x/auth/ante.js";
import { createAuthKeeper, type AuthKeeper } from "../x/auth/keeper.js";
import { createAuthModule } from "../x/auth/module.js";
import { createBankKeeper, type BankKeeper } from "../x/bank/keeper.js";
import { createBankModule } from "../x/bank/module.js";
import { createStakingKeeper, type StakingKeeper } from "../x/staking/keeper.js";
import { createStakingModule } from "../x/staking/module.js";
import { createDistributionKeeper, type DistributionKeeper } from "../x/distribution/keeper.js";
import { createDistributionModule } from "../x/distribution/module.js";
import { createSlashingKeeper, type SlashingKeeper } from "../x/slashing/keeper.js";
import { createSlashingModule } from "../x/slashing/module.js";
import { createWorkersKeeper, type WorkersHooks, type WorkersKeeper } from "../x/workers/keeper.js";
import { createWorkersModule } from "../x/workers/module.js";
import { createMarketKeeper, type MarketHooks, type MarketKeeper } from "../x/market/keeper.js";
import { createMarketModule } from "../x/market/module.js";
import { createAttestKeeper, type AttestKeeper } from "../x/attest/keeper.js";
import { createAttestModule } from "../x/attest/module.js";
import { createGenutilModule } from "../x/genutil/module.js";
import { createGovKeeper, type GovKeeper } from "../x/gov/keeper.js";
import { createGovModule } from "../x/gov/module.js";
import { lateMsgRouter } from "./msg-router.js";
import type { StakingHooks } from "../x/staking/hooks.js";

export interface AppKeepers {
  auth: AuthKeeper;
  bank: BankKeeper;
  staking: StakingKeeper;
  distribution: DistributionKeeper;
  slashing: SlashingKeeper;
  workers: WorkersKeeper;
  market: MarketKeeper;
  attest: AttestKeeper;
  gov: GovKeeper;
}

/** Everything OgpuApp needs from the modules: the module list and x/auth's ante handler. */
export interface AppWiring {
  modules: readonly AppModule[];
  ante: AnteHandler;
  keepers: AppKeepers;
}

/**
 * The composition root (the SDK's app.go): builds every keeper in dependency order, hands
 * each the keepers it calls and the hooks others registered on it, and lists the modules in
 * genesis and block-hook order. Each call builds a fresh, independent wiring.
 *
 * Hooks point at keepers built later (staking → distribution, market → attest); they are
 * only called while blocks run, after this function has returned.
 */
export function createAppWiring(): AppWiring {
  const auth = createAuthKeeper();
  const bank = createBankKeeper({ auth });

  // Staking hooks: rewards are settled before a delegation's shares change.
  const stakingHooks: StakingHooks = {
    beforeDelegationSharesChange: (ctx, delegator, operator) => void distribution.settleDelegation(ctx, delegator, operator),
  };
  const staking = createStakingKeeper({ bank, hooks: stakingHooks });
  const distribution = createDistributionKeeper({ auth, bank, staking });
  const slashing = createSlashingKeeper({ staking });
  // Workers hooks: the EWMA success of a validator operator's worker is its reliability r_i.
  const workersHooks: WorkersHooks = {
    reliabilityChanged: (ctx, operator, ewmaSuccessBps) => staking.recordOperatorReliability(ctx.store, operator, ewmaSuccessBps),
  };
  const workers = createWorkersKeeper({ bank, hooks: workersHooks });

  // Market hooks: a closed task drops its Proof-of-Sync record; k = 1 tasks need a trusted worker.
  const marketHooks: MarketHooks = {
    taskClosed: (ctx, taskId) => attest.dropRecord(ctx, taskId),
    minTrustedCv: (ctx) => attest.minTrustedCv(ctx),
  };
  const market = createMarketKeeper({ bank, workers, hooks: marketHooks });
  const attest = createAttestKeeper({ bank, market, staking, workers });
  // Gov executes passed proposals through the app's own router, filled once the module list exists.
  const router = lateMsgRouter();
  const gov = createGovKeeper({ auth, bank, staking, router });

  // genutil is last: its gentxs need balances and pools, and it returns the validator set staking computed.
  const modules: AppModule[] = [
    createAuthModule(),
    createBankModule(bank, { auth }),
    createStakingModule(staking, { auth, bank }),
    createDistributionModule(distribution, { auth, bank, staking }),
    createSlashingModule(slashing),
    createWorkersModule(workers, { auth, bank, hooks: workersHooks }),
    createMarketModule(market, { auth, bank, workers, hooks: marketHooks }),
    createAttestModule(attest, { bank, market, staking, workers }),
    createGovModule(gov, { auth, bank }),
    createGenutilModule({ staking }),
  ];
  router.fill(modules);
  return { modules, ante: createAnteHandler({ bank }), keepers: { auth, bank, staking, distribution, slashing, workers, market, attest, gov } };
}
