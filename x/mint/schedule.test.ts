/**
 * The halving schedule in exact integer math: the whole sum (every halving until the reward
 * is 0), prefix sums against block-by-block addition, a 100-year run under the 21M cap, and
 * the split that never mints a uogpu more than the block's reward.
 */
import { describe, expect, it } from "vitest";
import { MAX_SUPPLY } from "../../app/coins.js";
import { bpsOf } from "../../app/store/values.js";
import { mintParams, scheduleOf } from "./params.js";
import { blockReward, halvingsAt, nextHalvingHeight, scheduledBetween, scheduledThrough, scheduleTotal, type Schedule } from "./schedule.js";
import { providerRewards } from "./rewards.js";

const DEFAULT = scheduleOf(mintParams.parse(undefined));
const BLOCKS_PER_YEAR = BigInt(mintParams.parse(undefined).blocks_per_year);

describe("halving schedule", () => {
  it("the default schedule's whole sum, halving by halving, is 10,498,834.8288 OGPU and leaves the genesis allocation room under 21M", () => {
    // Every halving until the reward is 0, each segment summed as reward × interval.
    let sum = 0n;
    let halvings = 0;
    for (let r = DEFAULT.initialReward; r > 0n; r /= 2n, halvings++) sum += r * DEFAULT.halvingInterval;
    expect(halvings).toBe(16); // 41,590 uogpu → 1 uogpu after 15 halvings, 0 at the 16th
    expect(sum).toBe(10_498_834_828_800n);
    expect(scheduleTotal(DEFAULT)).toBe(sum);
    expect(MAX_SUPPLY - sum).toBe(10_501_165_171_200n); // the most genesis may allocate
    // The reward after the last halving is exactly 0, and stays 0.
    const end = BigInt(halvings) * DEFAULT.halvingInterval + 1n;
    expect(blockReward(DEFAULT, end - 1n)).toBe(1n);
    expect(blockReward(DEFAULT, end)).toBe(0n);
    expect(blockReward(DEFAULT, end * 1000n)).toBe(0n);
    expect(scheduledThrough(DEFAULT, end - 1n)).toBe(sum);
    expect(scheduledThrough(DEFAULT, end * 1000n)).toBe(sum);
  });

  it("prefix sums equal block-by-block addition, for awkward small schedules", () => {
    const schedules: Schedule[] = [
      { initialReward: 1000n, halvingInterval: 7n },
      { initialReward: 1n, halvingInterval: 1n },
      { initialReward: 999_999n, halvingInterval: 3n },
      { initialReward: 0n, halvingInterval: 5n },
    ];
    for (const s of schedules) {
      let running = 0n;
      let h = 1n;
      for (; blockReward(s, h) > 0n || h <= s.halvingInterval; h++) {
        running += blockReward(s, h);
        expect(scheduledThrough(s, h)).toBe(running);
        const next = nextHalvingHeight(s, h);
        if (blockReward(s, h) > 0n) expect(blockReward(s, next)).toBeLessThan(blockReward(s, h));
        if (blockReward(s, h) > 0n) expect(blockReward(s, next - 1n)).toBe(blockReward(s, h));
      }
      expect(running).toBe(scheduleTotal(s));
      expect(scheduledBetween(s, 2n, h)).toBe(running - blockReward(s, 1n));
    }
  });

  it("a 100-year simulation by block count stays ≤ 21,000,000 OGPU to the uogpu with the most genesis allows", () => {
    const genesis = MAX_SUPPLY - scheduleTotal(DEFAULT); // the largest allocation genesis accepts
    let issued = genesis;
    // Year by year (each year's emission summed exactly from its blocks' rewards).
    for (let year = 1n; year <= 100n; year++) {
      issued += scheduledBetween(DEFAULT, (year - 1n) * BLOCKS_PER_YEAR + 1n, year * BLOCKS_PER_YEAR);
      expect(issued).toBeLessThanOrEqual(MAX_SUPPLY);
    }
    // After 100 years (25 halvings of 4 years) the reward is long 0 and the cap is met exactly.
    expect(halvingsAt(DEFAULT, 100n * BLOCKS_PER_YEAR)).toBe(24n);
    expect(issued).toBe(MAX_SUPPLY);
    expect(scheduledThrough(DEFAULT, 100n * BLOCKS_PER_YEAR)).toBe(scheduleTotal(DEFAULT));
  });

  it("the split never mints more than the block reward: validators + provider budget = reward, provider payouts ≤ budget", () => {
    for (const reward of [0n, 1n, 3n, 41_590n, 20_795n, 7n]) {
      for (const bps of [0, 1, 3000, 9999, 10_000]) {
        const provider = bpsOf(reward, bps);
        expect(reward - provider + provider).toBe(reward);
        expect(provider).toBeLessThanOrEqual(reward);
      }
    }
    const budget = 1_000_001n;
    const paid = providerRewards(budget, [
      { fee: 10n ** 12n, uptimeBps: 10_000n, lambdaBps: 13_333n },
      { fee: 10n ** 12n, uptimeBps: 3_333n, lambdaBps: 5_000n },
      { fee: 7n, uptimeBps: 10_000n, lambdaBps: 20_000n },
    ]);
    expect(paid.reduce((s, p) => s + p, 0n)).toBeLessThanOrEqual(budget);
  });
});
