import { invalidArgument, notFound } from "../../app/errors.js";
import { parseQueryAddress } from "../../app/address.js";
import { defineQuery, type QueryContext, type QueryMethod } from "../../app/module.js";
import { protobufPackage, QueryParamsRequest, QueryParamsResponse, QueryWorkerRequest, QueryWorkerResponse, QueryWorkersRequest, QueryWorkersResponse, type WorkerView } from "../../proto/gen/ogpu/workers/v1/query.js";
import { Worker, WorkerStatus } from "../../proto/gen/ogpu/workers/v1/workers.js";
import { paginateFiltered } from "../../app/pagination.js";
import { getWorker, workerStatus, workerTier } from "./keeper.js";
import { WORKER_PREFIX } from "./store.js";
import { workersParams } from "./params.js";
import { defineParamsJsonQuery } from "../../app/update-params.js";

function view(ctx: QueryContext, w: Worker): WorkerView {
  return { worker: w, status: workerStatus(ctx.store, w, ctx.block.height), tier: workerTier(ctx.store, w) };
}

export const workersQueries: QueryMethod[] = [
  defineQuery("/ogpu.workers.v1.Query/Worker", { request: QueryWorkerRequest, response: QueryWorkerResponse }, (ctx, req) => {
    parseQueryAddress(req.operator);
    const w = getWorker(ctx.store, req.operator);
    if (!w) throw notFound(`worker ${req.operator} not found`);
    return { worker: view(ctx, w) };
  }),
  defineQuery("/ogpu.workers.v1.Query/Workers", { request: QueryWorkersRequest, response: QueryWorkersResponse }, (ctx, req) => {
    if (!Object.values(WorkerStatus).includes(req.status) || req.status === WorkerStatus.UNRECOGNIZED) throw invalidArgument(`unknown status ${req.status}`);
    // Status depends on the queried height, so the filters apply per page (FilteredPaginate).
    const { items: workers, pagination } = paginateFiltered(ctx.store, WORKER_PREFIX, req.pagination, (_tail, raw): WorkerView | undefined => {
      const w = Worker.decode(raw);
      if (req.gpuModel !== "" && !w.gpus.some((g) => g.model === req.gpuModel)) return undefined;
      const v = view(ctx, w);
      return req.status === WorkerStatus.WORKER_STATUS_UNSPECIFIED || v.status === req.status ? v : undefined;
    });
    return { workers, pagination };
  }),
  defineParamsJsonQuery(protobufPackage, workersParams, { request: QueryParamsRequest, response: QueryParamsResponse }),
];
