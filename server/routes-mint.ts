/**
 * x/mint's LCD routes: the SDK's cosmos.mint paths (explorers, cosmjs' mint extension) and
 * our own /ogpu/mint/v1 schedule and provider-reward queries.
 */
import * as cosmosMint from "cosmjs-types/cosmos/mint/v1beta1/query";
import * as mint from "../proto/gen/ogpu/mint/v1/query.js";
import { defineRoute, fromPath, queryMethod as q, type LcdRoute } from "./routes-table.js";

const COSMOS_MINT = "/cosmos/mint/v1beta1";
const MINT = "/ogpu/mint/v1";

export const mintRoutes: LcdRoute[] = [
  defineRoute({
    path: `${COSMOS_MINT}/params`,
    summary: "cosmos.mint params (inflation_min = inflation_max = the halving schedule's current inflation)",
    method: q("/cosmos.mint.v1beta1.Query/Params", cosmosMint.QueryParamsRequest, cosmosMint.QueryParamsResponse),
    request: {},
    render: { decimals: ["inflation_rate_change", "inflation_max", "inflation_min", "goal_bonded"] },
  }),
  defineRoute({
    path: `${COSMOS_MINT}/inflation`,
    summary: "Annual provisions over supply, from the halving schedule",
    method: q("/cosmos.mint.v1beta1.Query/Inflation", cosmosMint.QueryInflationRequest, cosmosMint.QueryInflationResponse),
    request: {},
    render: { decimals: ["inflation"] },
  }),
  defineRoute({
    path: `${COSMOS_MINT}/annual_provisions`,
    summary: "uogpu the schedule emits over the next blocks_per_year blocks (within the cap)",
    method: q("/cosmos.mint.v1beta1.Query/AnnualProvisions", cosmosMint.QueryAnnualProvisionsRequest, cosmosMint.QueryAnnualProvisionsResponse),
    request: {},
    render: { decimals: ["annual_provisions"] },
  }),
  defineRoute({
    path: `${MINT}/params`,
    summary: "mint parameters, all of them, as the module's canonical JSON (params_json): halving schedule, provider share, reward epoch, λ clamp",
    method: q("/ogpu.mint.v1.Query/Params", mint.QueryParamsRequest, mint.QueryParamsResponse),
    request: {},
  }),
  defineRoute({
    path: `${MINT}/schedule`,
    summary: "Emission so far: genesis supply, minted, burned, current block reward, next halving height, remaining to the cap",
    method: q("/ogpu.mint.v1.Query/Schedule", mint.QueryScheduleRequest, mint.QueryScheduleResponse),
    request: {},
  }),
  defineRoute({
    path: `${MINT}/provider_rewards/{worker}`,
    summary: "A worker's provider-reward standing: this epoch's fee credit and uptime windows, last and total rewards",
    method: q("/ogpu.mint.v1.Query/ProviderRewards", mint.QueryProviderRewardsRequest, mint.QueryProviderRewardsResponse),
    request: { worker: fromPath("worker", "worker operator address (ogpu1…)") },
  }),
];
