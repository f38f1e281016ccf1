import type { Plan } from "cosmjs-types/cosmos/upgrade/v1beta1/upgrade";
import type { Context } from "../context.js";

/** Module name → consensus version, as stored by x/upgrade (the SDK's module.VersionMap). */
export type VersionMap = Readonly<Record<string, number>>;

/** What an upgrade handler may call: the module manager's migration runner. */
export interface UpgradeTools {
  /**
   * Brings every module from its version in `from` to this binary's version by running its
   * registered migrations in order (a module absent from `from` is new: its default genesis
   * is applied); returns the resulting version map.
   */
  runMigrations(ctx: Context, from: VersionMap): VersionMap;
}

/**
 * The code a release runs at its upgrade height (the SDK's UpgradeHandler): it executes inside
 * the block at the plan's height, before any tx, on the block's state branch, and returns the
 * module version map x/upgrade stores. A throw halts the chain at that height on every node.
 */
export interface UpgradeHandler {
  /** The plan name governance schedules (MsgSoftwareUpgrade.plan.name). */
  readonly name: string;
  apply(ctx: Context, plan: Plan, from: VersionMap, tools: UpgradeTools): VersionMap;
}
