/**
 * The gRPC server against a REAL in-process chain: every query path the app routes is served,
 * answers carry the app's bytes and height, failures carry the gRPC code REST reports, and
 * reflection describes every served service from proto/.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { QueryBalanceRequest, QueryBalanceResponse, QueryAllBalancesRequest, QueryAllBalancesResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { startTestChain, testGenesis, testKey, type TestChain } from "../app/testkit.js";
import { packageRoot } from "../cmd/paths.js";
import { QueryTaskRequest, QueryTaskResponse } from "../proto/gen/ogpu/market/v1/query.js";
import { BLOCK_HEIGHT_METADATA, describedMethodPaths, DESCRIPTOR_SET_PATH, readDescriptorSet, servicesOf, startGrpcServer, type GrpcServer } from "./grpc.js";
import { grpcClient, listServices, reflect, unary } from "../test/grpc-client.js";

const DESCRIPTORS = join(packageRoot(), DESCRIPTOR_SET_PATH);
const alice = testKey(1);
const bank = { request: QueryBalanceRequest, response: QueryBalanceResponse };

let chain: TestChain;
let server: GrpcServer;
let client: grpc.Client;
let address: string;

beforeAll(async () => {
  chain = await startTestChain(testGenesis({ [alice.address]: 5_000_000n }));
  await chain.block([]);
  server = await startGrpcServer({ address: "127.0.0.1:0", query: (req) => chain.app.query(req), methodPaths: chain.app.queryPaths, descriptorSet: DESCRIPTORS });
  address = `127.0.0.1:${server.port}`;
  client = grpcClient(address);
});

afterAll(async () => {
  client?.close();
  await server?.close();
  await chain?.app.close();
});

describe("gRPC queries", () => {
  it("answers a bank balance with the app's bytes and the height in x-cosmos-block-height", async () => {
    const { response, headers } = await unary(client, "/cosmos.bank.v1beta1.Query/Balance", bank, { address: alice.address, denom: "uogpu" });
    expect(response.balance).toEqual({ denom: "uogpu", amount: "5000000" });
    expect(headers.get(BLOCK_HEIGHT_METADATA)).toEqual([chain.height.toString()]);
    const all = await unary(client, "/cosmos.bank.v1beta1.Query/AllBalances", { request: QueryAllBalancesRequest, response: QueryAllBalancesResponse }, { address: alice.address, resolveDenom: false });
    expect(all.response.balances).toEqual([{ denom: "uogpu", amount: "5000000" }]);
    const account = await unary(client, "/cosmos.auth.v1beta1.Query/Account", { request: QueryAccountRequest, response: QueryAccountResponse }, { address: alice.address });
    expect(account.response.account?.typeUrl).toBe("/cosmos.auth.v1beta1.BaseAccount");
  });

  it("turns a failed query into the gRPC status REST reports (NotFound, InvalidArgument)", async () => {
    const task = { request: QueryTaskRequest, response: QueryTaskResponse };
    await expect(unary(client, "/ogpu.market.v1.Query/Task", task, { taskId: 77n })).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
    await expect(unary(client, "/cosmos.bank.v1beta1.Query/Balance", bank, { address: "ogpu1nope", denom: "uogpu" })).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
  });

  it("refuses a height other than the latest, and a malformed height, with InvalidArgument", async () => {
    const old = new grpc.Metadata();
    old.set(BLOCK_HEIGHT_METADATA, "1");
    await chain.block([]);
    await expect(unary(client, "/cosmos.bank.v1beta1.Query/Balance", bank, { address: alice.address, denom: "uogpu" }, old)).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    const junk = new grpc.Metadata();
    junk.set(BLOCK_HEIGHT_METADATA, "-3");
    await expect(unary(client, "/cosmos.bank.v1beta1.Query/Balance", bank, { address: alice.address, denom: "uogpu" }, junk)).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
  });

  it("answers a path the app does not route with Unimplemented", async () => {
    await expect(unary(client, "/cosmos.bank.v1beta1.Query/DenomOwners", bank, { address: "", denom: "" })).rejects.toMatchObject({ code: grpc.status.UNIMPLEMENTED });
  });
});

describe("gRPC server reflection", () => {
  it("lists every service the app routes, by v1 and v1alpha", async () => {
    const served = [...servicesOf(chain.app.queryPaths).keys()];
    for (const version of ["v1", "v1alpha"] as const) {
      const listed = await listServices(address, version);
      expect(listed).toEqual(expect.arrayContaining(served));
    }
  });

  it("describes exactly the methods the app routes (no undescribed path, no unserved method)", () => {
    const described = describedMethodPaths(readDescriptorSet(DESCRIPTORS)).sort();
    const hint = "each query path the app routes needs an rpc in a service of proto/ogpu/<module>/v1/query.proto (or proto/cosmos/… for SDK services), then `bash proto/generate.sh` (docs/grpc.md)";
    expect(described, hint).toEqual([...chain.app.queryPaths].sort());
  });

  it("returns the file descriptors of a service (what grpcurl describe reads)", async () => {
    const res = await reflect(address, { file_containing_symbol: "ogpu.market.v1.Query" });
    const files = res.file_descriptor_response?.file_descriptor_proto ?? [];
    expect(files.length).toBeGreaterThan(0);
    const text = Buffer.concat(files).toString("latin1");
    // protoc's descriptors: the file's own name, its imports, absolute type names.
    expect(text).toContain("ogpu/market/v1/query.proto");
    expect(text).toContain("ogpu/query/v1/pagination.proto");
    expect(text).toContain(".ogpu.market.v1.QueryTaskRequest");
  });
});
