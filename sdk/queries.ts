/**
 * Market and worker queries over `abci_query` at the modules' gRPC paths. Written against the
 * one method they need, so the SDK (cosmjs' CometClient) and the CLI (its own Comet38Client)
 * share them.
 */
import { TaskStatus, type BuiltinProgram, type ProgramRecord, type Task } from "../proto/gen/ogpu/market/v1/market.js";
import {
  QueryBasePriceRequest,
  QueryBasePriceResponse,
  QueryParamsRequest as QueryMarketParamsRequest,
  QueryParamsResponse as QueryMarketParamsResponse,
  QueryProgramsRequest,
  QueryProgramsResponse,
  QueryTaskRequest,
  QueryTaskResponse,
  QueryTasksRequest,
  QueryTasksResponse,
  type TierPrice,
} from "../proto/gen/ogpu/market/v1/query.js";
import { QueryWorkerRequest, QueryWorkerResponse, QueryWorkersRequest, QueryWorkersResponse, type WorkerView } from "../proto/gen/ogpu/workers/v1/query.js";
import { WorkerStatus } from "../proto/gen/ogpu/workers/v1/workers.js";
import { QueryAuditorKeysRequest, QueryAuditorKeysResponse, QueryRecordRequest, QueryRecordResponse, type AuditorKey } from "../proto/gen/ogpu/attest/v1/query.js";
import type { TaskRecord } from "../proto/gen/ogpu/attest/v1/attest.js";
import { QueryBalanceRequest, QueryBalanceResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { QueryGrantsRequest, QueryGrantsResponse } from "cosmjs-types/cosmos/authz/v1beta1/query";
import { SubmitTaskAuthorization } from "../proto/gen/ogpu/authz/v1/authz.js";
import { SUBMIT_TASK_AUTHORIZATION_TYPE_URL } from "../proto/msg-types.js";
import { QueryAnnualProvisionsRequest, QueryAnnualProvisionsResponse, QueryInflationRequest, QueryInflationResponse } from "cosmjs-types/cosmos/mint/v1beta1/query";
import {
  QueryParamsRequest as QueryMintParamsRequest,
  QueryParamsResponse as QueryMintParamsResponse,
  QueryProviderRewardsRequest,
  QueryProviderRewardsResponse,
  QueryScheduleRequest,
  QueryScheduleResponse,
} from "../proto/gen/ogpu/mint/v1/query.js";

/** What a CometBFT client offers for app queries (cosmjs' Comet38Client has it). */
export interface AbciQuerier {
  abciQuery(params: { path: string; data: Uint8Array }): Promise<{ code?: number; log?: string; value: Uint8Array }>;
}

/** The app refused a query (code and log as it answered). */
export class QueryError extends Error {
  constructor(
    readonly path: string,
    readonly code: number,
    readonly log: string,
  ) {
    super(log || `query ${path} failed with code ${code}`);
    this.name = "QueryError";
  }
  get notFound(): boolean {
    return /NotFound/.test(this.log);
  }
}

interface Codec<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(input: Uint8Array): T;
}

async function query<Req, Res>(rpc: AbciQuerier, path: string, req: Codec<Req>, res: Codec<Res>, request: Req): Promise<Res> {
  const answer = await rpc.abciQuery({ path, data: req.encode(request).finish() });
  if (answer.code) throw new QueryError(path, answer.code, answer.log ?? "");
  return res.decode(answer.value);
}

/** undefined instead of a NotFound error. */
async function orUndefined<T>(run: Promise<T>): Promise<T | undefined> {
  try {
    return await run;
  } catch (err) {
    if (err instanceof QueryError && err.notFound) return undefined;
    throw err;
  }
}

/** A task status by name ("pending", "TASK_STATUS_PENDING") or enum value. */
export function parseTaskStatus(status: TaskStatus | string): TaskStatus {
  return parseEnum(TaskStatus, "TASK_STATUS_", status, "task status");
}

export function parseWorkerStatus(status: WorkerStatus | string): WorkerStatus {
  return parseEnum(WorkerStatus, "WORKER_STATUS_", status, "worker status");
}

/** Lower-case state name without the enum prefix, as task_status events name it ("pending"). */
export function taskStateName(status: TaskStatus): string {
  return (TaskStatus[status] ?? "TASK_STATUS_UNSPECIFIED").replace(/^TASK_STATUS_/, "").toLowerCase();
}

function parseEnum<E extends number>(names: Record<string, string | number>, prefix: string, value: E | string, what: string): E {
  if (typeof value === "number") return value;
  const upper = value.toUpperCase();
  const n = names[upper.startsWith(prefix) ? upper : prefix + upper];
  if (typeof n !== "number" || n < 0) {
    const valid = Object.keys(names).filter((k) => k.startsWith(prefix) && !k.endsWith("UNSPECIFIED")).map((k) => k.slice(prefix.length).toLowerCase());
    throw new Error(`unknown ${what} '${value}' (one of: ${valid.join(", ")})`);
  }
  return n as E;
}

export function getTask(rpc: AbciQuerier, taskId: bigint): Promise<Task | undefined> {
  const res = query(rpc, "/ogpu.market.v1.Query/Task", QueryTaskRequest, QueryTaskResponse, { taskId });
  return orUndefined(res.then((r) => r.task));
}

export interface TaskFilter {
  status?: TaskStatus | string;
  client?: string;
  /** Most tasks to return (the node caps one page at 1000). */
  limit?: number;
  /** Only tasks with a larger id (paging). */
  afterId?: bigint;
}

export async function listTasks(rpc: AbciQuerier, filter: TaskFilter = {}): Promise<Task[]> {
  const status = filter.status === undefined ? TaskStatus.TASK_STATUS_UNSPECIFIED : parseTaskStatus(filter.status);
  const res = await query(rpc, "/ogpu.market.v1.Query/Tasks", QueryTasksRequest, QueryTasksResponse, {
    status,
    client: filter.client ?? "",
    limit: filter.limit ?? 0,
    afterId: filter.afterId ?? 0n,
    pagination: undefined,
  });
  return res.tasks;
}

/** How many tasks the node holds in `status` (ended ones until pruned): one count_total query, no task bodies. */
export async function countTasks(rpc: AbciQuerier, status: TaskStatus): Promise<bigint> {
  const pagination = { key: new Uint8Array(), offset: 0n, limit: 1n, countTotal: true, reverse: false };
  const res = await query(rpc, "/ogpu.market.v1.Query/Tasks", QueryTasksRequest, QueryTasksResponse, { status, client: "", limit: 0, afterId: 0n, pagination });
  return res.pagination?.total ?? 0n;
}

export function getWorker(rpc: AbciQuerier, operator: string): Promise<WorkerView | undefined> {
  const res = query(rpc, "/ogpu.workers.v1.Query/Worker", QueryWorkerRequest, QueryWorkerResponse, { operator });
  return orUndefined(res.then((r) => r.worker));
}

export interface WorkerFilter {
  status?: WorkerStatus | string;
  /** Workers with at least one GPU of this model. */
  gpuModel?: string;
}

/** Every matching worker: follows next_key, since the node returns one page (at most 1000) per query. */
export async function listWorkers(rpc: AbciQuerier, filter: WorkerFilter = {}): Promise<WorkerView[]> {
  const status = filter.status === undefined ? WorkerStatus.WORKER_STATUS_UNSPECIFIED : parseWorkerStatus(filter.status);
  const workers: WorkerView[] = [];
  let key: Uint8Array = new Uint8Array();
  do {
    const pagination = { key, offset: 0n, limit: 1000n, countTotal: false, reverse: false };
    const res = await query(rpc, "/ogpu.workers.v1.Query/Workers", QueryWorkersRequest, QueryWorkersResponse, { status, gpuModel: filter.gpuModel ?? "", pagination });
    workers.push(...res.workers);
    key = res.pagination?.nextKey ?? new Uint8Array();
  } while (key.length > 0);
  return workers;
}

/** One page of the program index, resuming at `key` (next_key of the previous page; empty = the first). */
export function programsPage(rpc: AbciQuerier, page: { key?: Uint8Array; limit?: number } = {}): Promise<QueryProgramsResponse> {
  const pagination = { key: page.key ?? new Uint8Array(), offset: 0n, limit: BigInt(page.limit ?? 0), countTotal: false, reverse: false };
  return query(rpc, "/ogpu.market.v1.Query/Programs", QueryProgramsRequest, QueryProgramsResponse, { pagination });
}

/** Every program seen on chain (following next_key) and the built-in kernels with their fixed program ids. */
export async function listPrograms(rpc: AbciQuerier): Promise<{ programs: ProgramRecord[]; builtins: BuiltinProgram[] }> {
  const programs: ProgramRecord[] = [];
  let key: Uint8Array = new Uint8Array();
  let builtins: BuiltinProgram[] = [];
  do {
    const res = await programsPage(rpc, { key, limit: 1000 });
    programs.push(...res.programs);
    builtins = res.builtins;
    key = res.pagination?.nextKey ?? new Uint8Array();
  } while (key.length > 0);
  return { programs, builtins };
}

/** Base price per unit (uogpu) and last utilisation of every tier, or of one. */
export async function basePrices(rpc: AbciQuerier): Promise<TierPrice[]> {
  const res = await query(rpc, "/ogpu.market.v1.Query/BasePrice", QueryBasePriceRequest, QueryBasePriceResponse, {});
  return res.prices;
}

/**
 * The auditor keys the active validators published (MsgSetAuditorKey): an encrypted input's
 * data key is wrapped to each, so whichever validator a committee draws can re-execute it.
 */
export async function listAuditorKeys(rpc: AbciQuerier): Promise<AuditorKey[]> {
  return (await query(rpc, "/ogpu.attest.v1.Query/AuditorKeys", QueryAuditorKeysRequest, QueryAuditorKeysResponse, {})).auditorKeys;
}

/** The bank balance of `address` in `denom` (0 when it holds none). */
export async function getBalance(rpc: AbciQuerier, address: string, denom: string): Promise<bigint> {
  const res = await query(rpc, "/cosmos.bank.v1beta1.Query/Balance", QueryBalanceRequest, QueryBalanceResponse, { address, denom });
  return BigInt(res.balance?.amount ?? "0");
}

/** The Proof of Sync record of a task (commits, reveals with their output CIDs), if it has one. */
export function getTaskRecord(rpc: AbciQuerier, taskId: bigint): Promise<TaskRecord | undefined> {
  return orUndefined(query(rpc, "/ogpu.attest.v1.Query/Record", QueryRecordRequest, QueryRecordResponse, { taskId }).then((r) => r.record));
}

/** x/mint's schedule: emitted so far, current block reward, next halving, remaining to the cap. */
export function mintSchedule(rpc: AbciQuerier): Promise<QueryScheduleResponse> {
  return query(rpc, "/ogpu.mint.v1.Query/Schedule", QueryScheduleRequest, QueryScheduleResponse, {});
}

export function mintParams(rpc: AbciQuerier): Promise<QueryMintParamsResponse> {
  return query(rpc, "/ogpu.mint.v1.Query/Params", QueryMintParamsRequest, QueryMintParamsResponse, {});
}

/** A worker's provider-reward standing (this epoch's fee credit and uptime windows, last and total reward). */
export function providerRewards(rpc: AbciQuerier, worker: string): Promise<QueryProviderRewardsResponse> {
  return query(rpc, "/ogpu.mint.v1.Query/ProviderRewards", QueryProviderRewardsRequest, QueryProviderRewardsResponse, { worker });
}

/** cosmos.mint inflation as a LegacyDec atomics string (annual provisions / supply). */
export async function mintInflation(rpc: AbciQuerier): Promise<string> {
  const res = await query(rpc, "/cosmos.mint.v1beta1.Query/Inflation", QueryInflationRequest, QueryInflationResponse, {});
  return new TextDecoder().decode(res.inflation);
}

/** cosmos.mint annual provisions as a LegacyDec atomics string (uogpu × 10^18). */
export async function mintAnnualProvisions(rpc: AbciQuerier): Promise<string> {
  const res = await query(rpc, "/cosmos.mint.v1beta1.Query/AnnualProvisions", QueryAnnualProvisionsRequest, QueryAnnualProvisionsResponse, {});
  return new TextDecoder().decode(res.annualProvisions);
}

/** x/market's params as stored (canonical JSON: integers and decimal strings). */
export async function marketParams(rpc: AbciQuerier): Promise<Record<string, unknown>> {
  const res = await query(rpc, "/ogpu.market.v1.Query/Params", QueryMarketParamsRequest, QueryMarketParamsResponse, {});
  return JSON.parse(res.paramsJson) as Record<string, unknown>;
}

/** market max_log_bytes: the bound workers apply to a job's log (docs/task-logs.md). */
export async function maxLogBytes(rpc: AbciQuerier): Promise<number> {
  const value = (await marketParams(rpc)).max_log_bytes;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) throw new Error(`market params carry no valid max_log_bytes (${String(value)})`);
  return value;
}

/** What is left of a SubmitTaskAuthorization (docs/authz.md). */
export interface SubmitTaskGrant {
  /** Escrow the grantee may still move, uogpu. */
  spendLimit: bigint;
  /** Submissions left; 0 = no count limit. */
  maxTasks: bigint;
  /** Unix seconds; undefined = never expires. */
  expiration: bigint | undefined;
}

/** The task-submission grant `granter` gave `grantee`, or undefined when there is none. */
export async function submitTaskGrant(rpc: AbciQuerier, granter: string, grantee: string): Promise<SubmitTaskGrant | undefined> {
  const res = await query(rpc, "/cosmos.authz.v1beta1.Query/Grants", QueryGrantsRequest, QueryGrantsResponse, QueryGrantsRequest.fromPartial({ granter, grantee }));
  const grant = res.grants.find((g) => g.authorization?.typeUrl === SUBMIT_TASK_AUTHORIZATION_TYPE_URL);
  if (!grant) return undefined;
  const a = SubmitTaskAuthorization.decode(grant.authorization!.value);
  return { spendLimit: BigInt(a.spendLimit), maxTasks: a.maxTasks, expiration: grant.expiration?.seconds };
}
