import { notFound } from "../../app/errors.js";
import { defineQuery, type QueryMethod } from "../../app/module.js";
import { accountAddressString } from "../../app/address.js";
import {
  QueryAuditorKeysRequest,
  QueryAuditorKeysResponse,
  protobufPackage,
  QueryParamsRequest,
  QueryParamsResponse,
  QueryRecordRequest,
  QueryRecordResponse,
} from "../../proto/gen/ogpu/attest/v1/query.js";
import type { AttestKeeper } from "./keeper.js";
import { attestParams } from "./params.js";
import { defineParamsJsonQuery } from "../../app/update-params.js";
import { getRecord } from "./store.js";

/** Record of an open task (seals, reveals, committees), the params as JSON, the active set's auditor keys. */
export function attestQueries(keeper: Pick<AttestKeeper, "activeAuditorKeys">): QueryMethod[] {
  return [
    defineQuery("/ogpu.attest.v1.Query/Record", { request: QueryRecordRequest, response: QueryRecordResponse }, (ctx, req) => {
      const record = getRecord(ctx.store, req.taskId);
      if (!record) throw notFound(`no Proof-of-Sync record for task ${req.taskId} (not committed yet, or already settled)`);
      return { record };
    }),
    defineParamsJsonQuery(protobufPackage, attestParams, { request: QueryParamsRequest, response: QueryParamsResponse }),
    defineQuery("/ogpu.attest.v1.Query/AuditorKeys", { request: QueryAuditorKeysRequest, response: QueryAuditorKeysResponse }, (ctx) => ({
      auditorKeys: keeper.activeAuditorKeys(ctx.store).map((k) => ({ validator: accountAddressString(k.operator), encPubkey: k.encPubkey })),
    })),
  ];
}
