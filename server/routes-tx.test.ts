/**
 * The tx service's request handling against a stand-in CometBFT RPC: how `query`/`events`,
 * `page`/`limit`/`pagination.*` and `order_by` become a tx_search call, how a broadcast mode
 * is read, and how CometBFT failures come back (404, 503) — the real-node behaviour is
 * test/e2e/lcd-tx.e2e.test.ts.
 */
import { describe, expect, it } from "vitest";
import { ResponseQuery } from "cosmjs-types/tendermint/abci/types";
import type { CometClient, CometRpc } from "./comet-rpc.js";
import { createNodeMetrics } from "./metrics.js";
import { createRestServer } from "./rest.js";

interface Call {
  method: string;
  params: Record<string, unknown>;
}

function fakeComet(answer: (call: Call) => unknown): { comet: CometRpc; calls: Call[] } {
  const calls: Call[] = [];
  const comet: CometRpc = {
    client: () => Promise.reject(new Error("fetch failed")) as Promise<CometClient>,
    async call<T>(method: string, params: Record<string, unknown>): Promise<T> {
      calls.push({ method, params });
      return answer({ method, params }) as T;
    },
  };
  return { comet, calls };
}

async function server(comet: CometRpc) {
  return createRestServer({
    query: async () => ResponseQuery.fromPartial({ code: 6, codespace: "sdk", log: "unknown query path", height: 1n }),
    metrics: createNodeMetrics(),
    health: () => ({ height: 1n, appHash: new Uint8Array(32), chainId: "ogpu-test" }),
    comet,
  });
}

const EMPTY_SEARCH = { txs: [], total_count: "0" };

describe("tx service request handling", () => {
  it("turns query, page, limit and order_by into one tx_search call", async () => {
    const { comet, calls } = fakeComet(() => EMPTY_SEARCH);
    const app = await server(comet);
    const res = await app.inject({ method: "GET", url: `/cosmos/tx/v1beta1/txs?query=${encodeURIComponent("message.sender='ogpu1x' AND tx.height>3")}&page=2&limit=5&order_by=ORDER_BY_DESC` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ txs: [], tx_responses: [], pagination: { next_key: null, total: "0" }, total: "0" });
    expect(calls).toEqual([{ method: "tx_search", params: { query: "message.sender='ogpu1x' AND tx.height>3", prove: false, page: "2", per_page: "5", order_by: "desc" } }]);
    await app.close();
  });

  it("joins the older events= conditions with AND, quoting bare values, and pages by pagination.offset|limit", async () => {
    const { comet, calls } = fakeComet(() => EMPTY_SEARCH);
    const app = await server(comet);
    const res = await app.inject({ method: "GET", url: "/cosmos/tx/v1beta1/txs?events=message.sender=ogpu1x&events=transfer.amount='5uogpu'&events=tx.height=7&pagination.offset=40&pagination.limit=20" });
    expect(res.statusCode).toBe(200);
    expect(calls[0]!.params).toMatchObject({ query: "message.sender = 'ogpu1x' AND transfer.amount = '5uogpu' AND tx.height = 7", page: "3", per_page: "20", order_by: "asc" });
    // A page over CometBFT's 100 is capped, and a malformed event is refused before any call.
    await app.inject({ method: "GET", url: "/cosmos/tx/v1beta1/txs?query=tx.height%3D1&limit=500" });
    expect(calls[1]!.params.per_page).toBe("100");
    const bad = await app.inject({ method: "GET", url: "/cosmos/tx/v1beta1/txs?events=noattribute" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 3 });
    expect(calls).toHaveLength(2);
    await app.close();
  });

  it("reads the broadcast mode by name or number and sends the tx bytes as given", async () => {
    const { comet, calls } = fakeComet(() => ({ code: 0, data: null, log: "", codespace: "", hash: "ab".repeat(32) }));
    const app = await server(comet);
    const res = await app.inject({ method: "POST", url: "/cosmos/tx/v1beta1/txs", payload: { tx_bytes: "AQID", mode: 3 } });
    expect(res.statusCode).toBe(200);
    expect(res.json().tx_response).toMatchObject({ txhash: "AB".repeat(32), code: 0, height: "0", tx: null });
    expect(calls).toEqual([{ method: "broadcast_tx_async", params: { tx: "AQID" } }]);
    const unspecified = await app.inject({ method: "POST", url: "/cosmos/tx/v1beta1/txs", payload: { tx_bytes: "AQID", mode: "BROADCAST_MODE_UNSPECIFIED" } });
    expect(unspecified.statusCode).toBe(400);
    const missing = await app.inject({ method: "POST", url: "/cosmos/tx/v1beta1/txs", payload: { tx_bytes: "AQID" } });
    expect(missing.json()).toMatchObject({ code: 3, message: expect.stringContaining("mode is required") });
    const notBase64 = await app.inject({ method: "POST", url: "/cosmos/tx/v1beta1/txs", payload: { tx_bytes: "not base64!", mode: "BROADCAST_MODE_SYNC" } });
    expect(notBase64.json()).toMatchObject({ code: 3 });
    expect(calls).toHaveLength(1);
    await app.close();
  });

  it("answers CometBFT's failures in the gateway's shape: unknown tx 404, unreachable 503", async () => {
    const { comet } = fakeComet(({ method }) => {
      if (method === "tx") throw new Error('{"code":-32603,"message":"Internal error","data":"tx (ABAB) not found"}');
      throw new Error("fetch failed");
    });
    const app = await server(comet);
    const hash = "AB".repeat(32);
    const missing = await app.inject({ method: "GET", url: `/cosmos/tx/v1beta1/txs/${hash}` });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ code: 5, message: `tx not found: ${hash}`, details: [] });
    const down = await app.inject({ method: "GET", url: "/cosmos/tx/v1beta1/txs?query=tx.height%3D1" });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({ code: 14 });
    const node = await app.inject({ method: "GET", url: "/cosmos/base/tendermint/v1beta1/node_info" });
    expect(node.statusCode).toBe(503);
    await app.close();
  });
});
