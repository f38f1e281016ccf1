/**
 * How the REST server faces browsers and busy clients: CORS (on by default, configurable),
 * the per-IP rate limit (the blob routes and /metrics outside it) and the body size limit —
 * all refusals in the gateway's error shape.
 */
import { describe, expect, it } from "vitest";
import { ResponseQuery } from "cosmjs-types/tendermint/abci/types";
import { createNodeMetrics } from "./metrics.js";
import { createRestServer, HTTP_DEFAULTS, type HttpSettings } from "./rest.js";
import { BLOB_HEADERS, BLOB_SIGNATURE_FORM_HEADER } from "../sdk/blobs.js";

async function server(http: Partial<HttpSettings>) {
  return createRestServer({
    // Every query answers "unknown request": these tests look at what happens around the route.
    query: async () => ResponseQuery.fromPartial({ code: 6, codespace: "sdk", log: "unknown query path", height: 1n }),
    metrics: createNodeMetrics(),
    health: () => ({ height: 1n, appHash: new Uint8Array(32), chainId: "ogpu-test" }),
    http,
  });
}

describe("REST HTTP settings", () => {
  it("answers cross-origin GETs and the tx POST's preflight by default", async () => {
    const app = await server(HTTP_DEFAULTS);
    const get = await app.inject({ method: "GET", url: "/healthz", headers: { origin: "https://explorer.example" } });
    expect(get.statusCode).toBe(200);
    expect(get.headers["access-control-allow-origin"]).toBe("*");
    expect(String(get.headers["access-control-expose-headers"])).toContain("x-cosmos-block-height");

    const preflight = await app.inject({
      method: "OPTIONS",
      url: "/cosmos/tx/v1beta1/txs",
      headers: { origin: "https://wallet.example", "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers["access-control-allow-origin"]).toBe("*");
    expect(String(preflight.headers["access-control-allow-methods"])).toContain("POST");
    expect(String(preflight.headers["access-control-allow-headers"])).toContain("content-type");
    await app.close();
  });

  it("lets a page on another origin send the signed headers of a blob upload", async () => {
    const app = await server(HTTP_DEFAULTS);
    const names = [...Object.values(BLOB_HEADERS), BLOB_SIGNATURE_FORM_HEADER].join(",");
    const preflight = await app.inject({
      method: "OPTIONS",
      url: "/blobs",
      headers: { origin: "https://dashboard.example", "access-control-request-method": "POST", "access-control-request-headers": `content-type,${names}` },
    });
    expect(preflight.statusCode).toBe(204);
    const allowed = String(preflight.headers["access-control-allow-headers"]).split(/,\s*/);
    for (const name of [...Object.values(BLOB_HEADERS), BLOB_SIGNATURE_FORM_HEADER]) expect(allowed).toContain(name);
    await app.close();
  });

  it("allows only the configured origins, and none when CORS is off", async () => {
    const listed = await server({ corsAllowedOrigins: ["https://explorer.example"] });
    const allowed = await listed.inject({ method: "GET", url: "/healthz", headers: { origin: "https://explorer.example" } });
    expect(allowed.headers["access-control-allow-origin"]).toBe("https://explorer.example");
    const other = await listed.inject({ method: "GET", url: "/healthz", headers: { origin: "https://elsewhere.example" } });
    expect(other.headers["access-control-allow-origin"]).toBeUndefined();
    await listed.close();

    const off = await server({ corsAllowedOrigins: [] });
    const res = await off.inject({ method: "GET", url: "/healthz", headers: { origin: "https://explorer.example" } });
    expect(res.headers["access-control-allow-origin"]).toBeUndefined();
    await off.close();
  });

  it("limits each client's requests per minute with a 429 in the gateway's shape; /metrics stays outside", async () => {
    const app = await server({ rateLimitPerMinute: 3 });
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) codes.push((await app.inject({ method: "GET", url: "/healthz" })).statusCode);
    expect(codes).toEqual([200, 200, 200, 429]);
    const limited = await app.inject({ method: "GET", url: "/cosmos/bank/v1beta1/supply" });
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ code: 8, details: [] });
    expect((await app.inject({ method: "GET", url: "/metrics" })).statusCode).toBe(200);
    // Another client has its own allowance.
    expect((await app.inject({ method: "GET", url: "/healthz", remoteAddress: "10.0.0.2" })).statusCode).toBe(200);
    await app.close();
  });

  it("refuses a body over the limit with 413 in the gateway's shape, before it reaches CometBFT", async () => {
    const app = await server({ maxBodyBytes: 1024 });
    const res = await app.inject({
      method: "POST",
      url: "/cosmos/tx/v1beta1/txs",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ tx_bytes: "A".repeat(2000), mode: "BROADCAST_MODE_SYNC" }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ code: 8, details: [] });
    // Within the limit, a server without a CometBFT RPC says so (503), in the same shape.
    const small = await app.inject({ method: "POST", url: "/cosmos/tx/v1beta1/txs", headers: { "content-type": "application/json" }, payload: JSON.stringify({ tx_bytes: "AAAA", mode: "BROADCAST_MODE_SYNC" }) });
    expect(small.statusCode).toBe(503);
    expect(small.json()).toMatchObject({ code: 14 });
    await app.close();
  });

  it("lists the tx service and base/tendermint routes in /openapi.json, POST bodies included", async () => {
    const app = await server({});
    const doc = (await app.inject({ method: "GET", url: "/openapi.json" })).json() as { paths: Record<string, Record<string, { requestBody?: unknown; parameters: { name: string }[] }>> };
    const txs = doc.paths["/cosmos/tx/v1beta1/txs"]!;
    expect(Object.keys(txs).sort()).toEqual(["get", "post"]);
    expect(txs.post!.requestBody).toMatchObject({ content: { "application/json": { schema: { properties: { tx_bytes: { type: "string" }, mode: { type: "string" } } } } } });
    expect(txs.get!.parameters.map((p) => p.name)).toEqual(expect.arrayContaining(["query", "events", "page", "limit", "order_by"]));
    expect(doc.paths["/cosmos/tx/v1beta1/simulate"]!.post).toBeDefined();
    expect(doc.paths["/cosmos/base/tendermint/v1beta1/blocks/{height}"]!.get).toBeDefined();
    expect(doc.paths["/cosmos/bank/v1beta1/denoms_metadata"]!.get).toBeDefined();
    await app.close();
  });
});
