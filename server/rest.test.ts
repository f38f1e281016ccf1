import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { fromBech32, toBech32 } from "@cosmjs/encoding";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import {
  QueryAllBalancesRequest,
  QueryAllBalancesResponse,
  QueryBalanceRequest,
  QueryBalanceResponse,
  QueryTotalSupplyResponse,
} from "cosmjs-types/cosmos/bank/v1beta1/query";
import type { Coin } from "cosmjs-types/cosmos/base/v1beta1/coin";
import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { ResponseQuery, type RequestQuery } from "cosmjs-types/tendermint/abci/types";
import type { QueryFn } from "./abci-query.js";
import { createNodeMetrics } from "./metrics.js";
import { createRestServer } from "./rest.js";
import { pino } from "pino";

const HEIGHT = 42n;
const address = (fill: number): string => toBech32("ogpu", new Uint8Array(20).fill(fill));
const ALICE = address(1); // secp256k1 key, two denoms
const BOB = address(2); // ML-DSA-65 key
const CAROL = address(3); // account without a pubkey yet
const NOBODY = address(9);

const secpKey = new Uint8Array(33).fill(2);
const mldsaKey = new Uint8Array(1952).fill(7);

const balances = new Map<string, Coin[]>([
  [ALICE, [{ denom: "uatom", amount: "5" }, { denom: "uogpu", amount: "1000000" }]],
  [BOB, [{ denom: "uogpu", amount: "250" }]],
]);
const accounts = new Map<string, BaseAccount>([
  [ALICE, { address: ALICE, pubKey: { typeUrl: "/cosmos.crypto.secp256k1.PubKey", value: PubKey.encode({ key: secpKey }).finish() }, accountNumber: 0n, sequence: 3n }],
  [BOB, { address: BOB, pubKey: { typeUrl: "/ogpu.crypto.v1.MLDSA65PubKey", value: PubKey.encode({ key: mldsaKey }).finish() }, accountNumber: 1n, sequence: 0n }],
  [CAROL, { address: CAROL, pubKey: undefined, accountNumber: 2n, sequence: 0n }],
]);

const ok = (value: Uint8Array): ResponseQuery => ResponseQuery.fromPartial({ code: 0, value, height: HEIGHT });
const fail = (code: number, codespace: string, log: string): ResponseQuery =>
  ResponseQuery.fromPartial({ code, codespace, log, height: HEIGHT });

function validAddress(addr: string): boolean {
  try {
    // Explicit length limit: @cosmjs/encoding 0.39's default (Infinity) is rejected by @scure/base 2.
    return fromBech32(addr, 90).prefix === "ogpu";
  } catch {
    return false;
  }
}

/** A tiny ABCI query handler over the maps above, answering like the node's query router. */
const received: RequestQuery[] = [];
const fakeQuery: QueryFn = async (req) => {
  received.push(req);
  switch (req.path) {
    case "/cosmos.bank.v1beta1.Query/AllBalances": {
      const { address: addr, pagination } = QueryAllBalancesRequest.decode(req.data);
      if (!validAddress(addr)) return fail(7, "sdk", `invalid address: ${addr}`);
      const all = balances.get(addr) ?? [];
      const limit = pagination !== undefined && pagination.limit > 0n ? Number(pagination.limit) : all.length;
      const page = all.slice(0, limit);
      const nextKey = limit < all.length ? new TextEncoder().encode(all[limit].denom) : new Uint8Array();
      return ok(QueryAllBalancesResponse.encode({ balances: page, pagination: { nextKey, total: BigInt(all.length) } }).finish());
    }
    case "/cosmos.bank.v1beta1.Query/Balance": {
      const { address: addr, denom } = QueryBalanceRequest.decode(req.data);
      if (denom === "") return fail(18, "sdk", "rpc error: code = InvalidArgument desc = invalid denom");
      const amount = balances.get(addr)?.find((c) => c.denom === denom)?.amount ?? "0";
      return ok(QueryBalanceResponse.encode({ balance: { denom, amount } }).finish());
    }
    case "/cosmos.bank.v1beta1.Query/TotalSupply":
      // Pagination deliberately left unset: the REST layer must still render the object.
      return ok(QueryTotalSupplyResponse.encode({ supply: [{ denom: "uogpu", amount: "1000250" }, { denom: "uatom", amount: "5" }] }).finish());
    case "/cosmos.auth.v1beta1.Query/Account": {
      const { address: addr } = QueryAccountRequest.decode(req.data);
      const account = accounts.get(addr);
      if (account === undefined) return fail(22, "sdk", `rpc error: code = NotFound desc = account ${addr} not found`);
      return ok(QueryAccountResponse.encode({ account: { typeUrl: "/cosmos.auth.v1beta1.BaseAccount", value: BaseAccount.encode(account).finish() } }).finish());
    }
    default:
      return fail(6, "sdk", `unknown query path: ${req.path}`);
  }
};

const appHash = Uint8Array.from([0xde, 0xad, 0xbe, 0xef]);
const metrics = createNodeMetrics();
let app: FastifyInstance;

beforeAll(async () => {
  app = await createRestServer({ query: fakeQuery, metrics, health: () => ({ height: HEIGHT, appHash, chainId: "ogpu-test-1" }) });
});
afterAll(async () => {
  await app.close();
});

async function get(url: string, headers: Record<string, string> = {}) {
  const res = await app.inject({ method: "GET", url, headers });
  return { status: res.statusCode, headers: res.headers, body: res.json() as unknown };
}

describe("bank LCD routes", () => {
  it("lists all balances with pagination and the height header", async () => {
    const res = await get(`/cosmos/bank/v1beta1/balances/${ALICE}`);
    expect(res.status).toBe(200);
    expect(res.headers["x-cosmos-block-height"]).toBe("42");
    expect(res.body).toEqual({
      balances: [{ denom: "uatom", amount: "5" }, { denom: "uogpu", amount: "1000000" }],
      pagination: { next_key: null, total: "2" },
    });
  });

  it("forwards pagination parameters and renders next_key as base64", async () => {
    const res = await get(`/cosmos/bank/v1beta1/balances/${ALICE}?pagination.limit=1&pagination.count_total=true`);
    expect(res.body).toEqual({
      balances: [{ denom: "uatom", amount: "5" }],
      pagination: { next_key: Buffer.from("uogpu").toString("base64"), total: "2" },
    });
    const sent = QueryAllBalancesRequest.decode(received[received.length - 1].data);
    expect(sent.pagination?.limit).toBe(1n);
    expect(sent.pagination?.countTotal).toBe(true);
  });

  it("rejects a malformed pagination parameter without querying", async () => {
    const before = received.length;
    const res = await get(`/cosmos/bank/v1beta1/balances/${ALICE}?pagination.limit=ten`);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 3, details: [] });
    expect(received.length).toBe(before);
  });

  it("returns an empty list for an address without funds", async () => {
    const res = await get(`/cosmos/bank/v1beta1/balances/${NOBODY}`);
    expect(res.body).toEqual({ balances: [], pagination: { next_key: null, total: "0" } });
  });

  it("reads one denom with by_denom", async () => {
    expect((await get(`/cosmos/bank/v1beta1/balances/${BOB}/by_denom?denom=uogpu`)).body).toEqual({
      balance: { denom: "uogpu", amount: "250" },
    });
    expect((await get(`/cosmos/bank/v1beta1/balances/${BOB}/by_denom?denom=uatom`)).body).toEqual({
      balance: { denom: "uatom", amount: "0" },
    });
  });

  it("maps an rpc InvalidArgument error to 400 / code 3", async () => {
    const res = await get(`/cosmos/bank/v1beta1/balances/${BOB}/by_denom`);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ code: 3, message: "invalid denom (codespace sdk, code 18)", details: [] });
  });

  it("maps an invalid address (sdk code 7) to 400 / code 3", async () => {
    const res = await get("/cosmos/bank/v1beta1/balances/cosmos1notanaddress");
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ code: 3, message: "invalid address: cosmos1notanaddress (codespace sdk, code 7)", details: [] });
  });

  it("renders total supply with a pagination object", async () => {
    const res = await get("/cosmos/bank/v1beta1/supply");
    expect(res.body).toEqual({
      supply: [{ denom: "uogpu", amount: "1000250" }, { denom: "uatom", amount: "5" }],
      pagination: { next_key: null, total: "2" },
    });
  });

  it("reports an unimplemented query path as 501 / code 12", async () => {
    const res = await get("/cosmos/bank/v1beta1/supply/by_denom?denom=uogpu");
    expect(res.status).toBe(501);
    expect(res.body).toMatchObject({ code: 12, details: [] });
  });
});

describe("auth LCD routes", () => {
  it("renders a BaseAccount with a secp256k1 pubkey", async () => {
    const res = await get(`/cosmos/auth/v1beta1/accounts/${ALICE}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      account: {
        "@type": "/cosmos.auth.v1beta1.BaseAccount",
        address: ALICE,
        pub_key: { "@type": "/cosmos.crypto.secp256k1.PubKey", key: Buffer.from(secpKey).toString("base64") },
        account_number: "0",
        sequence: "3",
      },
    });
  });

  it("renders an ML-DSA-65 pubkey the same way", async () => {
    const res = await get(`/cosmos/auth/v1beta1/accounts/${BOB}`);
    expect(res.body).toMatchObject({
      account: { pub_key: { "@type": "/ogpu.crypto.v1.MLDSA65PubKey", key: Buffer.from(mldsaKey).toString("base64") }, account_number: "1" },
    });
  });

  it("renders pub_key null for an account that has not signed yet", async () => {
    const res = await get(`/cosmos/auth/v1beta1/accounts/${CAROL}`);
    expect(res.body).toEqual({
      account: { "@type": "/cosmos.auth.v1beta1.BaseAccount", address: CAROL, pub_key: null, account_number: "2", sequence: "0" },
    });
  });

  it("answers an unknown account with the gateway's 404 NotFound shape", async () => {
    const res = await get(`/cosmos/auth/v1beta1/accounts/${NOBODY}`);
    expect(res.status).toBe(404);
    expect(res.headers["x-cosmos-block-height"]).toBe("42");
    expect(res.body).toEqual({ code: 5, message: `account ${NOBODY} not found (codespace sdk, code 22)`, details: [] });
  });

  it("passes the requested height header to the query", async () => {
    await get(`/cosmos/auth/v1beta1/accounts/${ALICE}`, { "x-cosmos-block-height": "7" });
    expect(received[received.length - 1].height).toBe(7n);
    const bad = await get(`/cosmos/auth/v1beta1/accounts/${ALICE}`, { "x-cosmos-block-height": "-1" });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 3 });
  });

  it("malformed percent-encoding in the URL: the gateway's 400 InvalidArgument body, not fastify's", async () => {
    for (const url of ["/%", `/cosmos/auth/v1beta1/accounts/%zz`, "/cosmos/bank/v1beta1/balances/%c0%af"]) {
      const res = await get(url);
      expect(res.status, url).toBe(400);
      expect(res.body, url).toEqual({ code: 3, message: `'${url}' is not a valid url component`, details: [] });
    }
  });
});

describe("node routes", () => {
  it("reports health with hex app hash and string height", async () => {
    const res = await get("/healthz");
    expect(res.status).toBe(200);
    expect(res.headers["x-cosmos-block-height"]).toBe("42");
    expect(res.body).toEqual({ status: "ok", height: "42", app_hash: "DEADBEEF", chain_id: "ogpu-test-1", catching_up: false });
  });

  it("/readyz: 503 with the readiness reasons when not ready, 200 when ready", async () => {
    let ready = false;
    const lines: string[] = [];
    const log = pino({ level: "debug" }, { write: (line: string) => void lines.push(line) });
    const server = await createRestServer({
      query: fakeQuery,
      metrics,
      health: () => ({ height: HEIGHT, appHash, chainId: "ogpu-test-1" }),
      readiness: async () => ({ ready, reasons: ready ? [] : ["cometbft unreachable at http://127.0.0.1:1: fetch failed"], latestBlockHeight: "", latestBlockTime: "", catchingUp: null }),
      log,
    });
    try {
      const down = await server.inject({ method: "GET", url: "/readyz" });
      expect(down.statusCode).toBe(503);
      expect(down.json()).toEqual({ status: "not_ready", reasons: ["cometbft unreachable at http://127.0.0.1:1: fetch failed"], latest_block_height: "", latest_block_time: "", catching_up: null });
      ready = true;
      const up = await server.inject({ method: "GET", url: "/readyz" });
      expect(up.statusCode).toBe(200);
      expect(up.json()).toMatchObject({ status: "ready", reasons: [] });
      // One line per request, at debug (20), labelled with the REST module.
      const requests = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === "request");
      expect(requests.map((r) => [r.level, r.module, r.url, r.status])).toEqual([[20, "rest", "/readyz", 503], [20, "rest", "/readyz", 200]]);
    } finally {
      await server.close();
    }
  });

  it("serves observed metrics in Prometheus text format", async () => {
    metrics.height.set(42);
    metrics.checkTxSeconds.observe(0.0004);
    metrics.mempoolRejections.inc({ codespace: "sdk", code: "32" });
    const res = await app.inject({ method: "GET", url: "/metrics" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("text/plain");
    expect(res.headers["x-cosmos-block-height"]).toBe("42");
    expect(res.body).toContain("ogpu_block_height 42");
    expect(res.body).toContain("ogpu_check_tx_seconds_count 1");
    expect(res.body).toContain('ogpu_mempool_rejections_total{codespace="sdk",code="32"} 1');
  });

  it("answers unknown routes with the gateway's NotFound body", async () => {
    const res = await get("/cosmos/nothing/here");
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ code: 5, message: "Not Found", details: [] });
  });
});
