/**
 * Issue 13, the market across a real 4-validator network (loopback, real processes): 4 ogpud +
 * cometbft nodes, each with its own kubo (IPFS storage, peered, as `make testnet`), each
 * validator's real auditor (`ogpu-worker audit`) against its own node — the
 * last one post-quantum (ML-DSA-65 operator key) — and 2 real workers on node3 (ML-DSA-65) and
 * node2. The client is the faucet account on node0. Audit committees are 3 validators (genesis).
 *  - (b) a k = 1 task on an untrusted worker: the audit is forced, a 3-validator committee
 *    re-executes through its own nodes and finalises it with ≥ 2/3 of the committee's power;
 *  - (b) a lying worker (the test signs for it): the committee's sealed digests open against its
 *    reveal, the dispute committee resolves on the right digest, the liar is slashed and jailed;
 *  - (c) the node of a committee member is SIGKILLed mid-audit: the chain goes on, the task
 *    settles, the restarted node catches up and its auditor votes again;
 *  - (d) all four nodes' headers carry the same app hash at every height, and every node serves
 *    every input and output CID so far with bytes that match it (the SDK's CID check on what
 *    each node alone serves), checked after each case.
 * Inputs are public and uploaded once, through node0: workers and auditors fetch them through
 * their own nodes from node0's kubo (encrypted inputs and the uploader's death:
 * testnet-market-ipfs.e2e.test.ts).
 * Ports: TEST_PORTS.testnetMarket (testnet/ports.ts): node i at +10i (…+4, +6, kubo +7..+9), role
 * metrics from +50.
 */
import { TEST_PORTS, portAt } from "../../testnet/ports.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { SigningStargateClient } from "@cosmjs/stargate";
import { parseAccountAddress } from "../../app/address.js";
import { sha256 } from "../../crypto/hash.js";
import { generateMnemonic } from "../../crypto/keyring.js";
import { Phase, type TaskRecord } from "../../proto/gen/ogpu/attest/v1/attest.js";
import { TaskStatus, type Task } from "../../proto/gen/ogpu/market/v1/market.js";
import { MsgRegisterWorker } from "../../proto/gen/ogpu/workers/v1/tx.js";
import { blobCid, fetchBlob } from "../../sdk/blobs.js";
import { getTaskRecord, getWorker } from "../../sdk/queries.js";
import { MSG, ogpuRegistry } from "../../sdk/registry.js";
import { offsetPort, portsFrom, rpcStatus, waitForHeight } from "../../testnet/devnet.js";
import { fundFromFaucet } from "../../testnet/market.js";
import { appHashDisagreements, startMarketCluster, type MarketCluster } from "../../testnet/market-cluster.js";
import { killTestnetNode, startTestnetNode, testnetNodePid } from "../../testnet/testnet.js";
import { computeResultSeal } from "../../x/attest/seal.js";
import { resultDigest } from "../../worker/digest.js";
import { executors } from "../../worker/executors/index.js";
import { GAS_PRICE, OGPU, rpcGet, TASK_TX_FEE, until as pollUntil } from "./helpers.js";

const VALIDATORS = 4;
/** Only the liar offers it (the sidecar workers run as the CPU class), so its tasks go to the liar. */
const LIAR_GPU = "H100";
const LIAR_BOND = 1_100n * OGPU;

let cluster: MarketCluster;
let liar: { address: string; client: SigningStargateClient };

const until = <T>(what: string, read: () => Promise<T>, check: (v: T) => boolean, timeoutMs = 180_000) => pollUntil(what, read, check, timeoutMs, () => cluster.logs());
const task = async (id: bigint): Promise<Task> => (await cluster.client.getTask(id))!;
const record = async (id: bigint): Promise<TaskRecord | undefined> => getTaskRecord(cluster.client.comet, id);
const bytesOf = (o: object) => new TextEncoder().encode(JSON.stringify(o));
const localDigest = async (kind: string, input: Uint8Array) => Buffer.from(resultDigest(await executors.get(kind)!.run(input, { signal: new AbortController().signal, slot: 0 }))).toString("hex");
const SETTLED = [TaskStatus.TASK_STATUS_FINALIZED, TaskStatus.TASK_STATUS_RESOLVED, TaskStatus.TASK_STATUS_FAILED];

/** Every blob CID the nodes must serve: the tasks' inputs and their finalised outputs. */
const blobCids = new Set<string>();

/**
 * A public input uploaded through node0, submitted as a k = 1 task through node0 for `gpuModel`:
 * the sidecar workers' CPU class by default, so the liar (H100 only) is never a candidate.
 */
async function submit(kind: string, input: Uint8Array, gpuModel = "CPU"): Promise<bigint> {
  const inputCid = await cluster.upload(input);
  blobCids.add(inputCid);
  const requirements = { minVramMb: 0n, gpuModels: [gpuModel], tier: 0, preferredRegion: "" };
  return (await cluster.client.submitTask({ kind, inputCid, units: 10n, maxPricePerUnit: 200n, redundancy: 1, requirements })).taskId;
}

/** The audit committee once drawn (x/attest record; gone when the task settles). */
const committeeOf = (id: bigint) => until(`task ${id}'s audit committee`, () => record(id), (r) => (r?.audit?.members.length ?? 0) > 0).then((r) => r!.audit!.members);

/** attest_vote events of a task, from the nodes' tx index (CometBFT tx_search). */
async function votesOf(id: bigint): Promise<{ validator: string; verdict: string; digest: string }[]> {
  const found = await rpcGet<{ txs: { tx_result: { events: { type: string; attributes: { key: string; value: string }[] }[] } }[] }>(
    cluster.testnet.nodes[0]!.rpc, `tx_search?query=${encodeURIComponent(`"attest_vote.task_id=${id}"`)}&per_page=100`);
  return found.txs.flatMap((t) => t.tx_result.events.filter((e) => e.type === "attest_vote").map((e) => Object.fromEntries(e.attributes.map((a) => [a.key, a.value]))))
    .filter((a) => a.task_id === String(id)).map((a) => ({ validator: a.validator!, verdict: a.verdict!, digest: a.result_digest ?? "" }));
}

/** The finalised result, its output CID kept for the blob check. */
async function resultOf(id: bigint) {
  const result = await cluster.client.waitForResult(id, { timeoutMs: 60_000 });
  if (result.outputCid !== "") blobCids.add(result.outputCid);
  return result;
}

/**
 * (d): every running node (all of them unless `running` says how many) agrees on every header's
 * app hash up to the lowest common height, and serves every blob so far, each node on its own,
 * with bytes that match the CID (fetchBlob recomputes it; a mismatch or a missing blob throws).
 */
async function expectNodesAgree(running = VALIDATORS): Promise<void> {
  const nodes = cluster.testnet.nodes.filter((n) => testnetNodePid(n) !== undefined);
  expect(nodes).toHaveLength(running);
  const rpcs = nodes.map((n) => n.rpc);
  const heights = await Promise.all(rpcs.map(async (r) => (await rpcStatus(r)).height));
  const top = heights.reduce((a, b) => (a < b ? a : b));
  expect(top).toBeGreaterThan(2n);
  expect(await appHashDisagreements(rpcs, 1n, top)).toEqual([]);
  for (const node of nodes) {
    for (const cid of blobCids) expect(await blobCid(await fetchBlob(node.rest, cid)), `${cid} from ${node.moniker}`).toBe(cid);
  }
}

beforeAll(async () => {
  cluster = await startMarketCluster({
    validators: VALIDATORS, workers: 2, pq: true, storage: "ipfs", basePort: portsFrom(TEST_PORTS.testnetMarket.base).p2p, metricsPortBase: offsetPort(portAt(TEST_PORTS.testnetMarket, 50)), blockTime: "500ms",
    // A node killed for a minute must not be jailed for downtime in the middle of the suite.
    genesisOverrides: (s) => void ((s.slashing as { params: Record<string, unknown> }).params.signed_blocks_window = 2000),
  });
  const mnemonic = generateMnemonic();
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: "ogpu" });
  const [{ address }] = await wallet.getAccounts();
  await fundFromFaucet(cluster.testnet, [address], 2_000n * OGPU);
  // The liar talks to node1: no honest role is attached there.
  liar = { address, client: await SigningStargateClient.connectWithSigner(cluster.testnet.nodes[1]!.rpc, wallet, { registry: ogpuRegistry(), gasPrice: GAS_PRICE, broadcastPollIntervalMs: 200 }) };
  const register = MsgRegisterWorker.fromPartial({
    operator: address, gpus: [{ vendor: "nvidia", model: LIAR_GPU, vramMb: 24_576n, pciId: "", count: 1 }], region: "eu",
    pricePerUnit: "100", maxConcurrent: 2, encPubkey: new Uint8Array(1216).fill(3), bond: LIAR_BOND.toString(),
  });
  await send(liar.client, address, MSG.RegisterWorker, register);
}, 400_000);

afterAll(async () => {
  liar?.client.disconnect();
  await cluster?.stop();
}, 120_000);

async function send(client: SigningStargateClient, from: string, typeUrl: string, value: object): Promise<void> {
  const res = await client.signAndBroadcast(from, [{ typeUrl, value }], TASK_TX_FEE);
  expect(res.code, res.rawLog).toBe(0);
}

describe("the market on a 4-validator testnet", () => {
  it("(b) a forced audit: 3 validators' auditors re-execute through their own nodes and finalise it with ≥ 2/3 of the committee's power", async () => {
    const input = bytesOf({ rounds: 5_000, data: "forced audit on the testnet" });
    const id = await submit("hash", input);
    const members = await committeeOf(id);
    expect(members).toHaveLength(3);
    expect(new Set(members.map((m) => m.validator)).size).toBe(3);
    const done = await until(`task ${id} finalised`, () => task(id), (t) => SETTLED.includes(t.status));
    expect(done.status).toBe(TaskStatus.TASK_STATUS_FINALIZED);
    const result = await resultOf(id);
    expect(result.digest).toBe(await localDigest("hash", input));
    const worker = cluster.roles.workers.find((w) => w.address === done.assignments[0]!.worker)!;
    expect(worker.nodeIndex).not.toBe(0);

    const votes = await until("the committee's votes in the tx index", () => votesOf(id), (v) => v.length >= 2);
    const power = (v: string) => members.find((m) => m.validator === v)!.power;
    const total = members.reduce((s, m) => s + m.power, 0n);
    const matching = votes.filter((v) => v.verdict === "VERDICT_MATCH").reduce((s, v) => s + power(v.validator), 0n);
    expect(3n * matching).toBeGreaterThanOrEqual(2n * total);
    await expectNodesAgree();
  }, 400_000);

  it("(b) a lying worker: the sealed audit opens against its reveal, the dispute committee resolves on the right digest, the liar is slashed and jailed", async () => {
    const input = bytesOf({ rounds: 3_000, data: "the liar's task" });
    // The liar has no sidecar sending heartbeats: one now keeps it online for the scheduler.
    await send(liar.client, liar.address, MSG.Heartbeat, { operator: liar.address });
    const id = await submit("hash", input, LIAR_GPU);
    await until(`task ${id} assigned to the liar`, () => task(id), (t) => t.assignments.some((a) => a.worker === liar.address));
    const wrong = sha256(new TextEncoder().encode("a made-up output"));
    const salt = sha256(new TextEncoder().encode(`liar salt ${id}`));
    const outputCid = await blobCid(new TextEncoder().encode("the liar's made-up output"));
    await send(liar.client, liar.address, MSG.CommitResult, { worker: liar.address, taskId: id, seal: computeResultSeal(id, parseAccountAddress(liar.address), wrong, outputCid, salt) });
    expect(await committeeOf(id)).toHaveLength(3);
    await until(`task ${id} open for reveals`, () => record(id), (r) => r?.phase === Phase.PHASE_REVEAL);
    await send(liar.client, liar.address, MSG.RevealResult, { worker: liar.address, taskId: id, resultDigest: wrong, salt, outputCid });
    await until(`task ${id} disputed`, () => task(id), (t) => t.status === TaskStatus.TASK_STATUS_DISPUTED || SETTLED.includes(t.status));
    const done = await until(`task ${id} settled by the dispute committee`, () => task(id), (t) => SETTLED.includes(t.status));
    expect(done.status, done.statusReason).toBe(TaskStatus.TASK_STATUS_RESOLVED);
    const view = (await getWorker(cluster.client.comet, liar.address))!.worker!;
    expect(BigInt(view.bond)).toBe(LIAR_BOND / 2n);
    expect(view.reliability!.jailedUntil).toBeGreaterThan(0n);
    // The auditors' votes name the digest they computed through their own nodes, not the liar's.
    const right = await localDigest("hash", input);
    const votes = await votesOf(id);
    // (A dispute-phase event may carry no digest; only the ones naming a digest are compared.)
    const mismatches = votes.filter((v) => v.verdict === "VERDICT_MISMATCH" && v.digest !== "");
    expect(mismatches.length).toBeGreaterThanOrEqual(2);
    expect(new Set(mismatches.map((v) => v.digest.toLowerCase()))).toEqual(new Set([right]));
    await expectNodesAgree();
  }, 400_000);

  it("(c) a committee member's node SIGKILLed mid-audit: the chain goes on, the task settles, the node catches up and its auditor votes again", async () => {
    const input = bytesOf({ rounds: 200_000, data: "audit under a node crash" });
    const id = await submit("hash", input);
    const assigned = await until(`task ${id} assigned`, () => task(id), (t) => t.assignments.length === 1);
    const workerNode = cluster.roles.workers.find((w) => w.address === assigned.assignments[0]!.worker)!.nodeIndex;
    const members = await committeeOf(id);
    const victimIndex = cluster.testnet.nodes.findIndex((n, i) => i !== 0 && i !== workerNode && members.some((m) => m.validator === n.account));
    expect(victimIndex).toBeGreaterThan(0);
    const victim = cluster.testnet.nodes[victimIndex]!;
    // The whole node dies at once: ogpud, its cometbft and its kubo.
    await killTestnetNode(victim);

    // Liveness: 3 of 4 equal validators keep committing blocks, and the task settles as the committee rules say.
    const node0 = cluster.testnet.nodes[0]!;
    const { height } = await rpcStatus(node0.rpc);
    await waitForHeight(node0.rpc, height + 5n, 120_000);
    const done = await until(`task ${id} settled without ${victim.moniker}`, () => task(id), (t) => SETTLED.includes(t.status), 300_000);
    expect([TaskStatus.TASK_STATUS_FINALIZED, TaskStatus.TASK_STATUS_RESOLVED]).toContain(done.status);
    expect((await resultOf(id)).digest).toBe(await localDigest("hash", input));
    await expectNodesAgree(VALIDATORS - 1);

    // The restarted node catches up; its auditor (still running, reconnecting) resumes.
    startTestnetNode(victim);
    const top = (await rpcStatus(node0.rpc)).height;
    await waitForHeight(victim.rpc, top, 180_000);
    await expectNodesAgree();
    const votedBefore = (await votesByValidator()).get(victim.account) ?? 0;
    for (let i = 0; i < 6; i++) {
      const next = await submit("hash", bytesOf({ rounds: 2_000, data: `after the restart ${i}` }));
      await until(`task ${next} settled`, () => task(next), (t) => SETTLED.includes(t.status));
      if (((await votesByValidator()).get(victim.account) ?? 0) > votedBefore) break;
    }
    expect((await votesByValidator()).get(victim.account) ?? 0).toBeGreaterThan(votedBefore);
    await expectNodesAgree();
  }, 900_000);
});

/** Votes (attest_vote events) per validator over every task so far. */
async function votesByValidator(): Promise<Map<string, number>> {
  const found = await rpcGet<{ txs: { tx_result: { events: { type: string; attributes: { key: string; value: string }[] }[] } }[] }>(
    cluster.testnet.nodes[0]!.rpc, `tx_search?query=${encodeURIComponent(`"attest_vote.task_id EXISTS"`)}&per_page=100`);
  const counts = new Map<string, number>();
  for (const t of found.txs) for (const e of t.tx_result.events.filter((x) => x.type === "attest_vote")) {
    const v = e.attributes.find((a) => a.key === "validator")?.value;
    if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  return counts;
}
