/**
 * The node's HTTP server: Cosmos LCD REST routes (the subset Keplr and scripts read), /healthz
 * and Prometheus /metrics. LCD routes read state only through the ABCI query function and
 * answer with the JSON and error shapes of the Cosmos SDK's gRPC-gateway.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import {
  QueryAllBalancesRequest,
  QueryAllBalancesResponse,
  QueryBalanceRequest,
  QueryBalanceResponse,
  QuerySupplyOfRequest,
  QuerySupplyOfResponse,
  QueryTotalSupplyRequest,
  QueryTotalSupplyResponse,
} from "cosmjs-types/cosmos/bank/v1beta1/query";
import type { PageRequest } from "cosmjs-types/cosmos/base/query/v1beta1/pagination";
import {
  GrpcCode,
  GrpcStatusError,
  runAbciQuery,
  type QueryFn,
  type QueryMethod,
} from "./abci-query.js";
import { anyJson, coinJson, coinsJson, pageResponseJson, type JsonObject } from "./lcd-json.js";
import type { NodeMetrics } from "./metrics.js";

export interface NodeHealth {
  height: bigint;
  appHash: Uint8Array;
  chainId: string;
  catchingUp?: boolean;
}

export interface RestServerOptions {
  query: QueryFn;
  metrics: NodeMetrics;
  health: () => NodeHealth;
  logger?: boolean;
}

/** Height header: read on requests (query at a height) and set on every response, as the SDK does. */
export const HEIGHT_HEADER = "x-cosmos-block-height";
/** The same value under the name grpc-gateway gives forwarded gRPC metadata. */
const GATEWAY_HEIGHT_HEADER = "grpc-metadata-x-cosmos-block-height";

const METHODS = {
  balance: {
    path: "/cosmos.bank.v1beta1.Query/Balance",
    request: QueryBalanceRequest,
    response: QueryBalanceResponse,
  } satisfies QueryMethod<QueryBalanceRequest, QueryBalanceResponse>,
  allBalances: {
    path: "/cosmos.bank.v1beta1.Query/AllBalances",
    request: QueryAllBalancesRequest,
    response: QueryAllBalancesResponse,
  } satisfies QueryMethod<QueryAllBalancesRequest, QueryAllBalancesResponse>,
  totalSupply: {
    path: "/cosmos.bank.v1beta1.Query/TotalSupply",
    request: QueryTotalSupplyRequest,
    response: QueryTotalSupplyResponse,
  } satisfies QueryMethod<QueryTotalSupplyRequest, QueryTotalSupplyResponse>,
  supplyOf: {
    path: "/cosmos.bank.v1beta1.Query/SupplyOf",
    request: QuerySupplyOfRequest,
    response: QuerySupplyOfResponse,
  } satisfies QueryMethod<QuerySupplyOfRequest, QuerySupplyOfResponse>,
  account: {
    path: "/cosmos.auth.v1beta1.Query/Account",
    request: QueryAccountRequest,
    response: QueryAccountResponse,
  } satisfies QueryMethod<QueryAccountRequest, QueryAccountResponse>,
};

type QueryParams = Record<string, string | string[] | undefined>;
interface AddressRoute {
  Params: { address: string };
  Querystring: QueryParams;
}

function setHeight(reply: FastifyReply, height: bigint): void {
  reply.header(HEIGHT_HEADER, height.toString());
  reply.header(GATEWAY_HEIGHT_HEADER, height.toString());
}

function invalidArgument(message: string): GrpcStatusError {
  return new GrpcStatusError(GrpcCode.InvalidArgument, message);
}

/** First value of a query-string parameter (repeated scalars are not meaningful here). */
function queryParam(params: QueryParams, name: string): string | undefined {
  const value = params[name];
  return Array.isArray(value) ? value[0] : value;
}

const UINT64_MAX = (1n << 64n) - 1n;

function parseUint64(name: string, text: string): bigint {
  if (!/^\d+$/.test(text) || BigInt(text) > UINT64_MAX) {
    throw invalidArgument(`type mismatch, parameter: ${name}, error: invalid uint64 "${text}"`);
  }
  return BigInt(text);
}

/** Boolean parameters accept Go's strconv.ParseBool spellings, as the gateway does. */
function parseBool(name: string, text: string): boolean {
  if (["1", "t", "T", "true", "TRUE", "True"].includes(text)) return true;
  if (["0", "f", "F", "false", "FALSE", "False"].includes(text)) return false;
  throw invalidArgument(`type mismatch, parameter: ${name}, error: invalid bool "${text}"`);
}

function optionalParam<T>(params: QueryParams, name: string, parse: (name: string, text: string) => T): T | undefined {
  const text = queryParam(params, name);
  return text === undefined ? undefined : parse(name, text);
}

/** `pagination.*` query parameters; undefined when none is given (the gateway leaves it nil). */
function pageRequestFrom(params: QueryParams): PageRequest | undefined {
  const key = queryParam(params, "pagination.key");
  const offset = optionalParam(params, "pagination.offset", parseUint64);
  const limit = optionalParam(params, "pagination.limit", parseUint64);
  const countTotal = optionalParam(params, "pagination.count_total", parseBool);
  const reverse = optionalParam(params, "pagination.reverse", parseBool);
  if ([key, offset, limit, countTotal, reverse].every((v) => v === undefined)) return undefined;
  return {
    // Buffer's base64 decoder accepts both the standard and the URL-safe alphabet.
    key: key === undefined ? new Uint8Array() : new Uint8Array(Buffer.from(key, "base64")),
    offset: offset ?? 0n,
    limit: limit ?? 0n,
    countTotal: countTotal ?? false,
    reverse: reverse ?? false,
  };
}

/** Height requested with the `x-cosmos-block-height` header; 0 (latest) when absent. */
function requestedHeight(request: FastifyRequest): bigint {
  const raw = request.headers[HEIGHT_HEADER];
  const text = Array.isArray(raw) ? raw[0] : raw;
  if (text === undefined || text === "") return 0n;
  if (!/^\d+$/.test(text)) throw invalidArgument(`invalid height header "${HEIGHT_HEADER}": ${text}`);
  return BigInt(text);
}

/** Any thrown value as the gateway's status error; unexpected failures are Internal. */
function toStatusError(err: unknown): GrpcStatusError {
  if (err instanceof GrpcStatusError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const statusCode = typeof err === "object" && err !== null && "statusCode" in err ? err.statusCode : undefined;
  // Fastify's own request errors (bad header, body, …) are client errors.
  if (typeof statusCode === "number" && statusCode >= 400 && statusCode < 500) return invalidArgument(message);
  return new GrpcStatusError(GrpcCode.Internal, message);
}

function hexUpper(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex").toUpperCase();
}

export async function createRestServer(opts: RestServerOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: opts.logger ?? false });

  /** Runs one ABCI query for a route, sets the height headers and renders the response. */
  async function answer<Req, Res>(
    request: FastifyRequest,
    reply: FastifyReply,
    method: QueryMethod<Req, Res>,
    req: Req,
    render: (res: Res) => JsonObject,
  ): Promise<JsonObject> {
    const { response, height } = await runAbciQuery(opts.query, method, req, requestedHeight(request));
    setHeight(reply, height);
    return render(response);
  }

  app.setErrorHandler((err, request, reply) => {
    const status = toStatusError(err);
    if (status.httpStatus >= 500) request.log.error({ err }, "REST request failed");
    if (status.height !== undefined) setHeight(reply, status.height);
    return reply.code(status.httpStatus).send(status.toJSON());
  });

  app.setNotFoundHandler((_request, reply) =>
    reply.code(404).send(new GrpcStatusError(GrpcCode.NotFound, "Not Found").toJSON()),
  );

  // Responses that ran no query (health, metrics, errors before a query) carry the node's height.
  app.addHook("onSend", async (_request, reply, payload) => {
    if (!reply.hasHeader(HEIGHT_HEADER)) {
      try {
        setHeight(reply, opts.health().height);
      } catch {
        // No height to report yet; the response itself says what went wrong.
      }
    }
    return payload;
  });

  app.get<AddressRoute>("/cosmos/bank/v1beta1/balances/:address", (request, reply) =>
    answer(
      request,
      reply,
      METHODS.allBalances,
      {
        address: request.params.address,
        pagination: pageRequestFrom(request.query),
        resolveDenom: optionalParam(request.query, "resolve_denom", parseBool) ?? false,
      },
      (res) => ({ balances: coinsJson(res.balances), pagination: pageResponseJson(res.pagination, res.balances.length) }),
    ),
  );

  app.get<AddressRoute>("/cosmos/bank/v1beta1/balances/:address/by_denom", (request, reply) =>
    answer(
      request,
      reply,
      METHODS.balance,
      { address: request.params.address, denom: queryParam(request.query, "denom") ?? "" },
      (res) => ({ balance: res.balance === undefined ? null : coinJson(res.balance) }),
    ),
  );

  app.get<{ Querystring: QueryParams }>("/cosmos/bank/v1beta1/supply", (request, reply) =>
    answer(
      request,
      reply,
      METHODS.totalSupply,
      { pagination: pageRequestFrom(request.query) },
      (res) => ({ supply: coinsJson(res.supply), pagination: pageResponseJson(res.pagination, res.supply.length) }),
    ),
  );

  app.get<{ Querystring: QueryParams }>("/cosmos/bank/v1beta1/supply/by_denom", (request, reply) =>
    answer(
      request,
      reply,
      METHODS.supplyOf,
      { denom: queryParam(request.query, "denom") ?? "" },
      (res) => ({ amount: res.amount === undefined ? null : coinJson(res.amount) }),
    ),
  );

  app.get<AddressRoute>("/cosmos/auth/v1beta1/accounts/:address", (request, reply) =>
    answer(request, reply, METHODS.account, { address: request.params.address }, (res) => ({
      account: anyJson(res.account),
    })),
  );

  app.get("/healthz", async (_request, reply) => {
    const health = opts.health();
    setHeight(reply, health.height);
    const catchingUp = health.catchingUp ?? false;
    return {
      status: catchingUp ? "catching_up" : "ok",
      height: health.height.toString(),
      app_hash: hexUpper(health.appHash),
      chain_id: health.chainId,
      catching_up: catchingUp,
    };
  });

  app.get("/metrics", async (_request, reply) => {
    const { registry } = opts.metrics;
    reply.type(registry.contentType);
    return registry.metrics();
  });

  return app;
}
