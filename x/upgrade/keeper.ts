import type { Plan } from "cosmjs-types/cosmos/upgrade/v1beta1/upgrade";
import type { Context } from "../../app/context.js";
import { ChainHalt, BINARY_TOO_NEW_EXIT_CODE, UPGRADE_NEEDED_EXIT_CODE } from "../../app/halt.js";
import type { AppModule } from "../../app/module.js";
import type { KVStore } from "../../app/store/kvstore.js";
import type { UpgradeHandler, VersionMap } from "../../app/upgrades/types.js";
import { invalidPlan } from "./errors.js";
import { emitUpgradeEvent } from "./events.js";
import { allDone, clearPlan, getDoneHeight, getPlan, getVersions, setDone, setPlan, setVersion } from "./store.js";

/** What x/upgrade is built from: this binary's upgrade handlers and its modules (versions, migrations). */
export interface UpgradeDeps {
  handlers: readonly UpgradeHandler[];
  /** The app's module list; called only while blocks run, after the wiring is built. */
  modules: () => readonly AppModule[];
}

/** x/upgrade's surface: its Msgs, queries, genesis and the block hook use it; no other module does. */
export interface UpgradeKeeper {
  scheduleUpgrade(ctx: Context, plan: Plan): void;
  cancelUpgrade(ctx: Context): void;
  currentPlan(store: KVStore): Plan | undefined;
  appliedHeight(store: KVStore, name: string): bigint | undefined;
  /** Stored module versions in name order. */
  moduleVersions(store: KVStore): { name: string; version: bigint }[];
  /** This binary's version of every module. */
  binaryVersions(): VersionMap;
  /** Applies a due plan this binary has a handler for; halts for one it lacks or one it knows too early. */
  preBlock(ctx: Context): void;
  /** Refuses a binary that is too new (knows a plan not yet due) or too old (lacks the last applied upgrade). */
  startupCheck(store: KVStore, nextHeight: bigint): void;
}

/** The SDK's log line, which operators and cosmovisor-style supervisors look for. */
export const upgradeNeededMessage = (plan: Plan) => `UPGRADE "${plan.name}" NEEDED at height: ${plan.height}: ${plan.info}`;
export const binaryTooNewMessage = (name: string) => `BINARY UPDATED BEFORE TRIGGER! UPGRADE "${name}" - in binary but not executed on chain. Downgrade your binary`;

export function createUpgradeKeeper({ handlers, modules }: UpgradeDeps): UpgradeKeeper {
  const byName = new Map(handlers.map((h) => [h.name, h]));
  if (byName.size !== handlers.length) throw new Error("two upgrade handlers share a name");

  const binaryVersions = (): VersionMap => Object.fromEntries(modules().map((m) => [m.name, m.consensusVersion ?? 1]));

  function storedVersions(store: KVStore): VersionMap {
    return Object.fromEntries(getVersions(store).map((v) => [v.name, Number(v.version)]));
  }

  /**
   * The module manager's RunMigrations: every module, in module order, from its stored version
   * to this binary's, one registered migration per step; a module the chain has never stored
   * is new and starts from its default genesis. A missing step or a downgrade throws (the
   * handler fails, which halts the chain at the plan height on every node).
   */
  function runMigrations(ctx: Context, from: VersionMap): VersionMap {
    const result: Record<string, number> = {};
    for (const m of modules()) {
      const to = m.consensusVersion ?? 1;
      const have = from[m.name];
      if (have === undefined) {
        m.initGenesis(ctx, m.defaultGenesis(), { deliverTx: () => ({ code: 1, codespace: "upgrade", log: "no txs during a migration" }) });
      } else {
        if (have > to) throw new Error(`module ${m.name} is at version ${have}, newer than this binary's ${to}`);
        for (let v = have; v < to; v++) {
          const step = m.migrations?.[v];
          if (!step) throw new Error(`module ${m.name} has no migration from version ${v} to ${v + 1}`);
          step(ctx);
        }
      }
      result[m.name] = to;
    }
    return result;
  }

  function writeVersions(store: KVStore, versions: VersionMap): void {
    for (const name of Object.keys(versions).sort()) setVersion(store, name, BigInt(versions[name]!));
  }

  function applyUpgrade(ctx: Context, plan: Plan, handler: UpgradeHandler): void {
    const updated = handler.apply(ctx, plan, storedVersions(ctx.store), { runMigrations });
    writeVersions(ctx.store, updated);
    clearPlan(ctx.store);
    setDone(ctx.store, plan.name, ctx.block.height);
    emitUpgradeEvent(ctx.events, "upgrade_applied", { name: plan.name, height: ctx.block.height.toString() });
  }

  /** The plan applied last (highest height; ties cannot happen: one plan per height at most). */
  function lastApplied(store: KVStore): { name: string; height: bigint } | undefined {
    let last: { name: string; height: bigint } | undefined;
    for (const done of allDone(store)) if (!last || done.height > last.height) last = done;
    return last;
  }

  return {
    scheduleUpgrade(ctx, plan) {
      if (plan.height <= ctx.block.height) throw invalidPlan(`upgrade cannot be scheduled in the past: height ${plan.height} is not after the current height ${ctx.block.height}`);
      if (getDoneHeight(ctx.store, plan.name) !== undefined) throw invalidPlan(`upgrade with name ${plan.name} has already been completed`);
      // One plan at a time: a new plan replaces the old (the SDK's ScheduleUpgrade).
      setPlan(ctx.store, plan);
      emitUpgradeEvent(ctx.events, "upgrade_scheduled", { name: plan.name, height: plan.height.toString() });
    },
    cancelUpgrade(ctx) {
      const plan = getPlan(ctx.store);
      if (!plan) return; // the SDK clears nothing and succeeds
      clearPlan(ctx.store);
      emitUpgradeEvent(ctx.events, "upgrade_cancelled", { name: plan.name });
    },
    currentPlan: getPlan,
    appliedHeight: getDoneHeight,
    moduleVersions: getVersions,
    binaryVersions,
    preBlock(ctx) {
      const plan = getPlan(ctx.store);
      if (!plan) return;
      const handler = byName.get(plan.name);
      if (plan.height <= ctx.block.height) {
        if (!handler) throw new ChainHalt(upgradeNeededMessage(plan), UPGRADE_NEEDED_EXIT_CODE, { name: plan.name, height: plan.height, info: plan.info });
        applyUpgrade(ctx, plan, handler);
      } else if (handler) {
        // Running the new release's rules before the height would fork this node from the rest.
        throw new ChainHalt(binaryTooNewMessage(plan.name), BINARY_TOO_NEW_EXIT_CODE);
      }
    },
    startupCheck(store, nextHeight) {
      const plan = getPlan(store);
      if (plan && plan.height > nextHeight && byName.has(plan.name)) throw new ChainHalt(binaryTooNewMessage(plan.name), BINARY_TOO_NEW_EXIT_CODE);
      const last = lastApplied(store);
      if (last && !byName.has(last.name)) {
        throw new ChainHalt(`wrong binary: upgrade "${last.name}" was applied at height ${last.height} but this binary has no handler for it (it predates the chain's state); run the release that has it`, UPGRADE_NEEDED_EXIT_CODE);
      }
    },
  };
}
