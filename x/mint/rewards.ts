/**
 * Provider rewards, the yellowpaper's P_i = f(C_i, T_i, λ), in integer math:
 *   w_i = C_i × T_i × λ_i                      (C_i uogpu, T_i and λ_i in bps)
 *   P_i = min(C_i, ⌊B × w_i / Σ_j w_j⌋)
 * C_i: market fee the worker's verified (Proof-of-Sync finalised) results paid to the treasury
 * in the epoch; T_i: uptime; λ_i: demand factor of the worker's tier; B: the epoch's provider
 * budget. The min with C_i is what makes self-dealing unprofitable: a worker never earns more
 * emission than the fees it paid — money that left it for good (docs/mint.md).
 */
const BPS = 10_000n;

export interface ProviderInput {
  fee: bigint;
  uptimeBps: bigint;
  lambdaBps: bigint;
}

/** Each worker's P_i, in input order; Σ P_i ≤ budget (floors) and P_i ≤ C_i. */
export function providerRewards(budget: bigint, inputs: readonly ProviderInput[]): bigint[] {
  const weights = inputs.map((x) => x.fee * x.uptimeBps * x.lambdaBps);
  const total = weights.reduce((s, w) => s + w, 0n);
  if (total === 0n || budget === 0n) return inputs.map(() => 0n);
  return inputs.map((x, i) => {
    const share = (budget * weights[i]!) / total;
    return share < x.fee ? share : x.fee;
  });
}

/**
 * T_i: share of the epoch's heartbeat windows (each `windowBlocks` long, the workers module's
 * heartbeat timeout) in which the worker sent a heartbeat, in bps. One heartbeat per window
 * counts, so a burst of heartbeats cannot stand in for a whole epoch of being online.
 */
export function uptimeBps(windows: bigint, epochBlocks: bigint, windowBlocks: bigint): bigint {
  if (epochBlocks <= 0n) return 0n;
  const total = (epochBlocks + windowBlocks - 1n) / windowBlocks;
  const bps = (windows * BPS) / total;
  return bps > BPS ? BPS : bps;
}

/** λ: the tier's base price at the epoch's end over its start, in bps, clamped to [min, max]; 1 without a start price. */
export function lambdaBps(startPrice: bigint, endPrice: bigint, minBps: bigint, maxBps: bigint): bigint {
  if (startPrice <= 0n) return BPS;
  const bps = (endPrice * BPS) / startPrice;
  return bps < minBps ? minBps : bps > maxBps ? maxBps : bps;
}

/** Which heartbeat window of the epoch starting at `start` the height falls in. */
export function windowIndex(height: bigint, start: bigint, windowBlocks: bigint): bigint {
  return height < start ? 0n : (height - start) / windowBlocks;
}
