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
} from "cosmjs-types/cosmos/bank/v1beta1/query";
import { coinsToWire, isValidDenom } from "../../app/coins.js";
import { invalidArgument } from "../../app/errors.js";
import { parseQueryAddress } from "../../app/address.js";
import { defineQuery, type QueryMethod } from "../../app/module.js";
import { getBalance, getSupply } from "./keeper.js";
import { balancesPage, supplyPage } from "./store.js";

function queryDenom(denom: string): string {
  if (!isValidDenom(denom)) throw invalidArgument(`invalid denom: ${denom}`);
  return denom;
}


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
  defineParamsJsonQuery(ogpuBankQuery.protobufPackage, bankParams, { request: ogpuBankQuery.QueryParamsRequest, response: ogpuBankQuery.QueryParamsResponse }),
];
