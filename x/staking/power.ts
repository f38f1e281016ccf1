import { compareBytes, hex } from "../../crypto/bytes.js";
import { BondStatus, type Validator } from "cosmjs-types/cosmos/staking/v1beta1/staking";
import type { ValidatorUpdate } from "cosmjs-types/tendermint/abci/types";
import { MICRO_PER_OGPU } from "../../app/coins.js";
import type { KVStore } from "../../app/store/kvstore.js";
import { stakingParams } from "./params.js";
import { allValidators, BPS, computeInWindow, getMultiplierBps, getReliabilityBps, lastPowers, setLastPower, setMultiplierBps, setValidator } from "./store.js";
import { consensusKeyOf } from "../../app/validator-address.js";

/**
 * Compute multiplier in basis points: 1 + α·min(C_i / C_med, κ), i.e.
 * 10000 + α_bps · min(floor(C_i·10000 / C_med), κ·10000) / 10000. C_med = 0 → exactly 1.
 */
export function computeMultiplierBps(c: bigint, cMed: bigint, alphaBps: bigint, kappa: bigint): bigint {
  if (cMed === 0n) return BPS;
  const ratio = (c * BPS) / cMed;
  const capped = ratio < kappa * BPS ? ratio : kappa * BPS;
  return BPS + (alphaBps * capped) / BPS;
}

/** power = floor(floor(tokens / 10^6) × multiplier_bps × reliability_bps / 10^8). */
export function consensusPower(tokens: bigint, multiplierBps: bigint, reliabilityBps: bigint): bigint {
  return ((tokens / MICRO_PER_OGPU) * multiplierBps * reliabilityBps) / (BPS * BPS);
}

/** Median of a list; for an even count the floor of the mean of the two middle values. */
export function median(values: readonly bigint[]): bigint {
  if (values.length === 0) return 0n;
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2n;
}

/** The power a validator would have now (0 when jailed). */
export function validatorPower(store: KVStore, operator: Uint8Array, v: Validator): bigint {
  if (v.jailed) return 0n;
  return consensusPower(BigInt(v.tokens), getMultiplierBps(store, operator), getReliabilityBps(store, operator));
}

export function isEpochBoundary(store: KVStore, height: bigint): boolean {
  return height > 0n && height % BigInt(stakingParams.get(store).epoch_blocks) === 0n;
}

/**
 * Epoch step: C_i over the trailing window (height − window, height] for every validator,
 * C_med over the validators CometBFT currently has, and a new multiplier for each.
 */
export function recomputeComputeMultipliers(store: KVStore, height: bigint): void {
  const p = stakingParams.get(store);
  const from = height - BigInt(p.compute_window_blocks);
  const compute = [...allValidators(store)].map(({ operator }) => ({ operator, c: computeInWindow(store, operator, from, height) }));
  const active = new Set(lastPowers(store).map((l) => hex(l.operator)));
  const cMed = median(compute.filter((x) => active.has(hex(x.operator))).map((x) => x.c));
  for (const { operator, c } of compute) {
    setMultiplierBps(store, operator, computeMultiplierBps(c, cMed, BigInt(p.compute_alpha_bps), BigInt(p.compute_kappa)));
  }
}

/** The active set: top max_validators by power (desc), ties by operator bytes (asc); power > 0 only. */
export function activeSet(store: KVStore): { operator: Uint8Array; validator: Validator; power: bigint }[] {
  const candidates = [...allValidators(store)]
    .map((x) => ({ ...x, power: validatorPower(store, x.operator, x.validator) }))
    .filter((x) => x.power > 0n);
  candidates.sort((a, b) => (a.power !== b.power ? (a.power > b.power ? -1 : 1) : compareBytes(a.operator, b.operator)));
  return candidates.slice(0, stakingParams.get(store).max_validators);
}

/**
 * Recomputes the active set and returns only what changed for CometBFT (power 0 removes),
 * recording the new powers and each validator's bond status.
 */
export function applyValidatorSetChanges(store: KVStore): ValidatorUpdate[] {
  const next = new Map(activeSet(store).map((x) => [hex(x.operator), x]));
  const prev = new Map(lastPowers(store).map((l) => [hex(l.operator), l.power]));
  const updates: { operator: Uint8Array; update: ValidatorUpdate }[] = [];
  for (const { operator, validator } of allValidators(store)) {
    const key = hex(operator);
    const before = prev.get(key) ?? 0n;
    const after = next.get(key)?.power ?? 0n;
    if (before === after) continue;
    updates.push({ operator, update: { pubKey: { ed25519: consensusKeyOf(validator) }, power: after } });
    setLastPower(store, operator, after);
    const status = after > 0n ? BondStatus.BOND_STATUS_BONDED : BondStatus.BOND_STATUS_UNBONDED;
    if (validator.status !== status) setValidator(store, { ...validator, status });
  }
  return updates.map((u) => u.update);
}
