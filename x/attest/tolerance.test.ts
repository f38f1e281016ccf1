import { afterEach, describe, expect, it } from "vitest";
import { Phase } from "../../proto/gen/ogpu/attest/v1/attest.js";
import { TaskStatus } from "../../proto/gen/ogpu/market/v1/market.js";
import { nextTaskId } from "../market/keeper.js";
import { submitTaskMsg, type TaskSpec } from "../market/testing.js";
import { getValidator } from "../staking/keeper.js";
import { getWorker } from "../workers/keeper.js";
import { appQuerier, unpaidOutputCids } from "../../server/blob-chain.js";
import { attestMsg, auditSealMsg, type ChainSigner, commitMsg, digestOf, expectOk, OGPU, outputCidOf, revealMsg, startPosChain, Verdict, type PosChain } from "./testing.js";

let chain: PosChain | undefined;
afterEach(async () => {
  await chain?.close();
  chain = undefined;
});

const TRUSTED = 1_000_000n; // never audited by CV alone: the tolerance class forces the audit
const TOLERANCE: TaskSpec = { bid: 1000n, units: 10n, k: 2, tolerance: { atol: 1_000_000n, rtol: 10_000_000n } };
// Float outputs that differ in their last bits: every party's digest is its own.
const W1 = digestOf("sum in forward order");
const W2 = digestOf("sum in reverse order");
const PERTURBED = digestOf("sum + 1.0");
const auditorDigest = (i: number) => digestOf(`auditor ${i}'s own sum`);

interface Cast {
  c: PosChain;
  id: bigint;
  workers: [ChainSigner, ChainSigner];
  /** Audit members, smallest power first. */
  members: { address: string; power: bigint; signer: ChainSigner }[];
}

/** Two trusted workers commit `digests`, the audit committee (3 validators) seals its own digests, the workers reveal. */
async function revealedToleranceTask(digests: [Uint8Array, Uint8Array]): Promise<Cast> {
  const c = (chain = await startPosChain({ validatorStakes: [300n * OGPU, 200n * OGPU, 100n * OGPU], workers: [{ cv: TRUSTED }, { cv: TRUSTED }] }));
  const id = nextTaskId(c.app.store);
  expectOk(await c.run([c.client.tx([submitTaskMsg(c.client.address, TOLERANCE)])]));
  expect(c.task(id)).toMatchObject({ atol: 1_000_000n, rtol: 10_000_000n });
  const workers = c.task(id).assignments.map((a) => c.workers.find((w) => w.address === a.worker)!) as [ChainSigner, ChainSigner];
  expectOk(await c.run(workers.map((w, i) => w.tx([commitMsg(w.address, id, digests[i]!)]))));
  await c.run([]);
  expect(c.record(id)).toMatchObject({ audited: true, auditPBps: 10_000, phase: Phase.PHASE_AUDIT_SEAL });
  const members = [...c.record(id)!.audit!.members]
    .sort((x, y) => Number(x.power - y.power))
    .map((m) => ({ address: m.validator, power: m.power, signer: c.validators.find((v) => v.v.key.address === m.validator)!.signer }));
  expect(members).toHaveLength(3);
  expectOk(await c.run(members.map((m, i) => m.signer.tx([auditSealMsg(m.address, id, auditorDigest(i))]))));
  expectOk(await c.run(workers.map((w, i) => w.tx([revealMsg(w.address, id, digests[i]!)]))));
  await c.run([]);
  expect(c.record(id)!.phase).toBe(Phase.PHASE_AUDIT); // differing digests: not a dispute
  expect(c.task(id).status).toBe(TaskStatus.TASK_STATUS_AUDITING);
  return { c, id, workers, members };
}

/** Member i opens its seal with one verdict per worker. */
function vote(cast: Cast, i: number, verdicts: [Verdict, Verdict]) {
  const m = cast.members[i]!;
  const workerVerdicts = cast.workers.map((w, j) => ({ worker: w.address, verdict: verdicts[j]! }));
  const overall = verdicts.every((v) => v === Verdict.VERDICT_MATCH) ? Verdict.VERDICT_MATCH : Verdict.VERDICT_MISMATCH;
  return cast.c.run([m.signer.tx([attestMsg(m.address, cast.id, auditorDigest(i), overall, undefined, workerVerdicts)])]);
}

const bond = (c: PosChain, w: ChainSigner) => BigInt(getWorker(c.app.store, w.address)!.bond);
const tokens = (c: PosChain, address: string) => BigInt(getValidator(c.app.store, c.validators.find((v) => v.v.key.address === address)!.v.key.addressBytes)!.tokens);
const { VERDICT_MATCH: MATCH, VERDICT_MISMATCH: MISMATCH } = Verdict;

describe("tolerance verification, in process", () => {
  it("two workers with differing digests, both within tolerance: FINALIZED once MATCH carries ≥ 2/3 for each, both paid", async () => {
    const cast = await revealedToleranceTask([W1, W2]);
    const { c, id, workers } = cast;
    const before = workers.map((w) => c.balance(w.address));
    expectOk(await vote(cast, 2, [MATCH, MATCH])); // 300 of 600: not yet 2/3
    expect(c.task(id).status).toBe(TaskStatus.TASK_STATUS_AUDITING);
    expectOk(await vote(cast, 1, [MATCH, MATCH])); // 500 of 600
    expect(c.task(id).status).toBe(TaskStatus.TASK_STATUS_FINALIZED);
    workers.forEach((w, i) => expect(c.balance(w.address)).toBeGreaterThan(before[i]!));
  });

  it("the blob store serves a tolerance task's outputs to its comparers once every worker revealed (AUDITING), not before", async () => {
    const c = (chain = await startPosChain({ validatorStakes: [300n * OGPU, 200n * OGPU, 100n * OGPU], workers: [{ cv: TRUSTED }, { cv: TRUSTED }] }));
    const rpc = appQuerier(c.app);
    const id = nextTaskId(c.app.store);
    expectOk(await c.run([c.client.tx([submitTaskMsg(c.client.address, TOLERANCE)])]));
    const workers = c.task(id).assignments.map((a) => c.workers.find((w) => w.address === a.worker)!);
    expectOk(await c.run(workers.map((w) => w.tx([commitMsg(w.address, id, W1)]))));
    await c.run([]);
    const members = c.record(id)!.audit!.members;
    expectOk(await c.run(members.map((m, i) => c.validators.find((v) => v.v.key.address === m.validator)!.signer.tx([auditSealMsg(m.validator, id, auditorDigest(i))]))));
    expectOk(await c.run([workers[0]!.tx([revealMsg(workers[0]!.address, id, W1)])]));
    expect(await unpaidOutputCids(rpc)).toEqual(new Set([outputCidOf(id)])); // one reveal in: still withheld
    expectOk(await c.run([workers[1]!.tx([revealMsg(workers[1]!.address, id, W1)])]));
    await c.run([]);
    expect(c.task(id).status).toBe(TaskStatus.TASK_STATUS_AUDITING);
    expect(await unpaidOutputCids(rpc)).toEqual(new Set());
    for (const w of workers) expect(bond(c, w)).toBe(1000n * OGPU);
  });

  it("a perturbed result beyond tolerance: that worker slashed and jailed, the honest one paid", async () => {
    const cast = await revealedToleranceTask([W1, PERTURBED]);
    const { c, id, workers } = cast;
    const [honest, perturbed] = workers;
    const honest0 = c.balance(honest.address);
    for (const i of [0, 1, 2]) expectOk(await vote(cast, i, [MATCH, MISMATCH]));
    expect(c.task(id).status).toBe(TaskStatus.TASK_STATUS_FINALIZED);
    expect(c.balance(honest.address)).toBeGreaterThan(honest0);
    expect(bond(c, perturbed)).toBe(500n * OGPU); // wrong_result_slash_bps = 50 %
    expect(getWorker(c.app.store, perturbed.address)!.reliability!.jailedUntil).toBeGreaterThan(c.height);
    expect(bond(c, honest)).toBe(1000n * OGPU);
  });

  it("an auditor voting MATCH for the perturbed worker is slashed as a wrong voter; the others are not", async () => {
    const cast = await revealedToleranceTask([W1, PERTURBED]);
    const { c, id, members } = cast;
    const stakes = members.map((m) => tokens(c, m.address));
    expectOk(await vote(cast, 0, [MATCH, MATCH])); // the 100-power member vouches for the perturbed result
    expectOk(await vote(cast, 1, [MATCH, MISMATCH]));
    expect(c.task(id).status).toBe(TaskStatus.TASK_STATUS_AUDITING); // 200 of 600 MISMATCH so far
    expectOk(await vote(cast, 2, [MATCH, MISMATCH])); // 500 of 600
    expect(c.task(id).status).toBe(TaskStatus.TASK_STATUS_FINALIZED);
    expect(tokens(c, members[0]!.address)).toBe(stakes[0]! - (stakes[0]! * 100n) / 10_000n); // auditor_wrong_slash_bps = 1 %
    expect(tokens(c, members[1]!.address)).toBe(stakes[1]);
    expect(tokens(c, members[2]!.address)).toBe(stakes[2]);
  });

  it("no 2/3 either way on a worker once every member opened: FAILED, client refunded, nobody slashed", async () => {
    const cast = await revealedToleranceTask([W1, W2]);
    const { c, id, workers, members } = cast;
    const stakes = members.map((m) => tokens(c, m.address));
    expectOk(await vote(cast, 2, [MATCH, MATCH]));
    expectOk(await vote(cast, 1, [MATCH, MISMATCH]));
    expectOk(await vote(cast, 0, [MATCH, MISMATCH])); // worker 2: 300 MATCH vs 300 MISMATCH
    expect(c.task(id)).toMatchObject({ status: TaskStatus.TASK_STATUS_FAILED, escrow: "0", statusReason: "tolerance_no_majority" });
    for (const w of workers) expect(bond(c, w)).toBe(1000n * OGPU);
    members.forEach((m, i) => expect(tokens(c, m.address)).toBe(stakes[i]));
  });

  it("refuses malformed tolerance votes and tolerances beyond the params", async () => {
    const cast = await revealedToleranceTask([W1, W2]);
    const { c, id, workers, members } = cast;
    const m = members[0]!;
    const send = (verdict: Verdict, workerVerdicts: { worker: string; verdict: Verdict }[]) =>
      c.run([m.signer.tx([attestMsg(m.address, id, auditorDigest(0), verdict, undefined, workerVerdicts)])]);
    const codeOf = async (p: ReturnType<typeof send>) => (await p).txResults[0]!.log;
    expect(await codeOf(send(MATCH, [{ worker: workers[0].address, verdict: MATCH }]))).toMatch(/each of the 2 workers once/);
    expect(await codeOf(send(MATCH, [{ worker: workers[0].address, verdict: MATCH }, { worker: workers[0].address, verdict: MATCH }]))).toMatch(/twice/);
    expect(await codeOf(send(MATCH, [{ worker: workers[0].address, verdict: MATCH }, { worker: workers[1].address, verdict: MISMATCH }]))).toMatch(/MATCH when every worker verdict/);
    expect(await codeOf(send(MATCH, [{ worker: workers[0].address, verdict: MATCH }, { worker: c.client.address, verdict: MATCH }]))).toMatch(/not a worker/);
    const tooLoose = await c.run([c.client.tx([submitTaskMsg(c.client.address, { ...TOLERANCE, tolerance: { atol: 2n * 10n ** 12n, rtol: 0n } })])]);
    expect(tooLoose.txResults[0]!.log).toMatch(/exceeds max_atol/);
    const encrypted = await c.run([c.client.tx([submitTaskMsg(c.client.address, { ...TOLERANCE, encrypted: true })])]);
    // Encrypted: only with auditor keys to wrap the outputs to (the committee compares them).
    expect(encrypted.txResults[0]!.log).toMatch(/encrypted VERIFICATION_CLASS_TOLERANCE task needs auditor_key_fingerprints/);
    const wrapped = await c.run([c.client.tx([submitTaskMsg(c.client.address, { ...TOLERANCE, encrypted: true, auditorKeyFingerprints: [new Uint8Array(32).fill(7)] })])]);
    expect(wrapped.txResults[0]!.log).toBe("");
  });
});
