/**
 * Proof of Sync on a real node (ogpud + cometbft), driven by stock cosmjs with
 * sdk/registry.ts. The dev key is the genesis validator (gentx) and the only auditor; the
 * test signs for two GPU workers directly (the sidecar comes later):
 *  - honest k=2 → audited (new workers: p = 1; drawn after the commits, before any reveal) →
 *    the validator seals its digest → reveals → it opens its seal (MATCH) → FINALIZED, with
 *    exact balances for workers, treasury and client;
 *  - a lying worker → the sealed audit opens → DISPUTED → the validator's vote → RESOLVED,
 *    liar slashed and jailed;
 *  - the validator's own worker finalises a task → from the next epoch its voting power is
 *    (stake + the market fee the task paid, in OGPU) × r, as CometBFT's /validators shows.
 * The node checks every invariant (supply = Σ balances, escrow, bonds, records) each block.
 */
import { TEST_PORTS } from "../../testnet/ports.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QueryClient, type DeliverTxResponse } from "@cosmjs/stargate";
import { connectComet } from "@cosmjs/tendermint-rpc";
import { startTestNode, type Devnet, type TestNode } from "../../testnet/devnet.js";
import { MSG } from "../../sdk/registry.js";
import { sha256 } from "../../crypto/hash.js";
import { parseAccountAddress } from "../../app/address.js";
import { TaskStatus, VerificationClass, type Task } from "../../proto/gen/ogpu/market/v1/market.js";
import { MsgSubmitTask, MsgSubmitTaskResponse } from "../../proto/gen/ogpu/market/v1/tx.js";
import { QueryTaskRequest, QueryTaskResponse } from "../../proto/gen/ogpu/market/v1/query.js";
import { QueryWorkerRequest, QueryWorkerResponse } from "../../proto/gen/ogpu/workers/v1/query.js";
import { MsgRegisterWorker } from "../../proto/gen/ogpu/workers/v1/tx.js";
import { QueryRecordRequest, QueryRecordResponse } from "../../proto/gen/ogpu/attest/v1/query.js";
import { Phase, Verdict, type TaskRecord } from "../../proto/gen/ogpu/attest/v1/attest.js";
import { computeResultSeal, computeSeal } from "../../x/attest/seal.js";
import { computeWeightsOf, consensusPower } from "../../x/staking/power.js";
import { stakingParams } from "../../x/staking/params.js";
import { connectSigner, moduleAccountAddress, OGPU, restBalance, restSupply, rpcGet, TASK_TX_FEE as FEE, TASK_TX_FEE_AMOUNT as FEE_AMOUNT, until, type Signer } from "./helpers.js";
import { textCid } from "../../crypto/cid.js";

const PORT_BASE = TEST_PORTS.attest.base;
const STAKE = 10_000n * OGPU;
const EPOCH_BLOCKS = 5;
const PARAMS = { workers: { heartbeat_timeout_blocks: 100_000 }, staking: { epoch_blocks: EPOCH_BLOCKS }, attest: { audit_timeout_blocks: 40 } };
const RIGHT = sha256(new TextEncoder().encode("the right output"));
const WRONG = sha256(new TextEncoder().encode("a made-up output"));

let devnet: Devnet;
let testNode: TestNode | undefined;
let query: QueryClient;
let validator: Signer;
let client: Signer;
const workers: Signer[] = [];

async function send(actor: Signer, msgs: { typeUrl: string; value: unknown }[]): Promise<DeliverTxResponse> {
  const res = await actor.client.signAndBroadcast(actor.address, msgs, FEE);
  expect(res.code, res.rawLog).toBe(0);
  return res;
}

async function abci<T>(path: string, data: Uint8Array, decode: (b: Uint8Array) => T): Promise<T> {
  return decode((await query.queryAbci(path, data)).value);
}
const task = (id: bigint): Promise<Task> => abci("/ogpu.market.v1.Query/Task", QueryTaskRequest.encode({ taskId: id }).finish(), (b) => QueryTaskResponse.decode(b).task!);
const record = (id: bigint): Promise<TaskRecord> => abci("/ogpu.attest.v1.Query/Record", QueryRecordRequest.encode({ taskId: id }).finish(), (b) => QueryRecordResponse.decode(b).record!);
const worker = (operator: string) => abci("/ogpu.workers.v1.Query/Worker", QueryWorkerRequest.encode({ operator }).finish(), (b) => QueryWorkerResponse.decode(b).worker!);

const cometPower = async () => BigInt((await rpcGet<{ validators: { voting_power: string }[] }>(devnet.rpcUrl, "validators")).validators[0]!.voting_power);

function registerMsg(actor: Signer, model: string, price: bigint) {
  return {
    typeUrl: MSG.RegisterWorker,
    value: MsgRegisterWorker.fromPartial({
      operator: actor.address,
      gpus: [{ vendor: "nvidia", model, vramMb: 81_920n, pciId: "0000:01:00.0", count: 1 }],
      region: "eu",
      pricePerUnit: price.toString(),
      maxConcurrent: 4,
      encPubkey: new Uint8Array(1216).fill(3),
      bond: (1000n * OGPU).toString(),
    }),
  };
}

async function submit(spec: { k: number; models: string[]; units?: bigint }): Promise<bigint> {
  const msg = MsgSubmitTask.fromPartial({
    client: client.address,
    kind: "inference",
    programHash: textCid("inference"),
    inputCid: textCid("e2e input"),
    inputBytes: 1024n, // the bytes nodes store for it (a test CID: declared, not uploaded)
    units: spec.units ?? 10n,
    requirements: { minVramMb: 0n, gpuModels: spec.models, tier: 0, preferredRegion: "" },
    redundancy: spec.k,
    maxPricePerUnit: "1000",
    priority: 0,
    deadlineBlocks: 0n,
    verification: VerificationClass.VERIFICATION_CLASS_BITWISE,
  });
  const res = await send(client, [{ typeUrl: MSG.SubmitTask, value: msg }]);
  return MsgSubmitTaskResponse.decode(res.msgResponses[0]!.value).taskId;
}

const salt = (who: string, id: bigint) => sha256(new TextEncoder().encode(`e2e salt ${who} ${id}`));

/**
 * Each worker seals; the next block draws the audit. When the validator is drawn it seals its own
 * digest (`audit`) before anything is revealed; then (reveals open) each worker reveals.
 */
async function commitAndReveal(id: bigint, actors: Signer[], digests: Uint8Array[], audit?: Uint8Array): Promise<void> {
  await Promise.all(
    actors.map((a, i) => send(a, [{ typeUrl: MSG.CommitResult, value: { worker: a.address, taskId: id, seal: computeResultSeal(id, parseAccountAddress(a.address), digests[i]!, textCid(`output of task ${id}`), salt(a.address, id)) } }])),
  );
  const drawn = await until("audit draw", () => record(id), (r) => r.phase === Phase.PHASE_AUDIT_SEAL || r.phase === Phase.PHASE_REVEAL);
  if (drawn.phase === Phase.PHASE_AUDIT_SEAL) {
    if (!audit) throw new Error(`task ${id} was drawn for audit, the test gave no auditor digest`);
    expect(drawn.audit!.members.map((m) => m.validator)).toEqual([validator.address]);
    const seal = computeSeal(id, parseAccountAddress(validator.address), audit, salt(validator.address, id));
    await send(validator, [{ typeUrl: MSG.CommitAudit, value: { validator: validator.address, taskId: id, seal } }]);
  }
  await Promise.all(
    actors.map((a, i) => send(a, [{ typeUrl: MSG.RevealResult, value: { worker: a.address, taskId: id, resultDigest: digests[i]!, salt: salt(a.address, id), outputCid: textCid(`output of task ${id}`) } }])),
  );
}

/** The validator's vote: on an audit it opens its seal (same salt). */
const vote = (id: bigint, digest: Uint8Array) =>
  send(validator, [{ typeUrl: MSG.Attest, value: { validator: validator.address, taskId: id, resultDigest: digest, verdict: Verdict.VERDICT_MATCH, salt: salt(validator.address, id) } }]);

beforeAll(async () => {
  testNode = await startTestNode({
    portBase: PORT_BASE,
    homePrefix: "ogpu-e2e-attest-",
    accounts: [
      { name: "val", coins: `${100_000n * OGPU}uogpu` },
      { name: "client", coins: `${100_000n * OGPU}uogpu` },
      { name: "w1", coins: `${5_000n * OGPU}uogpu` },
      { name: "w2", coins: `${5_000n * OGPU}uogpu` },
    ],
    validator: { stake: `${STAKE}uogpu` },
    params: PARAMS,
  });
  devnet = testNode.devnet;
  query = QueryClient.withExtensions(await connectComet(devnet.rpcUrl));
  [validator, client] = [await connectSigner(devnet, devnet.accounts[0]!), await connectSigner(devnet, devnet.accounts[1]!)];
  for (const account of devnet.accounts.slice(2)) workers.push(await connectSigner(devnet, account));
  await Promise.all(workers.map((w, i) => send(w, [registerMsg(w, "RTX4090", 100n + 50n * BigInt(i))])));
  // The validator's operator key also runs a worker (the only H100): its verified compute raises its power.
  await send(validator, [registerMsg(validator, "H100", 200n)]);
}, 120_000);

afterAll(async () => {
  await testNode?.cleanup();
});

describe("Proof of Sync on a real node", () => {
  it("honest k=2: audited, the validator's MATCH finalises it, with exact balances", async () => {
    const treasury = moduleAccountAddress("treasury");
    const before = { client: await restBalance(devnet, client.address), treasury: await restBalance(devnet, treasury), w: await Promise.all(workers.map((w) => restBalance(devnet, w.address))) };
    const id = await submit({ k: 2, models: ["RTX4090"] });
    const t = await task(id);
    expect(t.assignments.map((a) => a.worker).sort()).toEqual(workers.map((w) => w.address).sort());
    await commitAndReveal(id, workers, [RIGHT, RIGHT], RIGHT);
    const auditing = await until("audit opening", () => task(id), (x) => x.status === TaskStatus.TASK_STATUS_AUDITING);
    expect(auditing.statusReason).toBe("audit_open");
    const rec = await record(id);
    expect(rec.audit!.members.map((m) => m.validator)).toEqual([validator.address]);
    expect(rec.audit!.members[0]!.seal).toHaveLength(32);
    await vote(id, RIGHT);
    const done = await until("finality", () => task(id), (x) => x.status === TaskStatus.TASK_STATUS_FINALIZED);
    expect(done.escrow).toBe("0");

    const pay = workers.map((w) => BigInt(done.assignments.find((a) => a.worker === w.address)!.pricePerUnit) * 10n);
    const fee = pay.map((p) => (p * 500n) / 10_000n);
    for (const [i, w] of workers.entries()) expect(await restBalance(devnet, w.address)).toBe(before.w[i]! + pay[i]! - fee[i]! - 2n * FEE_AMOUNT);
    expect(await restBalance(devnet, treasury)).toBe(before.treasury + fee[0]! + fee[1]!);
    expect(await restBalance(devnet, client.address)).toBe(before.client - FEE_AMOUNT - pay[0]! - pay[1]!);
    expect(await restBalance(devnet, moduleAccountAddress("market_escrow"))).toBe(0n);
  });

  it("a lying worker: DISPUTED, the committee's majority resolves it, the liar is slashed (supply falls) and jailed", async () => {
    const id = await submit({ k: 2, models: ["RTX4090"] });
    const [honest, liar] = workers as [Signer, Signer];
    const honestBefore = await restBalance(devnet, honest.address);
    await commitAndReveal(id, [honest, liar], [RIGHT, WRONG], RIGHT);
    // Both workers now have CV 1 (p = 50 %): when the draw audited, the validator opens its seal
    // first (the dispute may then settle only on RIGHT, which it sealed before the reveals).
    const decided = await until("audit opening or dispute", () => task(id), (x) => x.status === TaskStatus.TASK_STATUS_AUDITING || x.status === TaskStatus.TASK_STATUS_DISPUTED);
    if (decided.status === TaskStatus.TASK_STATUS_AUDITING) await vote(id, RIGHT);
    await until("dispute", () => task(id), (x) => x.status === TaskStatus.TASK_STATUS_DISPUTED);
    // The vote opened the dispute; the next block's beacon draws its committee.
    expect((await until("dispute committee", () => record(id), (r) => r.dispute !== undefined)).dispute!.members.map((m) => m.validator)).toEqual([validator.address]);
    const supply = await restSupply(devnet);
    await vote(id, RIGHT);
    const done = await until("resolution", () => task(id), (x) => x.status === TaskStatus.TASK_STATUS_RESOLVED);
    const slashed = (1000n * OGPU) / 2n;
    expect(BigInt((await worker(liar.address)).worker!.bond)).toBe(1000n * OGPU - slashed);
    expect((await worker(liar.address)).worker!.reliability!.jailedUntil).toBeGreaterThan(0n);
    expect(await restSupply(devnet)).toBe(supply - slashed / 2n);
    const pay = BigInt(done.assignments.find((a) => a.worker === honest.address)!.pricePerUnit) * 10n;
    expect(await restBalance(devnet, honest.address)).toBe(honestBefore + pay - (pay * 500n) / 10_000n - 2n * FEE_AMOUNT);
  });

  it("the validator's power at the next epoch counts the fee its own worker's task paid (CometBFT /validators)", async () => {
    const power = await cometPower();
    expect(power).toBe(STAKE / OGPU);
    const units = 10_000_000n;
    const id = await submit({ k: 1, models: ["H100"], units });
    expect((await task(id)).assignments[0]!.worker).toBe(validator.address);
    await commitAndReveal(id, [validator], [RIGHT]);
    // No validator other than the worker's own can audit: the reveal alone finalises it.
    await until("finality", () => task(id), (x) => x.status === TaskStatus.TASK_STATUS_FINALIZED);
    // Credit = the market fee the payout paid: 5 % of 200 uogpu × 10^7 units = 100 OGPU, so from the
    // next epoch boundary the power is (stake + min(κ × stake, 100)) × r, r = the worker's EWMA
    // success (x/workers), which moves at once; the credit only at the epoch boundary.
    const fee = (200n * units * 500n) / 10_000n;
    const ewma = BigInt((await worker(validator.address)).worker!.reliability!.ewmaSuccessBps);
    const r = ewma < 5_000n ? 5_000n : ewma;
    const withCredit = consensusPower(STAKE, fee, r, computeWeightsOf(stakingParams.parse(undefined)));
    expect(withCredit).toBe(((power + fee / OGPU) * r) / 10_000n);
    expect(await until("power with the credit", cometPower, (p) => p === withCredit, 30_000)).toBe(withCredit);
  });
  it("item 4: a cancel and a commit racing on a --check-invariants node: the commit is refused, no orphan record, blocks keep coming", async () => {
    // k = 1 on the H100: the RTX4090 liar is jailed by now; the validator's own worker is free.
    const id = await submit({ k: 1, models: ["H100"] });
    const assigned = await until("assignment", () => task(id), (x) => x.status === TaskStatus.TASK_STATUS_ASSIGNED);
    const w = [validator, ...workers].find((x) => x.address === assigned.assignments[0]!.worker)!;
    const seal = computeResultSeal(id, parseAccountAddress(w.address), RIGHT, textCid(`output of task ${id}`), salt(w.address, id));
    // Both broadcast at once (300 ms blocks): the cancel is sent first and usually lands first in the same block.
    const [cancel, commit] = await Promise.all([
      client.client.signAndBroadcast(client.address, [{ typeUrl: MSG.CancelTask, value: { client: client.address, taskId: id } }], FEE),
      w.client.signAndBroadcast(w.address, [{ typeUrl: MSG.CommitResult, value: { worker: w.address, taskId: id, seal } }], FEE),
    ]);
    if (cancel.code === 0) {
      // On the old code this commit was accepted and the node halted at the end of its block.
      expect({ code: commit.code, log: commit.rawLog }).toMatchObject({ code: 14, log: expect.stringContaining("has ended") });
      expect((await task(id)).status).toBe(TaskStatus.TASK_STATUS_CANCELLED);
      await expect(record(id)).rejects.toThrow(/no Proof-of-Sync record/);
    } else {
      expect(commit.code).toBe(0);
      expect(cancel.code).toBe(9); // committed work settles through Proof of Sync
    }
    const height = commit.height;
    await until("blocks after the race", () => client.client.getHeight(), (h) => h >= height + 3);
  });
});
