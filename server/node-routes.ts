/**
 * LCD routes that are not one ABCI query: the tx service (broadcast, tx lookups and searches
 * through CometBFT, simulate with a JSON body) and base/tendermint (blocks, validator sets,
 * node info, read from CometBFT). Like the query routes they are a table — method, gateway
 * path, documented parameters, a handler — that rest.ts registers and /openapi.json lists.
 */
import type { QueryFn } from "./abci-query.js";
import { GrpcCode, GrpcStatusError } from "./abci-query.js";
import type { CometRpc } from "./comet-rpc.js";
import type { JsonObject } from "./lcd-json.js";
import { invalidArgument, type ParamDoc, type RouteInput } from "./routes-table.js";

/** What a node route may use: the ABCI query function and the node's CometBFT RPC. */
export interface NodeRouteContext {
  readonly query: QueryFn;
  /** Undefined when the server was started without one (in-process tests): such routes answer 503. */
  readonly comet: CometRpc | undefined;
}

export interface NodeRouteInput extends RouteInput {
  /** The parsed JSON body of a POST (undefined for GET). */
  readonly body: unknown;
}

export interface NodeRoute {
  readonly method: "GET" | "POST";
  /** Gateway path template, e.g. "/cosmos/tx/v1beta1/txs/{hash}". */
  readonly path: string;
  readonly summary: string;
  readonly params: readonly ParamDoc[];
  /** POST routes: the JSON body's fields, for /openapi.json. */
  readonly bodyFields?: readonly ParamDoc[];
  run(ctx: NodeRouteContext, input: NodeRouteInput): Promise<{ json: JsonObject; height?: bigint }>;
}

/** The node's CometBFT RPC, or Unavailable when this server has none. */
export function requireComet(ctx: NodeRouteContext): CometRpc {
  if (ctx.comet === undefined) throw new GrpcStatusError(GrpcCode.Unavailable, "this server has no CometBFT RPC to ask");
  return ctx.comet;
}

/** A POST body as a JSON object (what the gateway decodes the request message from). */
export function bodyObject(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== "object" || Array.isArray(body)) throw invalidArgument("request body must be a JSON object");
  return body as Record<string, unknown>;
}

/** A bytes field of a JSON body: standard or URL-safe base64, as jsonpb accepts. */
export function bodyBytes(body: Record<string, unknown>, field: string): Uint8Array {
  const value = body[field];
  if (value === undefined || value === null || value === "") return new Uint8Array();
  if (typeof value !== "string" || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(value)) throw invalidArgument(`${field}: bytes must be a base64 string`);
  return new Uint8Array(Buffer.from(value, "base64"));
}
