import { defineParams } from "../../app/params.js";
import { MAX_TIER } from "../../app/gpu-tiers.js";
import type { Schedule } from "./schedule.js";

/**
 * - initial_block_reward: uogpu scheduled per block before the first halving (decimal string;
 *   "0" = no emission). Default 41,590 uogpu: with 1 s blocks and a 4-year halving the whole
 *   schedule is 10,498,... OGPU (docs/mint.md), leaving ≥ 10.5M OGPU for genesis allocation.
 * - halving_interval_blocks: blocks between halvings (default 4 years of 1 s blocks).
 * - blocks_per_year: for annual figures only (inflation, annual provisions).
 * - provider_share_bps: part of each block's reward budgeted for GPU providers; the rest goes
 *   to the fee collector, which x/distribution pays to validators and delegators.
 * - reward_epoch_blocks: length of a provider-reward epoch; its budget is paid at its end.
 * - lambda_min_bps / lambda_max_bps: clamp of the demand factor λ (the tier's base-price
 *   movement over the epoch).
 */
export const mintParams = defineParams(
  "mint/params",
  {
    mint_denom: "uogpu",
    initial_block_reward: "41590",
    halving_interval_blocks: 126_230_400,
    blocks_per_year: 31_557_600,
    provider_share_bps: 3000,
    reward_epoch_blocks: 3600,
    lambda_min_bps: 5000,
    lambda_max_bps: 20_000,
  },
  (p) => {
    if (p.mint_denom !== "uogpu") throw new Error("mint_denom must be uogpu");
    if (!/^[0-9]{1,16}$/.test(p.initial_block_reward) || !Number.isSafeInteger(Number(p.initial_block_reward))) throw new Error("initial_block_reward must be a decimal uogpu amount below 2^53");
    if (p.halving_interval_blocks < 1) throw new Error("halving_interval_blocks must be at least 1");
    if (p.blocks_per_year < 1) throw new Error("blocks_per_year must be at least 1");
    if (p.provider_share_bps < 0 || p.provider_share_bps > 10_000) throw new Error("provider_share_bps must be in 0..10000");
    if (p.reward_epoch_blocks < 1) throw new Error("reward_epoch_blocks must be at least 1");
    if (p.lambda_min_bps < 1 || p.lambda_min_bps > 10_000) throw new Error("lambda_min_bps must be in 1..10000");
    if (p.lambda_max_bps < 10_000 || p.lambda_max_bps > 100_000) throw new Error("lambda_max_bps must be in 10000..100000");
  },
);

export type MintParams = ReturnType<typeof mintParams.get>;

export function scheduleOf(p: MintParams): Schedule {
  return { initialReward: BigInt(p.initial_block_reward), halvingInterval: BigInt(p.halving_interval_blocks) };
}

/** Tiers whose base price is snapshot at each epoch start (λ). */
export const REWARD_TIERS = Array.from({ length: MAX_TIER + 1 }, (_, t) => t);

/** Params of a chain that mints nothing (test harnesses whose suites assert exact supply flows). */
export const NO_EMISSION_PARAMS = { initial_block_reward: "0" } as const;
