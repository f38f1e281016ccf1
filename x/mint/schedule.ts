/**
 * The emission schedule, pure integer math: block h (h ≥ 1) is scheduled
 *   reward(h) = ⌊initial / 2^⌊(h − 1) / interval⌋⌋
 * so the reward halves every `interval` blocks and reaches 0 after at most 53 halvings
 * (initial < 2^53, mint params). The infinite sum is finite and computed exactly by `scheduleTotal`.
 * Each halving is a right shift of the previous reward, so ⌊r/2⌋ never rounds up and the
 * schedule never mints a uogpu more than its own total.
 */
export interface Schedule {
  /** uogpu scheduled for each of the first `halvingInterval` blocks. */
  initialReward: bigint;
  /** Blocks between halvings (≥ 1). */
  halvingInterval: bigint;
}

/** Halvings that have happened by block `height` (height ≥ 1). */
export function halvingsAt(s: Schedule, height: bigint): bigint {
  return height < 1n ? 0n : (height - 1n) / s.halvingInterval;
}

/** uogpu scheduled for block `height`; 0 before block 1 and once the reward has halved to 0. */
export function blockReward(s: Schedule, height: bigint): bigint {
  if (height < 1n) return 0n;
  return s.initialReward >> halvingsAt(s, height);
}

/** Σ reward(1..height): exact, O(number of halvings). */
export function scheduledThrough(s: Schedule, height: bigint): bigint {
  if (height < 1n) return 0n;
  const full = height / s.halvingInterval;
  let sum = 0n;
  let reward = s.initialReward;
  for (let k = 0n; k < full && reward > 0n; k++, reward >>= 1n) sum += reward * s.halvingInterval;
  if (reward > 0n) sum += reward * (height % s.halvingInterval);
  return sum;
}

/** The whole schedule's sum (every halving until the reward is 0). */
export function scheduleTotal(s: Schedule): bigint {
  let sum = 0n;
  for (let reward = s.initialReward; reward > 0n; reward >>= 1n) sum += reward * s.halvingInterval;
  return sum;
}

/** Σ reward(from..to), 0 when the range is empty. */
export function scheduledBetween(s: Schedule, from: bigint, to: bigint): bigint {
  return to < from ? 0n : scheduledThrough(s, to) - scheduledThrough(s, from - 1n);
}

/** First height whose reward is lower than block `height`'s, or 0 when the reward is already 0. */
export function nextHalvingHeight(s: Schedule, height: bigint): bigint {
  if (blockReward(s, height < 1n ? 1n : height) === 0n) return 0n;
  return (halvingsAt(s, height < 1n ? 1n : height) + 1n) * s.halvingInterval + 1n;
}
