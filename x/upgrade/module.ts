import type { AppModule } from "../../app/module.js";
import { defaultUpgradeGenesis, exportUpgradeGenesis, initUpgradeGenesis } from "./genesis.js";
import { upgradeInvariants } from "./invariants.js";
import type { UpgradeKeeper } from "./keeper.js";
import { upgradeMsgs } from "./msgs.js";
import { upgradeQueries } from "./queries.js";

// Shape exemption: params — x/upgrade has none (as in the SDK): plans come from gov, handlers from the binary.

/**
 * x/upgrade: gov-scheduled software upgrade plans (cosmos.upgrade.v1beta1), applied or halted
 * for at their height in preBlock — before every other module's hooks and any tx of the block —
 * and the stored module versions migrations start from. Handlers: app/upgrades/registry.ts.
 */
export function createUpgradeModule(keeper: UpgradeKeeper): AppModule {
  return {
    name: "upgrade",
    msgs: upgradeMsgs(keeper),
    queries: upgradeQueries(keeper),
    invariants: upgradeInvariants,
    initGenesis: (ctx, state) => initUpgradeGenesis(ctx.store, state, keeper.binaryVersions()),
    exportGenesis: exportUpgradeGenesis,
    defaultGenesis: defaultUpgradeGenesis,
    preBlock: (ctx) => keeper.preBlock(ctx),
    startupCheck: (store, nextHeight) => keeper.startupCheck(store, nextHeight),
  };
}
