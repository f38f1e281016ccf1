import type { UpgradeHandler } from "./types.js";

/**
 * v0.2: the first planned upgrade. It runs the module migrations this release registers —
 * x/market 1 → 2 writes its params back with every field added since the chain launched
 * (`max_gpu_models`, …) set to its default, so the stored params are complete and export
 * carries them — and records the new module versions. No other state changes.
 */
export const v0_2: UpgradeHandler = {
  name: "v0.2",
  apply: (ctx, _plan, from, { runMigrations }) => runMigrations(ctx, from),
};
