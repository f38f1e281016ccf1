/**
 * Post-quantum Proof of Sync on a real node: the genesis validator's operator key is ML-DSA-65
 * (its gentx, its auditor's MsgSetAuditorKey, MsgCommitAudit and MsgAttest are all ML-DSA
 * signed) and the only worker is an ML-DSA-65 `ogpu-worker` (`init|start --key-type mldsa65`:
 * register, heartbeat, commit, reveal and its output upload are ML-DSA signed). A stock-cosmjs
 * client submits an encrypted k = 1 task; the new worker is untrusted, so the audit is forced
 * and the PQ auditor re-executes and votes; the task FINALIZES and the client's decrypted output
 * equals a local run. The chain records both accounts' ML-DSA-65 public keys.
 * Ports: TEST_PORTS.pqRoles (testnet/ports.ts): the node, worker metrics +10, auditor metrics +20.
 */
import { TEST_PORTS, portAt } from "../../testnet/ports.js";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MLDSA65_PUBKEY_TYPE_URL } from "../../crypto/pubkey.js";
import { TaskStatus } from "../../proto/gen/ogpu/market/v1/market.js";
import { OgpuClient } from "../../sdk/client.js";
import { listAuditorKeys } from "../../sdk/queries.js";
import { offsetPort, startTestNode, type Devnet, type TestNode } from "../../testnet/devnet.js";
import { initRoleHome, roleLogTail, spawnRole, stopRoles, type RoleProcess } from "../../testnet/roles.js";
import { resultDigest } from "../../worker/digest.js";
import { executors } from "../../worker/executors/index.js";
import { OGPU, restGet, TASK_TX_FEE, until as pollUntil } from "./helpers.js";

const PORT_BASE = TEST_PORTS.pqRoles.base;
const WORKER_METRICS_PORT = offsetPort(portAt(TEST_PORTS.pqRoles, 10));
const AUDITOR_METRICS_PORT = offsetPort(portAt(TEST_PORTS.pqRoles, 20));
const PARAMS = {
  workers: { heartbeat_timeout_blocks: 60 },
  market: { commit_timeout_blocks: 40, max_retries: 3 },
  attest: { audit_timeout_blocks: 60, reveal_timeout_blocks: 40 },
};

let testNode: TestNode | undefined;
let devnet: Devnet;
let client: OgpuClient;
let workerAddress: string;
const roles: RoleProcess[] = [];

const logs = async () => (await Promise.all(roles.map((r) => roleLogTail(r)))).join("\n");
const until = <T>(what: string, read: () => Promise<T>, check: (v: T) => boolean) => pollUntil(what, read, check, 120_000, logs);

async function accountPubKeyType(address: string): Promise<string | undefined> {
  const { body } = await restGet<{ account: { pub_key?: { "@type": string } | null } }>(devnet, `/cosmos/auth/v1beta1/accounts/${address}`);
  return body.account.pub_key?.["@type"];
}

beforeAll(async () => {
  testNode = await startTestNode({
    portBase: PORT_BASE,
    homePrefix: "ogpu-e2e-pq-",
    accounts: [
      { name: "val", coins: `${100_000n * OGPU}uogpu`, type: "mldsa65" },
      { name: "client", coins: `${100_000n * OGPU}uogpu` },
    ],
    validator: { stake: `${10_000n * OGPU}uogpu` },
    params: PARAMS,
  });
  devnet = testNode.devnet;
  const node = { rpc: devnet.rpcUrl, rest: devnet.restUrl };
  client = await OgpuClient.fromMnemonic(devnet.rpcUrl, devnet.accounts[1]!.mnemonic, { restUrl: devnet.restUrl, fee: TASK_TX_FEE, broadcastPollIntervalMs: 200 });

  const workerHome = join(devnet.home, "pq-worker");
  workerAddress = initRoleHome(workerHome, "mldsa65");
  await client.broadcast([{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: client.address, toAddress: workerAddress, amount: [{ denom: "uogpu", amount: String(1200n * OGPU) }] } }]);
  roles.push(spawnRole({ name: "pq-worker", kind: "worker", home: workerHome, keyType: "mldsa65", node, metricsPort: WORKER_METRICS_PORT }));
  roles.push(spawnRole({ name: "pq-auditor", kind: "auditor", home: devnet.home, keyName: "val", keyType: "mldsa65", node, metricsPort: AUDITOR_METRICS_PORT }));
  await until("the PQ worker online", () => client.listWorkers({ status: "online" }), (ws) => ws.length === 1);
  await until("the PQ auditor's key on chain", () => listAuditorKeys(client.comet), (ks) => ks.some((k) => k.validator === devnet.accounts[0]!.address));
}, 180_000);

afterAll(async () => {
  await stopRoles(roles);
  client?.disconnect();
  await testNode?.cleanup();
}, 60_000);

describe("post-quantum worker and auditor on a real node", () => {
  it("an ML-DSA-65 worker runs an encrypted task, an ML-DSA-65 auditor's forced audit finalises it, the client verifies the output", async () => {
    const input = new TextEncoder().encode(JSON.stringify({ n: 24, seed: 13 }));
    const { taskId, encrypted } = await client.submitTask({ kind: "matmul", input, units: 10n, maxPricePerUnit: 200n, redundancy: 1 });
    expect(encrypted).toBe(true);
    const result = await client.fetchResult(taskId, { timeoutMs: 240_000 });
    const expected = await executors.get("matmul")!.run(input, { signal: new AbortController().signal, slot: 0 });
    expect(Buffer.from(result.output).equals(Buffer.from(expected))).toBe(true);
    expect(result.digest).toBe(Buffer.from(resultDigest(expected)).toString("hex"));
    const task = (await client.getTask(taskId))!;
    expect(task.status).toBe(TaskStatus.TASK_STATUS_FINALIZED);
    expect(task.assignments.map((a) => a.worker)).toEqual([workerAddress]);

    // The audit was forced (untrusted worker alone on the task) and the PQ auditor sealed and opened it.
    const auditorLog = await roleLogTail(roles[1]!, 200);
    expect(auditorLog).toMatch(new RegExp(`task ${taskId}: drawn on its audit committee`));
    // The vote's tx may land (and finalise the task) before the auditor has seen its inclusion.
    const matches = async () => Number(/ogpu_auditor_votes_total\{outcome="VERDICT_MATCH"\} (\d+)/.exec(await (await fetch(`http://127.0.0.1:${AUDITOR_METRICS_PORT}/metrics`)).text())?.[1] ?? 0);
    await until("the PQ auditor's MATCH vote counted", matches, (n) => n >= 1);
    // Both roles' accounts signed on chain with their ML-DSA-65 keys.
    expect(await accountPubKeyType(workerAddress)).toBe(MLDSA65_PUBKEY_TYPE_URL);
    expect(await accountPubKeyType(devnet.accounts[0]!.address)).toBe(MLDSA65_PUBKEY_TYPE_URL);
  }, 300_000);
});
