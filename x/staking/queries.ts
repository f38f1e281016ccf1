import * as ogpuStakingQuery from "../../proto/gen/ogpu/staking/v1/query.js";
import { defineParamsJsonQuery } from "../../app/update-params.js";
import {
  QueryDelegationRequest,
  QueryDelegationResponse,
  QueryDelegatorDelegationsRequest,
  QueryDelegatorValidatorsRequest,
  QueryDelegatorValidatorsResponse,
  QueryDelegatorDelegationsResponse,
  QueryDelegatorUnbondingDelegationsRequest,
  QueryDelegatorUnbondingDelegationsResponse,
  QueryParamsRequest,
  QueryParamsResponse,
  QueryPoolRequest,
  QueryPoolResponse,
  QueryRedelegationsRequest,
  QueryRedelegationsResponse,
  QueryUnbondingDelegationRequest,
  QueryUnbondingDelegationResponse,
  QueryValidatorDelegationsRequest,
  QueryValidatorDelegationsResponse,
  QueryValidatorRequest,
  QueryValidatorResponse,
  QueryValidatorsRequest,
  QueryValidatorsResponse,
} from "cosmjs-types/cosmos/staking/v1beta1/query";
import { BondStatus, bondStatusFromJSON, Validator, type Delegation, type DelegationResponse, type Redelegation, type RedelegationResponse } from "cosmjs-types/cosmos/staking/v1beta1/staking";
import { parseQueryAddress } from "../../app/address.js";
import { invalidArgument, notFound } from "../../app/errors.js";
import { paginateFiltered } from "../../app/pagination.js";
import { defineQuery, type QueryMethod } from "../../app/module.js";
import type { KVStore } from "../../app/store/kvstore.js";
import type { BankKeeper } from "../bank/keeper.js";
import { BONDED_POOL, NOT_BONDED_POOL, tokensFromShares } from "./keeper.js";
import { stakingParams } from "./params.js";
import { computeWeightsOf, powerParts, type ComputeWeights } from "./power.js";
import { BPS, VALIDATOR_PREFIX, getComputeCredit, getReliabilityBps, delegationsOfPage, delegationsToPage, getDelegation, getUnbonding, getValidator, redelegationsOfPage, unbondingsOfPage } from "./store.js";
import { parseValoper, valoperString } from "../../app/validator-address.js";
import { parseDec } from "../../app/dec.js";
import { moduleAddress } from "../../app/address.js";

function queryValoper(text: string): Uint8Array {
  if (text === "") throw invalidArgument("validator address cannot be empty");
  try {
    return parseValoper(text);
  } catch (err) {
    throw invalidArgument((err as Error).message);
  }
}

function requireQueriedValidator(store: KVStore, text: string) {
  const v = getValidator(store, queryValoper(text));
  if (!v) throw notFound(`validator ${text} not found`);
  return v;
}

/** A delegation with its current token value (shares × tokens / total shares). */
function delegationResponse(store: KVStore, d: Delegation): DelegationResponse {
  const v = getValidator(store, parseValoper(d.validatorAddress))!;
  return { delegation: d, balance: { denom: stakingParams.get(store).bond_denom, amount: tokensFromShares(v, BigInt(d.shares)).toString() } };
}

/** A redelegation with each entry's current token value at the destination. */
function redelegationResponse(store: KVStore, r: Redelegation): RedelegationResponse {
  const dst = getValidator(store, parseValoper(r.validatorDstAddress));
  return { redelegation: r, entries: r.entries.map((e) => ({ redelegationEntry: e, balance: (dst ? tokensFromShares(dst, BigInt(e.sharesDst)) : 0n).toString() })) };
}

/** A validator's power and the formula's parts (x/staking/power.ts), as the ValidatorPowers query shows them. */
function powerView(store: KVStore, v: Validator, weights: ComputeWeights): ogpuStakingQuery.ValidatorPower {
  const operator = parseValoper(v.operatorAddress);
  const credit = getComputeCredit(store, operator);
  const reliability = getReliabilityBps(store, operator);
  const parts = powerParts(BigInt(v.tokens), credit, reliability, weights);
  const power = v.jailed ? 0n : parts.power;
  const stake = parts.stakeBps / BPS;
  return {
    operatorAddress: v.operatorAddress,
    tokens: v.tokens,
    stake: stake.toString(),
    computeCredit: credit.toString(),
    computeBonusBps: parts.bonusBps.toString(),
    reliabilityBps: reliability,
    power: power.toString(),
    multiplierBps: (stake === 0n ? 0n : (power * BPS) / stake).toString(),
    jailed: v.jailed,
  };
}

export function stakingQueries(bank: Pick<BankKeeper, "getBalance">): QueryMethod[] {
  return [
    defineQuery("/cosmos.staking.v1beta1.Query/Validators", { request: QueryValidatorsRequest, response: QueryValidatorsResponse }, (ctx, req) => {
      const status = req.status === "" ? undefined : bondStatusFromJSON(req.status);
      if (status === BondStatus.UNRECOGNIZED) throw invalidArgument(`invalid validator status ${req.status}`);
      const { items: validators, pagination } = paginateFiltered(ctx.store, VALIDATOR_PREFIX, req.pagination, (_tail, raw) => {
        const v = Validator.decode(raw);
        return status === undefined || v.status === status ? v : undefined;
      });
      return { validators, pagination };
    }),
    defineQuery("/cosmos.staking.v1beta1.Query/Validator", { request: QueryValidatorRequest, response: QueryValidatorResponse }, (ctx, req) => ({
      validator: requireQueriedValidator(ctx.store, req.validatorAddr),
    })),
    defineQuery("/cosmos.staking.v1beta1.Query/ValidatorDelegations", { request: QueryValidatorDelegationsRequest, response: QueryValidatorDelegationsResponse }, (ctx, req) => {
      requireQueriedValidator(ctx.store, req.validatorAddr);
      const { items, pagination } = delegationsToPage(ctx.store, queryValoper(req.validatorAddr), req.pagination);
      return { delegationResponses: items.map((d) => delegationResponse(ctx.store, d)), pagination };
    }),
    defineQuery("/cosmos.staking.v1beta1.Query/Delegation", { request: QueryDelegationRequest, response: QueryDelegationResponse }, (ctx, req) => {
      const d = getDelegation(ctx.store, parseQueryAddress(req.delegatorAddr), queryValoper(req.validatorAddr));
      if (!d) throw notFound(`delegation with delegator ${req.delegatorAddr} not found for validator ${req.validatorAddr}`);
      return { delegationResponse: delegationResponse(ctx.store, d) };
    }),
    defineQuery("/cosmos.staking.v1beta1.Query/DelegatorDelegations", { request: QueryDelegatorDelegationsRequest, response: QueryDelegatorDelegationsResponse }, (ctx, req) => {
      const { items, pagination } = delegationsOfPage(ctx.store, parseQueryAddress(req.delegatorAddr), req.pagination);
      return { delegationResponses: items.map((d) => delegationResponse(ctx.store, d)), pagination };
    }),
    defineQuery("/cosmos.staking.v1beta1.Query/DelegatorValidators", { request: QueryDelegatorValidatorsRequest, response: QueryDelegatorValidatorsResponse }, (ctx, req) => {
      // The validators a delegator delegates to, paged over its delegations (validator order).
      const { items, pagination } = delegationsOfPage(ctx.store, parseQueryAddress(req.delegatorAddr), req.pagination);
      return { validators: items.map((d) => getValidator(ctx.store, parseValoper(d.validatorAddress))!), pagination };
    }),
    defineQuery("/cosmos.staking.v1beta1.Query/UnbondingDelegation", { request: QueryUnbondingDelegationRequest, response: QueryUnbondingDelegationResponse }, (ctx, req) => {
      const ubd = getUnbonding(ctx.store, parseQueryAddress(req.delegatorAddr), queryValoper(req.validatorAddr));
      if (!ubd) throw notFound(`unbonding delegation with delegator ${req.delegatorAddr} not found for validator ${req.validatorAddr}`);
      return { unbond: ubd };
    }),
    defineQuery("/cosmos.staking.v1beta1.Query/DelegatorUnbondingDelegations", { request: QueryDelegatorUnbondingDelegationsRequest, response: QueryDelegatorUnbondingDelegationsResponse }, (ctx, req) => {
      const { items: unbondingResponses, pagination } = unbondingsOfPage(ctx.store, parseQueryAddress(req.delegatorAddr), req.pagination);
      return { unbondingResponses, pagination };
    }),
    defineQuery("/cosmos.staking.v1beta1.Query/Redelegations", { request: QueryRedelegationsRequest, response: QueryRedelegationsResponse }, (ctx, req) => {
      // A delegator's redelegations, optionally from one source and to one destination.
      if (req.delegatorAddr === "") throw invalidArgument("delegator address cannot be empty");
      const delegator = parseQueryAddress(req.delegatorAddr);
      const src = req.srcValidatorAddr === "" ? undefined : valoperString(queryValoper(req.srcValidatorAddr));
      const dst = req.dstValidatorAddr === "" ? undefined : valoperString(queryValoper(req.dstValidatorAddr));
      const keep = (r: Redelegation) => (src === undefined || r.validatorSrcAddress === src) && (dst === undefined || r.validatorDstAddress === dst);
      const { items, pagination } = redelegationsOfPage(ctx.store, delegator, req.pagination, keep);
      return { redelegationResponses: items.map((r) => redelegationResponse(ctx.store, r)), pagination };
    }),
    defineQuery("/cosmos.staking.v1beta1.Query/Pool", { request: QueryPoolRequest, response: QueryPoolResponse }, (ctx) => {
      const denom = stakingParams.get(ctx.store).bond_denom;
      return {
        pool: {
          bondedTokens: bank.getBalance(ctx.store, moduleAddress(BONDED_POOL), denom).toString(),
          notBondedTokens: bank.getBalance(ctx.store, moduleAddress(NOT_BONDED_POOL), denom).toString(),
        },
      };
    }),
    defineQuery("/cosmos.staking.v1beta1.Query/Params", { request: QueryParamsRequest, response: QueryParamsResponse }, (ctx) => {
      const p = stakingParams.get(ctx.store);
      // Cosmos counts the unbonding period in time; oGPU counts blocks. The Duration carries
      // unbonding_blocks as seconds (one block per second nominal); ogpu clients read the block count.
      return {
        params: {
          unbondingTime: { seconds: BigInt(p.unbonding_blocks), nanos: 0 },
          maxValidators: p.max_validators,
          maxEntries: p.max_entries,
          historicalEntries: 0,
          bondDenom: p.bond_denom,
          minCommissionRate: parseDec(p.min_commission_rate).toString(),
        },
      };
    }),
    defineQuery("/ogpu.staking.v1.Query/ValidatorPowers", { request: ogpuStakingQuery.QueryValidatorPowersRequest, response: ogpuStakingQuery.QueryValidatorPowersResponse }, (ctx, req) => {
      const weights = computeWeightsOf(stakingParams.get(ctx.store));
      const { items: validators, pagination } = paginateFiltered(ctx.store, VALIDATOR_PREFIX, req.pagination, (_tail, raw) => powerView(ctx.store, Validator.decode(raw), weights));
      return { validators, pagination, computeAlphaBps: weights.alphaBps, computeKappa: weights.kappa };
    }),
    defineParamsJsonQuery(ogpuStakingQuery.protobufPackage, stakingParams, { request: ogpuStakingQuery.QueryParamsRequest, response: ogpuStakingQuery.QueryParamsResponse }),
  ];
}
