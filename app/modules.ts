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
import { createMintKeeper, type MintKeeper } from "../x/mint/keeper.js";
import { createMintModule } from "../x/mint/module.js";
import { createGovKeeper, type GovKeeper } from "../x/gov/keeper.js";
import { createGovModule } from "../x/gov/module.js";
import { createTreasuryKeeper, type TreasuryKeeper } from "../x/treasury/keeper.js";
import { createTreasuryModule } from "../x/treasury/module.js";
import { lateMsgRouter } from "./msg-router.js";
import { createAuthzKeeper, type AuthzKeeper } from "../x/authz/keeper.js";
import { createAuthzModule } from "../x/authz/module.js";
import type { StakingHooks } from "../x/staking/hooks.js";
import { createUpgradeKeeper, type UpgradeKeeper } from "../x/upgrade/keeper.js";
import { createUpgradeModule } from "../x/upgrade/module.js";
import { UPGRADE_HANDLERS } from "./upgrades/registry.js";
import type { UpgradeHandler } from "./upgrades/types.js";

export interface AppKeepers {
  auth: AuthKeeper;
  bank: BankKeeper;
  staking: StakingKeeper;
  distribution: DistributionKeeper;
  slashing: SlashingKeeper;
  workers: WorkersKeeper;
  market: MarketKeeper;
  attest: AttestKeeper;
  mint: MintKeeper;
  gov: GovKeeper;
  treasury: TreasuryKeeper;
  upgrade: UpgradeKeeper;
  authz: AuthzKeeper;
}

export interface WiringOptions {
  /** The upgrade handlers this binary has (default: app/upgrades/registry.ts). */
  upgrades?: readonly UpgradeHandler[];
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
export function createAppWiring(options: WiringOptions = {}): AppWiring {
  const auth = createAuthKeeper();
  const bank = createBankKeeper({ auth });
  // Every flow into the treasury (market fees, unexecutable fees, bond slashes) goes through treasury.deposit.
  const treasury = createTreasuryKeeper({ auth, bank });

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
    heartbeat: (ctx, operator) => mint.recordHeartbeat(ctx, operator),
  };
  const workers = createWorkersKeeper({ bank, treasury, hooks: workersHooks });

  // Market hooks: a closed task drops its Proof-of-Sync record; k = 1 tasks need a trusted worker.
  const marketHooks: MarketHooks = {
    taskClosed: (ctx, taskId) => attest.dropRecord(ctx, taskId),
    minTrustedCv: (ctx) => attest.minTrustedCv(ctx),
    resultPaid: (ctx, worker, fee) => mint.recordResultFee(ctx, worker, fee),
    // Assign→commit latency feeds x/workers' anomaly detection (per-unit latency against the tier's median).
    slotCommitted: (ctx, worker, latencyBlocks, units) => workers.recordCommitLatency(ctx, worker, latencyBlocks, units),
    // The verified workers of one task against each other (units cancel out): the peer rule, which jails.
    resultsSettled: (ctx, samples) => workers.recordPeerLatencies(ctx, samples),
  };
  const market = createMarketKeeper({ bank, treasury, workers, hooks: marketHooks });
  const attest = createAttestKeeper({ bank, market, staking, workers });
  // Mint reads uptime windows (workers) and λ (market's base prices); its provider index is fed by the hooks above.
  const mintDeps = { auth, bank, workers, market };
  const mint = createMintKeeper(mintDeps);
  // Gov executes passed proposals through the app's own router, filled once the module list exists.
  const router = lateMsgRouter();
  const gov = createGovKeeper({ auth, bank, staking, router });
  // x/upgrade reads the module list (versions, migrations) only while blocks run.
  // x/authz runs a grantee's MsgExec through the same router, as the granter.
  const authz = createAuthzKeeper({ bank, router });
  const upgrade = createUpgradeKeeper({ handlers: options.upgrades ?? UPGRADE_HANDLERS, modules: () => modules });

  // genutil is last: its gentxs need balances and pools, and it returns the validator set staking computed.
  const modules: AppModule[] = [
    createAuthModule(),
    createBankModule(bank, { auth }),
    // After bank (the schedule is checked against the genesis allocation), before distribution
    // (a block's reward reaches the fee collector before distribution allocates it).
    createMintModule(mint, mintDeps),
    createStakingModule(staking, { auth, bank }),
    createDistributionModule(distribution, { auth, bank, staking }),
    createSlashingModule(slashing),
    createWorkersModule(workers, { auth, bank, treasury, hooks: workersHooks }),
    createMarketModule(market, { auth, bank, treasury, workers, hooks: marketHooks }),
    createAttestModule(attest, { bank, market, staking, workers }),
    createTreasuryModule(treasury, { auth, bank }),
    createGovModule(gov, { auth, bank }),
    createUpgradeModule(upgrade),
    createAuthzModule(authz, { router }),
    createGenutilModule({ staking }),
  ];
  router.fill(modules);
  return { modules, ante: createAnteHandler({ bank }), keepers: { auth, bank, staking, distribution, slashing, workers, market, attest, mint, gov, treasury, upgrade, authz } };
}
