/**
 * Issue 10 item 8 — auditors must actually compute, in process (the attack is pure state
 * machine: which digests a validator can see before its vote is fixed). An audit committee is
 * drawn before any worker reveal and seals its own digests (MsgCommitAudit); worker reveals open
 * only after that window; the members then open their seals (MsgAttest + salt). A validator that
 * only copies what is public has nothing to copy while its vote can still count.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { Phase } from "../../proto/gen/ogpu/attest/v1/attest.js";
import { TaskStatus } from "../../proto/gen/ogpu/market/v1/market.js";
import { AttestCode } from "../../x/attest/errors.js";
import { AttestEvent } from "../../x/attest/events.js";
import { attestMsg, auditSealMsg, type ChainSigner, commitMsg, digestOf, expectOk, OGPU, revealMsg, saltFor, startPosChain, Verdict, type PosChain } from "../../x/attest/testing.js";
import { computeSeal } from "../../x/attest/seal.js";
import { parseAccountAddress } from "../../app/address.js";
import { MSG } from "../../sdk/registry.js";
import { MsgCommitAudit } from "../../proto/gen/ogpu/attest/v1/tx.js";
import { nextTaskId } from "../../x/market/keeper.js";
import { submitTaskMsg } from "../../x/market/testing.js";

let chain: PosChain | undefined;
afterEach(async () => {
  await chain?.close();
  chain = undefined;
});

const RIGHT = digestOf("the right output");
const GARBAGE = digestOf("garbage the worker never computed");
const AUDIT_TIMEOUT = 4;

/** One untrusted worker (CV 0) on a k = 1 task: its audit is forced (p = 1). */
async function forcedAudit(stakes: bigint[]): Promise<{ c: PosChain; id: bigint; worker: ChainSigner }> {
  const c = await startPosChain({ validatorStakes: stakes, workers: [{ cv: 0n }], params: { attest: { audit_timeout_blocks: AUDIT_TIMEOUT, committee_size: 3 } } });
  chain = c;
  const id = nextTaskId(c.app.store);
  expectOk(await c.run([c.client.tx([submitTaskMsg(c.client.address, { bid: 1000n, units: 10n, k: 1 })])]));
  const worker = c.workers.find((w) => w.address === c.task(id).assignments[0]!.worker)!;
  return { c, id, worker };
}

const signerOf = (c: PosChain, validator: string) => c.validators.find((v) => v.v.key.address === validator)!.signer;
const members = (c: PosChain, id: bigint) => [...c.record(id)!.audit!.members].sort((x, y) => Number(y.power - x.power));

async function codeOf(c: PosChain, signer: ChainSigner, msg: Any): Promise<{ code: number; codespace: string }> {
  const [r] = (await c.run([signer.tx([msg])])).txResults;
  return { code: r!.code, codespace: r!.codespace };
}

describe("issue 10 item 8: auditors must actually compute", () => {
  it("item 8: a validator that copies the revealed digest cannot get a garbage result finalized", async () => {
    const { c, id, worker } = await forcedAudit([400n * OGPU, 300n * OGPU, 200n * OGPU]);
    expectOk(await c.run([worker.tx([commitMsg(worker.address, id, GARBAGE)])]));
    await c.run([]); // the audit draw: before any reveal
    expect(c.record(id)).toMatchObject({ audited: true, phase: Phase.PHASE_AUDIT_SEAL });
    const committee = members(c, id);
    expect(committee).toHaveLength(3);

    // While the committee seals, the worker's digest is not public: its reveal is refused …
    expect(await codeOf(c, worker, revealMsg(worker.address, id, GARBAGE))).toEqual({ code: AttestCode.WrongPhase, codespace: "attest" });
    // … a vote without a seal is refused, and a seal copied from the worker (or another member) can never be accepted.
    const [first, second] = committee;
    expect(await codeOf(c, signerOf(c, first!.validator), attestMsg(first!.validator, id, GARBAGE, Verdict.VERDICT_MATCH))).toEqual({ code: AttestCode.WrongPhase, codespace: "attest" });
    const workerSeal = c.record(id)!.results[0]!.seal;
    const copied: Any = { typeUrl: MSG.CommitAudit, value: MsgCommitAudit.encode({ validator: first!.validator, taskId: id, seal: workerSeal }).finish() };
    expect(await codeOf(c, signerOf(c, first!.validator), copied)).toEqual({ code: AttestCode.DuplicateSeal, codespace: "attest" });

    // The copiers wait for something to copy: nothing is revealed until their seal window closes.
    const sealDeadline = c.record(id)!.audit!.deadlineHeight;
    const supplyBefore = c.supply();
    while (c.height < sealDeadline) await c.run([]);
    expect(c.record(id)!.phase).toBe(Phase.PHASE_REVEAL);
    const absentBurn = committee.reduce((s, m) => s + (m.power * OGPU * 10n) / 10_000n, 0n);
    expect(supplyBefore - c.supply()).toBe(absentBurn); // each unsealed member was absent: 0.1 % of its stake

    // Now the garbage digest is public: copying it is useless — no seal to open, no counted vote.
    // (The copiers' votes ride in the very block of the reveal, right behind it.)
    const copyBlock = await c.run([worker.tx([revealMsg(worker.address, id, GARBAGE)]), ...[first!, second!].map((m) => signerOf(c, m.validator).tx([attestMsg(m.validator, id, GARBAGE, Verdict.VERDICT_MATCH)]))]);
    expect(copyBlock.txResults.map((r) => r.code)).toEqual([0, AttestCode.WrongPhase, AttestCode.WrongPhase]);
    const clientBefore = c.balance(c.client.address);
    await c.run([]); // the decision block: the audit cannot reach 2/3 with no sealed member
    const statuses: TaskStatus[] = [c.task(id).status];
    expect(statuses[0]).toBe(TaskStatus.TASK_STATUS_DISPUTED);
    // A dispute after an audit may only settle on a digest an auditor sealed before the reveals:
    // there is none, so jurors copying the public garbage digest have nothing to vote for.
    await c.run([]);
    for (const m of [first!, second!]) {
      const forged = attestMsg(m.validator, id, GARBAGE, Verdict.VERDICT_MATCH, saltFor(m.validator, id));
      expect((await codeOf(c, signerOf(c, m.validator), forged)).code).not.toBe(0);
      statuses.push(c.task(id).status);
    }
    expect(statuses).not.toContain(TaskStatus.TASK_STATUS_FINALIZED);
    expect(statuses).not.toContain(TaskStatus.TASK_STATUS_RESOLVED);
    expect(c.task(id)).toMatchObject({ status: TaskStatus.TASK_STATUS_FAILED, escrow: "0" });
    expect(c.balance(c.client.address) - clientBefore).toBe(1000n * 10n); // full refund: nobody was paid for the garbage
  });

  it("item 8: an honest sealed committee catches the garbage; a member that sealed a guess is slashed", async () => {
    const { c, id, worker } = await forcedAudit([400n * OGPU, 300n * OGPU, 200n * OGPU, 100n * OGPU]);
    expectOk(await c.run([worker.tx([commitMsg(worker.address, id, RIGHT)])]));
    await c.run([]);
    const [big, mid, small] = members(c, id);
    // Two members re-execute (RIGHT); the smallest guesses without computing.
    expectOk(await c.run([big!, mid!].map((m) => signerOf(c, m.validator).tx([auditSealMsg(m.validator, id, RIGHT)]))));
    expect(c.record(id)!.phase).toBe(Phase.PHASE_AUDIT_SEAL);
    expectOk(await c.run([signerOf(c, small!.validator).tx([auditSealMsg(small!.validator, id, GARBAGE)])]));
    expect(c.record(id)!.phase).toBe(Phase.PHASE_REVEAL); // every member sealed: reveals open at once
    // A seal binds the member's address: opening it under another member's name fails.
    expect(computeSeal(id, parseAccountAddress(big!.validator), RIGHT, saltFor(big!.validator, id))).toEqual(c.record(id)!.audit!.members.find((m) => m.validator === big!.validator)!.seal);

    expectOk(await c.run([worker.tx([revealMsg(worker.address, id, RIGHT)])]));
    await c.run([]);
    expect(c.task(id).status).toBe(TaskStatus.TASK_STATUS_AUDITING);
    // Opening with a salt that is not the sealed one is refused.
    expect(await codeOf(c, signerOf(c, big!.validator), attestMsg(big!.validator, id, RIGHT, Verdict.VERDICT_MATCH, new Uint8Array(32).fill(7)))).toEqual({ code: AttestCode.SealMismatch, codespace: "attest" });
    const supplyBefore = c.supply();
    expectOk(await c.run([signerOf(c, small!.validator).tx([attestMsg(small!.validator, id, GARBAGE, Verdict.VERDICT_MISMATCH)])]));
    const out = expectOk(await c.run([big!, mid!].map((m) => signerOf(c, m.validator).tx([attestMsg(m.validator, id, RIGHT, Verdict.VERDICT_MATCH)]))));
    expect(c.task(id)).toMatchObject({ status: TaskStatus.TASK_STATUS_FINALIZED, escrow: "0" });
    const wrong = out.txResults.flatMap((r) => r.events).filter((e) => e.type === AttestEvent.AuditorWrong);
    expect(wrong.map((e) => e.attributes.find((a) => a.key === "validator")!.value)).toEqual([small!.validator]);
    expect(supplyBefore - c.supply()).toBe((small!.power * OGPU * 100n) / 10_000n); // auditor_wrong_slash_bps = 1 %
  });

  it("item 8: workers that disagree after an audit draw: the dispute settles only on a digest an auditor sealed before the reveals", async () => {
    const c = await startPosChain({ validatorStakes: [400n * OGPU, 300n * OGPU, 200n * OGPU], workers: [{ cv: 0n }, { cv: 0n }], params: { attest: { audit_timeout_blocks: AUDIT_TIMEOUT, committee_size: 3 } } });
    chain = c;
    const id = nextTaskId(c.app.store);
    expectOk(await c.run([c.client.tx([submitTaskMsg(c.client.address, { bid: 1000n, units: 10n, k: 2 })])]));
    const [honest, liar] = c.task(id).assignments.map((a) => c.workers.find((w) => w.address === a.worker)!) as [ChainSigner, ChainSigner];
    expectOk(await c.run([honest.tx([commitMsg(honest.address, id, RIGHT)]), liar.tx([commitMsg(liar.address, id, GARBAGE)])]));
    await c.run([]);
    const committee = members(c, id);
    expectOk(await c.run(committee.map((m) => signerOf(c, m.validator).tx([auditSealMsg(m.validator, id, RIGHT)]))));
    expectOk(await c.run([honest.tx([revealMsg(honest.address, id, RIGHT)]), liar.tx([revealMsg(liar.address, id, GARBAGE)])]));
    await c.run([]);
    expect(c.record(id)!.phase).toBe(Phase.PHASE_AUDIT); // the sealed members open even though the workers disagree
    expectOk(await c.run(committee.map((m) => signerOf(c, m.validator).tx([attestMsg(m.validator, id, RIGHT, Verdict.VERDICT_MATCH)]))));
    expect(c.task(id).status).toBe(TaskStatus.TASK_STATUS_DISPUTED);
    await c.run([]); // the dispute committee is drawn
    const jurors = c.record(id)!.dispute!.members;
    // Jurors copying the liar's public digest cannot make it win: it has no sealed support.
    expectOk(await c.run(jurors.map((m) => signerOf(c, m.validator).tx([attestMsg(m.validator, id, GARBAGE, Verdict.VERDICT_MATCH, new Uint8Array())]))));
    expect(c.task(id).status).toBe(TaskStatus.TASK_STATUS_FAILED);
    expect(c.bond(liar.address)).toBe(1000n * OGPU); // nothing resolved: nobody slashed, the client refunded
  });

  it("item 8: a worker that withholds its reveal once its task is drawn for audit is punished as a wrong result", async () => {
    const { c, id, worker } = await forcedAudit([400n * OGPU]);
    expectOk(await c.run([worker.tx([commitMsg(worker.address, id, GARBAGE)])]));
    await c.run([]);
    const [only] = members(c, id);
    expectOk(await c.run([signerOf(c, only!.validator).tx([auditSealMsg(only!.validator, id, RIGHT)])]));
    const bond0 = c.bond(worker.address);
    const revealBy = c.record(id)!.revealByHeight;
    while (c.height < revealBy) await c.run([]);
    expect(bond0 - c.bond(worker.address)).toBe((bond0 * 5000n) / 10_000n); // wrong_result_slash_bps, not the 20 % reveal timeout
  });

  it("item 8 with item 6: an UNEXECUTABLE vote in the seal window stands for a seal; below 2/3 the sealed members decide, and on a task they computed it pays what absence pays, never the wrong-vote slash", async () => {
    const { c, id, worker } = await forcedAudit([400n * OGPU, 300n * OGPU, 200n * OGPU, 100n * OGPU]);
    expectOk(await c.run([worker.tx([commitMsg(worker.address, id, RIGHT)])]));
    await c.run([]);
    const [big, mid, small] = members(c, id);
    const unexecutable = (v: string) => attestMsg(v, id, new Uint8Array(32), Verdict.VERDICT_UNEXECUTABLE, new Uint8Array());
    const supplyBefore = c.supply();
    // It carries no digest (nothing to copy) and stands for the seal; another member seals.
    expectOk(await c.run([signerOf(c, small!.validator).tx([unexecutable(small!.validator)]), signerOf(c, big!.validator).tx([auditSealMsg(big!.validator, id, RIGHT)])]));
    expect(c.record(id)!.phase).toBe(Phase.PHASE_AUDIT_SEAL);
    // Sealing after UNEXECUTABLE is refused, and a sealed member cannot take its seal back as UNEXECUTABLE.
    const refused = await c.run([signerOf(c, small!.validator).tx([auditSealMsg(small!.validator, id, RIGHT)]), signerOf(c, big!.validator).tx([unexecutable(big!.validator)])]);
    expect(refused.txResults.map((r) => [r.codespace, r.code])).toEqual([["attest", AttestCode.AlreadyVoted], ["attest", AttestCode.AlreadyCommitted]]);
    expectOk(await c.run([signerOf(c, mid!.validator).tx([auditSealMsg(mid!.validator, id, RIGHT)])]));
    expect(c.record(id)!.phase).toBe(Phase.PHASE_REVEAL); // every member sealed or voted UNEXECUTABLE
    expectOk(await c.run([worker.tx([revealMsg(worker.address, id, RIGHT)])]));
    await c.run([]);
    expect(c.task(id).status).toBe(TaskStatus.TASK_STATUS_AUDITING);
    expectOk(await c.run([big!, mid!].map((m) => signerOf(c, m.validator).tx([attestMsg(m.validator, id, RIGHT, Verdict.VERDICT_MATCH)]))));
    expect(c.task(id)).toMatchObject({ status: TaskStatus.TASK_STATUS_FINALIZED, escrow: "0" });
    for (let h = 0; h < 2 * AUDIT_TIMEOUT; h++) await c.run([]); // past every deadline
    // The sealed members are not slashed; the UNEXECUTABLE one, on a task the others computed, pays auditor_absent_slash_bps (0.1 %) once.
    expect(supplyBefore - c.supply()).toBe((small!.power * OGPU * 10n) / 10_000n);
  });
});
