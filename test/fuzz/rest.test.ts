/**
 * Issue 10 fuzz suite, REST: 10,000 generated requests (fastify inject) against the node's real
 * REST server over a real app: every LCD route from the route table and /openapi.json, with
 * generated path parameters, query strings, height headers, methods and bodies, plus paths
 * that match no route. Properties: never a 5xx, every error is the gateway's JSON body with a
 * numeric code and a message, and no request changes state.
 */
import fc from "fast-check";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestChain, testGenesis, testKey, type TestChain } from "../../app/testkit.js";
import { createNodeMetrics } from "../../server/metrics.js";
import { createRestServer, HEIGHT_HEADER, LCD_ROUTES } from "../../server/rest.js";
import { fuzzRuns, stringPool } from "./generators.js";

const CASES = 10_000;
const holder = testKey(31);

interface GeneratedRequest {
  method: "GET" | "POST" | "PUT" | "DELETE" | "HEAD";
  url: string;
  headers: Record<string, string>;
  body?: string;
}

const segment = (strings: fc.Arbitrary<string>) =>
  fc.oneof(strings, fc.constantFrom("..", "%", "%00", "%zz", "0", "18446744073709551616", "-1", "1.5")).map((s) => s.split("/").map(encodeURIComponent).join("%2F"));

/** A request for one LCD route, with every documented parameter and some undocumented ones. */
function routeRequest(strings: fc.Arbitrary<string>): fc.Arbitrary<GeneratedRequest> {
  return fc.constantFrom(...LCD_ROUTES).chain((route) =>
    fc.record({
      method: fc.constantFrom("GET", "GET", "GET", "POST", "HEAD"),
      pathValues: fc.array(segment(strings), { minLength: 4, maxLength: 4 }),
      query: fc.array(
        fc.tuple(
          fc.oneof(fc.constantFrom(...route.params.filter((p) => p.in === "query").map((p) => p.name), "pagination.limit", "pagination.key", "pagination.offset", "pagination.count_total", "pagination.reverse"), fc.string({ maxLength: 8 })),
          fc.oneof(strings, fc.constantFrom("true", "2", "-1", "99999999999999999999", "AAAA", "%ff", "STATUS_OPEN")),
        ),
        { maxLength: 4 },
      ),
      height: fc.option(fc.constantFrom("0", "1", "2", "999999", "-1", "x", "18446744073709551616", "1e3"), { nil: undefined }),
      body: fc.option(fc.oneof(fc.json(), fc.string({ maxLength: 64 })), { nil: undefined }),
    }).map(({ method, pathValues, query, height, body }) => {
      let i = 0;
      const path = route.path.replace(/\{\w+\}/g, () => pathValues[i++ % pathValues.length] || "x");
      const search = query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
      const headers: Record<string, string> = height === undefined ? {} : { [HEIGHT_HEADER]: height };
      if (body !== undefined) headers["content-type"] = "application/json";
      return { method, url: search === "" ? path : `${path}?${search}`, headers, body: method === "POST" ? body : undefined };
    }),
  );
}

/** Paths that match no route, or match one with raw (unencoded) junk. */
const strayRequest: fc.Arbitrary<GeneratedRequest> = fc
  .record({
    method: fc.constantFrom("GET", "POST", "PUT", "DELETE"),
    path: fc.oneof(
      fc.webPath(),
      fc.array(fc.constantFrom("cosmos", "ogpu", "bank", "v1beta1", "balances", "..", "%2e%2e", "openapi.json", "healthz", "%", "%c0%af", ""), { maxLength: 6 }).map((p) => `/${p.join("/")}`),
    ),
  })
  .map(({ method, path }) => ({ method, url: path.startsWith("/") ? path : `/${path}`, headers: {} }));

describe("fuzz: generated REST requests against the real route table", () => {
  let chain: TestChain;
  let rest: FastifyInstance;

  beforeAll(async () => {
    chain = await startTestChain(testGenesis({ [holder.address]: 10n ** 9n }));
    await chain.block([]);
    await chain.block([]);
    const { app } = chain;
    rest = await createRestServer({
      query: (req) => app.query(req),
      metrics: createNodeMetrics(),
      health: () => ({ height: app.lastCommit.height, appHash: app.lastCommit.appHash, chainId: app.currentChainId }),
    });
  });

  afterAll(async () => {
    await rest.close();
    await chain.close();
  });

  it(`${CASES} generated requests: never a 5xx, a JSON code and message for every error, no state change`, async () => {
    const before = chain.app.lastCommit;
    const statuses = new Map<number, number>();
    const request = fc.oneof({ arbitrary: routeRequest(stringPool(holder)), weight: 4 }, { arbitrary: strayRequest, weight: 1 });
    await fc.assert(
      fc.asyncProperty(request, async ({ method, url, headers, body }) => {
        const res = await rest.inject({ method, url, headers, payload: body });
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        expect(res.statusCode, `${method} ${url}`).toBeLessThan(500);
        if (res.statusCode >= 400 && method !== "HEAD") {
          const json = res.json<{ code: unknown; message: unknown }>();
          expect(typeof json.code, `${method} ${url}`).toBe("number");
          expect(json.code).toBeGreaterThan(0);
          expect(typeof json.message).toBe("string");
        }
      }),
      fuzzRuns(CASES),
    );
    expect(chain.app.lastCommit).toEqual(before);
    // Both answers and refusals occur: the generator reaches the query handlers.
    expect(statuses.get(200)).toBeGreaterThan(CASES / 20);
    expect(statuses.get(400)).toBeGreaterThan(CASES / 20);
  });
});
