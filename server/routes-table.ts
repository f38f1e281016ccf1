/**
 * The LCD route table's vocabulary: a route is a gateway path, one gRPC query method, where
 * each request field comes from (path segment, query-string parameter, `pagination.*`), and
 * render hints for the response. rest.ts registers every route the same way and /openapi.json
 * is generated from the same table, so the two cannot drift apart.
 */
import type { PageRequest } from "cosmjs-types/cosmos/base/query/v1beta1/pagination";
import { GrpcCode, GrpcStatusError, runAbciQuery, type QueryFn, type QueryMethod } from "./abci-query.js";
import { messageJson, pageResponseJson, type EnumNames, type JsonObject, type MessageCodec, type RenderHints } from "./lcd-json.js";

export type QueryParams = Record<string, string | string[] | undefined>;

/** What a request handler sees of the HTTP request. */
export interface RouteInput {
  readonly params: Readonly<Record<string, string>>;
  readonly query: QueryParams;
}

/** One documented HTTP parameter (for /openapi.json). */
export interface ParamDoc {
  readonly name: string;
  readonly in: "path" | "query";
  readonly type: "string" | "integer" | "boolean";
  readonly description: string;
  readonly enum?: readonly string[];
}

/** Where one request field's value comes from; `read` returns undefined to keep the default. */
export interface FieldSource<T> {
  readonly params: readonly ParamDoc[];
  read(input: RouteInput): T | undefined;
}

type Parser<T> = (name: string, text: string) => T;

export function invalidArgument(message: string): GrpcStatusError {
  return new GrpcStatusError(GrpcCode.InvalidArgument, message);
}

/** First value of a query-string parameter (repeated scalars are not meaningful here). */
export function queryParam(params: QueryParams, name: string): string | undefined {
  const value = params[name];
  return Array.isArray(value) ? value[0] : value;
}

const UINT64_MAX = (1n << 64n) - 1n;
const UINT32_MAX = 2 ** 32 - 1;

export const parseString: Parser<string> = (_name, text) => text;

export const parseUint64: Parser<bigint> = (name, text) => {
  if (!/^\d+$/.test(text) || BigInt(text) > UINT64_MAX) {
    throw invalidArgument(`type mismatch, parameter: ${name}, error: invalid uint64 "${text}"`);
  }
  return BigInt(text);
};

export const parseUint32: Parser<number> = (name, text) => {
  if (!/^\d+$/.test(text) || Number(text) > UINT32_MAX) {
    throw invalidArgument(`type mismatch, parameter: ${name}, error: invalid uint32 "${text}"`);
  }
  return Number(text);
};

/** Boolean parameters accept Go's strconv.ParseBool spellings, as the gateway does. */
export const parseBool: Parser<boolean> = (name, text) => {
  if (["1", "t", "T", "true", "TRUE", "True"].includes(text)) return true;
  if (["0", "f", "F", "false", "FALSE", "False"].includes(text)) return false;
  throw invalidArgument(`type mismatch, parameter: ${name}, error: invalid bool "${text}"`);
};

/** Names of a TS numeric enum, without ts-proto's UNRECOGNIZED (-1). */
function enumValueNames(names: EnumNames): string[] {
  return Object.entries(names)
    .filter(([key]) => /^\d+$/.test(key))
    .map(([, name]) => name);
}

/** Enum parameters take the value's name or its number, as the gateway does. */
export function parseEnum(names: EnumNames): Parser<number> {
  return (name, text) => {
    if (/^\d+$/.test(text) && names[Number(text)] !== undefined) return Number(text);
    const found = Object.entries(names).find(([key, value]) => /^\d+$/.test(key) && value === text);
    if (found === undefined) throw invalidArgument(`type mismatch, parameter: ${name}, error: invalid enum value "${text}"`);
    return Number(found[0]);
  };
}

function paramType(parse: Parser<unknown>): ParamDoc["type"] {
  if (parse === parseBool) return "boolean";
  if (parse === parseUint64 || parse === parseUint32) return "integer";
  return "string";
}

/** A request field taken from the URL path segment `{name}`. */
export function fromPath<T = string>(name: string, description: string, parse: Parser<T> = parseString as Parser<T>): FieldSource<T> {
  return {
    params: [{ name, in: "path", type: paramType(parse), description }],
    read: (input) => parse(name, input.params[name] ?? ""),
  };
}

/** A request field taken from the query-string parameter `name` (absent = field default). */
export function fromQuery<T = string>(name: string, description: string, parse: Parser<T> = parseString as Parser<T>, enumNames?: EnumNames): FieldSource<T> {
  const doc: ParamDoc = { name, in: "query", type: paramType(parse), description, ...(enumNames ? { enum: enumValueNames(enumNames) } : {}) };
  return {
    params: [doc],
    read: (input) => {
      const text = queryParam(input.query, name);
      return text === undefined ? undefined : parse(name, text);
    },
  };
}

/** An enum request field from a query-string parameter: name or number. */
export function fromQueryEnum(name: string, description: string, names: EnumNames): FieldSource<number> {
  return fromQuery(name, description, parseEnum(names), names);
}

const PAGINATION_PARAMS: readonly ParamDoc[] = [
  { name: "pagination.key", in: "query", type: "string", description: "base64 next_key of the previous page" },
  { name: "pagination.offset", in: "query", type: "integer", description: "items to skip (when no key is given)" },
  { name: "pagination.limit", in: "query", type: "integer", description: "most items to return" },
  { name: "pagination.count_total", in: "query", type: "boolean", description: "fill pagination.total" },
  { name: "pagination.reverse", in: "query", type: "boolean", description: "descending order" },
];

/** `pagination.*` query parameters as a PageRequest; undefined when none is given (the gateway leaves it nil). */
export const fromPagination: FieldSource<PageRequest | undefined> = {
  params: PAGINATION_PARAMS,
  read: ({ query }) => {
    const optional = <T>(name: string, parse: Parser<T>): T | undefined => {
      const text = queryParam(query, name);
      return text === undefined ? undefined : parse(name, text);
    };
    const key = queryParam(query, "pagination.key");
    const offset = optional("pagination.offset", parseUint64);
    const limit = optional("pagination.limit", parseUint64);
    const countTotal = optional("pagination.count_total", parseBool);
    const reverse = optional("pagination.reverse", parseBool);
    if ([key, offset, limit, countTotal, reverse].every((v) => v === undefined)) return undefined;
    return {
      // Buffer's base64 decoder accepts both the standard and the URL-safe alphabet.
      key: key === undefined ? new Uint8Array() : new Uint8Array(Buffer.from(key, "base64")),
      offset: offset ?? 0n,
      limit: limit ?? 0n,
      countTotal: countTotal ?? false,
      reverse: reverse ?? false,
    };
  },
};

/** A query method whose request codec can also decode (empty bytes = the all-defaults request). */
export type RouteMethod<Req, Res> = QueryMethod<Req, Res> & {
  readonly request: { decode(input: Uint8Array): Req };
  readonly response: MessageCodec<Res>;
};

/** A RouteMethod from its ABCI path and the codecs of request and response. */
export function queryMethod<Req, Res>(
  path: string,
  request: { encode(message: Req): { finish(): Uint8Array }; decode(input: Uint8Array): Req },
  response: MessageCodec<Res>,
): RouteMethod<Req, Res> {
  return { path, request, response };
}

export interface RouteSpec<Req, Res> {
  /** Gateway path template, e.g. "/cosmos/staking/v1beta1/validators/{validator_addr}". */
  readonly path: string;
  /** One line for /openapi.json. */
  readonly summary: string;
  readonly method: RouteMethod<Req, Res>;
  /** Request fields (camelCase, as the codec names them) and where each comes from. */
  readonly request?: { readonly [K in keyof Req]?: FieldSource<Req[K]> };
  readonly render?: RenderHints & {
    /** The list a missing PageResponse counts (gateway clients expect `pagination` to be there). */
    readonly pageOf?: keyof Res & string;
  };
}

/** A route with its types erased behind closures, so one table can hold every route. */
export interface LcdRoute {
  readonly path: string;
  readonly summary: string;
  readonly queryPath: string;
  readonly params: readonly ParamDoc[];
  run(query: QueryFn, input: RouteInput, height: bigint): Promise<{ json: JsonObject; height: bigint }>;
}

const PATH_PARAM = /\{(\w+)\}/g;

export function pathParams(path: string): string[] {
  return [...path.matchAll(PATH_PARAM)].map((m) => m[1]!);
}

/** "/a/{b}/c" → "/a/:b/c" (fastify's syntax). */
export function fastifyPath(path: string): string {
  return path.replace(PATH_PARAM, ":$1");
}

export function defineRoute<Req extends object, Res extends object>(spec: RouteSpec<Req, Res>): LcdRoute {
  const sources = Object.entries(spec.request ?? {}) as [string, FieldSource<unknown>][];
  const params = sources.flatMap(([, source]) => source.params);
  const declared = params.filter((p) => p.in === "path").map((p) => p.name).sort();
  if (declared.join() !== pathParams(spec.path).sort().join()) {
    throw new Error(`route ${spec.path}: path parameters and request sources disagree (${declared.join()})`);
  }
  return {
    path: spec.path,
    summary: spec.summary,
    queryPath: spec.method.path,
    params,
    async run(query, input, height) {
      // Read every field first: a malformed parameter is refused before any query runs.
      const fields = Object.fromEntries(sources.map(([field, source]) => [field, source.read(input)]).filter(([, v]) => v !== undefined));
      const request: Req = { ...spec.method.request.decode(new Uint8Array()), ...fields };
      const result = await runAbciQuery(query, spec.method, request, height);
      const json = messageJson(result.response, spec.method.response, spec.render);
      const pageOf = spec.render?.pageOf;
      if (pageOf !== undefined && json.pagination === null) {
        const items = result.response[pageOf];
        json.pagination = pageResponseJson(undefined, Array.isArray(items) ? items.length : 0);
      }
      return { json, height: result.height };
    },
  };
}
