/**
 * The gRPC endpoint of a real node (`ogpud start`, cometbft, LevelDB): a grpc-js client and
 * grpcurl list the services by server reflection and query a balance and a market task; the
 * answers match what REST and abci_query say.
 */
import { TEST_PORTS } from "../../testnet/ports.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import * as grpc from "@grpc/grpc-js";
import { QueryBalanceRequest, QueryBalanceResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { QueryValidatorsRequest, QueryValidatorsResponse } from "cosmjs-types/cosmos/staking/v1beta1/query";
import { startTestNode, type Devnet, type TestNode } from "../../testnet/devnet.js";
import { MSG } from "../../sdk/registry.js";
import { textCid } from "../../crypto/cid.js";
import { VerificationClass } from "../../proto/gen/ogpu/market/v1/market.js";
import { MsgSubmitTask, MsgSubmitTaskResponse } from "../../proto/gen/ogpu/market/v1/tx.js";
import { MsgRegisterWorker } from "../../proto/gen/ogpu/workers/v1/tx.js";
import { QueryTaskRequest, QueryTaskResponse } from "../../proto/gen/ogpu/market/v1/query.js";
import { BLOCK_HEIGHT_METADATA } from "../../server/grpc.js";
import { grpcClient, grpcurlBinary, listServices, unary } from "../grpc-client.js";
import { connectSigner, restBalance, restGet, TASK_TX_FEE, until, type Signer } from "./helpers.js";

const PORT_BASE = TEST_PORTS.grpc.base;
const INPUT_CID = textCid("grpc e2e input");
const run = promisify(execFile);

let testNode: TestNode;
let devnet: Devnet;
let alice: Signer;
let client: grpc.Client;
let taskId: bigint;

/** grpcurl over plaintext against the node; returns its JSON output parsed. */
async function grpcurl(...args: string[]): Promise<unknown> {
  const { stdout } = await run(grpcurlBinary(), ["-plaintext", ...args], { timeout: 30_000 }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") throw new Error("grpcurl not found: `make grpcurl` installs it into .bin/ (or set OGPU_GRPCURL)");
    throw err;
  });
  return stdout.trim().startsWith("{") ? JSON.parse(stdout) : stdout;
}

beforeAll(async () => {
  const accounts = [{ name: "alice", coins: "50000000000uogpu" }, { name: "provider", coins: "5000000000uogpu" }];
  testNode = await startTestNode({ portBase: PORT_BASE, homePrefix: "ogpu-e2e-grpc-", accounts });
  devnet = testNode.devnet;
  alice = await connectSigner(devnet, devnet.accounts[0]!);
  // A task needs a registered worker whose GPUs meet it.
  const provider = await connectSigner(devnet, devnet.accounts[1]!);
  const register = MsgRegisterWorker.fromPartial({
    operator: provider.address,
    gpus: [{ vendor: "nvidia", model: "A100", vramMb: 40_000n, pciId: "0000:01:00.0", count: 1 }],
    region: "eu",
    pricePerUnit: "100",
    maxConcurrent: 1,
    encPubkey: new Uint8Array(1216).fill(1),
    bond: "1100000000",
  });
  const registered = await provider.client.signAndBroadcast(provider.address, [{ typeUrl: MSG.RegisterWorker, value: register }], TASK_TX_FEE);
  expect(registered.code, registered.rawLog).toBe(0);
  provider.client.disconnect();
  const submit = MsgSubmitTask.fromPartial({
    client: alice.address,
    kind: "inference",
    programHash: textCid("inference"),
    inputCid: INPUT_CID,
    inputBytes: 1024n, // the bytes nodes store for it (a test CID: declared, not uploaded)
    units: 4n,
    requirements: { minVramMb: 0n, gpuModels: [], tier: 0, preferredRegion: "" },
    redundancy: 1,
    maxPricePerUnit: "1000",
    verification: VerificationClass.VERIFICATION_CLASS_BITWISE,
  });
  const res = await alice.client.signAndBroadcast(alice.address, [{ typeUrl: MSG.SubmitTask, value: submit }], TASK_TX_FEE);
  expect(res.code, res.rawLog).toBe(0);
  taskId = MsgSubmitTaskResponse.decode(res.msgResponses[0]!.value).taskId;
  client = grpcClient(devnet.grpcAddress);
}, 120_000);

afterAll(async () => {
  client?.close();
  alice?.client.disconnect();
  await testNode?.cleanup();
});

describe("gRPC on a real node", () => {
  it("lists the Cosmos and oGPU query services by server reflection", async () => {
    const services = await listServices(devnet.grpcAddress);
    expect(services).toEqual(
      expect.arrayContaining(["cosmos.auth.v1beta1.Query", "cosmos.bank.v1beta1.Query", "cosmos.staking.v1beta1.Query", "ogpu.market.v1.Query", "ogpu.workers.v1.Query", "ogpu.attest.v1.Query"]),
    );
  });

  it("answers a balance, a task and the validator set with what REST and the chain say", async () => {
    const balance = await unary(client, "/cosmos.bank.v1beta1.Query/Balance", { request: QueryBalanceRequest, response: QueryBalanceResponse }, { address: alice.address, denom: "uogpu" });
    expect(balance.response.balance).toEqual({ denom: "uogpu", amount: (await restBalance(devnet, alice.address)).toString() });
    expect(Number(balance.headers.get(BLOCK_HEIGHT_METADATA)[0])).toBeGreaterThan(0);
    const task = await unary(client, "/ogpu.market.v1.Query/Task", { request: QueryTaskRequest, response: QueryTaskResponse }, { taskId });
    expect(task.response.task).toMatchObject({ id: taskId, client: alice.address, inputCid: INPUT_CID, units: 4n });
    const validators = await unary(client, "/cosmos.staking.v1beta1.Query/Validators", { request: QueryValidatorsRequest, response: QueryValidatorsResponse }, { status: "", pagination: undefined });
    expect(validators.response.validators).toEqual(expect.any(Array));
  });

  it("answers grpcurl: list, describe, a balance and a task as JSON, NotFound for a missing task", async () => {
    const list = String(await grpcurl(devnet.grpcAddress, "list"));
    expect(list.split("\n")).toEqual(expect.arrayContaining(["cosmos.bank.v1beta1.Query", "ogpu.market.v1.Query"]));
    const described = String(await grpcurl(devnet.grpcAddress, "describe", "ogpu.market.v1.Query.Task"));
    expect(described).toContain("rpc Task ( .ogpu.market.v1.QueryTaskRequest ) returns ( .ogpu.market.v1.QueryTaskResponse )");
    const balance = await grpcurl("-d", JSON.stringify({ address: alice.address, denom: "uogpu" }), devnet.grpcAddress, "cosmos.bank.v1beta1.Query/Balance");
    expect(balance).toEqual({ balance: { denom: "uogpu", amount: (await restBalance(devnet, alice.address)).toString() } });
    const task = (await grpcurl("-d", JSON.stringify({ task_id: taskId.toString() }), devnet.grpcAddress, "ogpu.market.v1.Query/Task")) as { task: Record<string, unknown> };
    expect(task.task).toMatchObject({ id: taskId.toString(), client: alice.address, inputCid: INPUT_CID, units: "4" });
    const account = (await grpcurl("-d", JSON.stringify({ address: alice.address }), devnet.grpcAddress, "cosmos.auth.v1beta1.Query/Account")) as { account: Record<string, unknown> };
    expect(account.account).toMatchObject({ "@type": "/cosmos.auth.v1beta1.BaseAccount", address: alice.address });
    await expect(grpcurl("-d", JSON.stringify({ task_id: "999999" }), devnet.grpcAddress, "ogpu.market.v1.Query/Task")).rejects.toThrow(/NotFound/);
  });

  it("moves with --grpc.address and stops with --grpc.enable=false", async () => {
    const bank = { request: QueryBalanceRequest, response: QueryBalanceResponse };
    const query = (c: grpc.Client) => unary(c, "/cosmos.bank.v1beta1.Query/Balance", bank, { address: alice.address, denom: "uogpu" });
    const moved = `127.0.0.1:${devnet.ports.grpc + 1}`;
    await testNode.node.stop();
    testNode.restart(["--grpc.address", moved]);
    const movedClient = grpcClient(moved);
    const answer = await until("gRPC on the moved address", () => query(movedClient).catch(() => undefined), (r) => r !== undefined);
    expect(answer!.response.balance?.denom).toBe("uogpu");
    movedClient.close();

    await testNode.node.stop();
    testNode.restart(["--grpc.enable=false"]);
    await until("REST after the restart", () => restGet(devnet, "/healthz").catch(() => undefined), (r) => r?.status === 200);
    const offClient = grpcClient(devnet.grpcAddress);
    await expect(query(offClient)).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    offClient.close();
  });
});
