import { defineQuery, type QueryMethod } from "../../app/module.js";
import { BASE_DENOM } from "../../app/coins.js";
import { paginateIndex } from "../../app/pagination.js";
import {
  QueryBalanceRequest,
  QueryBalanceResponse,
  QuerySpendsRequest,
  QuerySpendsResponse,
  QueryTotalsRequest,
  QueryTotalsResponse,
} from "../../proto/gen/ogpu/treasury/v1/query.js";
import { Spend } from "../../proto/gen/ogpu/treasury/v1/treasury.js";
import type { TreasuryKeeper } from "./keeper.js";
import { allTotalsIn, SPEND, totalSpent } from "./store.js";

export function treasuryQueries(keeper: Pick<TreasuryKeeper, "balance">): QueryMethod[] {
  return [
    defineQuery("/ogpu.treasury.v1.Query/Balance", { request: QueryBalanceRequest, response: QueryBalanceResponse }, (ctx) => {
      const balance = keeper.balance(ctx.store);
      return { balance: balance === 0n ? [] : [{ denom: BASE_DENOM, amount: balance.toString() }] };
    }),
    defineQuery("/ogpu.treasury.v1.Query/Totals", { request: QueryTotalsRequest, response: QueryTotalsResponse }, (ctx) => {
      const totalIn = [...allTotalsIn(ctx.store)];
      return {
        totalIn: totalIn.map((t) => ({ reason: t.reason, amount: t.amount.toString() })),
        totalInSum: totalIn.reduce((sum, t) => sum + t.amount, 0n).toString(),
        totalSpent: totalSpent(ctx.store).toString(),
      };
    }),
    defineQuery("/ogpu.treasury.v1.Query/Spends", { request: QuerySpendsRequest, response: QuerySpendsResponse }, (ctx, req) => {
      const { tails, pagination } = paginateIndex(ctx.store, SPEND, req.pagination);
      return { spends: tails.map((tail) => Spend.decode(ctx.store.get(SPEND + tail)!)), pagination };
    }),
  ];
}
