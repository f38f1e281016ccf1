import { TEST_PORTS } from "../../testnet/ports.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestNode, type TestNode } from "../../testnet/devnet.js";
import { MSG } from "../../sdk/registry.js";
import { OgpuClient, TxFailedError } from "../../sdk/client.js";
import { getBalance } from "../../sdk/queries.js";
import { singleChunkCid } from "../../sdk/blobs.js";
import { MsgRegisterWorker } from "../../proto/gen/ogpu/workers/v1/tx.js";
import { gpu, registerWorkerMsg } from "../../x/market/testing.js";
import { runOgpud } from "./run.js";

/**
 * `ogpud tx authz grant|revoke` and `q authz grants` against a real node: a granter gives a
 * grantee a SubmitTaskAuthorization with a spend limit; the grantee submits under it (MsgExec,
 * through the SDK: the CLI has no `tx authz exec`) within the limit, is refused beyond it with
 * the chain's error, and again once the grant is revoked. One registered worker, so the market
 * accepts the submissions (they are never run: the test is about the grant).
 */
const PORT_BASE = TEST_PORTS.authzCli.base;
const ACCOUNTS = [
  { name: "granter", coins: "100000000000uogpu" },
  { name: "grantee", coins: "100000000000uogpu" },
  { name: "worker", coins: "100000000000uogpu" },
];
/** One task's escrow: bid 200 × 10 units × k 1; the grant covers one and a half. */
const TASK = { kind: "hash", inputCid: singleChunkCid(new TextEncoder().encode("authz-cli")), inputBytes: 9, units: 10n, maxPricePerUnit: 200n, redundancy: 1 };
const ESCROW = 2000n;
const LIMIT = 3000n;
/** A fixed fee, so a refused exec reaches the chain (no simulation) and comes back with its code. */
const FEE = { amount: [{ denom: "uogpu", amount: "2000" }], gas: "2000000" };

let testNode: TestNode;
let node_: string[];
let keys: string[];
let granter: string;
let grantee: OgpuClient;

async function json<T>(...argv: string[]): Promise<T> {
  const run = await runOgpud([...argv, "--output", "json"]);
  expect(run.stderr, argv.join(" ")).toBe("");
  expect(run.code, argv.join(" ")).toBe(0);
  return JSON.parse(run.stdout) as T;
}

const tx = (...argv: string[]) => json<{ code: number; raw_log: string }>("tx", ...argv, ...keys, ...node_, "--yes");

interface GrantsOut {
  grants: { authorization: { "@type": string; spend_limit?: string; max_tasks?: string }; expiration: string | null }[];
}
const grants = () => json<GrantsOut>("q", "authz", "grants", granter, grantee.address!, ...node_);

beforeAll(async () => {
  testNode = await startTestNode({ portBase: PORT_BASE, homePrefix: "ogpud-authz-cli-", blockTime: "200ms", accounts: ACCOUNTS });
  node_ = ["--node", testNode.devnet.rpcUrl];
  keys = ["--home", testNode.devnet.home, "--keyring-backend", "test"];
  granter = testNode.devnet.accounts[0]!.address;
  grantee = await OgpuClient.fromMnemonic(testNode.devnet.rpcUrl, testNode.devnet.accounts[1]!.mnemonic, { fee: FEE, broadcastPollIntervalMs: 200 });
  const worker = await OgpuClient.fromMnemonic(testNode.devnet.rpcUrl, testNode.devnet.accounts[2]!.mnemonic, { fee: FEE, broadcastPollIntervalMs: 200 });
  const register = registerWorkerMsg(worker.address!, { gpus: [gpu("H100", 81_559)], region: "eu", price: 100n });
  await worker.broadcast([{ typeUrl: register.typeUrl, value: MsgRegisterWorker.decode(register.value) }]);
  worker.disconnect();
}, 120_000);

afterAll(async () => {
  grantee?.disconnect();
  await testNode?.cleanup();
});

describe("ogpud tx authz grant|revoke, q authz grants", () => {
  it("submit-task grant with a spend limit: exec within it, refused beyond it and after revoke", async () => {
    expect((await tx("authz", "grant", grantee.address!, "submit-task", "--spend-limit", `${LIMIT}uogpu`, "--from", "granter")).code).toBe(0);
    const granted = await grants();
    expect(granted.grants.map((g) => g.authorization)).toEqual([{ "@type": "/ogpu.authz.v1.SubmitTaskAuthorization", spend_limit: LIMIT.toString(), max_tasks: "0" }]);
    expect(granted.grants[0]!.expiration).toBeNull();
    // The one-msg-type form of the query answers the same grant.
    expect((await json<GrantsOut>("q", "authz", "grants", granter, grantee.address!, MSG.SubmitTask, ...node_)).grants).toHaveLength(1);

    // Within the limit: the task is the granter's, its escrow leaves the granter's balance and the limit.
    const before = await getBalance(grantee.comet, granter, "uogpu");
    const task = await grantee.submitTaskFor(granter, TASK);
    expect(task.escrow).toBe(ESCROW);
    expect((await grantee.getTask(task.taskId))!.client).toBe(granter);
    expect(before - (await getBalance(grantee.comet, granter, "uogpu"))).toBe(ESCROW);
    expect((await grants()).grants[0]!.authorization.spend_limit).toBe((LIMIT - ESCROW).toString());

    // Beyond what is left: refused as a whole (authz code 100), nothing spent, the grant unchanged.
    const beyond = await grantee.submitTaskFor(granter, TASK).catch((err: unknown) => err);
    expect(beyond).toBeInstanceOf(TxFailedError);
    expect((beyond as TxFailedError).response.code).toBe(100);
    expect((beyond as TxFailedError).message).toMatch(/spend limit exceeded/);
    expect(before - (await getBalance(grantee.comet, granter, "uogpu"))).toBe(ESCROW);
    expect((await grants()).grants[0]!.authorization.spend_limit).toBe((LIMIT - ESCROW).toString());

    // Revoked: no grant left, and the grantee can no longer act for the granter.
    expect((await tx("authz", "revoke", grantee.address!, MSG.SubmitTask, "--from", "granter")).code).toBe(0);
    expect((await grants()).grants).toEqual([]);
    const afterRevoke = await getBalance(grantee.comet, granter, "uogpu");
    const revoked = await grantee.submitTaskFor(granter, { ...TASK, units: 1n }).catch((err: unknown) => err);
    expect(revoked).toBeInstanceOf(TxFailedError);
    expect((revoked as TxFailedError).response.code).toBe(2);
    expect((revoked as TxFailedError).message).toMatch(/authorization not found/);
    expect(await getBalance(grantee.comet, granter, "uogpu")).toBe(afterRevoke);
  }, 120_000);
});
