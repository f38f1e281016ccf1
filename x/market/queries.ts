import { invalidArgument, notFound } from "../../app/errors.js";
import { parseQueryAddress } from "../../app/address.js";
import { defineQuery, type QueryMethod } from "../../app/module.js";
import { TaskStatus } from "../../proto/gen/ogpu/market/v1/market.js";
import {
  QueryBasePriceRequest,
  QueryBasePriceResponse,
  protobufPackage,
  QueryParamsRequest,
  QueryProgramsRequest,
  QueryProgramsResponse,
  QueryParamsResponse,
  QueryTaskRequest,
  QueryTaskResponse,
  QueryTasksRequest,
  QueryTasksResponse,
} from "../../proto/gen/ogpu/market/v1/query.js";
import { marketParams } from "./params.js";
import { defineParamsJsonQuery } from "../../app/update-params.js";
import { getBasePrice, getUtilization, TIERS } from "./pricing.js";
import { getTask, nextTaskId, PROGRAM_INDEX_PREFIX, taskIdOfTail, taskListPrefix } from "./store.js";
import { MAX_PAGE_LIMIT, paginateFiltered, paginateIndex } from "../../app/pagination.js";
import { ProgramRecord } from "../../proto/gen/ogpu/market/v1/market.js";
import { builtinPrograms } from "./program-index.js";
import { keyBytes, u64Key } from "../../app/store/keys.js";
import type { PageRequest } from "../../proto/gen/ogpu/query/v1/pagination.js";

/** The pre-pagination fields: limit (0 = the most a page holds) and after_id (a key just past that id). */
function legacyPage(limit: number, afterId: bigint): PageRequest {
  return { key: afterId > 0n ? new Uint8Array(keyBytes(u64Key(afterId + 1n))) : new Uint8Array(), offset: 0n, limit: BigInt(limit === 0 ? MAX_PAGE_LIMIT : limit), countTotal: false, reverse: false };
}

/** Ids below next_task_id did exist: an absent one ended and was pruned, and its history is in the tx/event index. */
export function taskNotFoundMessage(taskId: bigint, nextId: bigint, retentionBlocks: number): string {
  if (taskId === 0n || taskId >= nextId) return `task ${taskId} not found`;
  return `task ${taskId} not found: it ended and was pruned ${retentionBlocks} blocks later (task_retention_blocks); ` +
    `its history is in the tx/event index: tx_search / block_search with query "task_status.task_id=${taskId}"`;
}

export const marketQueries: QueryMethod[] = [
  defineQuery("/ogpu.market.v1.Query/Task", { request: QueryTaskRequest, response: QueryTaskResponse }, (ctx, req) => {
    const task = getTask(ctx.store, req.taskId);
    if (!task) throw notFound(taskNotFoundMessage(req.taskId, nextTaskId(ctx.store), marketParams.get(ctx.store).task_retention_blocks));
    return { task };
  }),
  defineQuery("/ogpu.market.v1.Query/Tasks", { request: QueryTasksRequest, response: QueryTasksResponse }, (ctx, req) => {
    if (TaskStatus[req.status] === undefined || req.status === TaskStatus.UNRECOGNIZED) throw invalidArgument(`unknown status ${req.status}`);
    if (req.client !== "") parseQueryAddress(req.client);
    // Pages over the index the filters select: reads only the tasks it returns.
    const prefix = taskListPrefix({ client: req.client, status: req.status });
    const page = req.pagination ?? legacyPage(req.limit, req.afterId);
    const { tails, pagination } = paginateIndex(ctx.store, prefix, page);
    return { tasks: tails.map((tail) => getTask(ctx.store, taskIdOfTail(tail))!), pagination };
  }),
  defineQuery("/ogpu.market.v1.Query/Programs", { request: QueryProgramsRequest, response: QueryProgramsResponse }, (ctx, req) => {
    const { items, pagination } = paginateFiltered(ctx.store, PROGRAM_INDEX_PREFIX, req.pagination, (_tail, value) => ProgramRecord.decode(value));
    return { programs: items, pagination, builtins: builtinPrograms() };
  }),
  defineParamsJsonQuery(protobufPackage, marketParams, { request: QueryParamsRequest, response: QueryParamsResponse }),
  defineQuery("/ogpu.market.v1.Query/BasePrice", { request: QueryBasePriceRequest, response: QueryBasePriceResponse }, (ctx) => ({
    prices: TIERS.map((tier) => ({ tier, basePricePerUnit: getBasePrice(ctx.store, tier).toString(), utilizationBps: getUtilization(ctx.store, tier) })),
  })),
];
