/**
 * Issue 10 item 6 — clients can't burn other people's stake or bonds, in process (the attacks
 * are pure state machine): a task no honest party can execute fails at the client's cost, a
 * worker declines an assignment it cannot run without penalty, and an auditor is only punished
 * for absence when the task's input was wrapped to its key.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { parseAccountAddress } from "../../app/address.js";
import { MarketCode } from "../../x/market/errors.js";
import { DeclineReason, TaskStatus } from "../../proto/gen/ogpu/market/v1/market.js";
import { Phase } from "../../proto/gen/ogpu/attest/v1/attest.js";
import { auditorKeyFingerprint } from "../../crypto/kem-pubkey.js";
import { attestMsg, commitMsg, digestOf, expectOk, OGPU, revealMsg, setAuditorKeyMsg, startPosChain, Verdict, type ChainSigner, type PosChain } from "../../x/attest/testing.js";
import { nextTaskId } from "../../x/market/keeper.js";
import { declineMsg, submitTaskMsg, testEncPubkey, type TaskSpec } from "../../x/market/testing.js";
import { getWorker } from "../../x/workers/keeper.js";
import { TREASURY } from "../../x/treasury/keeper.js";
import { concat, lengthDelimited, tag, varint, WIRE } from "../support/adversarial-proto.js";

let chain: PosChain | undefined;
afterEach(async () => {
  await chain?.close();
  chain = undefined;
});

const RIGHT = digestOf("the right output");
// Wire value of DECLINE_REASON_INPUT_UNAVAILABLE: a number, so this file also loads on the code
// before item 6 (no DeclineReason there) and its first 6b test runs, and fails, against it.
const INPUT_UNAVAILABLE = 1 as DeclineReason;
const ENDED = [TaskStatus.TASK_STATUS_FAILED, TaskStatus.TASK_STATUS_EXPIRED, TaskStatus.TASK_STATUS_FINALIZED, TaskStatus.TASK_STATUS_CANCELLED];

/**
 * MsgDeclineAssignment{worker = 1, task_id = 2, reason = 3} written on the wire by hand, not with
 * the generated encoder, so the attack test is the same bytes on the code before item 6 (where
 * this type URL is unknown and the tx is refused) and after (where declineMsg encodes the same).
 */
const wireDeclineMsg = (worker: string, taskId: bigint, reason: DeclineReason): Any => ({
  typeUrl: "/ogpu.market.v1.MsgDeclineAssignment",
  value: concat(lengthDelimited(1, new TextEncoder().encode(worker)), tag(2, WIRE.varint), varint(Number(taskId)), tag(3, WIRE.varint), varint(reason)),
});

async function submit(c: PosChain, spec: TaskSpec): Promise<bigint> {
  const id = nextTaskId(c.app.store);
  expectOk(await c.run([c.client.tx([submitTaskMsg(c.client.address, spec)])]));
  return id;
}

const signerOf = (c: PosChain, address: string): ChainSigner => c.workers.find((w) => w.address === address)!;
const reliability = (c: PosChain, w: ChainSigner) => getWorker(c.app.store, w.address)!.reliability!;
const validatorTokens = (c: PosChain, i: number) => BigInt(c.keepers.staking.getValidator(c.app.store, parseAccountAddress(c.validators[i]!.v.key.address))!.tokens);

/** The fee the client forfeits with default params: 10 % of the escrow, at least 10,000 uogpu, at most all of it. */
function unexecutableFee(escrow: bigint): bigint {
  const share = escrow / 10n;
  const fee = share > 10_000n ? share : 10_000n;
  return fee > escrow ? escrow : fee;
}

describe("issue 10 item 6: unexecutable tasks are the client's fault", () => {
  it("item 6b: a task whose input nobody can fetch fails at the client's cost; the four CV-50 workers keep their 1,000 OGPU bonds and CV 50", async () => {
    const c = (chain = await startPosChain({ workers: [{ cv: 50n }, { cv: 50n }, { cv: 50n }, { cv: 50n }] }));
    const client0 = c.balance(c.client.address);
    const treasury0 = c.moduleBalance(TREASURY);
    const spec = { bid: 1000n, units: 100n, k: 1 };
    const escrow = 1000n * 100n;
    const id = await submit(c, spec);
    // The attack: every worker offered the task finds its input missing and says so the only way
    // it can; where the chain has no decline (the code before item 6) that tx is refused and the
    // worker can only stay silent, time out (1 % of its bond, CV → 0) and pass the task on.
    const offered: ChainSigner[] = [];
    for (let h = 0; h < 200 && !ENDED.includes(c.task(id).status); h++) {
      const txs: Uint8Array[] = [];
      for (const slot of c.task(id).assignments) {
        const w = signerOf(c, slot.worker);
        if (slot.committed || offered.includes(w)) continue;
        offered.push(w);
        txs.push(w.tx([wireDeclineMsg(w.address, id, INPUT_UNAVAILABLE)]));
      }
      await c.run(txs);
    }
    for (const w of c.workers) {
      expect(c.bond(w.address), `bond of ${w.address}`).toBe(1000n * OGPU);
      expect(reliability(c, w).cv, `CV of ${w.address}`).toBe(50n);
      expect(reliability(c, w).timeouts).toBe(0n);
    }
    expect(c.task(id)).toMatchObject({ status: TaskStatus.TASK_STATUS_FAILED, statusReason: "unexecutable:input_unavailable", escrow: "0", declines: 2 });
    const fee = unexecutableFee(escrow);
    expect(c.moduleBalance(TREASURY) - treasury0).toBe(fee);
    expect(c.balance(c.client.address) - client0).toBe(-fee - 1000n); // forfeited fee + its one tx fee
    expect(offered).toHaveLength(2); // declines_to_fail = 2 distinct workers, same reason class
    for (const w of c.workers) expect(reliability(c, w).declines).toBe(offered.includes(w) ? 1n : 0n);
  });

  it("item 6b: declining to dodge work earns nothing: the decliner loses the job to another worker, its decline is counted, the task still settles", async () => {
    const c = (chain = await startPosChain({ workers: [{ cv: 50n }, { cv: 50n }], params: { attest: { p_floor_bps: 0 } } }));
    const id = await submit(c, { bid: 1000n, units: 10n, k: 1 });
    const dodger = signerOf(c, c.task(id).assignments[0]!.worker);
    const dodger0 = c.balance(dodger.address);
    expectOk(await c.run([dodger.tx([declineMsg(dodger.address, id, INPUT_UNAVAILABLE)])]));
    expect(c.task(id).excludedWorkers).toContain(dodger.address);
    const [slot] = c.task(id).assignments;
    const honest = signerOf(c, slot!.worker);
    expect(honest.address).not.toBe(dodger.address);
    // A committed worker cannot decline (its sealed result stands) — market code 13.
    expectOk(await c.run([honest.tx([commitMsg(honest.address, id, RIGHT)])]));
    const late = (await c.run([honest.tx([declineMsg(honest.address, id, INPUT_UNAVAILABLE)])])).txResults[0]!;
    expect({ codespace: late.codespace, code: late.code }).toEqual({ codespace: "market", code: MarketCode.AlreadyCommitted });
    expectOk(await c.run([honest.tx([revealMsg(honest.address, id, RIGHT)])]));
    await c.run([]);
    expect(c.task(id).status).toBe(TaskStatus.TASK_STATUS_FINALIZED);
    expect(c.balance(dodger.address) - dodger0).toBe(-1000n); // its tx fee, no reward
    expect(reliability(c, dodger)).toMatchObject({ cv: 50n, declines: 1n });
    expect(reliability(c, honest).cv).toBe(51n);
  });

  it("item 6a: an encrypted input wrapped to no auditor key: nobody is drawn, no validator is slashed, the task fails at the client's cost", async () => {
    const c = (chain = await startPosChain({ validatorStakes: [100n * OGPU, 100n * OGPU, 100n * OGPU], workers: [{ cv: 0n }] }));
    expectOk(await c.run(c.validators.map((v, i) => v.signer.tx([setAuditorKeyMsg(v.v.key.address, testEncPubkey(200 + i))]))));
    const tokens0 = [0, 1, 2].map((i) => validatorTokens(c, i));
    const client0 = c.balance(c.client.address);
    // The attack: an untrusted worker alone on the task is always audited, and the client wraps the
    // input's data key to nobody but the worker. Before: all three drawn auditors slashed as absent.
    const id = await submit(c, { bid: 1000n, units: 10n, k: 1, encrypted: true, auditorKeyFingerprints: [] });
    const worker = signerOf(c, c.task(id).assignments[0]!.worker);
    expectOk(await c.run([worker.tx([commitMsg(worker.address, id, RIGHT)])]));
    await c.run([]); // the audit draw, before any reveal
    expect(c.task(id)).toMatchObject({ status: TaskStatus.TASK_STATUS_FAILED, statusReason: "no_auditor_can_open_input" });
    for (let h = 0; h < 12; h++) await c.run([]); // past every audit deadline
    expect([0, 1, 2].map((i) => validatorTokens(c, i))).toEqual(tokens0);
    expect(c.bond(worker.address)).toBe(1000n * OGPU);
    expect(c.balance(c.client.address) - client0).toBe(-unexecutableFee(10_000n) - 1000n);
  });

  it("item 6a: auditors whose envelope does not open vote UNEXECUTABLE and are not slashed; the task fails at the client's cost; a listed auditor that stays silent is still slashed", async () => {
    const c = (chain = await startPosChain({ validatorStakes: [100n * OGPU, 100n * OGPU, 100n * OGPU], workers: [{ cv: 0n }] }));
    const keys = c.validators.map((_, i) => testEncPubkey(200 + i));
    expectOk(await c.run(c.validators.map((v, i) => v.signer.tx([setAuditorKeyMsg(v.v.key.address, keys[i]!)]))));
    const tokens0 = [0, 1, 2].map((i) => validatorTokens(c, i));
    // The client lists all three keys but wraps the data key to none of them.
    const id = await submit(c, { bid: 1000n, units: 10n, k: 1, encrypted: true, auditorKeyFingerprints: keys.map(auditorKeyFingerprint) });
    const worker = signerOf(c, c.task(id).assignments[0]!.worker);
    expectOk(await c.run([worker.tx([commitMsg(worker.address, id, RIGHT)])]));
    await c.run([]); // the audit draw, before any reveal
    // Item 8: members that cannot run the task vote UNEXECUTABLE in the seal window, instead of a seal.
    expect(c.record(id)!.phase).toBe(Phase.PHASE_AUDIT_SEAL);
    expect(c.record(id)!.audit!.members).toHaveLength(3);
    const [a, b] = c.validators;
    expectOk(await c.run([a!.signer.tx([attestMsg(a!.v.key.address, id, new Uint8Array(32), Verdict.VERDICT_UNEXECUTABLE)]), b!.signer.tx([attestMsg(b!.v.key.address, id, new Uint8Array(32), Verdict.VERDICT_UNEXECUTABLE)])]));
    expect(c.task(id)).toMatchObject({ status: TaskStatus.TASK_STATUS_FAILED, statusReason: "unexecutable_by_auditors" });
    for (let h = 0; h < 12; h++) await c.run([]);
    const tokens = [0, 1, 2].map((i) => validatorTokens(c, i));
    expect(tokens.slice(0, 2)).toEqual(tokens0.slice(0, 2));
    // Validator 2 could have opened the input (its key is listed) or said it could not: absence is punished.
    expect(tokens[2]).toBe(tokens0[2]! - (tokens0[2]! * 10n) / 10_000n);
    expect(c.bond(worker.address)).toBe(1000n * OGPU);
  });
});
