import {
  QueryDelegationTotalRewardsRequest,
  QueryDelegationTotalRewardsResponse,
  QueryParamsRequest,
  QueryParamsResponse,
  QueryDelegationRewardsRequest,
  QueryDelegationRewardsResponse,
  QueryValidatorCommissionRequest,
  QueryValidatorCommissionResponse,
  QueryValidatorOutstandingRewardsRequest,
  QueryValidatorOutstandingRewardsResponse,
  QueryCommunityPoolRequest,
  QueryCommunityPoolResponse,
} from "cosmjs-types/cosmos/distribution/v1beta1/query";
import { parseQueryAddress } from "../../app/address.js";
import { invalidArgument, notFound } from "../../app/errors.js";
import { defineQuery, type QueryMethod } from "../../app/module.js";
import type { KVStore } from "../../app/store/kvstore.js";
import { commissionOf, type DistributionDeps, type DistributionKeeper } from "./keeper.js";
import { parseValoper } from "../../app/validator-address.js";
import { DEC_ONE } from "../../app/dec.js";

function queryValoper(text: string): Uint8Array {
  try {
    return parseValoper(text);
  } catch (err) {
    throw invalidArgument((err as Error).message);
  }
}

export function distributionQueries(keeper: Pick<DistributionKeeper, "pendingReward">, staking: DistributionDeps["staking"]): QueryMethod[] {
  /** DecCoins on the wire carry Dec atomics (amount × 10^18), as the SDK's do. */
  const decCoins = (store: KVStore, amount: bigint) => (amount === 0n ? [] : [{ denom: staking.params(store).bond_denom, amount: (amount * DEC_ONE).toString() }]);

  return [
    // x/distribution has no params: no community tax (the market fee feeds the treasury
    // instead), no proposer bonus, rewards go to the delegator's own address.
    defineQuery("/cosmos.distribution.v1beta1.Query/Params", { request: QueryParamsRequest, response: QueryParamsResponse }, () => ({
      params: { communityTax: "0", baseProposerReward: "0", bonusProposerReward: "0", withdrawAddrEnabled: false },
    })),
    defineQuery("/cosmos.distribution.v1beta1.Query/DelegationRewards", { request: QueryDelegationRewardsRequest, response: QueryDelegationRewardsResponse }, (ctx, req) => {
      const delegator = parseQueryAddress(req.delegatorAddress);
      const operator = queryValoper(req.validatorAddress);
      if (!staking.getValidator(ctx.store, operator)) throw notFound(`validator ${req.validatorAddress} does not exist`);
      if (!staking.getDelegation(ctx.store, delegator, operator)) throw notFound(`delegation from ${req.delegatorAddress} to ${req.validatorAddress} does not exist`);
      return { rewards: decCoins(ctx.store, keeper.pendingReward(ctx.store, delegator, operator)) };
    }),
    defineQuery("/cosmos.distribution.v1beta1.Query/DelegationTotalRewards", { request: QueryDelegationTotalRewardsRequest, response: QueryDelegationTotalRewardsResponse }, (ctx, req) => {
      // One entry per delegation of the delegator (at most one per validator).
      const delegator = parseQueryAddress(req.delegatorAddress);
      let total = 0n;
      const rewards = [...staking.delegationsOf(ctx.store, delegator)].map((d) => {
        const amount = keeper.pendingReward(ctx.store, delegator, parseValoper(d.validatorAddress));
        total += amount;
        return { validatorAddress: d.validatorAddress, reward: decCoins(ctx.store, amount) };
      });
      return { rewards, total: decCoins(ctx.store, total) };
    }),
    defineQuery("/cosmos.distribution.v1beta1.Query/ValidatorCommission", { request: QueryValidatorCommissionRequest, response: QueryValidatorCommissionResponse }, (ctx, req) => {
      const operator = queryValoper(req.validatorAddress);
      if (!staking.getValidator(ctx.store, operator)) throw notFound(`validator ${req.validatorAddress} does not exist`);
      return { commission: { commission: decCoins(ctx.store, commissionOf(ctx.store, operator)) } };
    }),
    defineQuery("/cosmos.distribution.v1beta1.Query/ValidatorOutstandingRewards", { request: QueryValidatorOutstandingRewardsRequest, response: QueryValidatorOutstandingRewardsResponse }, (ctx, req) => {
      // What the validator's delegators and its commission account are owed and not yet paid.
      const operator = queryValoper(req.validatorAddress);
      if (!staking.getValidator(ctx.store, operator)) throw notFound(`validator ${req.validatorAddress} does not exist`);
      let owed = commissionOf(ctx.store, operator);
      for (const d of staking.delegationsTo(ctx.store, operator)) owed += keeper.pendingReward(ctx.store, parseQueryAddress(d.delegatorAddress), operator);
      return { rewards: { rewards: decCoins(ctx.store, owed) } };
    }),
    // No community tax: the pool stays empty (the market fee's share goes to x/treasury instead).
    defineQuery("/cosmos.distribution.v1beta1.Query/CommunityPool", { request: QueryCommunityPoolRequest, response: QueryCommunityPoolResponse }, () => ({ pool: [] })),
  ];
}
