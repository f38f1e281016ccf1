import { builtinProgramId } from "../sdk/programs.js";
import { describe, expect, it } from "vitest";
import { singleChunkCid } from "../sdk/blobs.js";
import { generateKemKeyPair } from "../crypto/kem.js";
import { Phase, Verdict, type TaskRecord } from "../proto/gen/ogpu/attest/v1/attest.js";
import { TaskStatus, type Task } from "../proto/gen/ogpu/market/v1/market.js";
import type { AuditorKey } from "../proto/gen/ogpu/attest/v1/query.js";
import { auditorRecipients } from "../sdk/task-io.js";
import { Auditor, publishAuditorKey, verdictFor, type AuditorChain, type AuditorKeyChain } from "./auditor.js";
import { auditSalt, resultDigest, seal } from "./digest.js";
import { toBech32 } from "../crypto/bech32.js";
import { executors } from "./executors/index.js";
import { sealTaskInput } from "../crypto/task-crypto.js";

const ME_BYTES = new Uint8Array(20).fill(3);
const ME = toBech32("ogpu", ME_BYTES);
const input = new TextEncoder().encode(JSON.stringify({ rounds: 100, data: "audit" }));
const honest = async () => resultDigest(await executors.get("hash")!.run(input, { signal: new AbortController().signal, slot: 0 }));

/**
 * One task under audit (or dispute) with `revealed` digests, this auditor on the committee. In
 * PHASE_AUDIT this member already sealed (it owes the opening); in PHASE_AUDIT_SEAL it owes a seal;
 * in PHASE_DISPUTE its audit seal is shut when `auditSealed` (the vote is the same either way).
 */
function fakeChain(inputCid: string, revealed: Uint8Array[], phase = Phase.PHASE_AUDIT, auditSealed = phase === Phase.PHASE_AUDIT) {
  const votes: { digest: string; verdict: Verdict }[] = [];
  const seals: Uint8Array[] = [];
  const salts: Uint8Array[] = [];
  const status = phase === Phase.PHASE_AUDIT ? TaskStatus.TASK_STATUS_AUDITING : phase === Phase.PHASE_AUDIT_SEAL ? TaskStatus.TASK_STATUS_COMMITTED : TaskStatus.TASK_STATUS_DISPUTED;
  const task = { id: 1n, kind: "hash", programHash: builtinProgramId("hash"), inputCid, status } as Task;
  const sealed = auditSealed ? new Uint8Array(32).fill(1) : new Uint8Array();
  const committee = { members: [{ validator: ME, power: 1n, voted: false, verdict: 0, resultDigest: new Uint8Array(), seal: sealed }], drawnHeight: 5n, deadlineHeight: 50n };
  const record = { taskId: 1n, phase, results: revealed.map((d) => ({ worker: "w", revealed: true, resultDigest: d })), audit: committee, dispute: committee } as unknown as TaskRecord;
  const chain: AuditorChain = {
    getTask: async () => task,
    getAttestRecord: async () => record,
    tasksWithStatus: async () => [task],
    attest: async (_id, digest, verdict, salt) => void (votes.push({ digest: Buffer.from(digest).toString("hex"), verdict }), salts.push(salt)),
    commitAudit: async (_id, s) => void seals.push(s),
  };
  return { chain, votes, seals, salts };
}

async function audit(blobs: Map<string, Uint8Array>, revealed: Uint8Array[], phase?: Phase, kemSecret: Uint8Array = new Uint8Array(32), auditSealed?: boolean) {
  const inputCid = [...blobs.keys()].at(-1)!;
  const { chain, votes, seals, salts } = fakeChain(inputCid, revealed, phase, auditSealed);
  const auditor = new Auditor({ operator: ME, chain, fetchBlob: async (cid) => blobs.get(cid)!, executors, kemSecret });
  await auditor.handle({ type: "resync", reason: "test" });
  return { votes, owed: auditor.owed, seals, salts };
}

const publicBlob = () => new Map([[singleChunkCid(input), input]]);

describe("Auditor", () => {
  it("votes MATCH with the agreed digest when its re-execution gives it", async () => {
    const digest = await honest();
    expect((await audit(publicBlob(), [digest, digest])).votes).toEqual([{ digest: Buffer.from(digest).toString("hex"), verdict: Verdict.VERDICT_MATCH }]);
  });

  it("votes MISMATCH carrying its own digest against a wrong agreed digest", async () => {
    const { votes } = await audit(publicBlob(), [new Uint8Array(32).fill(7)]);
    expect(votes).toEqual([{ digest: Buffer.from(await honest()).toString("hex"), verdict: Verdict.VERDICT_MISMATCH }]);
  });

  it("in a dispute names its own digest, MATCH when a worker revealed it", async () => {
    const digest = await honest();
    const { votes } = await audit(publicBlob(), [new Uint8Array(32).fill(7), digest], Phase.PHASE_DISPUTE);
    expect(votes).toEqual([{ digest: Buffer.from(digest).toString("hex"), verdict: Verdict.VERDICT_MATCH }]);
    expect(verdictFor("audit", [new Uint8Array(32).fill(7), digest], digest)).toBe(Verdict.VERDICT_MISMATCH);
  });

  it("drawn before the reveals, it seals its own digest (salt from its key) and votes nothing yet; the opening carries that salt", async () => {
    const kemSecret = new Uint8Array(32).fill(5);
    const sealing = await audit(publicBlob(), [], Phase.PHASE_AUDIT_SEAL, kemSecret);
    expect(sealing.votes).toEqual([]);
    expect(sealing.seals).toEqual([seal(1n, ME_BYTES, await honest(), auditSalt(kemSecret, 1n))]);
    const opening = await audit(publicBlob(), [await honest()], Phase.PHASE_AUDIT, kemSecret);
    expect(opening.salts).toEqual([auditSalt(kemSecret, 1n)]);
  });

  it("item 8 auditor: every vote carries its audit salt, so a seal still shut in a dispute (or after the task ended) is opened by it", async () => {
    const kemSecret = new Uint8Array(32).fill(5);
    for (const auditSealed of [true, false]) {
      const { salts } = await audit(publicBlob(), [new Uint8Array(32).fill(7), await honest()], Phase.PHASE_DISPUTE, kemSecret, auditSealed);
      expect(salts).toEqual([auditSalt(kemSecret, 1n)]);
    }
  });

  it("item 6a auditor: opens an encrypted input with its auditor envelope; without one it votes UNEXECUTABLE in the seal window instead of sealing or staying absent", async () => {
    const auditorKem = generateKemKeyPair();
    const client = generateKemKeyPair();
    const sealed = async (auditors: { address: string; encPubkey: Uint8Array }[]) => {
      const { payload, manifest } = await sealTaskInput(input, client.publicKey, [], auditors);
      return new Map([[singleChunkCid(payload), payload], [singleChunkCid(manifest), manifest]]);
    };
    const digest = await honest();
    const withKey = await audit(await sealed([{ address: ME, encPubkey: auditorKem.publicKey }]), [digest], Phase.PHASE_AUDIT, auditorKem.secretKey);
    expect(withKey.votes.map((v) => v.verdict)).toEqual([Verdict.VERDICT_MATCH]);
    const without = await audit(await sealed([]), [], Phase.PHASE_AUDIT_SEAL, auditorKem.secretKey);
    expect(without).toMatchObject({ votes: [{ digest: "00".repeat(32), verdict: Verdict.VERDICT_UNEXECUTABLE }], seals: [], owed: 0 });
  });
});

/** A chain that stores published auditor keys as x/attest does (one per operator, replaced on change). */
function fakeKeyChain(operator: string) {
  const keys = new Map<string, Uint8Array>();
  let sent = 0;
  const chain: AuditorKeyChain = {
    auditorKeys: async (): Promise<AuditorKey[]> => [...keys].map(([validator, encPubkey]) => ({ validator, encPubkey })),
    setAuditorKey: async (encPubkey) => void (sent++, keys.set(operator, encPubkey)),
  };
  return { chain, sent: () => sent };
}

describe("publishAuditorKey", () => {
  it("sends MsgSetAuditorKey only when the chain's key differs from the auditor's own", async () => {
    const { chain, sent } = fakeKeyChain(ME);
    const kem = generateKemKeyPair();
    expect(await publishAuditorKey(chain, ME, kem.publicKey)).toBe(true);
    expect(await publishAuditorKey(chain, ME, kem.publicKey)).toBe(false);
    expect(sent()).toBe(1);
    expect(await publishAuditorKey(chain, ME, generateKemKeyPair().publicKey)).toBe(true);
    expect(sent()).toBe(2);
  });

  it("a client sealing to the published keys gives the auditor an envelope it opens", async () => {
    const { chain } = fakeKeyChain(ME);
    const kem = generateKemKeyPair();
    await publishAuditorKey(chain, ME, kem.publicKey);
    const { payload, manifest } = await sealTaskInput(input, generateKemKeyPair().publicKey, [], auditorRecipients(await chain.auditorKeys()));
    const digest = await honest();
    const { votes } = await audit(new Map([[singleChunkCid(payload), payload], [singleChunkCid(manifest), manifest]]), [digest], Phase.PHASE_AUDIT, kem.secretKey);
    expect(votes.map((v) => v.verdict)).toEqual([Verdict.VERDICT_MATCH]);
  });
});
