/**
 * The node's HTTP server: LCD REST routes (the route tables in routes-*.ts), /openapi.json,
 * /healthz, /readyz and Prometheus /metrics. Query routes read state only through the ABCI query
 * function, the tx service and base/tendermint routes also through the node's CometBFT RPC;
 * all answer with the JSON and error shapes of the Cosmos SDK's gRPC-gateway. Browsers'
 * explorers and wallets reach it cross-origin (CORS), and one client's request rate is capped.
 */
import { hexUpper } from "../crypto/bytes.js";
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import fastifyCors from "@fastify/cors";
import fastifyRateLimit from "@fastify/rate-limit";
import type { CometRpc } from "./comet-rpc.js";
import { type NodeRoute } from "./node-routes.js";
import { tendermintRoutes } from "./routes-tendermint.js";
import { txRoutes } from "./routes-tx.js";
import { historyRoutes } from "./routes-history.js";
import { GrpcCode, GrpcStatusError, type QueryFn } from "./abci-query.js";
import { authzRoutes, distributionRoutes, bankRoutes, slashingRoutes, stakingRoutes, upgradeRoutes } from "./routes-cosmos.js";
import { attestRoutes, marketRoutes, ogpuStakingRoutes, paramsJsonRoutes, treasuryRoutes, workersRoutes } from "./routes-ogpu.js";
import { mintRoutes } from "./routes-mint.js";
import { govV1beta1Routes, govV1Routes } from "./routes-gov.js";
import { openApiDocument, type PlainRoute } from "./routes-openapi.js";
import { fastifyPath, invalidArgument, type LcdRoute, type QueryParams } from "./routes-table.js";
import type { NodeMetrics } from "./metrics.js";
import type { Readiness } from "./readiness.js";
import type { Logger } from "../app/log.js";
import { BLOB_HEADERS, BLOB_SIGNATURE_FORM_HEADER } from "../sdk/blobs.js";

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
  /** /readyz's answer; without it /readyz says ready whenever the server answers. */
  readiness?: () => Promise<Readiness>;
  /** The node's logger: server errors at error, every request at debug. None: silent. */
  log?: Logger;
  /** The node's CometBFT RPC (tx service, base/tendermint); without it those routes answer 503. */
  comet?: CometRpc;
  /** CORS, rate limit and body size; unset = HTTP_DEFAULTS, except that the rate limit is off. */
  http?: Partial<HttpSettings>;
}

/** How the REST server faces browsers and busy clients (app.json / `ogpud start` flags). */
export interface HttpSettings {
  /** Origins allowed cross-origin ("*" = any); empty = no CORS headers at all. */
  corsAllowedOrigins: readonly string[];
  /** Requests one client IP may make per minute; 0 = unlimited. The blob routes keep their own quotas. */
  rateLimitPerMinute: number;
  /** Largest JSON request body (a tx to broadcast or simulate, base64), in bytes. */
  maxBodyBytes: number;
}

export const HTTP_DEFAULTS: HttpSettings = {
  corsAllowedOrigins: ["*"],
  rateLimitPerMinute: 3000,
  // Room for a simulate of a query_max_bytes (2 MiB) tx in base64, with the JSON around it.
  maxBodyBytes: 3 * 1024 * 1024,
};

/** Height header: read on requests (query at a height) and set on every response, as the SDK does. */
export const HEIGHT_HEADER = "x-cosmos-block-height";
/** The same value under the name grpc-gateway gives forwarded gRPC metadata. */
const GATEWAY_HEIGHT_HEADER = "grpc-metadata-x-cosmos-block-height";

/** Every LCD route this node serves, in /openapi.json order. */
export const LCD_ROUTES: readonly LcdRoute[] = [
  ...bankRoutes,
  ...stakingRoutes,
  ...distributionRoutes,
  ...slashingRoutes,
  ...govV1Routes,
  ...govV1beta1Routes,
  ...upgradeRoutes,
  ...authzRoutes,
  ...workersRoutes,
  ...marketRoutes,
  ...attestRoutes,
  ...ogpuStakingRoutes,
  ...paramsJsonRoutes,
  ...treasuryRoutes,
  ...mintRoutes,
];

/** Routes answered from CometBFT or with a JSON body (tx service, base/tendermint, recent slashes and audits). */
export const NODE_LCD_ROUTES: readonly NodeRoute[] = [...txRoutes, ...tendermintRoutes, ...historyRoutes];

/** Routes that run no query. */
const NODE_ROUTES: readonly PlainRoute[] = [
  { path: "/healthz", summary: "Liveness: the process serves; its height, app hash and chain id" },
  { path: "/readyz", summary: "Readiness: 200 when cometbft answers, is not catching up and the last block is recent; 503 with reasons otherwise" },
  { path: "/metrics", summary: "Prometheus metrics", contentType: "text/plain" },
  { path: "/openapi.json", summary: "This document" },
];

function setHeight(reply: FastifyReply, height: bigint): void {
  reply.header(HEIGHT_HEADER, height.toString());
  reply.header(GATEWAY_HEIGHT_HEADER, height.toString());
}

/** Height requested with the `x-cosmos-block-height` header; 0 (latest) when absent. */
function requestedHeight(request: FastifyRequest): bigint {
  const raw = request.headers[HEIGHT_HEADER];
  const text = Array.isArray(raw) ? raw[0] : raw;
  if (text === undefined || text === "") return 0n;
  if (!/^\d+$/.test(text)) throw invalidArgument(`invalid height header "${HEIGHT_HEADER}": ${text}`);
  return BigInt(text);
}

/**
 * Fastify logs each request twice at info; a node answering explorers would drown its consensus
 * lines in them. One line per request at debug instead (errors still at error).
 */
class DebugRequestLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = { method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) };
    if (error) reply.log.error({ ...line, err: error }, "request errored");
    else reply.log.debug(line, "request");
  }
}

/** A body over the limit: the gateway's ResourceExhausted, with HTTP's own 413. */
class TooLargeError extends GrpcStatusError {
  constructor(message: string) {
    super(GrpcCode.ResourceExhausted, message);
  }

  override get httpStatus(): number {
    return 413;
  }
}

/** Any thrown value as the gateway's status error; unexpected failures are Internal. */
function toStatusError(err: unknown): GrpcStatusError {
  if (err instanceof GrpcStatusError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const statusCode = typeof err === "object" && err !== null && "statusCode" in err ? err.statusCode : undefined;
  // Fastify's own request errors (bad header, body, …) are client errors; too many requests is the gateway's ResourceExhausted.
  if (statusCode === 429) return new GrpcStatusError(GrpcCode.ResourceExhausted, message);
  if (statusCode === 413) return new TooLargeError(message);
  if (typeof statusCode === "number" && statusCode >= 400 && statusCode < 500) return invalidArgument(message);
  return new GrpcStatusError(GrpcCode.Internal, message);
}

export async function createRestServer(opts: RestServerOptions): Promise<FastifyInstance> {
  const http: HttpSettings = { ...HTTP_DEFAULTS, rateLimitPerMinute: 0, ...opts.http };
  const app = Fastify({
    ...(opts.log ? { loggerInstance: opts.log.child({ module: "rest" }) as FastifyBaseLogger } : { logger: false }),
    logController: new DebugRequestLog(),
    bodyLimit: http.maxBodyBytes,
    // Errors fastify raises before routing (a URL that is not valid percent-encoding) skip the
    // error handler; answer them in the gateway's shape too, so clients see one error format.
    frameworkErrors: (err: Error, _request: FastifyRequest, reply: FastifyReply) => reply.code(400).send(invalidArgument(err.message).toJSON()),
  });

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

  if (http.corsAllowedOrigins.length > 0) {
    await app.register(fastifyCors, {
      origin: http.corsAllowedOrigins.includes("*") ? "*" : [...http.corsAllowedOrigins],
      methods: ["GET", "HEAD", "POST"],
      // A page on another origin (the dashboard run against any node) signs blob uploads in these headers.
      allowedHeaders: ["content-type", HEIGHT_HEADER, ...Object.values(BLOB_HEADERS), BLOB_SIGNATURE_FORM_HEADER],
      exposedHeaders: [HEIGHT_HEADER, GATEWAY_HEIGHT_HEADER],
      maxAge: 600,
    });
  }
  if (http.rateLimitPerMinute > 0) {
    await app.register(fastifyRateLimit, {
      max: http.rateLimitPerMinute,
      timeWindow: 60_000,
      // Uploads and downloads of blobs have their own balance-based quotas (blobs.ts); scrapes are the operator's.
      allowList: (request) => request.url.startsWith("/blobs") || request.url === "/metrics",
    });
  }

  for (const route of LCD_ROUTES) {
    app.get<{ Params: Record<string, string>; Querystring: QueryParams }>(fastifyPath(route.path), async (request, reply) => {
      const { json, height } = await route.run(opts.query, request, requestedHeight(request));
      setHeight(reply, height);
      return json;
    });
  }

  const context = { query: opts.query, comet: opts.comet };
  for (const route of NODE_LCD_ROUTES) {
    app.route<{ Params: Record<string, string>; Querystring: QueryParams }>({
      method: route.method,
      url: fastifyPath(route.path),
      handler: async (request, reply) => {
        const { json, height } = await route.run(context, { params: request.params, query: request.query, body: request.body });
        if (height !== undefined) setHeight(reply, height);
        return json;
      },
    });
  }

  const openApi = openApiDocument(HEIGHT_HEADER, LCD_ROUTES, NODE_LCD_ROUTES, NODE_ROUTES);
  app.get("/openapi.json", async () => openApi);

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

  app.get("/readyz", async (_request, reply) => {
    const r = opts.readiness ? await opts.readiness() : undefined;
    const ready = r?.ready ?? true;
    reply.code(ready ? 200 : 503);
    return {
      status: ready ? "ready" : "not_ready",
      reasons: r?.reasons ?? [],
      latest_block_height: r?.latestBlockHeight ?? "",
      latest_block_time: r?.latestBlockTime ?? "",
      catching_up: r?.catchingUp ?? null,
    };
  });

  app.get("/metrics", async (_request, reply) => {
    const { registry } = opts.metrics;
    reply.type(registry.contentType);
    return registry.metrics();
  });

  return app;
}
