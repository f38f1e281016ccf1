/**
 * /openapi.json, generated from the route table (paths, parameters, one-line summaries) so the
 * description of the API is never maintained separately from the routes themselves.
 */
import type { JsonObject, JsonValue } from "./lcd-json.js";
import type { NodeRoute } from "./node-routes.js";
import type { LcdRoute, ParamDoc } from "./routes-table.js";

/** A route served without an ABCI query (health, metrics, this document). */
export interface PlainRoute {
  readonly path: string;
  readonly summary: string;
  readonly contentType?: string;
}

function parameterJson(p: ParamDoc): JsonObject {
  const schema: JsonObject = { type: p.type };
  if (p.enum !== undefined) schema.enum = [...p.enum];
  return { name: p.name, in: p.in, required: p.in === "path", description: p.description, schema };
}

/** A POST route's JSON body: its fields as an object schema. */
function requestBody(fields: readonly ParamDoc[]): JsonObject {
  const properties: JsonObject = Object.fromEntries(fields.map((f) => [f.name, { type: f.type, description: f.description, ...(f.enum ? { enum: [...f.enum] } : {}) }]));
  return { required: true, content: { "application/json": { schema: { type: "object", properties } } } };
}

function operation(summary: string, queryPath: string | undefined, parameters: JsonValue[], contentType = "application/json", method: "get" | "post" = "get", body?: readonly ParamDoc[]): JsonObject {
  return {
    [method]: {
      summary,
      ...(queryPath === undefined ? {} : { description: `ABCI query ${queryPath}` }),
      parameters,
      ...(body === undefined ? {} : { requestBody: requestBody(body) }),
      responses: {
        "200": { description: "OK", content: { [contentType]: {} } },
        default: { description: 'gRPC-gateway error: {"code": grpc code, "message": …, "details": []}' },
      },
    },
  };
}

export function openApiDocument(heightHeader: string, routes: readonly LcdRoute[], nodeRoutes: readonly NodeRoute[], plain: readonly PlainRoute[]): JsonObject {
  const heightParam: JsonObject = {
    name: heightHeader,
    in: "header",
    required: false,
    description: "read state at this height (default: latest); every response carries the height it read",
    schema: { type: "integer" },
  };
  const paths: JsonObject = {};
  for (const route of routes) {
    paths[route.path] = operation(route.summary, route.queryPath, [...route.params.map(parameterJson), heightParam]);
  }
  for (const route of nodeRoutes) {
    const method = route.method === "POST" ? "post" : "get";
    const op = operation(route.summary, undefined, route.params.map(parameterJson), "application/json", method, route.bodyFields);
    // GET and POST of one path (…/txs) share its entry.
    paths[route.path] = { ...((paths[route.path] as JsonObject | undefined) ?? {}), ...op };
  }
  for (const route of plain) paths[route.path] = operation(route.summary, undefined, [], route.contentType);
  return {
    openapi: "3.0.3",
    info: {
      title: "ogpud REST (LCD)",
      version: "1",
      description: "Cosmos gRPC-gateway JSON: snake_case fields, 64-bit integers as strings, bytes as base64, enums by name, Any as {\"@type\": …}",
    },
    paths,
  };
}
