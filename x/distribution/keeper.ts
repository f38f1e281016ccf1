import { accountAddressString } from "../../app/address.js";
import { emitDistributionEvent } from "./events.js";
import type { Context } from "../../app/context.js";
import type { KVStore } from "../../app/store/kvstore.js";
import type { AuthKeeper } from "../auth/keeper.js";
import type { BankKeeper } from "../bank/keeper.js";
import type { StakingKeeper } from "../staking/keeper.js";
import { distributionError, DistributionCode } from "./errors.js";
import { valoperString } from "../../app/validator-address.js";
import { DEC_ONE } from "../../app/dec.js";
import { moduleAddress } from "../../app/address.js";

export const DISTRIBUTION = "distribution";

import { addCollected, addPaid, commissionOf, remainderOf, rewardPerShare, RPS_SCALE, setCommission, setRemainder, setRewardPerShare, setStart, startOf } from "./store.js";

/** Reward state reads for x/distribution's own files, tools and tests (the layout stays in store.ts). */
export { allStarts, commissionOf, remainderOf, rewardPerShare, RPS_SCALE, setCommission, setRewardPerShare, setStart, setTotals, startOf, totals } from "./store.js";

/** What x/distribution needs: fees from the fee collector (bank), validators, powers and delegations (staking). */
export interface DistributionDeps {
  auth: Pick<AuthKeeper, "feeCollector">;
  bank: Pick<BankKeeper, "getBalance" | "sendCoins" | "sendFromModule">;
  staking: Pick<StakingKeeper, "getValidator" | "getDelegation" | "lastPowers" | "params" | "allValidators" | "delegationsTo" | "delegationsOf">;
}

/** x/distribution's surface: its staking hook (settleDelegation) and what its own msgs and queries use. */
export interface DistributionKeeper {
  /** Reward a delegation has earned since it was last settled. */
  pendingReward(store: KVStore, delegator: Uint8Array, operator: Uint8Array): bigint;
  /**
   * Pays a delegation its pending reward and restarts its accumulator; x/staking calls this
   * (through its hooks) before any change of the delegation's shares. Returns the amount paid.
   */
  settleDelegation(ctx: Context, delegator: Uint8Array, operator: Uint8Array): bigint;
  withdrawDelegatorReward(ctx: Context, delegator: Uint8Array, operator: Uint8Array): bigint;
  withdrawValidatorCommission(ctx: Context, operator: Uint8Array): bigint;
  /** beginBlock: the previous block's fees to validators by power, then to delegators. */
  allocateFees(ctx: Context): void;
}

export function createDistributionKeeper({ auth, bank, staking }: DistributionDeps): DistributionKeeper {
  const denomOf = (store: KVStore) => staking.params(store).bond_denom;

  /** Reward a delegation has earned since it was last settled. */
  function pendingReward(store: KVStore, delegator: Uint8Array, operator: Uint8Array): bigint {
    const d = staking.getDelegation(store, delegator, operator);
    if (!d) return 0n;
    return (BigInt(d.shares) * (rewardPerShare(store, operator) - startOf(store, delegator, operator))) / RPS_SCALE;
  }

  function payOut(ctx: Context, to: Uint8Array, amount: bigint): void {
    if (amount === 0n) return;
    bank.sendFromModule(ctx, DISTRIBUTION, to, [{ denom: denomOf(ctx.store), amount }]);
    addPaid(ctx.store, amount);
  }

  /**
   * Pays a delegation its pending reward and restarts its accumulator; x/staking calls this
   * (through its hooks) before any change of the delegation's shares. Returns the amount paid.
   */
  function settleDelegation(ctx: Context, delegator: Uint8Array, operator: Uint8Array): bigint {
    const pending = pendingReward(ctx.store, delegator, operator);
    payOut(ctx, delegator, pending);
    setStart(ctx.store, delegator, operator, rewardPerShare(ctx.store, operator));
    return pending;
  }

  /** MsgWithdrawDelegatorReward. */
  function withdrawDelegatorReward(ctx: Context, delegator: Uint8Array, operator: Uint8Array): bigint {
    if (!staking.getValidator(ctx.store, operator)) throw distributionError(DistributionCode.NoValidatorExists, `validator ${valoperString(operator)} does not exist`);
    if (!staking.getDelegation(ctx.store, delegator, operator)) throw distributionError(DistributionCode.NoDelegationExists, `delegation from ${accountAddressString(delegator)} to ${valoperString(operator)} does not exist`);
    const amount = settleDelegation(ctx, delegator, operator);
    emitDistributionEvent(ctx.events, "withdraw_rewards", { amount: `${amount}${denomOf(ctx.store)}`, validator: valoperString(operator), delegator: accountAddressString(delegator) });
    return amount;
  }

  /** MsgWithdrawValidatorCommission: pays the operator its accumulated commission. */
  function withdrawValidatorCommission(ctx: Context, operator: Uint8Array): bigint {
    const amount = commissionOf(ctx.store, operator);
    if (amount === 0n) throw distributionError(DistributionCode.NoValidatorCommission, "no validator commission to withdraw");
    setCommission(ctx.store, operator, 0n);
    payOut(ctx, operator, amount);
    emitDistributionEvent(ctx.events, "withdraw_commission", { amount: `${amount}${denomOf(ctx.store)}`, validator: valoperString(operator) });
    return amount;
  }

  /**
   * beginBlock: moves the fee collector's balance (fees of the previous block) to the
   * distribution account and splits it, plus the carried remainder, over the validators
   * CometBFT has (the last set sent) pro rata to power. Each share pays the validator's
   * commission rate to its commission account; the rest raises the validator's reward per
   * share. Everything is floor division; what it leaves is carried to the next block.
   * Without validators, fees stay in the fee collector.
   */
  function allocateFees(ctx: Context): void {
    const set = staking.lastPowers(ctx.store);
    const totalPower = set.reduce((s, x) => s + x.power, 0n);
    if (totalPower === 0n) return;
    const denom = denomOf(ctx.store);
    const fees = bank.getBalance(ctx.store, moduleAddress(auth.feeCollector), denom);
    const carried = remainderOf(ctx.store);
    if (fees === 0n && carried === 0n) return;
    if (fees > 0n) {
      bank.sendCoins(ctx, moduleAddress(auth.feeCollector), moduleAddress(DISTRIBUTION), [{ denom, amount: fees }]);
      addCollected(ctx.store, fees);
    }
    const pot = fees + carried;
    let handedOut = 0n;
    for (const { operator, power } of set) {
      const v = staking.getValidator(ctx.store, operator);
      if (!v) continue;
      const share = (pot * power) / totalPower;
      const commission = (share * BigInt(v.commission.commissionRates.rate)) / DEC_ONE;
      const toDelegators = share - commission;
      const shares = BigInt(v.delegatorShares);
      if (shares === 0n) continue; // (cannot have power) — its share stays in the pot
      // Per-share rounding leaves at most a few uogpu per delegation unclaimed in the account;
      // it is not recycled because delegators' floors over several blocks can reclaim part of it.
      setCommission(ctx.store, operator, commissionOf(ctx.store, operator) + commission);
      setRewardPerShare(ctx.store, operator, rewardPerShare(ctx.store, operator) + (toDelegators * RPS_SCALE) / shares);
      handedOut += share;
    }
    setRemainder(ctx.store, pot - handedOut);
  }

  return { pendingReward, settleDelegation, withdrawDelegatorReward, withdrawValidatorCommission, allocateFees };
}
