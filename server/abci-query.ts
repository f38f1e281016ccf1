/**
 * Runs gRPC-method queries through the node's in-process ABCI query function and turns failed
 * ABCI responses into gRPC status errors, the way the Cosmos SDK's gRPC-gateway reports them.
 * The REST server reads state only through here, so it shows exactly what `abci_query` shows.
 */
import type { RequestQuery, ResponseQuery } from "cosmjs-types/tendermint/abci/types";

export type QueryFn = (req: RequestQuery) => Promise<ResponseQuery> | ResponseQuery;

/** gRPC status codes, keyed by the names grpc-go prints in `rpc error: code = <Name> desc = …`. */
export const GrpcCode = {
  OK: 0,
  Canceled: 1,
  Unknown: 2,
  InvalidArgument: 3,
  DeadlineExceeded: 4,
  NotFound: 5,
  AlreadyExists: 6,
  PermissionDenied: 7,
  ResourceExhausted: 8,
  FailedPrecondition: 9,
  Aborted: 10,
  OutOfRange: 11,
  Unimplemented: 12,
  Internal: 13,
  Unavailable: 14,
  DataLoss: 15,
  Unauthenticated: 16,
} as const;
export type GrpcCodeName = keyof typeof GrpcCode;
export type GrpcCodeValue = (typeof GrpcCode)[GrpcCodeName];

/** grpc-gateway's HTTP status for each gRPC code (runtime.HTTPStatusFromCode). */
const HTTP_STATUS: Record<GrpcCodeValue, number> = {
  0: 200,
  1: 408,
  2: 500,
  3: 400,
  4: 504,
  5: 404,
  6: 409,
  7: 403,
  8: 429,
  9: 400,
  10: 409,
  11: 400,
  12: 501,
  13: 500,
  14: 503,
  15: 500,
  16: 401,
};

export function httpStatusFromGrpc(code: GrpcCodeValue): number {
  return HTTP_STATUS[code];
}

/** A gRPC status error as the gateway renders it; `height` is the query height when known. */
export class GrpcStatusError extends Error {
  constructor(
    readonly grpcCode: GrpcCodeValue,
    message: string,
    readonly height?: bigint,
  ) {
    super(message);
    this.name = "GrpcStatusError";
  }

  get httpStatus(): number {
    return httpStatusFromGrpc(this.grpcCode);
  }

  /** The gateway's error body: `{"code": <grpc code>, "message": …, "details": []}`. */
  toJSON(): { code: number; message: string; details: [] } {
    return { code: this.grpcCode, message: this.message, details: [] };
  }
}

/**
 * gRPC code for an ABCI error that carries no `rpc error:` prefix in its log, following the
 * SDK's own mapping of its `sdk` codespace errors. Module codespaces have no mapping: Unknown.
 */
const SDK_CODE_TO_GRPC: Readonly<Record<number, GrpcCodeValue>> = {
  2: GrpcCode.InvalidArgument, // tx parse error
  4: GrpcCode.Unauthenticated, // unauthorized
  6: GrpcCode.Unimplemented, // unknown request (e.g. unknown query path)
  7: GrpcCode.InvalidArgument, // invalid address
  8: GrpcCode.InvalidArgument, // invalid pubkey
  9: GrpcCode.NotFound, // unknown address
  10: GrpcCode.InvalidArgument, // invalid coins
  18: GrpcCode.InvalidArgument, // invalid request
  22: GrpcCode.NotFound, // key not found
  29: GrpcCode.InvalidArgument, // invalid type
  38: GrpcCode.NotFound, // not found
};

const RPC_ERROR_LOG = /^rpc error: code = (\w+) desc = ([\s\S]*)$/;

function isGrpcCodeName(name: string): name is GrpcCodeName {
  return Object.prototype.hasOwnProperty.call(GrpcCode, name);
}

/**
 * Maps a failed ResponseQuery to a gRPC status error. The gRPC code comes from the log's
 * `rpc error: code = X desc = …` prefix when present (that is what the query handler meant),
 * else from the Cosmos code. The Cosmos codespace/code stay visible in the message.
 */
export function grpcErrorFromAbci(res: Pick<ResponseQuery, "code" | "codespace" | "log" | "height">): GrpcStatusError {
  const match = RPC_ERROR_LOG.exec(res.log);
  const namedCode = match !== null && isGrpcCodeName(match[1]) ? GrpcCode[match[1]] : undefined;
  const fallbackCode = res.codespace === "sdk" ? SDK_CODE_TO_GRPC[res.code] : undefined;
  const grpcCode = namedCode ?? fallbackCode ?? GrpcCode.Unknown;
  const desc = match !== null && namedCode !== undefined ? match[2] : res.log;
  const message = `${desc} (codespace ${res.codespace || "undefined"}, code ${res.code})`;
  return new GrpcStatusError(grpcCode, message, res.height);
}

/** One gRPC query method: its ABCI path and the protobuf codecs of request and response. */
export interface QueryMethod<Req, Res> {
  readonly path: string;
  readonly request: { encode(message: Req): { finish(): Uint8Array } };
  readonly response: { decode(input: Uint8Array): Res };
}

export interface QueryResult<Res> {
  readonly response: Res;
  /** Height the state was read at (ResponseQuery.height). */
  readonly height: bigint;
}

/**
 * Runs one query. `height` 0 means latest committed state. Throws GrpcStatusError for a
 * failed query and Internal for a response that does not decode.
 */
export async function runAbciQuery<Req, Res>(
  query: QueryFn,
  method: QueryMethod<Req, Res>,
  request: Req,
  height: bigint = 0n,
): Promise<QueryResult<Res>> {
  const res = await query({
    path: method.path,
    data: method.request.encode(request).finish(),
    height,
    prove: false,
  });
  if (res.code !== 0) throw grpcErrorFromAbci(res);
  try {
    return { response: method.response.decode(res.value), height: res.height };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new GrpcStatusError(GrpcCode.Internal, `cannot decode ${method.path} response: ${reason}`, res.height);
  }
}
