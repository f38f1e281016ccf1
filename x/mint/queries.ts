import {
  QueryAnnualProvisionsRequest,
  QueryAnnualProvisionsResponse,
  QueryInflationRequest,
  QueryInflationResponse,
  QueryParamsRequest as CosmosParamsRequest,
  QueryParamsResponse as CosmosParamsResponse,
} from "cosmjs-types/cosmos/mint/v1beta1/query";
import { parseQueryAddress } from "../../app/address.js";
import { MAX_SUPPLY } from "../../app/coins.js";
import { DEC_ONE } from "../../app/dec.js";
import { defineQuery, type QueryMethod } from "../../app/module.js";
import { defineParamsJsonQuery } from "../../app/update-params.js";
import {
  protobufPackage,
  QueryParamsRequest,
  QueryParamsResponse,
  QueryProviderRewardsRequest,
  QueryProviderRewardsResponse,
  QueryScheduleRequest,
  QueryScheduleResponse,
} from "../../proto/gen/ogpu/mint/v1/query.js";
import type { MintKeeper } from "./keeper.js";
import { mintParams } from "./params.js";

/** LegacyDec on the wire: the decimal string of its atomics, as bytes (cosmos.mint's inflation and annual provisions). */
const decBytes = (atomics: bigint) => new TextEncoder().encode(atomics.toString());

/**
 * cosmos.mint.v1beta1 for explorers and cosmjs' mint extension, and ogpu.mint.v1 for the
 * halving schedule. The SDK's inflation-targeting params do not apply to a halving schedule:
 * inflation_min = inflation_max = the schedule's current inflation, rate change and goal
 * bonded 0 (docs/mint.md).
 */
export function mintQueries(keeper: MintKeeper): QueryMethod[] {
  return [
    defineQuery("/cosmos.mint.v1beta1.Query/Params", { request: CosmosParamsRequest, response: CosmosParamsResponse }, (ctx) => {
      const p = keeper.params(ctx.store);
      const inflation = keeper.inflation(ctx.store, ctx.block.height).toString();
      return { params: { mintDenom: p.mint_denom, inflationRateChange: "0", inflationMax: inflation, inflationMin: inflation, goalBonded: "0", blocksPerYear: BigInt(p.blocks_per_year) } };
    }),
    defineQuery("/cosmos.mint.v1beta1.Query/Inflation", { request: QueryInflationRequest, response: QueryInflationResponse }, (ctx) => ({
      inflation: decBytes(keeper.inflation(ctx.store, ctx.block.height)),
    })),
    defineQuery("/cosmos.mint.v1beta1.Query/AnnualProvisions", { request: QueryAnnualProvisionsRequest, response: QueryAnnualProvisionsResponse }, (ctx) => ({
      annualProvisions: decBytes(keeper.annualProvisions(ctx.store, ctx.block.height) * DEC_ONE),
    })),
    defineParamsJsonQuery(protobufPackage, mintParams, { request: QueryParamsRequest, response: QueryParamsResponse }),
    defineQuery("/ogpu.mint.v1.Query/Schedule", { request: QueryScheduleRequest, response: QueryScheduleResponse }, (ctx) => {
      const s = keeper.scheduleStatus(ctx.store, ctx.block.height);
      return {
        height: s.height,
        cap: MAX_SUPPLY.toString(),
        genesisSupply: s.genesisSupply.toString(),
        minted: s.minted.toString(),
        burned: s.burned.toString(),
        supply: s.supply.toString(),
        currentBlockReward: s.currentBlockReward.toString(),
        halvings: s.halvings,
        nextHalvingHeight: s.nextHalvingHeight,
        scheduledToDate: s.scheduledToDate.toString(),
        scheduleTotal: s.scheduleTotal.toString(),
        remainingToCap: s.remainingToCap.toString(),
        blockMinted: s.blockMinted.toString(),
        providerPaid: s.providerPaid.toString(),
        providerForgone: s.providerForgone.toString(),
        epochStart: s.epochStart,
        epochBudget: s.epochBudget.toString(),
      };
    }),
    defineQuery("/ogpu.mint.v1.Query/ProviderRewards", { request: QueryProviderRewardsRequest, response: QueryProviderRewardsResponse }, (ctx, req) => {
      const s = keeper.providerStanding(ctx.store, parseQueryAddress(req.worker));
      return {
        feeCredit: s.feeCredit.toString(),
        uptimeWindows: s.uptimeWindows,
        totalPaid: s.totalPaid.toString(),
        lastReward: s.lastReward.toString(),
        epochStart: keeper.scheduleStatus(ctx.store, ctx.block.height).epochStart,
      };
    }),
  ];
}
