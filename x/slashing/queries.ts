import * as ogpuSlashingQuery from "../../proto/gen/ogpu/slashing/v1/query.js";
import { defineParamsJsonQuery } from "../../app/update-params.js";
import {
  QueryParamsRequest,
  QueryParamsResponse,
  QuerySigningInfoRequest,
  QuerySigningInfoResponse,
  QuerySigningInfosRequest,
  QuerySigningInfosResponse,
} from "cosmjs-types/cosmos/slashing/v1beta1/query";
import type { Params } from "cosmjs-types/cosmos/slashing/v1beta1/slashing";
import { invalidArgument, notFound } from "../../app/errors.js";
import { defineQuery, type QueryMethod } from "../../app/module.js";
import { fromBech32, VALCONS_PREFIX } from "../../crypto/bech32.js";
import { slashingParams, type SlashingParams } from "./params.js";
import { getSigningInfo, signingInfosPage } from "./store.js";

/** A Cosmos Dec on the wire (gogoproto customtype bytes): the ASCII digits of value × 10^18. */
const bpsAsDecBytes = (bps: number) => new TextEncoder().encode((BigInt(bps) * 100_000_000_000_000n).toString());

/**
 * Params in the Cosmos shape. The chain counts the jail in blocks; the Duration carries
 * downtime_jail_blocks as seconds (one block per second nominal), as staking does for
 * unbonding_time. ogpu clients read the block count from genesis / docs.
 */
export function cosmosParams(p: SlashingParams): Params {
  return {
    signedBlocksWindow: BigInt(p.signed_blocks_window),
    minSignedPerWindow: bpsAsDecBytes(p.min_signed_per_window_bps),
    downtimeJailDuration: { seconds: BigInt(p.downtime_jail_blocks), nanos: 0 },
    slashFractionDoubleSign: bpsAsDecBytes(p.slash_fraction_double_sign_bps),
    slashFractionDowntime: bpsAsDecBytes(p.slash_fraction_downtime_bps),
  };
}

function queryConsAddress(text: string): Uint8Array {
  if (text === "") throw invalidArgument("empty address string is not allowed");
  try {
    return fromBech32(text, VALCONS_PREFIX);
  } catch (err) {
    throw invalidArgument((err as Error).message);
  }
}

export const slashingQueries: QueryMethod[] = [
  defineQuery("/cosmos.slashing.v1beta1.Query/Params", { request: QueryParamsRequest, response: QueryParamsResponse }, (ctx) => ({
    params: cosmosParams(slashingParams.get(ctx.store)),
  })),
  defineQuery("/cosmos.slashing.v1beta1.Query/SigningInfo", { request: QuerySigningInfoRequest, response: QuerySigningInfoResponse }, (ctx, req) => {
    const info = getSigningInfo(ctx.store, queryConsAddress(req.consAddress));
    if (!info) throw notFound(`SigningInfo not found for validator ${req.consAddress}`);
    return { valSigningInfo: info };
  }),
  defineQuery("/cosmos.slashing.v1beta1.Query/SigningInfos", { request: QuerySigningInfosRequest, response: QuerySigningInfosResponse }, (ctx, req) => {
    const { items: info, pagination } = signingInfosPage(ctx.store, req.pagination);
    return { info, pagination };
  }),
  defineParamsJsonQuery(ogpuSlashingQuery.protobufPackage, slashingParams, { request: ogpuSlashingQuery.QueryParamsRequest, response: ogpuSlashingQuery.QueryParamsResponse }),
];
