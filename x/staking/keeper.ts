import type { Delegation, Validator } from "cosmjs-types/cosmos/staking/v1beta1/staking";
import { emitStakingEvent } from "./events.js";
import type { ValidatorUpdate } from "cosmjs-types/tendermint/abci/types";
import { bytesEqual } from "../../crypto/bytes.js";
import { accountAddressString } from "../../app/address.js";
import type { Context } from "../../app/context.js";
import { bpsOf } from "../../app/store/values.js";
import type { KVStore } from "../../app/store/kvstore.js";
import type { BankKeeper } from "../bank/keeper.js";
import type { StakingParams } from "./params.js";
import { stakingError, StakingCode } from "./errors.js";
import type { StakingHooks } from "./hooks.js";
import { applyValidatorSetChanges } from "./power.js";
import { stakingParams } from "./params.js";
import { addComputeUnits, allValidators, BPS, delegationsOf, delegationsTo, enqueue, lastPowers, getDelegation, getRedelegation, getUnbonding, getValidator, nextEntryId, operatorByConsAddress, queueItems, RED_QUEUE, redelegationsFrom, redelegationsOf, setDelegation, setRedelegation, setTombstoned, setUnbonding, setValidator, storeReliabilityBps, UBD_QUEUE, unbondingsFrom, isTombstoned } from "./store.js";
import { valconsString, valoperString } from "../../app/validator-address.js";
import { DEC_ONE } from "../../app/dec.js";
import { moduleAddress } from "../../app/address.js";

export const BONDED_POOL = "bonded_tokens_pool";
export const NOT_BONDED_POOL = "not_bonded_tokens_pool";

export { getValidator, allValidators, isTombstoned, setTombstoned, getDelegation, getUnbonding, lastPowers, getLastPower } from "./store.js";

const bond = (store: KVStore, amount: bigint) => [{ denom: stakingParams.get(store).bond_denom, amount }];

export function requireValidator(store: KVStore, operator: Uint8Array): Validator {
  const v = getValidator(store, operator);
  if (!v) throw stakingError(StakingCode.NoValidatorFound, `validator ${valoperString(operator)} does not exist`);
  return v;
}

/** The validator whose consensus key hashes to `cons` (CometBFT's 20-byte validator address). */
export function validatorByConsAddress(store: KVStore, cons: Uint8Array): { operator: Uint8Array; validator: Validator } | undefined {
  const operator = operatorByConsAddress(store, cons);
  if (!operator) return undefined;
  const validator = getValidator(store, operator);
  return validator ? { operator, validator } : undefined;
}

/** Token value of `shares` of a validator, rounded down. */
export function tokensFromShares(v: Validator, shares: bigint): bigint {
  const total = BigInt(v.delegatorShares);
  return total === 0n ? 0n : (shares * BigInt(v.tokens)) / total;
}

/** Shares that `amount` tokens of a delegation stand for; fails when the delegation holds less. */
function sharesForAmount(store: KVStore, delegator: Uint8Array, operator: Uint8Array, amount: bigint): bigint {
  const v = requireValidator(store, operator);
  const d = getDelegation(store, delegator, operator);
  if (!d) throw stakingError(StakingCode.NoDelegation, `no delegation for (address, validator) tuple (${accountAddressString(delegator)}, ${v.operatorAddress})`);
  const held = BigInt(d.shares);
  const worth = tokensFromShares(v, held);
  if (amount > worth) throw stakingError(StakingCode.InsufficientShares, `invalid shares amount: cannot take ${amount} from a delegation worth ${worth}`);
  // Taking everything the delegation is worth takes all its shares (no dust left behind).
  return amount === worth ? held : (amount * BigInt(v.delegatorShares)) / BigInt(v.tokens);
}

/** Block-time estimate used only for the informational completion_time fields of responses. */
function estimatedCompletionTime(ctx: Context): { seconds: bigint; nanos: number } {
  return { seconds: ctx.block.timeSeconds + BigInt(stakingParams.get(ctx.store).unbonding_blocks), nanos: 0 };
}

export function completionHeight(ctx: Context): bigint {
  return ctx.block.height + BigInt(stakingParams.get(ctx.store).unbonding_blocks);
}

// ---------------------------------------------------------------------------------------
// API for x/slashing and the compute / reliability producers.
// ---------------------------------------------------------------------------------------

function requireByCons(store: KVStore, cons: Uint8Array): { operator: Uint8Array; validator: Validator } {
  const found = validatorByConsAddress(store, cons);
  if (!found) throw stakingError(StakingCode.NoValidatorFound, `no validator with consensus address ${valconsString(cons)}`);
  return found;
}

/** Jails a validator: its power becomes 0 and the next endBlock removes it from CometBFT's set. */
export function jail(ctx: Context, cons: Uint8Array): void {
  const { validator } = requireByCons(ctx.store, cons);
  if (validator.jailed) return;
  setValidator(ctx.store, { ...validator, jailed: true });
  emitStakingEvent(ctx.events, "jail", { validator: validator.operatorAddress, consensus_address: valconsString(cons) });
}

/**
 * Lifts a jail (x/slashing checks its own jail time first). Refused for a tombstoned key and
 * while the operator's self-delegation is below its min_self_delegation.
 */
export function unjail(ctx: Context, cons: Uint8Array): void {
  const { operator, validator } = requireByCons(ctx.store, cons);
  if (!validator.jailed) throw stakingError(StakingCode.ValidatorNotJailed, `validator ${validator.operatorAddress} is not jailed`);
  if (isTombstoned(ctx.store, cons)) throw stakingError(StakingCode.ValidatorTombstoned, `validator ${validator.operatorAddress} is tombstoned and can never be unjailed`);
  const own = getDelegation(ctx.store, operator, operator);
  const selfTokens = own ? tokensFromShares(validator, BigInt(own.shares)) : 0n;
  if (selfTokens < BigInt(validator.minSelfDelegation)) {
    throw stakingError(StakingCode.SelfDelegationBelowMinimum, `validator's self delegation ${selfTokens} is below its minimum ${validator.minSelfDelegation}`);
  }
  setValidator(ctx.store, { ...validator, jailed: false });
  emitStakingEvent(ctx.events, "unjail", { validator: validator.operatorAddress });
}

/** Marks a consensus key as permanently banned (double sign); x/slashing also jails it. */
export function tombstone(ctx: Context, cons: Uint8Array): void {
  setTombstoned(ctx.store, cons);
}

const minBig = (a: bigint, b: bigint) => (a < b ? a : b);

/**
 * Verified compute delivered by `operator`'s workers, recorded at `height` (called by the
 * Proof-of-Sync module when a result is finalised) as its credit: the market fee (uogpu) that
 * the payout sent to the treasury — money that left the client for good, unlike the declared
 * units or the payout itself (a self-dealing client pays itself). It counts towards C_i from
 * the next epoch boundary for `compute_window_blocks` blocks.
 */
export function recordVerifiedCompute(store: KVStore, operator: Uint8Array, feePaid: bigint, height: bigint): void {
  if (feePaid < 0n) throw new Error("compute credit must not be negative");
  if (feePaid > 0n) addComputeUnits(store, operator, height, feePaid);
}

/** r_i's floor: a validator whose worker always fails keeps half its power. */
const MIN_RELIABILITY_BPS = 5_000n;

/** Reliability r_i in basis points, [5000, 10000] (default 10000 until the operator's worker reports a result). */
export function setReliabilityBps(store: KVStore, operator: Uint8Array, bps: bigint): void {
  if (bps < MIN_RELIABILITY_BPS || bps > BPS) throw new Error(`reliability ${bps} bps is outside [5000, 10000]`);
  storeReliabilityBps(store, operator, bps);
}

/**
 * x/workers' hook input: the EWMA success rate of the worker registered by `operator`'s
 * account becomes r_i = clamp(ewma, 5000, 10000). Accounts that run no validator are ignored.
 */
export function recordOperatorReliability(store: KVStore, operator: Uint8Array, ewmaSuccessBps: number): void {
  if (!getValidator(store, operator)) return;
  const ewma = BigInt(ewmaSuccessBps);
  setReliabilityBps(store, operator, ewma < MIN_RELIABILITY_BPS ? MIN_RELIABILITY_BPS : ewma > BPS ? BPS : ewma);
}

/** What x/staking needs: bank moves stake between accounts and pools; hooks let others react to delegation changes. */
export interface StakingDeps {
  bank: Pick<BankKeeper, "sendCoins" | "sendToModule" | "sendFromModule" | "burnCoins">;
  hooks: StakingHooks;
}

type ByCons = { operator: Uint8Array; validator: Validator };

/** x/staking's surface: validators and delegations for distribution, slashing, attest and genutil. */
export interface StakingKeeper {
  getValidator(store: KVStore, operator: Uint8Array): Validator | undefined;
  allValidators(store: KVStore): Iterable<ByCons>;
  getDelegation(store: KVStore, delegator: Uint8Array, operator: Uint8Array): Delegation | undefined;
  delegationsTo(store: KVStore, operator: Uint8Array): Iterable<Delegation>;
  /** One delegator's delegations, in validator order (x/gov's tally). */
  delegationsOf(store: KVStore, delegator: Uint8Array): Iterable<Delegation>;
  lastPowers(store: KVStore): { operator: Uint8Array; power: bigint }[];
  isTombstoned(store: KVStore, cons: Uint8Array): boolean;
  tokensFromShares(v: Validator, shares: bigint): bigint;
  validatorByConsAddress(store: KVStore, cons: Uint8Array): ByCons | undefined;
  requireValidator(store: KVStore, operator: Uint8Array): Validator;
  params(store: KVStore): StakingParams;
  delegate(ctx: Context, delegator: Uint8Array, operator: Uint8Array, amount: bigint): bigint;
  undelegate(ctx: Context, delegator: Uint8Array, operator: Uint8Array, amount: bigint): { tokens: bigint; completionHeight: bigint };
  redelegate(ctx: Context, delegator: Uint8Array, src: Uint8Array, dst: Uint8Array, amount: bigint): { tokens: bigint; completionHeight: bigint };
  completeMaturedEntries(ctx: Context): void;
  jail(ctx: Context, cons: Uint8Array): void;
  unjail(ctx: Context, cons: Uint8Array): void;
  tombstone(ctx: Context, cons: Uint8Array): void;
  slash(ctx: Context, cons: Uint8Array, infractionHeight: bigint, fractionBps: bigint): bigint;
  /** Credit for verified work = the market fee its payout paid to the treasury (uogpu). */
  recordVerifiedCompute(store: KVStore, operator: Uint8Array, feePaid: bigint, height: bigint): void;
  /** r_i from the EWMA success of the operator's worker (x/workers' reliabilityChanged hook). */
  recordOperatorReliability(store: KVStore, operator: Uint8Array, ewmaSuccessBps: number): void;
  /** The validator-set diff for CometBFT (x/genutil returns it from InitChain). */
  applyValidatorSetChanges(store: KVStore): ValidatorUpdate[];
}

export function createStakingKeeper({ bank, hooks }: StakingDeps): StakingKeeper {
  /**
   * Adds `amount` tokens (already in the bonded pool) to a validator as new shares of `delegator`.
   * The first delegation sets 1 token = 1 share (10^18 share atomics).
   */
  function addDelegationShares(ctx: Context, delegator: Uint8Array, operator: Uint8Array, amount: bigint): bigint {
    const v = requireValidator(ctx.store, operator);
    const tokens = BigInt(v.tokens);
    const total = BigInt(v.delegatorShares);
    if (tokens === 0n && total > 0n) {
      throw stakingError(StakingCode.DelegatorShareExRateInvalid, `cannot delegate to validator ${v.operatorAddress}: its tokens were slashed to zero`);
    }
    const shares = total === 0n ? amount * DEC_ONE : (amount * total) / tokens;
    if (shares === 0n) throw stakingError(StakingCode.BadAmount, `delegation of ${amount} is too small for a share of ${v.operatorAddress}`);
    hooks.beforeDelegationSharesChange?.(ctx, delegator, operator);
    const d = getDelegation(ctx.store, delegator, operator);
    const held = d ? BigInt(d.shares) : 0n;
    setDelegation(ctx.store, delegator, operator, { delegatorAddress: accountAddressString(delegator), validatorAddress: v.operatorAddress, shares: (held + shares).toString() });
    setValidator(ctx.store, { ...v, tokens: (tokens + amount).toString(), delegatorShares: (total + shares).toString() });
    return shares;
  }

  /** Delegates from the delegator's balance: coins go to the bonded pool, shares to the delegator. */
  function delegate(ctx: Context, delegator: Uint8Array, operator: Uint8Array, amount: bigint): bigint {
    requireValidator(ctx.store, operator);
    bank.sendToModule(ctx, delegator, BONDED_POOL, bond(ctx.store, amount));
    const shares = addDelegationShares(ctx, delegator, operator, amount);
    emitStakingEvent(ctx.events, "delegate", { validator: valoperString(operator), delegator: accountAddressString(delegator), amount: `${amount}${stakingParams.get(ctx.store).bond_denom}`, new_shares: shares.toString() });
    return shares;
  }

  /** Removes shares from a delegation; returns the tokens they were worth (still in the bonded pool). */
  function removeDelegationShares(ctx: Context, delegator: Uint8Array, operator: Uint8Array, shares: bigint): bigint {
    const v = requireValidator(ctx.store, operator);
    const d = getDelegation(ctx.store, delegator, operator)!;
    hooks.beforeDelegationSharesChange?.(ctx, delegator, operator);
    const total = BigInt(v.delegatorShares);
    const tokens = shares === total ? BigInt(v.tokens) : tokensFromShares(v, shares);
    setDelegation(ctx.store, delegator, operator, { ...d, shares: (BigInt(d.shares) - shares).toString() });
    setValidator(ctx.store, { ...v, tokens: (BigInt(v.tokens) - tokens).toString(), delegatorShares: (total - shares).toString() });
    // An operator whose own stake drops below its promise is jailed, as in the SDK.
    if (bytesEqual(delegator, operator) && !v.jailed) {
      const left = getDelegation(ctx.store, delegator, operator);
      const after = getValidator(ctx.store, operator)!;
      if (tokensFromShares(after, left ? BigInt(left.shares) : 0n) < BigInt(v.minSelfDelegation)) setValidator(ctx.store, { ...after, jailed: true });
    }
    return tokens;
  }

  /** Starts unbonding `amount` tokens: they leave the validator for the not-bonded pool at once. */
  function undelegate(ctx: Context, delegator: Uint8Array, operator: Uint8Array, amount: bigint): { tokens: bigint; completionHeight: bigint } {
    const shares = sharesForAmount(ctx.store, delegator, operator, amount);
    const p = stakingParams.get(ctx.store);
    const ubd = getUnbonding(ctx.store, delegator, operator) ?? { delegatorAddress: accountAddressString(delegator), validatorAddress: valoperString(operator), entries: [] };
    if (ubd.entries.length >= p.max_entries) throw stakingError(StakingCode.TooManyUnbondingEntries, `too many unbonding delegation entries for (delegator, validator) tuple (max ${p.max_entries})`);
    const tokens = removeDelegationShares(ctx, delegator, operator, shares);
    if (tokens === 0n) throw stakingError(StakingCode.BadAmount, "undelegation amount rounds to zero tokens");
    bank.sendCoins(ctx, moduleAddress(BONDED_POOL), moduleAddress(NOT_BONDED_POOL), bond(ctx.store, tokens));
    const id = nextEntryId(ctx.store);
    const height = completionHeight(ctx);
    ubd.entries.push({ creationHeight: ctx.block.height, completionTime: estimatedCompletionTime(ctx), initialBalance: tokens.toString(), balance: tokens.toString(), unbondingId: id, unbondingOnHoldRefCount: 0n });
    setUnbonding(ctx.store, delegator, operator, ubd);
    enqueue(ctx.store, UBD_QUEUE, height, id, [delegator, operator]);
    emitStakingEvent(ctx.events, "unbond", { validator: valoperString(operator), delegator: accountAddressString(delegator), amount: `${tokens}${p.bond_denom}`, completion_height: height.toString() });
    return { tokens, completionHeight: height };
  }

  /** Moves stake between validators at once; the entry stays slashable for the unbonding period. */
  function redelegate(ctx: Context, delegator: Uint8Array, src: Uint8Array, dst: Uint8Array, amount: bigint): { tokens: bigint; completionHeight: bigint } {
    if (bytesEqual(src, dst)) throw stakingError(StakingCode.SelfRedelegation, "cannot redelegate to the same validator");
    requireValidator(ctx.store, dst);
    const p = stakingParams.get(ctx.store);
    // Stake that arrived at src by a redelegation still in progress may not hop again (SDK rule).
    const srcString = valoperString(src);
    for (const r of redelegationsOf(ctx.store, delegator)) {
      if (r.validatorDstAddress === srcString && r.entries.length > 0) {
        throw stakingError(StakingCode.TransitiveRedelegation, `redelegation to ${srcString} already in progress; first redelegation to this validator must complete before next redelegation`);
      }
    }
    const shares = sharesForAmount(ctx.store, delegator, src, amount);
    const red = getRedelegation(ctx.store, delegator, src, dst) ?? { delegatorAddress: accountAddressString(delegator), validatorSrcAddress: valoperString(src), validatorDstAddress: valoperString(dst), entries: [] };
    if (red.entries.length >= p.max_entries) throw stakingError(StakingCode.TooManyRedelegationEntries, `too many redelegation entries for (delegator, src-validator, dst-validator) tuple (max ${p.max_entries})`);
    const tokens = removeDelegationShares(ctx, delegator, src, shares);
    if (tokens === 0n) throw stakingError(StakingCode.TinyRedelegationAmount, "too few tokens to redelegate (truncates to zero tokens)");
    const sharesDst = addDelegationShares(ctx, delegator, dst, tokens);
    const id = nextEntryId(ctx.store);
    const height = completionHeight(ctx);
    red.entries.push({ creationHeight: ctx.block.height, completionTime: estimatedCompletionTime(ctx), initialBalance: tokens.toString(), sharesDst: sharesDst.toString(), unbondingId: id, unbondingOnHoldRefCount: 0n });
    setRedelegation(ctx.store, delegator, src, dst, red);
    enqueue(ctx.store, RED_QUEUE, height, id, [delegator, src, dst]);
    emitStakingEvent(ctx.events, "redelegate", { source_validator: valoperString(src), destination_validator: valoperString(dst), delegator: accountAddressString(delegator), amount: `${tokens}${p.bond_denom}`, completion_height: height.toString() });
    return { tokens, completionHeight: height };
  }

  /**
   * endBlock step: pays every unbonding entry that matures at or before this height from the
   * not-bonded pool, and drops redelegation entries whose slashable period ended — at most
   * max_due_per_block of each per block, oldest first; the rest wait for the next block.
   */
  function completeMaturedEntries(ctx: Context): void {
    const h = ctx.block.height;
    const { bond_denom: denom, max_due_per_block: maxDue } = stakingParams.get(ctx.store);
    for (const item of [...queueItems(ctx.store, UBD_QUEUE, h, maxDue)]) {
      const [delegator, operator] = item.parts as [Uint8Array, Uint8Array];
      const ubd = getUnbonding(ctx.store, delegator, operator);
      const entry = ubd?.entries.find((e) => e.unbondingId === item.id);
      ctx.store.delete(item.key);
      if (!ubd || !entry) continue;
      const balance = BigInt(entry.balance);
      if (balance > 0n) bank.sendFromModule(ctx, NOT_BONDED_POOL, delegator, [{ denom, amount: balance }]);
      setUnbonding(ctx.store, delegator, operator, { ...ubd, entries: ubd.entries.filter((e) => e !== entry) });
      emitStakingEvent(ctx.events, "complete_unbonding", { amount: `${balance}${denom}`, validator: valoperString(operator), delegator: accountAddressString(delegator) });
    }
    for (const item of [...queueItems(ctx.store, RED_QUEUE, h, maxDue)]) {
      const [delegator, src, dst] = item.parts as [Uint8Array, Uint8Array, Uint8Array];
      const red = getRedelegation(ctx.store, delegator, src, dst);
      ctx.store.delete(item.key);
      if (!red) continue;
      setRedelegation(ctx.store, delegator, src, dst, { ...red, entries: red.entries.filter((e) => e.unbondingId !== item.id) });
      emitStakingEvent(ctx.events, "complete_redelegation", { source_validator: valoperString(src), destination_validator: valoperString(dst), delegator: accountAddressString(delegator) });
    }
  }

  /**
   * Slashes `fractionBps` of a validator's stake for an infraction at `infractionHeight` and
   * burns it: the validator's current tokens (bonded pool), the balance of each unbonding entry
   * created at or after the infraction height (not-bonded pool) and, for each redelegation
   * entry created at or after it, the redelegated stake still held at the destination (bonded
   * pool). Entry amounts are fractions of the entry's initial balance, capped by what is left.
   * Returns the total burned. An unknown consensus address slashes nothing (returns 0).
   */
  function slash(ctx: Context, cons: Uint8Array, infractionHeight: bigint, fractionBps: bigint): bigint {
    if (fractionBps < 0n || fractionBps > BPS) throw new Error(`slash fraction ${fractionBps} bps is outside [0, 10000]`);
    const found = validatorByConsAddress(ctx.store, cons);
    if (!found) return 0n;
    const { operator } = found;
    const denom = stakingParams.get(ctx.store).bond_denom;
    let fromNotBonded = 0n;
    let fromBonded = 0n;

    for (const { delegator, ubd } of [...unbondingsFrom(ctx.store, operator)]) {
      let changed = false;
      const entries = ubd.entries.map((e) => {
        if (e.creationHeight < infractionHeight) return e;
        const balance = BigInt(e.balance);
        const cut = minBig(bpsOf(BigInt(e.initialBalance), fractionBps), balance);
        if (cut === 0n) return e;
        changed = true;
        fromNotBonded += cut;
        return { ...e, balance: (balance - cut).toString() };
      });
      if (changed) setUnbonding(ctx.store, delegator, operator, { ...ubd, entries });
    }

    for (const { delegator, dst, red } of [...redelegationsFrom(ctx.store, operator)]) {
      for (const e of red.entries) {
        if (e.creationHeight < infractionHeight) continue;
        const d = getDelegation(ctx.store, delegator, dst);
        if (!d) continue;
        const shares = minBig(bpsOf(BigInt(e.sharesDst), fractionBps), BigInt(d.shares));
        if (shares === 0n) continue;
        fromBonded += removeDelegationShares(ctx, delegator, dst, shares);
      }
    }

    const v = getValidator(ctx.store, operator)!;
    const cut = bpsOf(BigInt(v.tokens), fractionBps);
    setValidator(ctx.store, { ...v, tokens: (BigInt(v.tokens) - cut).toString() });
    fromBonded += cut;

    if (fromBonded > 0n) bank.burnCoins(ctx, BONDED_POOL, [{ denom, amount: fromBonded }]);
    if (fromNotBonded > 0n) bank.burnCoins(ctx, NOT_BONDED_POOL, [{ denom, amount: fromNotBonded }]);
    const total = fromBonded + fromNotBonded;
    emitStakingEvent(ctx.events, "slash", { address: valconsString(cons), validator: v.operatorAddress, fraction_bps: fractionBps.toString(), infraction_height: infractionHeight.toString(), burned_coins: `${total}${denom}` });
    return total;
  }

  return { getValidator, allValidators, getDelegation, delegationsTo, delegationsOf: (store, delegator) => delegationsOf(store, delegator), lastPowers, isTombstoned, tokensFromShares, validatorByConsAddress, requireValidator, params: (store) => stakingParams.get(store), delegate, undelegate, redelegate, completeMaturedEntries, jail, unjail, tombstone, slash, recordVerifiedCompute, recordOperatorReliability, applyValidatorSetChanges };
}
