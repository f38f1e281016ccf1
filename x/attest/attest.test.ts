import { afterEach, describe, expect, it } from "vitest";
import { Phase } from "../../proto/gen/ogpu/attest/v1/attest.js";
import { TaskStatus } from "../../proto/gen/ogpu/market/v1/market.js";
import { MARKET_ESCROW } from "../market/keeper.js";
import { nextTaskId } from "../market/keeper.js";
import { TX_FEE } from "../../app/testkit.js";
import { submitTaskMsg, type TaskSpec } from "../market/testing.js";
import { getWorker } from "../workers/keeper.js";
import { TREASURY } from "../treasury/keeper.js";
import { attestMsg, auditSealMsg, type ChainSigner, commitMsg, digestOf, expectOk, OGPU, rawCommitMsg, revealMsg, startPosChain, Verdict, type PosChain, type PosOptions } from "./testing.js";

let chain: PosChain | undefined;
afterEach(async () => {
  await chain?.close();
  chain = undefined;
});

const TRUSTED = 1_000_000n; // CV so high that 1/(CV+1) rounds to 0 bps
const NEVER_AUDITED: PosOptions["params"] = { attest: { p_floor_bps: 0 } };
const RIGHT = digestOf("the right output");
const WRONG = digestOf("a made-up output");

async function start(opts: PosOptions): Promise<PosChain> {
  chain = await startPosChain(opts);
  return chain;
}

/** Submits one task in its own block; returns its id and its k assigned workers (as signers). */
async function submit(c: PosChain, spec: TaskSpec): Promise<{ id: bigint; assigned: ChainSigner[] }> {
  const id = nextTaskId(c.app.store);
  expectOk(await c.run([c.client.tx([submitTaskMsg(c.client.address, spec)])]));
  const assigned = c.task(id).assignments.map((a) => c.workers.find((w) => w.address === a.worker)!);
  return { id, assigned };
}

const commitAll = (c: PosChain, id: bigint, ws: ChainSigner[], digests: Uint8Array[]) => c.run(ws.map((w, i) => w.tx([commitMsg(w.address, id, digests[i]!)])));
const revealAll = (c: PosChain, id: bigint, ws: ChainSigner[], digests: Uint8Array[]) => c.run(ws.map((w, i) => w.tx([revealMsg(w.address, id, digests[i]!)])));
/** Every member of the task's audit committee seals `digest` (its own re-execution) in one block. */
const sealAudit = (c: PosChain, id: bigint, digest: Uint8Array) =>
  c.run(c.record(id)!.audit!.members.map((m) => c.validators.find((v) => v.v.key.address === m.validator)!.signer.tx([auditSealMsg(m.validator, id, digest)])));
const cv = (c: PosChain, w: ChainSigner) => getWorker(c.app.store, w.address)!.reliability!.cv;

describe("Proof of Sync, in process", () => {
  it("honest k=2: FINALIZED in the block after the last reveal, with exact payouts, fee and refund", async () => {
    const c = await start({ workers: [{ cv: TRUSTED, price: 100n }, { cv: TRUSTED, price: 150n }], params: NEVER_AUDITED });
    const client0 = c.balance(c.client.address);
    const treasury0 = c.moduleBalance(TREASURY);
    const { id, assigned } = await submit(c, { bid: 1000n, units: 10n, k: 2 });
    expect(assigned).toHaveLength(2);
    const before = assigned.map((w) => c.balance(w.address));
    expectOk(await commitAll(c, id, assigned, [RIGHT, RIGHT]));
    expect(c.task(id).status).toBe(TaskStatus.TASK_STATUS_COMMITTED);
    expect(c.record(id)!.phase).toBe(Phase.PHASE_DRAW); // the next block's beacon draws the audit, before any reveal
    expectOk(await revealAll(c, id, assigned, [RIGHT, RIGHT]));
    const revealHeight = c.height;
    expect(c.task(id).status).toBe(TaskStatus.TASK_STATUS_REVEALED);
    await c.run([]);
    expect(c.task(id)).toMatchObject({ status: TaskStatus.TASK_STATUS_FINALIZED, escrow: "0", updatedHeight: revealHeight + 1n });
    expect(c.record(id)).toBeUndefined();

    const prices = c.task(id).assignments.map((a) => BigInt(a.pricePerUnit) * 10n);
    const fees = prices.map((p) => (p * 500n) / 10_000n);
    assigned.forEach((w, i) => expect(c.balance(w.address) - before[i]!).toBe(prices[i]! - fees[i]! - 2n * TX_FEE));
    expect(c.moduleBalance(TREASURY) - treasury0).toBe(fees[0]! + fees[1]!);
    const escrow = 1000n * 10n * 2n;
    const refund = escrow - prices[0]! - prices[1]!;
    expect(c.balance(c.client.address) - client0).toBe(-TX_FEE - escrow + refund);
    expect(c.moduleBalance(MARKET_ESCROW)).toBe(0n);
    for (const w of assigned) expect(cv(c, w)).toBe(TRUSTED + 1n);
  });

  it("one lying worker: DISPUTED, a 2k+1 committee decides, the liar is slashed (half to the client, half burned) and jailed, the honest one paid", async () => {
    const c = await start({ validatorStakes: [300n * OGPU, 200n * OGPU, 100n * OGPU], workers: [{ cv: TRUSTED }, { cv: TRUSTED }], params: NEVER_AUDITED });
    const { id, assigned } = await submit(c, { bid: 1000n, units: 10n, k: 2 });
    const [honest, liar] = assigned as [ChainSigner, ChainSigner];
    expectOk(await commitAll(c, id, [honest, liar], [RIGHT, WRONG]));
    expectOk(await revealAll(c, id, [honest, liar], [RIGHT, WRONG]));
    await c.run([]);
    expect(c.task(id).status).toBe(TaskStatus.TASK_STATUS_DISPUTED);
    const jury = c.record(id)!.dispute!.members;
    expect(jury.map((m) => m.power).sort()).toEqual([100n, 200n, 300n]); // 2k+1 = 5 asked, 3 exist: all of them

    const honestBefore = c.balance(honest.address);
    const clientBefore = c.balance(c.client.address);
    const supplyBefore = c.supply();
    const [big, mid, small] = [...jury].sort((a, b) => Number(b.power - a.power));
    const voter = (addr: string) => c.validators.find((v) => v.v.key.address === addr)!.signer;
    // 300 of 600 is not a majority; 500 of 600 is.
    expectOk(await c.run([voter(big!.validator).tx([attestMsg(big!.validator, id, RIGHT, Verdict.VERDICT_MATCH)])]));
    expect(c.task(id).status).toBe(TaskStatus.TASK_STATUS_DISPUTED);
    expectOk(await c.run([voter(mid!.validator).tx([attestMsg(mid!.validator, id, RIGHT, Verdict.VERDICT_MATCH)])]));
    expect(c.task(id)).toMatchObject({ status: TaskStatus.TASK_STATUS_RESOLVED, escrow: "0" });

    const slash = (1000n * OGPU * 5000n) / 10_000n;
    expect(c.bond(liar.address)).toBe(1000n * OGPU - slash);
    expect(c.supply()).toBe(supplyBefore - slash / 2n);
    const price = BigInt(c.task(id).assignments.find((a) => a.worker === honest.address)!.pricePerUnit) * 10n;
    expect(c.balance(honest.address) - honestBefore).toBe(price - (price * 500n) / 10_000n);
    expect(c.balance(c.client.address) - clientBefore).toBe(slash / 2n + (2n * 1000n * 10n - price));
    const liarRecord = getWorker(c.app.store, liar.address)!.reliability!;
    expect(liarRecord.cv).toBe(0n);
    expect(liarRecord.jailedUntil).toBeGreaterThan(c.height);
    expect(cv(c, honest)).toBe(TRUSTED + 1n);

    // The smallest juror never voted: at its deadline it loses auditor_absent_slash_bps (0.1 %) of its stake, burned.
    const supplyResolved = c.supply();
    for (let i = 0; i < 10; i++) await c.run([]);
    expect(supplyResolved - c.supply()).toBe((small!.power * OGPU * 10n) / 10_000n);
  });

  it("rejects a copied seal, a second commit, a non-assigned worker, an early reveal and a reveal that does not open the seal", async () => {
    const c = await start({ workers: [{ cv: TRUSTED }, { cv: TRUSTED }, { cv: TRUSTED, price: 5000n }], params: NEVER_AUDITED });
    const { id, assigned } = await submit(c, { bid: 1000n, k: 2 });
    const [a, b] = assigned as [ChainSigner, ChainSigner];
    const outsider = c.workers.find((w) => !assigned.includes(w))!;
    expectOk(await c.run([a.tx([commitMsg(a.address, id, RIGHT)])]));
    const sealOfA = c.record(id)!.results[0]!.seal;
    const codes = async (signer: ChainSigner, msg: Parameters<ChainSigner["tx"]>[0][number]) => {
      const [r] = (await c.run([signer.tx([msg])])).txResults;
      return { code: r!.code, codespace: r!.codespace };
    };
    expect(await codes(b, rawCommitMsg(b.address, id, sealOfA))).toEqual({ code: 6, codespace: "attest" });
    expect(await codes(a, commitMsg(a.address, id, WRONG))).toEqual({ code: 5, codespace: "attest" });
    expect(await codes(outsider, commitMsg(outsider.address, id, RIGHT))).toEqual({ code: 4, codespace: "attest" });
    expect(await codes(a, revealMsg(a.address, id, RIGHT))).toEqual({ code: 7, codespace: "attest" });
    expectOk(await c.run([b.tx([commitMsg(b.address, id, RIGHT)])]));
    expect(await codes(a, revealMsg(a.address, id, RIGHT, new Uint8Array(32).fill(9)))).toEqual({ code: 8, codespace: "attest" });
    expect(await codes(a, revealMsg(a.address, id, WRONG))).toEqual({ code: 8, codespace: "attest" });
  });

  it("commit without any reveal: 20 % of each bond to the treasury, the slots go to other workers", async () => {
    const c = await start({ workers: [{ cv: TRUSTED }, { cv: TRUSTED }, { cv: TRUSTED, price: 200n }, { cv: TRUSTED, price: 200n }], params: { attest: { p_floor_bps: 0, reveal_timeout_blocks: 3 } } });
    const { id, assigned } = await submit(c, { bid: 1000n, units: 10n, k: 2 });
    const others = c.workers.filter((w) => !assigned.includes(w));
    expectOk(await commitAll(c, id, assigned, [RIGHT, RIGHT]));
    await c.run([]); // the draw (no audit) opens reveals; nobody reveals
    const revealBy = c.record(id)!.revealByHeight;
    const treasury0 = c.moduleBalance(TREASURY);
    while (c.height < revealBy) await c.run([]);
    const penalty = (1000n * OGPU * 2000n) / 10_000n;
    for (const w of assigned) {
      expect(c.bond(w.address)).toBe(1000n * OGPU - penalty);
      expect(cv(c, w)).toBe(0n);
    }
    expect(c.moduleBalance(TREASURY) - treasury0).toBe(2n * penalty);
    expect(c.task(id)).toMatchObject({ status: TaskStatus.TASK_STATUS_PENDING, retries: 2 }); // one per requeued slot
    expect([...c.task(id).excludedWorkers].sort()).toEqual(assigned.map((w) => w.address).sort());

    await c.run([]); // the scheduler gives both slots to the other workers; they finish the task
    expect(c.task(id).assignments.map((a) => a.worker).sort()).toEqual(others.map((w) => w.address).sort());
    expectOk(await commitAll(c, id, others, [RIGHT, RIGHT]));
    await c.run([]);
    expectOk(await revealAll(c, id, others, [RIGHT, RIGHT]));
    await c.run([]);
    expect(c.task(id).status).toBe(TaskStatus.TASK_STATUS_FINALIZED);
  });

  it("an audited task is finalised exactly when MATCH votes carry ≥ 2/3 of the committee's power", async () => {
    const c = await start({ validatorStakes: [400n * OGPU, 300n * OGPU, 200n * OGPU, 100n * OGPU], workers: [{ cv: 0n }] });
    const { id, assigned } = await submit(c, { bid: 1000n, k: 1 });
    expectOk(await commitAll(c, id, assigned, [RIGHT]));
    await c.run([]);
    expect(c.record(id)!).toMatchObject({ audited: true, auditPBps: 10_000, phase: Phase.PHASE_AUDIT_SEAL }); // CV 0 → p = 1
    expectOk(await sealAudit(c, id, RIGHT));
    expectOk(await revealAll(c, id, assigned, [RIGHT]));
    await c.run([]);
    const record = c.record(id)!;
    expect(record.phase).toBe(Phase.PHASE_AUDIT);
    const members = [...record.audit!.members].sort((x, y) => Number(x.power - y.power));
    expect(members).toHaveLength(3);
    const total = members.reduce((s, m) => s + m.power, 0n);
    let matched = 0n;
    const seen: TaskStatus[] = [];
    for (const m of members) {
      const signer = c.validators.find((v) => v.v.key.address === m.validator)!.signer;
      expectOk(await c.run([signer.tx([attestMsg(m.validator, id, RIGHT, Verdict.VERDICT_MATCH)])]));
      matched += m.power;
      const status = c.task(id).status;
      seen.push(status);
      expect(status).toBe(3n * matched >= 2n * total ? TaskStatus.TASK_STATUS_FINALIZED : TaskStatus.TASK_STATUS_AUDITING);
    }
    expect(seen[0]).toBe(TaskStatus.TASK_STATUS_AUDITING);
  });

  it("adaptive replication: a k=1 task goes to a trusted worker even when an untrusted one is cheaper", async () => {
    const c = await start({ workers: [{ cv: 0n, price: 50n }, { cv: 10n, price: 300n }] });
    const { assigned } = await submit(c, { bid: 1000n, k: 1 });
    expect(assigned.map((w) => w.address)).toEqual([c.workers[1]!.address]);
    const { assigned: pair } = await submit(c, { bid: 1000n, k: 2 });
    expect(pair).toHaveLength(2); // k ≥ 2 tasks take untrusted workers
  });
});
