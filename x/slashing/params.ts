import { defineParams } from "../../app/params.js";

/**
 * Slashing parameters. Durations are in blocks: consensus has no trusted clock, and a jail
 * measured in heights means the same on every node and after every replay.
 * - signed_blocks_window: liveness is judged over this many most recent blocks.
 * - min_signed_per_window_bps: share of the window a validator must sign (5000 = 50 %);
 *   it is jailed once it has missed more than window − window·bps/10000 blocks.
 * - downtime_jail_blocks: a downtime jail lasts this many blocks (600 ≈ 10 min at 1 s blocks,
 *   the SDK's default jail duration).
 * - slash_fraction_double_sign_bps / slash_fraction_downtime_bps: 500 = 5 %, 1 = 0.01 %.
 */
export const slashingParams = defineParams(
  "slashing/params",
  {
    signed_blocks_window: 100,
    min_signed_per_window_bps: 5_000,
    downtime_jail_blocks: 600,
    slash_fraction_double_sign_bps: 500,
    slash_fraction_downtime_bps: 1,
  },
  (p) => {
    if (p.signed_blocks_window < 1) throw new Error("signed_blocks_window must be at least 1");
    // The missed-block bit array of one validator is one store value: keep it small.
    if (p.signed_blocks_window > 100_000) throw new Error("signed_blocks_window must be at most 100000");
    if (p.downtime_jail_blocks < 1) throw new Error("downtime_jail_blocks must be at least 1");
    for (const k of ["min_signed_per_window_bps", "slash_fraction_double_sign_bps", "slash_fraction_downtime_bps"] as const) {
      if (p[k] < 0 || p[k] > 10_000) throw new Error(`${k} must be in [0, 10000]`);
    }
  },
);

export type SlashingParams = ReturnType<typeof slashingParams.get>;

/** Most blocks a validator may miss in the window before it is jailed. */
export function maxMissedBlocks(p: SlashingParams): bigint {
  const window = BigInt(p.signed_blocks_window);
  return window - (window * BigInt(p.min_signed_per_window_bps)) / 10_000n;
}
