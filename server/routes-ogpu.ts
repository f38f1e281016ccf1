/**
 * LCD routes of oGPU's own modules (workers, market), laid out the way the SDK's gateway
 * lays out module routes: /ogpu/<module>/v1/<query>.
 */
import { TaskStatus, VerificationClass } from "../proto/gen/ogpu/market/v1/market.js";
import * as market from "../proto/gen/ogpu/market/v1/query.js";
import * as workers from "../proto/gen/ogpu/workers/v1/query.js";
import { WorkerStatus } from "../proto/gen/ogpu/workers/v1/workers.js";
import * as attest from "../proto/gen/ogpu/attest/v1/query.js";
import { Phase, Verdict } from "../proto/gen/ogpu/attest/v1/attest.js";
import * as gov from "../proto/gen/ogpu/gov/v1/query.js";
import * as auth from "../proto/gen/ogpu/auth/v1/query.js";
import * as bank from "../proto/gen/ogpu/bank/v1/query.js";
import * as slashing from "../proto/gen/ogpu/slashing/v1/query.js";
import * as staking from "../proto/gen/ogpu/staking/v1/query.js";
import * as treasury from "../proto/gen/ogpu/treasury/v1/query.js";
import { defineRoute, fromPagination, fromPath, fromQuery, fromQueryEnum, parseUint32, parseUint64, queryMethod as q, type LcdRoute } from "./routes-table.js";

const WORKERS = "/ogpu/workers/v1";
const MARKET = "/ogpu/market/v1";

// Our ts-proto codecs have no toJSON, so their enums are named here.
const WORKER_ENUMS = { status: WorkerStatus };
const TASK_ENUMS = { status: TaskStatus, verification: VerificationClass };

export const workersRoutes: LcdRoute[] = [
  defineRoute({
    path: `${WORKERS}/workers`,
    summary: "Registered workers in operator order, with their status and tier, one page at a time (pagination.*; filters apply per page)",
    method: q("/ogpu.workers.v1.Query/Workers", workers.QueryWorkersRequest, workers.QueryWorkersResponse),
    request: {
      status: fromQueryEnum("status", "only workers with this status (name or number)", WorkerStatus),
      gpuModel: fromQuery("gpu_model", "only workers with at least one GPU of this model"),
      pagination: fromPagination,
    },
    render: { enums: WORKER_ENUMS, pageOf: "workers" },
  }),
  defineRoute({
    path: `${WORKERS}/workers/{address}`,
    summary: "One worker by its operator address",
    method: q("/ogpu.workers.v1.Query/Worker", workers.QueryWorkerRequest, workers.QueryWorkerResponse),
    request: { operator: fromPath("address", "worker operator address (ogpu1…)") },
    render: { enums: WORKER_ENUMS },
  }),
  defineRoute({
    path: `${WORKERS}/params`,
    summary: "Workers parameters (the GPU catalogue among them) as the module's canonical JSON (params_json)",
    method: q("/ogpu.workers.v1.Query/Params", workers.QueryParamsRequest, workers.QueryParamsResponse),
  }),
];

export const marketRoutes: LcdRoute[] = [
  defineRoute({
    path: `${MARKET}/tasks`,
    summary: "Tasks in id order, optionally filtered by client and/or status, paged over an index (pagination.*; after_id/limit are older shorthands)",
    method: q("/ogpu.market.v1.Query/Tasks", market.QueryTasksRequest, market.QueryTasksResponse),
    request: {
      status: fromQueryEnum("status", "only tasks with this status (name or number)", TaskStatus),
      client: fromQuery("client", "only tasks submitted by this account"),
      limit: fromQuery("limit", "most tasks to return (0 = the server's cap, 1000)", parseUint32),
      afterId: fromQuery("after_id", "only tasks with a larger id", parseUint64),
      pagination: fromPagination,
    },
    render: { enums: TASK_ENUMS },
  }),
  defineRoute({
    path: `${MARKET}/tasks/{id}`,
    summary: "One task by id",
    method: q("/ogpu.market.v1.Query/Task", market.QueryTaskRequest, market.QueryTaskResponse),
    request: { taskId: fromPath("id", "task id", parseUint64) },
    render: { enums: TASK_ENUMS },
  }),
  defineRoute({
    path: `${MARKET}/params`,
    summary: "Market parameters as the module's canonical JSON (params_json)",
    method: q("/ogpu.market.v1.Query/Params", market.QueryParamsRequest, market.QueryParamsResponse),
  }),
  defineRoute({
    path: `${MARKET}/programs`,
    summary: "Programs seen on chain in program_hash order (first/last height, task count, runtime, GPUs), one page at a time, and the built-in kernels with their fixed program ids",
    method: q("/ogpu.market.v1.Query/Programs", market.QueryProgramsRequest, market.QueryProgramsResponse),
    request: { pagination: fromPagination },
    render: { pageOf: "programs" },
  }),
  defineRoute({
    path: `${MARKET}/base_price`,
    summary: "Current base price per compute unit and utilisation of every GPU tier",
    method: q("/ogpu.market.v1.Query/BasePrice", market.QueryBasePriceRequest, market.QueryBasePriceResponse),
  }),
];

/** A module's whole param set as the canonical JSON it stores: what its MsgUpdateParams replaces (docs/gov-params.md). */
interface ParamsJsonQueryPackage {
  protobufPackage: string;
  QueryParamsRequest: typeof auth.QueryParamsRequest;
  QueryParamsResponse: typeof auth.QueryParamsResponse;
}

function paramsJsonRoute(module: string, codecs: ParamsJsonQueryPackage): LcdRoute {
  return defineRoute({
    path: `/ogpu/${module}/v1/params`,
    summary: `${module} parameters, all of them, as the module's canonical JSON (params_json)`,
    method: q(`/${codecs.protobufPackage}.Query/Params`, codecs.QueryParamsRequest, codecs.QueryParamsResponse),
  });
}

/** The Cosmos modules' Params routes show the SDK's shape; these show every field (workers' and market's are above). */
export const paramsJsonRoutes: LcdRoute[] = [
  paramsJsonRoute("auth", auth),
  paramsJsonRoute("bank", bank),
  paramsJsonRoute("staking", staking),
  paramsJsonRoute("slashing", slashing),
  paramsJsonRoute("attest", attest),
  paramsJsonRoute("gov", gov),
];

/** oGPU's view of staking: what the Cosmos-shaped routes cannot carry (the compute-weighted power). */
export const ogpuStakingRoutes: LcdRoute[] = [
  defineRoute({
    path: "/ogpu/staking/v1/validator_powers",
    summary: "Each validator's consensus power and its parts: stake, compute credit and bonus, reliability, multiplier (power per OGPU staked), in operator order (pagination.*)",
    method: q("/ogpu.staking.v1.Query/ValidatorPowers", staking.QueryValidatorPowersRequest, staking.QueryValidatorPowersResponse),
    request: { pagination: fromPagination },
    render: { pageOf: "validators" },
  }),
];

const ATTEST = "/ogpu/attest/v1";

export const attestRoutes: LcdRoute[] = [
  defineRoute({
    path: `${ATTEST}/records/{task_id}`,
    summary: "A task's Proof-of-Sync record: phase, commits and reveals, audit and dispute verdicts",
    method: q("/ogpu.attest.v1.Query/Record", attest.QueryRecordRequest, attest.QueryRecordResponse),
    request: { taskId: fromPath("task_id", "task id", parseUint64) },
    render: { enums: { phase: Phase, verdict: Verdict } },
  }),
  defineRoute({
    path: `${ATTEST}/auditor_keys`,
    summary: "Auditor encryption keys of the active validator set (what a client seals audit inputs to)",
    method: q("/ogpu.attest.v1.Query/AuditorKeys", attest.QueryAuditorKeysRequest, attest.QueryAuditorKeysResponse),
  }),
];

const TREASURY = "/ogpu/treasury/v1";

export const treasuryRoutes: LcdRoute[] = [
  defineRoute({
    path: `${TREASURY}/balance`,
    summary: "What the treasury module account holds",
    method: q("/ogpu.treasury.v1.Query/Balance", treasury.QueryBalanceRequest, treasury.QueryBalanceResponse),
  }),
  defineRoute({
    path: `${TREASURY}/totals`,
    summary: "Everything that flowed into the treasury, by reason, and everything spent (balance = total_in − total_spent)",
    method: q("/ogpu.treasury.v1.Query/Totals", treasury.QueryTotalsRequest, treasury.QueryTotalsResponse),
  }),
  defineRoute({
    path: `${TREASURY}/spends`,
    summary: "Spends passed proposals made, in id order (pagination.*)",
    method: q("/ogpu.treasury.v1.Query/Spends", treasury.QuerySpendsRequest, treasury.QuerySpendsResponse),
    request: { pagination: fromPagination },
    render: { pageOf: "spends" },
  }),
];
