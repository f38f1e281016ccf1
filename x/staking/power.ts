import { compareBytes, hex } from "../../crypto/bytes.js";
import { BondStatus, type Validator } from "cosmjs-types/cosmos/staking/v1beta1/staking";
import type { ValidatorUpdate } from "cosmjs-types/tendermint/abci/types";
import { MICRO_PER_OGPU } from "../../app/coins.js";
import type { KVStore } from "../../app/store/kvstore.js";
import { stakingParams, type StakingParams } from "./params.js";
import { allValidators, BPS, computeInWindow, getComputeCredit, getReliabilityBps, setLastPower, lastPowers, setComputeCredit, setValidator } from "./store.js";
import { consensusKeyOf } from "../../app/validator-address.js";

/** What the power formula reads from params (α in bps, κ a whole multiple of stake). */
export interface ComputeWeights {
  alphaBps: bigint;
  kappa: bigint;
}

/** Weights under which compute earns nothing (power = stake × reliability). */
export const NO_COMPUTE: ComputeWeights = { alphaBps: 0n, kappa: 0n };

export const computeWeightsOf = (p: StakingParams): ComputeWeights => ({ alphaBps: BigInt(p.compute_alpha_bps), kappa: BigInt(p.compute_kappa) });

/**
 * power = floor((S × 10^4 + α_bps × min(κ × S, credit / 10^6)) × r_bps / 10^8), S = floor(tokens / 10^6),
 * all in integer bps. credit = market fees the validator's verified work paid to the treasury in
 * the window (uogpu): the compute bonus is at most κ × stake and at most α × credit in OGPU, so
 * with α ≤ 1 a unit of power bought through compute costs at least the 1 OGPU it costs through
 * stake. The bonus depends on the validator's own stake and credit only: nobody can lower an
 * honest validator's bonus by moving a chain-wide reference such as a median (issue 10 item 5,
 * docs/security.md).
 */
export function consensusPower(tokens: bigint, creditUogpu: bigint, reliabilityBps: bigint, w: ComputeWeights): bigint {
  return powerParts(tokens, creditUogpu, reliabilityBps, w).power;
}

/** The formula's terms: stake and compute bonus in bps of one power unit, and the power they give. */
export interface PowerParts {
  stakeBps: bigint;
  bonusBps: bigint;
  power: bigint;
}

/** consensusPower with its parts kept (the ValidatorPowers query shows them). */
export function powerParts(tokens: bigint, creditUogpu: bigint, reliabilityBps: bigint, w: ComputeWeights): PowerParts {
  const stakeBps = (tokens / MICRO_PER_OGPU) * BPS;
  const creditBps = (creditUogpu * BPS) / MICRO_PER_OGPU;
  const earned = w.kappa * stakeBps < creditBps ? w.kappa * stakeBps : creditBps;
  const bonusBps = (earned * w.alphaBps) / BPS;
  return { stakeBps, bonusBps, power: ((stakeBps + bonusBps) * reliabilityBps) / (BPS * BPS) };
}

/** The power a validator would have now (0 when jailed). */
export function validatorPower(store: KVStore, operator: Uint8Array, v: Validator, w: ComputeWeights): bigint {
  if (v.jailed) return 0n;
  return consensusPower(BigInt(v.tokens), getComputeCredit(store, operator), getReliabilityBps(store, operator), w);
}

export function isEpochBoundary(store: KVStore, height: bigint): boolean {
  return height > 0n && height % BigInt(stakingParams.get(store).epoch_blocks) === 0n;
}

/**
 * Epoch step: each validator's credit becomes the fees recorded over the trailing window
 * (height − window, height]; it holds until the next epoch while stake changes apply at once.
 */
export function recomputeComputeCredits(store: KVStore, height: bigint): void {
  const from = height - BigInt(stakingParams.get(store).compute_window_blocks);
  for (const { operator } of [...allValidators(store)]) setComputeCredit(store, operator, computeInWindow(store, operator, from, height));
}

/** The active set: top max_validators by power (desc), ties by operator bytes (asc); power > 0 only. */
export function activeSet(store: KVStore): { operator: Uint8Array; validator: Validator; power: bigint }[] {
  const weights = computeWeightsOf(stakingParams.get(store));
  const candidates = [...allValidators(store)]
    .map((x) => ({ ...x, power: validatorPower(store, x.operator, x.validator, weights) }))
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
