import { invalidArgument, notFound } from "../../app/errors.js";
import { parseQueryAddress } from "../../app/address.js";
import { defineQuery, type QueryMethod } from "../../app/module.js";
import { TaskStatus, type Task } from "../../proto/gen/ogpu/market/v1/market.js";
import {
  QueryBasePriceRequest,
  QueryBasePriceResponse,
  QueryParamsRequest,
  QueryParamsResponse,
  QueryTaskRequest,
  QueryTaskResponse,
  QueryTasksRequest,
  QueryTasksResponse,
} from "../../proto/gen/ogpu/market/v1/query.js";
import { marketParams } from "./params.js";
import { getBasePrice, getUtilization, TIERS } from "./pricing.js";
import { allTasks, getTask } from "./store.js";

/** Most tasks one Tasks query returns; page on with after_id. */
export const MAX_TASKS_PER_QUERY = 1000;

export const marketQueries: QueryMethod[] = [
  defineQuery("/ogpu.market.v1.Query/Task", { request: QueryTaskRequest, response: QueryTaskResponse }, (ctx, req) => {
    const task = getTask(ctx.store, req.taskId);
    if (!task) throw notFound(`task ${req.taskId} not found`);
    return { task };
  }),
  defineQuery("/ogpu.market.v1.Query/Tasks", { request: QueryTasksRequest, response: QueryTasksResponse }, (ctx, req) => {
    if (TaskStatus[req.status] === undefined || req.status === TaskStatus.UNRECOGNIZED) throw invalidArgument(`unknown status ${req.status}`);
    if (req.client !== "") parseQueryAddress(req.client);
    const limit = req.limit === 0 || req.limit > MAX_TASKS_PER_QUERY ? MAX_TASKS_PER_QUERY : req.limit;
    const tasks: Task[] = [];
    for (const task of allTasks(ctx.store, req.afterId)) {
      if (req.status !== TaskStatus.TASK_STATUS_UNSPECIFIED && task.status !== req.status) continue;
      if (req.client !== "" && task.client !== req.client) continue;
      tasks.push(task);
      if (tasks.length >= limit) break;
    }
    return { tasks };
  }),
  defineQuery("/ogpu.market.v1.Query/Params", { request: QueryParamsRequest, response: QueryParamsResponse }, (ctx) => ({
    paramsJson: JSON.stringify(marketParams.get(ctx.store)),
  })),
  defineQuery("/ogpu.market.v1.Query/BasePrice", { request: QueryBasePriceRequest, response: QueryBasePriceResponse }, (ctx) => ({
    prices: TIERS.map((tier) => ({ tier, basePricePerUnit: getBasePrice(ctx.store, tier).toString(), utilizationBps: getUtilization(ctx.store, tier) })),
  })),
];
