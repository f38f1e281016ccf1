/**
 * Audit draws, committees and their votes (docs/proof-of-sync.md):
 *  - the BeginBlock of the block after the last reveal draws the audit with that block's
 *    beacon; disagreeing reveals open a dispute instead;
 *  - an audit committee of m validators is sampled by power (the workers' own validators
 *    excluded); MATCH votes carrying ≥ 2/3 of its power finalise; once that is impossible
 *    (or at the deadline) the task is DISPUTED;
 *  - a dispute committee of 2k+1 validators, drawn in the next block's BeginBlock, decides by
 *    weighted majority (> 1/2 of its power on one digest); none by the deadline → FAILED.
 */
import { bytesEqual, hex } from "../../crypto/bytes.js";
import { accountAddressString, parseAccountAddress } from "../../app/address.js";
import type { Context } from "../../app/context.js";
import { Phase, Verdict, type Committee, type TaskRecord } from "../../proto/gen/ogpu/attest/v1/attest.js";
import { TaskStatus, type Task } from "../../proto/gen/ogpu/market/v1/market.js";
import { auditProbabilityBps, drawAudit, sampleByPower, type Candidate } from "./draw.js";
import { attestError, AttestCode } from "./errors.js";
import { AttestEvent, emitAttestEvent } from "./events.js";
import type { AttestDeps } from "./keeper.js";
import { attestParams } from "./params.js";
import type { Settlement } from "./settle.js";
import { isOpen, requireOpenTask, scheduleDraw } from "./tasks.js";
import { canOpenInput } from "./auditor-keys.js";
import { addDue, addDuty, clearDuty, COMMITTEE_DEADLINES, getRecord, putRecord, removeDue } from "./store.js";

export function createCommittees({ market, staking, workers }: AttestDeps, { settleOnDigest, failUndecided, failUnexecutable }: Pick<Settlement, "settleOnDigest" | "failUndecided" | "failUnexecutable">) {
  /**
   * Active validators (CometBFT's current set, with powers) except the task's workers' own and,
   * for an encrypted input, except those whose auditor key the client did not wrap the input
   * to: a member must be able to execute the task, or its absence would be the client's doing.
   */
  function eligibleValidators(ctx: Context, record: TaskRecord, task: Task): Candidate[] {
    return independentValidators(ctx, record).filter((v) => canOpenInput(ctx.store, task, v.operator));
  }

  /** Active validators that are not the task's workers' own. */
  function independentValidators(ctx: Context, record: TaskRecord): Candidate[] {
    const workers = record.results.map((r) => parseAccountAddress(r.worker));
    return staking.lastPowers(ctx.store).filter((v) => !workers.some((w) => bytesEqual(w, v.operator)));
  }

  /** Validators could audit but the client wrapped the input to none of them: its fault, not the workers'. */
  const inputOpensForNoAuditor = (ctx: Context, record: TaskRecord, c: Committee) => c.members.length === 0 && independentValidators(ctx, record).length > 0;

  /** Lowest CV among the task's workers: the audit probability follows the least proven one. */
  function minCv(ctx: Context, record: TaskRecord): bigint {
    let min: bigint | undefined;
    for (const r of record.results) {
      const cv = workers.getWorker(ctx.store, r.worker)?.reliability?.cv ?? 0n;
      if (min === undefined || cv < min) min = cv;
    }
    return min ?? 0n;
  }

  /** True when every reveal names the same digest. */
  function revealsAgree(record: TaskRecord): boolean {
    const [first] = record.results;
    return first !== undefined && record.results.every((r) => bytesEqual(r.resultDigest, first.resultDigest));
  }

  /** Draws a committee, owes each member a vote by the deadline, indexes the deadline. */
  function seatCommittee(ctx: Context, record: TaskRecord, task: Task, label: "audit" | "dispute", size: number): Committee {
    const drawn = sampleByPower(ctx.block.beacon, label, record.taskId, eligibleValidators(ctx, record, task), size);
    const deadline = ctx.block.height + BigInt(attestParams.get(ctx.store).audit_timeout_blocks);
    const committee: Committee = {
      members: drawn.map((c) => ({ validator: accountAddressString(c.operator), power: c.power, voted: false, verdict: Verdict.VERDICT_UNSPECIFIED, resultDigest: new Uint8Array() })),
      drawnHeight: ctx.block.height,
      deadlineHeight: deadline,
    };
    if (drawn.length === 0) return committee;
    for (const c of drawn) addDuty(ctx.store, record.taskId, c.operator, deadline);
    addDue(ctx.store, COMMITTEE_DEADLINES, deadline, record.taskId);
    emitAttestEvent(ctx.events, AttestEvent.Committee, record.taskId, {
      kind: label,
      members: committee.members.map((m) => m.validator).join(","),
      deadline: deadline.toString(),
      seed_height: ctx.block.height.toString(),
    });
    return committee;
  }

  /** BeginBlock at the draw height: ctx.block.beacon is this block's beacon, unknown to every earlier tx. */
  function runDraw(ctx: Context, taskId: bigint): void {
    const record = getRecord(ctx.store, taskId);
    if (!record || record.drawHeight === 0n) return;
    record.drawHeight = 0n;
    const task = requireOpenTask(market, ctx, taskId);
    if (record.phase === Phase.PHASE_DISPUTE) return drawDispute(ctx, record, task);
    if (record.phase !== Phase.PHASE_DRAW) return putRecord(ctx.store, record);
    if (!revealsAgree(record)) return openDispute(ctx, record, task, "reveals_disagree", true);
    const p = attestParams.get(ctx.store);
    const cv = minCv(ctx, record);
    // An untrusted worker alone on a task (no trusted worker had room) or reveals that were public
    // before a reassigned slot committed: only an audit can check the result.
    const forced = record.revealsExposed || (task.redundancy < 2 && cv < BigInt(p.adaptive_min_cv));
    record.auditPBps = forced ? 10_000 : auditProbabilityBps(cv, p.p_floor_bps);
    record.audited = drawAudit(ctx.block.beacon, taskId, record.auditPBps);
    emitAttestEvent(ctx.events, AttestEvent.Draw, taskId, { p_bps: String(record.auditPBps), audited: String(record.audited), seed_height: ctx.block.height.toString(), forced: String(forced) });
    const digest = record.results[0]!.resultDigest;
    if (!record.audited) return settleOnDigest(ctx, record, task, digest, "finalized");
    record.audit = seatCommittee(ctx, record, task, "audit", p.committee_size);
    if (inputOpensForNoAuditor(ctx, record, record.audit)) return failUnexecutable(ctx, record, "no_auditor_can_open_input");
    if (record.audit.members.length === 0) {
      // Nobody but the workers' own validators could audit: the reveals alone decide.
      emitAttestEvent(ctx.events, AttestEvent.Draw, taskId, { p_bps: String(record.auditPBps), audited: "false", reason: "no_eligible_validator", seed_height: ctx.block.height.toString() });
      record.audited = false;
      return settleOnDigest(ctx, record, task, digest, "finalized");
    }
    record.phase = Phase.PHASE_AUDIT;
    putRecord(ctx.store, record);
    market.moveTask(ctx, task, TaskStatus.TASK_STATUS_AUDITING, "audit_drawn");
  }

  /**
   * DISPUTED. `drawNow`: the current block's beacon may seed the committee (we are in BeginBlock
   * and no tx of this block ran); otherwise (a vote tx or EndBlock) the next block draws it.
   */
  function openDispute(ctx: Context, record: TaskRecord, task: Task, reason: string, drawNow: boolean): void {
    if (record.audit) removeDue(ctx.store, COMMITTEE_DEADLINES, record.audit.deadlineHeight, record.taskId);
    record.phase = Phase.PHASE_DISPUTE;
    record.disputeReason = reason;
    market.moveTask(ctx, task, TaskStatus.TASK_STATUS_DISPUTED, reason);
    emitAttestEvent(ctx.events, AttestEvent.Disputed, record.taskId, { reason, digests: [...new Set(record.results.map((r) => hex(r.resultDigest)))].join(",") });
    if (drawNow) return drawDispute(ctx, record, task);
    scheduleDraw(ctx, record);
    putRecord(ctx.store, record);
  }

  /** A fresh committee of 2k+1 validators; none eligible → the task fails (refund, no slash). */
  function drawDispute(ctx: Context, record: TaskRecord, task: Task): void {
    record.dispute = seatCommittee(ctx, record, task, "dispute", 2 * task.redundancy + 1);
    if (inputOpensForNoAuditor(ctx, record, record.dispute)) return failUnexecutable(ctx, record, "no_auditor_can_open_input");
    if (record.dispute.members.length === 0) return failUndecided(ctx, record, "no_eligible_validator");
    putRecord(ctx.store, record);
  }

  /**
   * MsgAttest. A vote on the current committee is counted (and may decide the task in this
   * tx); a member of an earlier committee of the task, or of an audit already decided by the
   * others, may still deliver its owed vote until its deadline (it is then not slashed).
   */
  function attest(ctx: Context, validator: string, taskId: bigint, digest: Uint8Array, verdict: Verdict): void {
    const operator = parseAccountAddress(validator, "validator");
    const record = getRecord(ctx.store, taskId);
    const committee = record?.phase === Phase.PHASE_AUDIT ? record.audit : record?.phase === Phase.PHASE_DISPUTE ? record.dispute : undefined;
    const juror = committee?.members.find((m) => m.validator === validator);
    if (!record || !committee || !juror) {
      if (clearDuty(ctx.store, taskId, operator)) return emitAttestEvent(ctx.events, AttestEvent.Vote, taskId, { validator, verdict: Verdict[verdict], counted: "false" });
      throw attestError(AttestCode.NotOnCommittee, `${validator} is not on a committee of task ${taskId} that is voting`);
    }
    if (juror.voted) throw attestError(AttestCode.AlreadyVoted, `${validator} already voted on task ${taskId}`);
    checkVerdict(record, digest, verdict);
    Object.assign(juror, { voted: true, verdict, resultDigest: verdict === Verdict.VERDICT_UNEXECUTABLE ? new Uint8Array() : digest });
    clearDuty(ctx.store, taskId, operator);
    emitAttestEvent(ctx.events, AttestEvent.Vote, taskId, { validator, verdict: Verdict[verdict], result_digest: hex(digest), counted: "true" });
    const task = requireOpenTask(market, ctx, taskId);
    if (record.phase === Phase.PHASE_AUDIT) tallyAudit(ctx, record, task, false);
    else tallyDispute(ctx, record, task, false);
  }

  /** MATCH must name the agreed digest (audit) or a revealed one (dispute); MISMATCH must not; UNEXECUTABLE carries none. */
  function checkVerdict(record: TaskRecord, digest: Uint8Array, verdict: Verdict): void {
    if (verdict === Verdict.VERDICT_UNEXECUTABLE) return;
    const known = record.phase === Phase.PHASE_AUDIT ? [record.results[0]!.resultDigest] : record.results.map((r) => r.resultDigest);
    const matches = known.some((d) => bytesEqual(d, digest));
    if (verdict === Verdict.VERDICT_MATCH && !matches) throw attestError(AttestCode.InconsistentVerdict, "MATCH must carry a digest the workers revealed (the agreed one in an audit)");
    if (verdict === Verdict.VERDICT_MISMATCH && matches) throw attestError(AttestCode.InconsistentVerdict, "MISMATCH must carry the auditor's own digest, which no worker revealed");
  }

  const powerOf = (c: Committee, pick: (m: Committee["members"][number]) => boolean) => c.members.filter(pick).reduce((s, m) => s + m.power, 0n);
  /** Power of the members that reported the task unexecutable (input unavailable or not opening for them). */
  const unexecutable = (c: Committee) => powerOf(c, (m) => m.voted && m.verdict === Verdict.VERDICT_UNEXECUTABLE);

  /** ≥ 2/3 of the power on MATCH → FINALIZED; once unreachable (or at the deadline) → DISPUTED. */
  function tallyAudit(ctx: Context, record: TaskRecord, task: Task, atDeadline: boolean): void {
    const c = record.audit!;
    const total = powerOf(c, () => true);
    const match = powerOf(c, (m) => m.voted && m.verdict === Verdict.VERDICT_MATCH);
    const open = powerOf(c, (m) => !m.voted);
    if (3n * unexecutable(c) >= 2n * total) {
      removeDue(ctx.store, COMMITTEE_DEADLINES, c.deadlineHeight, record.taskId);
      return failUnexecutable(ctx, record, "unexecutable_by_auditors");
    }
    if (3n * match >= 2n * total) {
      removeDue(ctx.store, COMMITTEE_DEADLINES, c.deadlineHeight, record.taskId);
      return settleOnDigest(ctx, record, task, record.results[0]!.resultDigest, "finalized");
    }
    if (atDeadline || 3n * (match + open) < 2n * total) return openDispute(ctx, record, task, atDeadline ? "audit_timeout" : "audit_failed", false);
    putRecord(ctx.store, record);
  }

  /** One digest with > 1/2 of the power → RESOLVED on it; once no digest can get there (or at the deadline) → FAILED. */
  function tallyDispute(ctx: Context, record: TaskRecord, task: Task, atDeadline: boolean): void {
    const c = record.dispute!;
    const total = powerOf(c, () => true);
    const open = powerOf(c, (m) => !m.voted);
    const byDigest = new Map<string, bigint>();
    if (2n * unexecutable(c) > total) {
      removeDue(ctx.store, COMMITTEE_DEADLINES, c.deadlineHeight, record.taskId);
      return failUnexecutable(ctx, record, "unexecutable_by_auditors");
    }
    for (const m of c.members) if (m.voted && m.verdict !== Verdict.VERDICT_UNEXECUTABLE) byDigest.set(hex(m.resultDigest), (byDigest.get(hex(m.resultDigest)) ?? 0n) + m.power);
    const sorted = [...byDigest].sort(([a, x], [b, y]) => (x !== y ? (x > y ? -1 : 1) : a < b ? -1 : 1));
    const [best] = sorted;
    if (best && 2n * best[1] > total) {
      removeDue(ctx.store, COMMITTEE_DEADLINES, c.deadlineHeight, record.taskId);
      return settleOnDigest(ctx, record, task, Buffer.from(best[0], "hex"), "resolved");
    }
    const leader = best?.[1] ?? 0n;
    if (atDeadline || 2n * (leader + open) <= total) {
      removeDue(ctx.store, COMMITTEE_DEADLINES, c.deadlineHeight, record.taskId);
      return failUndecided(ctx, record, atDeadline ? "no_majority_by_deadline" : "no_majority");
    }
    putRecord(ctx.store, record);
  }

  /** EndBlock at a committee's deadline: the votes in hand decide. */
  function handleCommitteeDeadline(ctx: Context, taskId: bigint, height: bigint): void {
    removeDue(ctx.store, COMMITTEE_DEADLINES, height, taskId);
    const record = getRecord(ctx.store, taskId);
    const task = getTaskIfOpen(ctx, taskId);
    if (!record || !task) return;
    if (record.phase === Phase.PHASE_AUDIT && record.audit?.deadlineHeight === height) tallyAudit(ctx, record, task, true);
    else if (record.phase === Phase.PHASE_DISPUTE && record.dispute?.deadlineHeight === height) tallyDispute(ctx, record, task, true);
  }

  function getTaskIfOpen(ctx: Context, taskId: bigint): Task | undefined {
    const task = market.getTask(ctx.store, taskId);
    return task && isOpen(market, task) ? task : undefined;
  }

  return { runDraw, attest, handleCommitteeDeadline };
}

export type Committees = ReturnType<typeof createCommittees>;
