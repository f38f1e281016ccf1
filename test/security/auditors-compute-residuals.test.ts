/**
 * Issue 10 item 8 — the residual ways an auditor could skip the work, in process (pure state
 * machine: which vote a sealed member can still dodge, and what UNEXECUTABLE costs):
 *  - a sealed member that opens after the others decided is judged against the settled digest;
 *  - a sealed member cannot leave its seal shut by voting in the dispute that followed;
 *  - UNEXECUTABLE on a task the others computed pays what silence pays, and nothing when the
 *    task was genuinely unexecutable.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { Phase } from "../../proto/gen/ogpu/attest/v1/attest.js";
import { TaskStatus } from "../../proto/gen/ogpu/market/v1/market.js";
import { AttestCode } from "../../x/attest/errors.js";
import { AttestEvent } from "../../x/attest/events.js";
import { attestMsg, auditSealMsg, type BlockOutcome, type ChainSigner, commitMsg, digestOf, expectOk, OGPU, revealMsg, startPosChain, Verdict, type PosChain } from "../../x/attest/testing.js";
import { nextTaskId } from "../../x/market/keeper.js";
import { exportAttestGenesis, initAttestGenesis } from "../../x/attest/genesis.js";
import { MemStore } from "../../app/store/kvstore.js";
import { submitTaskMsg } from "../../x/market/testing.js";

let chain: PosChain | undefined;
afterEach(async () => {
  await chain?.close();
  chain = undefined;
});

const RIGHT = digestOf("the right output");
const GARBAGE = digestOf("a digest nobody computed");
const AUDIT_TIMEOUT = 4;
const STAKES = [400n * OGPU, 300n * OGPU, 200n * OGPU, 100n * OGPU];

/** One untrusted worker (CV 0) on a k = 1 task, committed to `digest`; the next block drew its (forced) audit. */
async function auditedTask(digest: Uint8Array, validatorStakes = STAKES): Promise<{ c: PosChain; id: bigint; worker: ChainSigner }> {
  const c = await startPosChain({ validatorStakes, workers: [{ cv: 0n }], params: { attest: { audit_timeout_blocks: AUDIT_TIMEOUT, committee_size: 3 } } });
  chain = c;
  const id = nextTaskId(c.app.store);
  expectOk(await c.run([c.client.tx([submitTaskMsg(c.client.address, { bid: 1000n, units: 10n, k: 1 })])]));
  const worker = c.workers.find((w) => w.address === c.task(id).assignments[0]!.worker)!;
  expectOk(await c.run([worker.tx([commitMsg(worker.address, id, digest)])]));
  await c.run([]);
  expect(c.record(id)).toMatchObject({ audited: true, phase: Phase.PHASE_AUDIT_SEAL });
  return { c, id, worker };
}

const signerOf = (c: PosChain, validator: string) => c.validators.find((v) => v.v.key.address === validator)!.signer;
/** Audit members, largest power first. */
const members = (c: PosChain, id: bigint) => [...c.record(id)!.audit!.members].sort((x, y) => Number(y.power - x.power));
const vote = (c: PosChain, validator: string, msg: Any) => signerOf(c, validator).tx([msg]);
const share = (power: bigint, bps: bigint) => (power * OGPU * bps) / 10_000n;
const eventsOf = (out: BlockOutcome, type: string) => [...out.txResults.flatMap((r) => r.events), ...out.events].filter((e) => e.type === type);
const attr = (e: { attributes: { key: string; value: string }[] }, key: string) => e.attributes.find((a) => a.key === key)?.value;

async function runUntil(c: PosChain, height: bigint): Promise<void> {
  while (c.height < height) await c.run([]);
}

describe("issue 10 item 8 residuals: no way around computing", () => {
  it("item 8: a sealed member that opens a wrong digest after the others finalised is slashed as a wrong vote", async () => {
    const { c, id, worker } = await auditedTask(RIGHT);
    const [big, mid, small] = members(c, id);
    // Two members compute; the smallest seals a guess.
    expectOk(await c.run([vote(c, big!.validator, auditSealMsg(big!.validator, id, RIGHT)), vote(c, mid!.validator, auditSealMsg(mid!.validator, id, RIGHT)), vote(c, small!.validator, auditSealMsg(small!.validator, id, GARBAGE))]));
    expectOk(await c.run([worker.tx([revealMsg(worker.address, id, RIGHT)])]));
    await c.run([]);
    expect(c.task(id).status).toBe(TaskStatus.TASK_STATUS_AUDITING);
    // The others decide first (700 of 900 power ≥ 2/3): the task is FINALIZED and its record is gone.
    expectOk(await c.run([big!, mid!].map((m) => vote(c, m.validator, attestMsg(m.validator, id, RIGHT, Verdict.VERDICT_MATCH)))));
    expect(c.task(id).status).toBe(TaskStatus.TASK_STATUS_FINALIZED);
    expect(c.record(id)).toBeUndefined();
    // The guesser's shut seal outlives the record, with the settled digest, and survives an export/import.
    const exported = JSON.parse(JSON.stringify(exportAttestGenesis(c.app.store))) as { pending_openings: { validator: string; final_digest: string }[] };
    expect(exported.pending_openings.map((o) => [o.validator, o.final_digest])).toEqual([[small!.validator, Buffer.from(RIGHT).toString("base64")]]);
    const imported = new MemStore();
    initAttestGenesis(imported, exported);
    expect(exportAttestGenesis(imported)).toMatchObject({ pending_openings: exported.pending_openings });

    // The guesser sees the settled digest and tries to clear its duty with something else than its seal: refused.
    const copied = await c.run([vote(c, small!.validator, attestMsg(small!.validator, id, RIGHT, Verdict.VERDICT_MATCH))]);
    expect(copied.txResults.map((r) => [r.codespace, r.code])).toEqual([["attest", AttestCode.SealMismatch]]);
    const unexecutable = await c.run([vote(c, small!.validator, attestMsg(small!.validator, id, new Uint8Array(32), Verdict.VERDICT_UNEXECUTABLE, new Uint8Array()))]);
    expect(unexecutable.txResults.map((r) => [r.codespace, r.code])).toEqual([["attest", AttestCode.InconsistentVerdict]]);
    // Opening its seal late is judged against the digest the task settled on: the wrong-vote slash (1 %).
    const supplyBefore = c.supply();
    const late = expectOk(await c.run([vote(c, small!.validator, attestMsg(small!.validator, id, GARBAGE, Verdict.VERDICT_MISMATCH))]));
    expect(eventsOf(late, AttestEvent.AuditorWrong).map((e) => attr(e, "validator"))).toEqual([small!.validator]);
    expect(supplyBefore - c.supply()).toBe(share(small!.power, 100n));
    // Its vote is discharged: nothing more is owed or slashed at the deadline.
    for (let h = 0; h < 2 * AUDIT_TIMEOUT; h++) await c.run([]);
    expect(supplyBefore - c.supply()).toBe(share(small!.power, 100n));
  });

  it("item 8: a sealed member that never opens is absent; one that opens the settled digest late is not slashed", async () => {
    const { c, id, worker } = await auditedTask(RIGHT);
    const [big, mid, small] = members(c, id);
    expectOk(await c.run([vote(c, big!.validator, auditSealMsg(big!.validator, id, RIGHT)), vote(c, mid!.validator, auditSealMsg(mid!.validator, id, RIGHT)), vote(c, small!.validator, auditSealMsg(small!.validator, id, GARBAGE))]));
    expectOk(await c.run([worker.tx([revealMsg(worker.address, id, RIGHT)])]));
    await c.run([]);
    const openBy = c.record(id)!.audit!.deadlineHeight;
    expectOk(await c.run([vote(c, big!.validator, attestMsg(big!.validator, id, RIGHT, Verdict.VERDICT_MATCH))]));
    const supplyBefore = c.supply();
    // mid opens after the task is final, with the right digest: discharged, not slashed.
    expectOk(await c.run([vote(c, mid!.validator, attestMsg(mid!.validator, id, RIGHT, Verdict.VERDICT_MATCH))]));
    expect(c.task(id).status).toBe(TaskStatus.TASK_STATUS_FINALIZED);
    // mid's MATCH decided (700 ≥ 2/3 of 900); small never opens its guess: absent (0.1 %) at its deadline.
    await runUntil(c, openBy + 1n);
    expect(supplyBefore - c.supply()).toBe(share(small!.power, 10n));
  });

  it("item 8: a sealed member cannot leave its seal shut by voting in the dispute that followed", async () => {
    // The worker commits garbage; two members compute RIGHT; the smallest seals the worker's garbage (a colluder).
    const { c, id, worker } = await auditedTask(GARBAGE, STAKES.slice(0, 3));
    const [big, mid, small] = members(c, id);
    expectOk(await c.run([vote(c, big!.validator, auditSealMsg(big!.validator, id, RIGHT)), vote(c, mid!.validator, auditSealMsg(mid!.validator, id, RIGHT)), vote(c, small!.validator, auditSealMsg(small!.validator, id, GARBAGE, digestOf("salt of a colluder")))]));
    expectOk(await c.run([worker.tx([revealMsg(worker.address, id, GARBAGE)])]));
    await c.run([]);
    // big opens MISMATCH: MATCH can no longer reach 2/3 → DISPUTED while mid and small are still shut.
    expectOk(await c.run([vote(c, big!.validator, attestMsg(big!.validator, id, RIGHT, Verdict.VERDICT_MISMATCH))]));
    expect(c.task(id).status).toBe(TaskStatus.TASK_STATUS_DISPUTED);
    await c.run([]); // the dispute committee: 2k + 1 = 3, every validator
    expect(c.record(id)!.dispute!.members.map((m) => m.validator).sort()).toEqual([big!, mid!, small!].map((m) => m.validator).sort());
    // The colluder now sees RIGHT (big's opening) and votes it as a juror without opening its seal: refused.
    const dodge = await c.run([vote(c, small!.validator, attestMsg(small!.validator, id, RIGHT, Verdict.VERDICT_MISMATCH, new Uint8Array()))]);
    expect(dodge.txResults.map((r) => [r.codespace, r.code])).toEqual([["attest", AttestCode.SealMismatch]]);
    // Its only vote opens its seal (GARBAGE); mid's opening is also its juror vote; big votes as juror.
    expectOk(await c.run([vote(c, small!.validator, attestMsg(small!.validator, id, GARBAGE, Verdict.VERDICT_MATCH, digestOf("salt of a colluder")))]));
    const supplyBefore = c.supply();
    const out = expectOk(await c.run([vote(c, mid!.validator, attestMsg(mid!.validator, id, RIGHT, Verdict.VERDICT_MISMATCH)), vote(c, big!.validator, attestMsg(big!.validator, id, RIGHT, Verdict.VERDICT_MISMATCH, new Uint8Array()))]));
    expect(c.task(id).status).toBe(TaskStatus.TASK_STATUS_RESOLVED);
    // One vote, judged once: its opened seal was also its juror vote. The worker's garbage: 500 OGPU, half burned.
    expect(eventsOf(out, AttestEvent.AuditorWrong).map((e) => attr(e, "validator"))).toEqual([small!.validator]);
    expect(c.bond(worker.address)).toBe(500n * OGPU);
    expect(supplyBefore - c.supply()).toBe(250n * OGPU + share(small!.power, 100n));
  });

  it("item 8 with item 6: UNEXECUTABLE on a task the others computed pays what silence pays (0.1 %)", async () => {
    const { c, id, worker } = await auditedTask(RIGHT);
    const [big, mid, small] = members(c, id);
    const supplyBefore = c.supply();
    // The smallest skips the work with UNEXECUTABLE; the others compute.
    expectOk(await c.run([vote(c, small!.validator, attestMsg(small!.validator, id, new Uint8Array(32), Verdict.VERDICT_UNEXECUTABLE, new Uint8Array())), ...[big!, mid!].map((m) => vote(c, m.validator, auditSealMsg(m.validator, id, RIGHT)))]));
    expectOk(await c.run([worker.tx([revealMsg(worker.address, id, RIGHT)])]));
    await c.run([]);
    const out = expectOk(await c.run([big!, mid!].map((m) => vote(c, m.validator, attestMsg(m.validator, id, RIGHT, Verdict.VERDICT_MATCH)))));
    expect(c.task(id).status).toBe(TaskStatus.TASK_STATUS_FINALIZED);
    expect(eventsOf(out, AttestEvent.AuditorAbsent).map((e) => attr(e, "reason"))).toEqual(["unexecutable_on_executed_task"]);
    for (let h = 0; h < 2 * AUDIT_TIMEOUT; h++) await c.run([]);
    expect(supplyBefore - c.supply()).toBe(share(small!.power, 10n)); // exactly auditor_absent_slash_bps, once
  });

  it("item 8 with item 6: an honest committee facing a genuinely unexecutable task votes UNEXECUTABLE and nobody is slashed", async () => {
    const { c, id } = await auditedTask(GARBAGE);
    const committee = members(c, id);
    const supplyBefore = c.supply();
    // Nobody can run it (the worker committed something it made up): every member says so.
    expectOk(await c.run(committee.map((m) => vote(c, m.validator, attestMsg(m.validator, id, new Uint8Array(32), Verdict.VERDICT_UNEXECUTABLE, new Uint8Array())))));
    expect(c.task(id).status).toBe(TaskStatus.TASK_STATUS_FAILED);
    for (let h = 0; h < 3 * AUDIT_TIMEOUT; h++) await c.run([]);
    expect(supplyBefore - c.supply()).toBe(0n);
  });

  it("item 8: a dispute juror that picks a public digest without computing loses 1 % when it is refuted; UNEXECUTABLE there pays like absence", async () => {
    // Two trusted workers (p = 0: no audit) disagree; the dispute jurors (2k + 1 = 5, every validator) see both digests.
    const c = await startPosChain({ validatorStakes: [500n * OGPU, ...STAKES], workers: [{ cv: 1_000_000n }, { cv: 1_000_000n }], params: { attest: { audit_timeout_blocks: AUDIT_TIMEOUT, p_floor_bps: 0 } } });
    chain = c;
    const id = nextTaskId(c.app.store);
    expectOk(await c.run([c.client.tx([submitTaskMsg(c.client.address, { bid: 1000n, units: 10n, k: 2 })])]));
    const [honest, liar] = c.task(id).assignments.map((a) => c.workers.find((w) => w.address === a.worker)!) as [ChainSigner, ChainSigner];
    expectOk(await c.run([honest.tx([commitMsg(honest.address, id, RIGHT)]), liar.tx([commitMsg(liar.address, id, GARBAGE)])]));
    await c.run([]);
    expect(c.record(id)!.audited).toBe(false);
    expectOk(await c.run([honest.tx([revealMsg(honest.address, id, RIGHT)]), liar.tx([revealMsg(liar.address, id, GARBAGE)])]));
    await c.run([]);
    expect(c.task(id).status).toBe(TaskStatus.TASK_STATUS_DISPUTED);
    const jurors = [...c.record(id)!.dispute!.members].sort((x, y) => Number(y.power - x.power));
    expect(jurors).toHaveLength(5);
    const [a, b, d, guesser, lazy] = jurors;
    const supplyBefore = c.supply();
    // The smallest two skip the work: one picks the liar's public digest, one says UNEXECUTABLE.
    expectOk(await c.run([vote(c, guesser!.validator, attestMsg(guesser!.validator, id, GARBAGE, Verdict.VERDICT_MATCH, new Uint8Array())), vote(c, lazy!.validator, attestMsg(lazy!.validator, id, new Uint8Array(32), Verdict.VERDICT_UNEXECUTABLE, new Uint8Array()))]));
    const out = expectOk(await c.run([a!, b!, d!].map((m) => vote(c, m.validator, attestMsg(m.validator, id, RIGHT, Verdict.VERDICT_MATCH, new Uint8Array())))));
    expect(c.task(id).status).toBe(TaskStatus.TASK_STATUS_RESOLVED);
    expect(eventsOf(out, AttestEvent.AuditorWrong).map((e) => attr(e, "validator"))).toEqual([guesser!.validator]);
    expect(eventsOf(out, AttestEvent.AuditorAbsent).map((e) => attr(e, "reason"))).toEqual(["unexecutable_on_executed_task"]);
    // The liar: 500 OGPU of its bond, half burned; the guesser 1 %, the UNEXECUTABLE juror 0.1 %.
    expect(supplyBefore - c.supply()).toBe(250n * OGPU + share(guesser!.power, 100n) + share(lazy!.power, 10n));
  });
});
