import { notFound } from "../../app/errors.js";
import { defineQuery, type QueryMethod } from "../../app/module.js";
import { QueryParamsRequest, QueryParamsResponse, QueryRecordRequest, QueryRecordResponse } from "../../proto/gen/ogpu/attest/v1/query.js";
import { attestParams } from "./params.js";
import { getRecord } from "./store.js";

/** Record of an open task (seals, reveals, committees) and the params as JSON. */
export const attestQueries: QueryMethod[] = [
  defineQuery("/ogpu.attest.v1.Query/Record", { request: QueryRecordRequest, response: QueryRecordResponse }, (ctx, req) => {
    const record = getRecord(ctx.store, req.taskId);
    if (!record) throw notFound(`no Proof-of-Sync record for task ${req.taskId} (not committed yet, or already settled)`);
    return { record };
  }),
  defineQuery("/ogpu.attest.v1.Query/Params", { request: QueryParamsRequest, response: QueryParamsResponse }, (ctx) => ({
    paramsJson: JSON.stringify(attestParams.get(ctx.store)),
  })),
];
