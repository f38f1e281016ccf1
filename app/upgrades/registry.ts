import type { UpgradeHandler } from "./types.js";
import { v0_2 } from "./v0.2.js";

/**
 * Every upgrade this binary can apply, by plan name. A release adds its handler here; a
 * handler stays listed after it ran (x/upgrade refuses to start a binary that lacks the last
 * applied upgrade's handler: that binary predates the chain's state).
 */
export const UPGRADE_HANDLERS: readonly UpgradeHandler[] = [v0_2];
