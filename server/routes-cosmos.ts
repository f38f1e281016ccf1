/**
 * LCD routes of the Cosmos SDK modules (bank, auth, staking, distribution, slashing, upgrade, authz), at the
 * SDK's gRPC-gateway paths, so Keplr, cosmjs' LCD clients and explorers find them.
 */
import * as auth from "cosmjs-types/cosmos/auth/v1beta1/query";
import * as authz from "cosmjs-types/cosmos/authz/v1beta1/query";
import * as bank from "cosmjs-types/cosmos/bank/v1beta1/query";
import * as distribution from "cosmjs-types/cosmos/distribution/v1beta1/query";
import * as slashing from "cosmjs-types/cosmos/slashing/v1beta1/query";
import * as staking from "cosmjs-types/cosmos/staking/v1beta1/query";
import * as upgrade from "cosmjs-types/cosmos/upgrade/v1beta1/query";
import { defineRoute, fromPagination, fromPath, fromQuery, parseBool, queryMethod as q, type LcdRoute } from "./routes-table.js";

/** Cosmos LegacyDec fields of the staking types (commission rates, shares). */
const STAKING_DECIMALS = ["delegator_shares", "shares", "rate", "max_rate", "max_change_rate", "min_commission_rate"];

const validatorAddr = fromPath("validator_addr", "validator operator address (ogpuvaloper1…)");
const delegatorAddr = fromPath("delegator_addr", "delegator account address (ogpu1…)");

const STAKING = "/cosmos/staking/v1beta1";
const DISTRIBUTION = "/cosmos/distribution/v1beta1";
const SLASHING = "/cosmos/slashing/v1beta1";
const UPGRADE = "/cosmos/upgrade/v1beta1";

export const bankRoutes: LcdRoute[] = [
  defineRoute({
    path: "/cosmos/bank/v1beta1/balances/{address}",
    summary: "All balances of an account",
    method: q("/cosmos.bank.v1beta1.Query/AllBalances", bank.QueryAllBalancesRequest, bank.QueryAllBalancesResponse),
    request: {
      address: fromPath("address", "account address"),
      pagination: fromPagination,
      resolveDenom: fromQuery("resolve_denom", "resolve denoms from metadata", parseBool),
    },
    render: { pageOf: "balances" },
  }),
  defineRoute({
    path: "/cosmos/bank/v1beta1/balances/{address}/by_denom",
    summary: "One denom's balance of an account",
    method: q("/cosmos.bank.v1beta1.Query/Balance", bank.QueryBalanceRequest, bank.QueryBalanceResponse),
    request: { address: fromPath("address", "account address"), denom: fromQuery("denom", "denom, e.g. uogpu") },
  }),
  defineRoute({
    path: "/cosmos/bank/v1beta1/supply",
    summary: "Total supply of every denom",
    method: q("/cosmos.bank.v1beta1.Query/TotalSupply", bank.QueryTotalSupplyRequest, bank.QueryTotalSupplyResponse),
    request: { pagination: fromPagination },
    render: { pageOf: "supply" },
  }),
  defineRoute({
    path: "/cosmos/bank/v1beta1/supply/by_denom",
    summary: "Total supply of one denom",
    method: q("/cosmos.bank.v1beta1.Query/SupplyOf", bank.QuerySupplyOfRequest, bank.QuerySupplyOfResponse),
    request: { denom: fromQuery("denom", "denom, e.g. uogpu") },
  }),
  defineRoute({
    path: "/cosmos/bank/v1beta1/spendable_balances/{address}",
    summary: "Spendable balances of an account (all of it: the chain has no vesting or locked coins)",
    method: q("/cosmos.bank.v1beta1.Query/SpendableBalances", bank.QuerySpendableBalancesRequest, bank.QuerySpendableBalancesResponse),
    request: { address: fromPath("address", "account address"), pagination: fromPagination },
    render: { pageOf: "balances" },
  }),
  defineRoute({
    path: "/cosmos/bank/v1beta1/spendable_balances/{address}/by_denom",
    summary: "One denom's spendable balance of an account",
    method: q("/cosmos.bank.v1beta1.Query/SpendableBalanceByDenom", bank.QuerySpendableBalanceByDenomRequest, bank.QuerySpendableBalanceByDenomResponse),
    request: { address: fromPath("address", "account address"), denom: fromQuery("denom", "denom, e.g. uogpu") },
  }),
  defineRoute({
    path: "/cosmos/bank/v1beta1/params",
    summary: "Bank parameters (the SDK's fields; oGPU's own at /ogpu/bank/v1/params)",
    method: q("/cosmos.bank.v1beta1.Query/Params", bank.QueryParamsRequest, bank.QueryParamsResponse),
  }),
  defineRoute({
    path: "/cosmos/bank/v1beta1/denoms_metadata",
    summary: "Metadata of every denom: the native uogpu / OGPU (display exponent 6)",
    method: q("/cosmos.bank.v1beta1.Query/DenomsMetadata", bank.QueryDenomsMetadataRequest, bank.QueryDenomsMetadataResponse),
    request: { pagination: fromPagination },
    render: { pageOf: "metadatas" },
  }),
  defineRoute({
    path: "/cosmos/bank/v1beta1/denoms_metadata/{denom}",
    summary: "Metadata of one denom",
    method: q("/cosmos.bank.v1beta1.Query/DenomMetadata", bank.QueryDenomMetadataRequest, bank.QueryDenomMetadataResponse),
    request: { denom: fromPath("denom", "base denom, uogpu") },
  }),
  defineRoute({
    path: "/cosmos/auth/v1beta1/params",
    summary: "Auth parameters (memo and signature limits, signature gas costs)",
    method: q("/cosmos.auth.v1beta1.Query/Params", auth.QueryParamsRequest, auth.QueryParamsResponse),
  }),
  defineRoute({
    path: "/cosmos/auth/v1beta1/accounts/{address}",
    summary: "An account (BaseAccount or ModuleAccount) with its public key",
    method: q("/cosmos.auth.v1beta1.Query/Account", auth.QueryAccountRequest, auth.QueryAccountResponse),
    request: { address: fromPath("address", "account address") },
  }),
];

export const stakingRoutes: LcdRoute[] = [
  defineRoute({
    path: `${STAKING}/validators`,
    summary: "All validators, optionally of one status",
    method: q("/cosmos.staking.v1beta1.Query/Validators", staking.QueryValidatorsRequest, staking.QueryValidatorsResponse),
    request: { status: fromQuery("status", "BOND_STATUS_BONDED, BOND_STATUS_UNBONDING or BOND_STATUS_UNBONDED"), pagination: fromPagination },
    render: { decimals: STAKING_DECIMALS, pageOf: "validators" },
  }),
  defineRoute({
    path: `${STAKING}/validators/{validator_addr}`,
    summary: "One validator",
    method: q("/cosmos.staking.v1beta1.Query/Validator", staking.QueryValidatorRequest, staking.QueryValidatorResponse),
    request: { validatorAddr },
    render: { decimals: STAKING_DECIMALS },
  }),
  defineRoute({
    path: `${STAKING}/validators/{validator_addr}/delegations`,
    summary: "Delegations to a validator",
    method: q("/cosmos.staking.v1beta1.Query/ValidatorDelegations", staking.QueryValidatorDelegationsRequest, staking.QueryValidatorDelegationsResponse),
    request: { validatorAddr, pagination: fromPagination },
    render: { decimals: STAKING_DECIMALS, pageOf: "delegationResponses" },
  }),
  defineRoute({
    path: `${STAKING}/validators/{validator_addr}/delegations/{delegator_addr}`,
    summary: "One delegation with its token balance",
    method: q("/cosmos.staking.v1beta1.Query/Delegation", staking.QueryDelegationRequest, staking.QueryDelegationResponse),
    request: { validatorAddr, delegatorAddr },
    render: { decimals: STAKING_DECIMALS },
  }),
  defineRoute({
    path: `${STAKING}/validators/{validator_addr}/delegations/{delegator_addr}/unbonding_delegation`,
    summary: "One delegator's unbonding entries from a validator",
    method: q("/cosmos.staking.v1beta1.Query/UnbondingDelegation", staking.QueryUnbondingDelegationRequest, staking.QueryUnbondingDelegationResponse),
    request: { validatorAddr, delegatorAddr },
  }),
  defineRoute({
    path: `${STAKING}/delegations/{delegator_addr}`,
    summary: "All delegations of a delegator",
    method: q("/cosmos.staking.v1beta1.Query/DelegatorDelegations", staking.QueryDelegatorDelegationsRequest, staking.QueryDelegatorDelegationsResponse),
    request: { delegatorAddr, pagination: fromPagination },
    render: { decimals: STAKING_DECIMALS, pageOf: "delegationResponses" },
  }),
  defineRoute({
    path: `${STAKING}/delegators/{delegator_addr}/unbonding_delegations`,
    summary: "All unbonding delegations of a delegator",
    method: q("/cosmos.staking.v1beta1.Query/DelegatorUnbondingDelegations", staking.QueryDelegatorUnbondingDelegationsRequest, staking.QueryDelegatorUnbondingDelegationsResponse),
    request: { delegatorAddr, pagination: fromPagination },
    render: { pageOf: "unbondingResponses" },
  }),
  defineRoute({
    path: `${STAKING}/delegators/{delegator_addr}/redelegations`,
    summary: "Redelegations of a delegator, optionally from one source and to one destination validator",
    method: q("/cosmos.staking.v1beta1.Query/Redelegations", staking.QueryRedelegationsRequest, staking.QueryRedelegationsResponse),
    request: {
      delegatorAddr,
      srcValidatorAddr: fromQuery("src_validator_addr", "source validator operator address"),
      dstValidatorAddr: fromQuery("dst_validator_addr", "destination validator operator address"),
      pagination: fromPagination,
    },
    render: { decimals: STAKING_DECIMALS, pageOf: "redelegationResponses" },
  }),
  defineRoute({
    path: `${STAKING}/delegators/{delegator_addr}/validators`,
    summary: "The validators a delegator delegates to",
    method: q("/cosmos.staking.v1beta1.Query/DelegatorValidators", staking.QueryDelegatorValidatorsRequest, staking.QueryDelegatorValidatorsResponse),
    request: { delegatorAddr, pagination: fromPagination },
    render: { decimals: STAKING_DECIMALS, pageOf: "validators" },
  }),
  defineRoute({
    path: `${STAKING}/pool`,
    summary: "Bonded and not-bonded token totals",
    method: q("/cosmos.staking.v1beta1.Query/Pool", staking.QueryPoolRequest, staking.QueryPoolResponse),
  }),
  defineRoute({
    path: `${STAKING}/params`,
    summary: "Staking parameters (unbonding_time carries the unbonding period in blocks as seconds)",
    method: q("/cosmos.staking.v1beta1.Query/Params", staking.QueryParamsRequest, staking.QueryParamsResponse),
    render: { decimals: STAKING_DECIMALS },
  }),
];

export const distributionRoutes: LcdRoute[] = [
  defineRoute({
    path: `${DISTRIBUTION}/delegators/{delegator_address}/rewards`,
    summary: "Pending rewards of every delegation of a delegator, and their total",
    method: q("/cosmos.distribution.v1beta1.Query/DelegationTotalRewards", distribution.QueryDelegationTotalRewardsRequest, distribution.QueryDelegationTotalRewardsResponse),
    request: { delegatorAddress: fromPath("delegator_address", "delegator account address (ogpu1…)") },
    render: { decimals: ["amount"] },
  }),
  defineRoute({
    path: `${DISTRIBUTION}/delegators/{delegator_address}/rewards/{validator_address}`,
    summary: "Pending rewards of one delegation",
    method: q("/cosmos.distribution.v1beta1.Query/DelegationRewards", distribution.QueryDelegationRewardsRequest, distribution.QueryDelegationRewardsResponse),
    request: {
      delegatorAddress: fromPath("delegator_address", "delegator account address (ogpu1…)"),
      validatorAddress: fromPath("validator_address", "validator operator address (ogpuvaloper1…)"),
    },
    render: { decimals: ["amount"] },
  }),
  defineRoute({
    path: `${DISTRIBUTION}/validators/{validator_address}/commission`,
    summary: "Accumulated commission of a validator",
    method: q("/cosmos.distribution.v1beta1.Query/ValidatorCommission", distribution.QueryValidatorCommissionRequest, distribution.QueryValidatorCommissionResponse),
    request: { validatorAddress: fromPath("validator_address", "validator operator address (ogpuvaloper1…)") },
    render: { decimals: ["amount"] },
  }),
  defineRoute({
    path: `${DISTRIBUTION}/validators/{validator_address}/outstanding_rewards`,
    summary: "Rewards of a validator not yet paid out: its delegators' pending rewards plus its commission",
    method: q("/cosmos.distribution.v1beta1.Query/ValidatorOutstandingRewards", distribution.QueryValidatorOutstandingRewardsRequest, distribution.QueryValidatorOutstandingRewardsResponse),
    request: { validatorAddress: fromPath("validator_address", "validator operator address (ogpuvaloper1…)") },
    render: { decimals: ["amount"] },
  }),
  defineRoute({
    path: `${DISTRIBUTION}/community_pool`,
    summary: "The community pool: always empty (no community tax; see /ogpu/treasury/v1/balance)",
    method: q("/cosmos.distribution.v1beta1.Query/CommunityPool", distribution.QueryCommunityPoolRequest, distribution.QueryCommunityPoolResponse),
    render: { decimals: ["amount"] },
  }),
  defineRoute({
    path: `${DISTRIBUTION}/params`,
    summary: "Distribution parameters (fixed: no community tax, no proposer bonus)",
    method: q("/cosmos.distribution.v1beta1.Query/Params", distribution.QueryParamsRequest, distribution.QueryParamsResponse),
    render: { decimals: ["community_tax", "base_proposer_reward", "bonus_proposer_reward"] },
  }),
];

const SLASHING_DECIMALS = ["min_signed_per_window", "slash_fraction_double_sign", "slash_fraction_downtime"];

export const slashingRoutes: LcdRoute[] = [
  defineRoute({
    path: `${SLASHING}/signing_infos`,
    summary: "Liveness records of all validators",
    method: q("/cosmos.slashing.v1beta1.Query/SigningInfos", slashing.QuerySigningInfosRequest, slashing.QuerySigningInfosResponse),
    request: { pagination: fromPagination },
    render: { pageOf: "info" },
  }),
  defineRoute({
    path: `${SLASHING}/signing_infos/{cons_address}`,
    summary: "Liveness record of one validator",
    method: q("/cosmos.slashing.v1beta1.Query/SigningInfo", slashing.QuerySigningInfoRequest, slashing.QuerySigningInfoResponse),
    request: { consAddress: fromPath("cons_address", "validator consensus address (ogpuvalcons1…)") },
  }),
  defineRoute({
    path: `${SLASHING}/params`,
    summary: "Slashing parameters (downtime_jail_duration carries the jail in blocks as seconds)",
    method: q("/cosmos.slashing.v1beta1.Query/Params", slashing.QueryParamsRequest, slashing.QueryParamsResponse),
    render: { decimals: SLASHING_DECIMALS },
  }),
];

export const upgradeRoutes: LcdRoute[] = [
  defineRoute({
    path: `${UPGRADE}/current_plan`,
    summary: "The scheduled software upgrade plan (plan null when none)",
    method: q("/cosmos.upgrade.v1beta1.Query/CurrentPlan", upgrade.QueryCurrentPlanRequest, upgrade.QueryCurrentPlanResponse),
  }),
  defineRoute({
    path: `${UPGRADE}/applied_plan/{name}`,
    summary: "Height at which the named plan was applied (0 if never)",
    method: q("/cosmos.upgrade.v1beta1.Query/AppliedPlan", upgrade.QueryAppliedPlanRequest, upgrade.QueryAppliedPlanResponse),
    request: { name: fromPath("name", "plan name") },
  }),
  defineRoute({
    path: `${UPGRADE}/module_versions`,
    summary: "Stored consensus version of every module (or of module_name)",
    method: q("/cosmos.upgrade.v1beta1.Query/ModuleVersions", upgrade.QueryModuleVersionsRequest, upgrade.QueryModuleVersionsResponse),
    request: { moduleName: fromQuery("module_name", "one module's name") },
  }),
  defineRoute({
    path: `${UPGRADE}/authority`,
    summary: "The account allowed to schedule upgrades (the gov module account)",
    method: q("/cosmos.upgrade.v1beta1.Query/Authority", upgrade.QueryAuthorityRequest, upgrade.QueryAuthorityResponse),
  }),
];

const AUTHZ = "/cosmos/authz/v1beta1";

export const authzRoutes: LcdRoute[] = [
  defineRoute({
    path: `${AUTHZ}/grants`,
    summary: "Grants from granter to grantee (one msg type's with msg_type_url)",
    method: q("/cosmos.authz.v1beta1.Query/Grants", authz.QueryGrantsRequest, authz.QueryGrantsResponse),
    request: {
      granter: fromQuery("granter", "granter account address"),
      grantee: fromQuery("grantee", "grantee account address"),
      msgTypeUrl: fromQuery("msg_type_url", "the msg type URL the grant allows"),
      pagination: fromPagination,
    },
    render: { pageOf: "grants" },
  }),
  defineRoute({
    path: `${AUTHZ}/grants/granter/{granter}`,
    summary: "Every grant a granter gave",
    method: q("/cosmos.authz.v1beta1.Query/GranterGrants", authz.QueryGranterGrantsRequest, authz.QueryGranterGrantsResponse),
    request: { granter: fromPath("granter", "granter account address"), pagination: fromPagination },
    render: { pageOf: "grants" },
  }),
  defineRoute({
    path: `${AUTHZ}/grants/grantee/{grantee}`,
    summary: "Every grant a grantee holds",
    method: q("/cosmos.authz.v1beta1.Query/GranteeGrants", authz.QueryGranteeGrantsRequest, authz.QueryGranteeGrantsResponse),
    request: { grantee: fromPath("grantee", "grantee account address"), pagination: fromPagination },
    render: { pageOf: "grants" },
  }),
];
