import { invalidArgument, notFound } from "../../app/errors.js";
import { parseQueryAddress } from "../../app/address.js";
import { defineQuery, type QueryContext, type QueryMethod } from "../../app/module.js";
import { QueryWorkerRequest, QueryWorkerResponse, QueryWorkersRequest, QueryWorkersResponse, type WorkerView } from "../../proto/gen/ogpu/workers/v1/query.js";
import { WorkerStatus, type Worker } from "../../proto/gen/ogpu/workers/v1/workers.js";
import { allWorkers, getWorker, workerStatus, workerTier } from "./keeper.js";

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
    const workers: WorkerView[] = [];
    for (const w of allWorkers(ctx.store)) {
      if (req.gpuModel !== "" && !w.gpus.some((g) => g.model === req.gpuModel)) continue;
      const v = view(ctx, w);
      if (req.status !== WorkerStatus.WORKER_STATUS_UNSPECIFIED && v.status !== req.status) continue;
      workers.push(v);
    }
    return { workers };
  }),
];
