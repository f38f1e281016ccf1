import * as ogpuBankQuery from "../../proto/gen/ogpu/bank/v1/query.js";
import { defineParamsJsonQuery } from "../../app/update-params.js";
import { bankParams } from "./params.js";
import {
  QueryAllBalancesRequest,
  QueryAllBalancesResponse,
  QueryBalanceRequest,
  QueryBalanceResponse,
  QuerySupplyOfRequest,
  QuerySupplyOfResponse,
  QueryTotalSupplyRequest,
  QueryTotalSupplyResponse,
  QuerySpendableBalancesRequest,
  QuerySpendableBalancesResponse,
  QuerySpendableBalanceByDenomRequest,
  QuerySpendableBalanceByDenomResponse,
  QueryParamsRequest,
  QueryParamsResponse,
  QueryDenomsMetadataRequest,
  QueryDenomsMetadataResponse,
  QueryDenomMetadataRequest,
  QueryDenomMetadataResponse,
} from "cosmjs-types/cosmos/bank/v1beta1/query";
import type { Metadata } from "cosmjs-types/cosmos/bank/v1beta1/bank";
import { BASE_DENOM, coinsToWire, DISPLAY_DENOM, DISPLAY_EXPONENT, isValidDenom, TICKER } from "../../app/coins.js";
import { invalidArgument, notFound } from "../../app/errors.js";
import { parseQueryAddress } from "../../app/address.js";
import { defineQuery, type QueryMethod } from "../../app/module.js";
import { getBalance, getSupply } from "./keeper.js";
import { balancesPage, supplyPage } from "./store.js";

function queryDenom(denom: string): string {
  if (!isValidDenom(denom)) throw invalidArgument(`invalid denom: ${denom}`);
  return denom;
}


/**
 * The native denom's metadata (the chain's only denom): fixed by the protocol like the denom
 * itself, so it is served from here rather than stored. Wallets and explorers read the
 * display unit and exponent from it.
 */
export const NATIVE_DENOM_METADATA: Metadata = {
  description: "oGPU's native token: fees, task escrow, worker bonds and staking",
  denomUnits: [
    { denom: BASE_DENOM, exponent: 0, aliases: ["microogpu"] },
    { denom: DISPLAY_DENOM, exponent: DISPLAY_EXPONENT, aliases: [] },
  ],
  base: BASE_DENOM,
  display: DISPLAY_DENOM,
  name: "oGPU",
  symbol: TICKER,
  uri: "",
  uriHash: "",
};

export const bankQueries: QueryMethod[] = [
  defineQuery("/cosmos.bank.v1beta1.Query/Balance", { request: QueryBalanceRequest, response: QueryBalanceResponse }, (ctx, req) => {
    const denom = queryDenom(req.denom);
    const amount = getBalance(ctx.store, parseQueryAddress(req.address), denom);
    return { balance: { denom, amount: amount.toString() } };
  }),
  defineQuery("/cosmos.bank.v1beta1.Query/AllBalances", { request: QueryAllBalancesRequest, response: QueryAllBalancesResponse }, (ctx, req) => {
    const { coins, pagination } = balancesPage(ctx.store, parseQueryAddress(req.address), req.pagination);
    return { balances: coinsToWire(coins), pagination };
  }),
  defineQuery("/cosmos.bank.v1beta1.Query/TotalSupply", { request: QueryTotalSupplyRequest, response: QueryTotalSupplyResponse }, (ctx, req) => {
    const { coins, pagination } = supplyPage(ctx.store, req.pagination);
    return { supply: coinsToWire(coins), pagination };
  }),
  defineQuery("/cosmos.bank.v1beta1.Query/SupplyOf", { request: QuerySupplyOfRequest, response: QuerySupplyOfResponse }, (ctx, req) => {
    const denom = queryDenom(req.denom);
    return { amount: { denom, amount: getSupply(ctx.store, denom).toString() } };
  }),
  // No vesting or locked coins exist here: an account's whole balance is spendable.
  defineQuery("/cosmos.bank.v1beta1.Query/SpendableBalances", { request: QuerySpendableBalancesRequest, response: QuerySpendableBalancesResponse }, (ctx, req) => {
    const { coins, pagination } = balancesPage(ctx.store, parseQueryAddress(req.address), req.pagination);
    return { balances: coinsToWire(coins), pagination };
  }),
  defineQuery("/cosmos.bank.v1beta1.Query/SpendableBalanceByDenom", { request: QuerySpendableBalanceByDenomRequest, response: QuerySpendableBalanceByDenomResponse }, (ctx, req) => {
    const denom = queryDenom(req.denom);
    return { balance: { denom, amount: getBalance(ctx.store, parseQueryAddress(req.address), denom).toString() } };
  }),
  // The SDK's fields only; oGPU's own (max_wallet_bps, …) are at /ogpu.bank.v1.Query/Params.
  defineQuery("/cosmos.bank.v1beta1.Query/Params", { request: QueryParamsRequest, response: QueryParamsResponse }, (ctx) => ({
    params: { sendEnabled: [], defaultSendEnabled: bankParams.get(ctx.store).send_enabled },
  })),
  defineQuery("/cosmos.bank.v1beta1.Query/DenomsMetadata", { request: QueryDenomsMetadataRequest, response: QueryDenomsMetadataResponse }, () => ({
    metadatas: [NATIVE_DENOM_METADATA],
    pagination: { nextKey: new Uint8Array(), total: 1n },
  })),
  defineQuery("/cosmos.bank.v1beta1.Query/DenomMetadata", { request: QueryDenomMetadataRequest, response: QueryDenomMetadataResponse }, (_ctx, req) => {
    if (req.denom !== BASE_DENOM) throw notFound(`client metadata for denom ${req.denom}`);
    return { metadata: NATIVE_DENOM_METADATA };
  }),
  defineParamsJsonQuery(ogpuBankQuery.protobufPackage, bankParams, { request: ogpuBankQuery.QueryParamsRequest, response: ogpuBankQuery.QueryParamsResponse }),
];
