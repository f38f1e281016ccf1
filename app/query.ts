import type { RequestQuery, ResponseQuery } from "cosmjs-types/tendermint/abci/types";
import { SimulateRequest, SimulateResponse } from "cosmjs-types/cosmos/tx/v1beta1/service";
import { AppError, sdkError, SdkCode, toAppError } from "./errors.js";
import { decodeRequest, type QueryContext, type QueryMethod } from "./module.js";
import type { TxOutcome } from "./tx/runner.js";

export const SIMULATE_PATH = "/cosmos.tx.v1beta1.Service/Simulate";

/**
 * Default cap on one query's request bytes: room for a Simulate of a tx at the auth
 * `max_tx_bytes` default (1 MiB) with its envelope; every other request is tiny.
 */
export const DEFAULT_QUERY_MAX_BYTES = 2 * 1024 * 1024;

/**
 * Answers abci_query at gRPC method paths against committed state. Only the latest height
 * is served (state is not versioned); the response height is always the last committed one.
 */
export class QueryRouter {
  private readonly methods = new Map<string, QueryMethod>();

  constructor(
    methods: readonly QueryMethod[],
    private readonly simulate: (txBytes: Uint8Array) => TxOutcome,
    /** Requests over this many bytes are refused before anything decodes them. */
    private readonly maxRequestBytes: number = DEFAULT_QUERY_MAX_BYTES,
  ) {
    for (const m of methods) {
      if (this.methods.has(m.path)) throw new Error(`query path registered twice: ${m.path}`);
      this.methods.set(m.path, m);
    }
  }

  /** Every method path this router answers, Simulate included. */
  get paths(): string[] {
    return [...this.methods.keys(), SIMULATE_PATH];
  }

  query(ctx: QueryContext, req: RequestQuery): ResponseQuery {
    const height = ctx.block.height;
    try {
      if (req.height !== 0n && req.height !== height) {
        throw sdkError(SdkCode.InvalidRequest, `queries are served at the latest height ${height} only, not ${req.height}: invalid request`);
      }
      if (req.data.length > this.maxRequestBytes) {
        throw sdkError(
          SdkCode.InvalidRequest,
          `rpc error: code = ResourceExhausted desc = query request is ${req.data.length} bytes, over this node's query_max_bytes limit of ${this.maxRequestBytes}`,
        );
      }
      const value = req.path === SIMULATE_PATH ? this.runSimulate(req.data) : this.route(req.path).handle(ctx, req.data);
      return response({ value, height });
    } catch (err) {
      const e = toAppError(err);
      return response({ code: e.code, codespace: e.codespace, log: e.message, height });
    }
  }

  private route(path: string): QueryMethod {
    const method = this.methods.get(path);
    if (!method) throw sdkError(SdkCode.UnknownRequest, `unknown query path: ${path}: unknown request`);
    return method;
  }

  private runSimulate(data: Uint8Array): Uint8Array {
    const req = decodeRequest(SimulateRequest, data);
    const outcome = this.simulate(req.txBytes);
    if (outcome.code !== 0) throw new AppError(outcome.codespace, outcome.code, outcome.log);
    return SimulateResponse.encode({
      gasInfo: { gasWanted: outcome.gasWanted, gasUsed: outcome.gasUsed },
      result: { data: outcome.data, log: outcome.log, events: outcome.events, msgResponses: outcome.msgResponses },
    }).finish();
  }
}

function response(fields: Partial<ResponseQuery>): ResponseQuery {
  return {
    code: 0,
    log: "",
    info: "",
    index: 0n,
    key: new Uint8Array(),
    value: new Uint8Array(),
    proofOps: undefined,
    height: 0n,
    codespace: "",
    ...fields,
  };
}
