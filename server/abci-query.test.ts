import { describe, expect, it } from "vitest";
import { BaseAccount, ModuleAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { ResponseQuery } from "cosmjs-types/tendermint/abci/types";
import { GrpcCode, GrpcStatusError, grpcErrorFromAbci, runAbciQuery } from "./abci-query.js";
import { anyJson, pageResponseJson, UnknownTypeUrlError } from "./lcd-json.js";
import { createNodeMetrics } from "./metrics.js";
import { createRestServer } from "./rest.js";

const failure = (code: number, codespace: string, log: string) => ({ code, codespace, log, height: 10n });
const accountMethod = { path: "/cosmos.auth.v1beta1.Query/Account", request: QueryAccountRequest, response: QueryAccountResponse };

describe("grpcErrorFromAbci", () => {
  it("takes the gRPC code from an `rpc error:` log and keeps the Cosmos code in the message", () => {
    const err = grpcErrorFromAbci(failure(22, "sdk", "rpc error: code = NotFound desc = account ogpu1x not found"));
    expect(err.grpcCode).toBe(GrpcCode.NotFound);
    expect(err.httpStatus).toBe(404);
    expect(err.height).toBe(10n);
    expect(err.toJSON()).toEqual({ code: 5, message: "account ogpu1x not found (codespace sdk, code 22)", details: [] });
  });

  it("falls back to the sdk code table, then to Unknown", () => {
    expect(grpcErrorFromAbci(failure(7, "sdk", "invalid address")).httpStatus).toBe(400);
    expect(grpcErrorFromAbci(failure(22, "sdk", "key not found")).grpcCode).toBe(GrpcCode.NotFound);
    const moduleErr = grpcErrorFromAbci(failure(3, "market", "task 9 does not exist"));
    expect(moduleErr.grpcCode).toBe(GrpcCode.Unknown);
    expect(moduleErr.httpStatus).toBe(500);
    expect(moduleErr.message).toBe("task 9 does not exist (codespace market, code 3)");
  });
});

describe("runAbciQuery", () => {
  it("sends the encoded request at the requested height and decodes the response", async () => {
    const result = await runAbciQuery(
      (req) => {
        expect(req.path).toBe(accountMethod.path);
        expect(QueryAccountRequest.decode(req.data).address).toBe("ogpu1abc");
        return ResponseQuery.fromPartial({ value: QueryAccountResponse.encode({}).finish(), height: req.height });
      },
      accountMethod,
      { address: "ogpu1abc" },
      8n,
    );
    expect(result).toEqual({ response: { account: undefined }, height: 8n });
  });

  it("reports an undecodable response as Internal", async () => {
    const query = () => ResponseQuery.fromPartial({ value: Uint8Array.from([0x0a, 0xff]), height: 3n });
    const err = await runAbciQuery(query, accountMethod, { address: "x" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GrpcStatusError);
    expect((err as GrpcStatusError).grpcCode).toBe(GrpcCode.Internal);
  });
});

describe("lcd-json", () => {
  it("renders a ModuleAccount with its embedded base account", () => {
    const base = BaseAccount.fromPartial({ address: "ogpu1fee", accountNumber: 4n });
    const value = ModuleAccount.encode({ baseAccount: base, name: "fee_collector", permissions: [] }).finish();
    expect(anyJson({ typeUrl: "/cosmos.auth.v1beta1.ModuleAccount", value })).toEqual({
      "@type": "/cosmos.auth.v1beta1.ModuleAccount",
      base_account: { address: "ogpu1fee", pub_key: null, account_number: "4", sequence: "0" },
      name: "fee_collector",
      permissions: [],
    });
  });

  it("refuses Any types it cannot render", () => {
    expect(() => anyJson({ typeUrl: "/foo.Bar", value: new Uint8Array() })).toThrow(UnknownTypeUrlError);
  });

  it("renders pagination totals as strings", () => {
    expect(pageResponseJson({ nextKey: new Uint8Array(), total: 12n }, 3)).toEqual({ next_key: null, total: "12" });
  });

  it("turns an unrenderable account into a 500 gateway error", async () => {
    const value = QueryAccountResponse.encode({ account: { typeUrl: "/foo.Bar", value: new Uint8Array() } }).finish();
    const app = await createRestServer({
      query: () => ResponseQuery.fromPartial({ value, height: 2n }),
      metrics: createNodeMetrics(),
      health: () => ({ height: 2n, appHash: new Uint8Array(32), chainId: "t" }),
    });
    const res = await app.inject({ method: "GET", url: "/cosmos/auth/v1beta1/accounts/ogpu1abc" });
    expect(res.statusCode).toBe(500);
    expect(res.headers["x-cosmos-block-height"]).toBe("2");
    expect(res.json()).toEqual({ code: 13, message: "unable to resolve type URL /foo.Bar", details: [] });
    await app.close();
  });
});
