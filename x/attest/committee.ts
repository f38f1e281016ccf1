/**
 * Audit draws, committees and their votes (docs/proof-of-sync.md):
 *  - the BeginBlock of the block after the last commit draws the audit with that block's
 *    beacon, before any worker reveal;
 *  - an audit committee of m validators is sampled by power (the workers' own validators
 *    excluded); each member seals its own digest (MsgCommitAudit) while no worker digest is
 *    public; worker reveals open when all sealed or at the seal deadline;
 *  - the block after the last reveal decides: disagreeing reveals open a dispute; an audited
 *    task's members open their seals (MsgAttest); MATCH votes carrying ≥ 2/3 of the
 *    committee's power finalise; once that is impossible (or at the deadline) → DISPUTED;
 *  - a dispute committee of 2k+1 validators, drawn in the next block's BeginBlock, decides by
 *    weighted majority (> 1/2 of its power on one digest); none by the deadline → FAILED.
 */
import { bytesEqual, hex } from "../../crypto/bytes.js";
import { accountAddressString, parseAccountAddress } from "../../app/address.js";
import type { Context } from "../../app/context.js";
import { Phase, Verdict, type Committee, type TaskRecord, type WorkerVerdict } from "../../proto/gen/ogpu/attest/v1/attest.js";
import { TaskStatus, type Task } from "../../proto/gen/ogpu/market/v1/market.js";
import { auditProbabilityBps, drawAudit, sampleByPower, type Candidate } from "./draw.js";
import { attestError, AttestCode } from "./errors.js";
import { AttestEvent, emitAttestEvent } from "./events.js";
import type { AttestDeps } from "./keeper.js";
import { attestParams } from "./params.js";
import type { Settlement } from "./settle.js";
import { computeSeal } from "./seal.js";
import { isOpen, openReveals, requireOpenTask, scheduleDraw } from "./tasks.js";
import { canOpenInput } from "./auditor-keys.js";
import { checkWorkerVerdicts, createToleranceTally, isToleranceTask } from "./tolerance.js";
import { addDue, addDuty, clearDuty, COMMITTEE_DEADLINES, getPendingOpening, getRecord, putRecord, removeDue } from "./store.js";

export function createCommittees(
  { market, staking, workers }: AttestDeps,
  settlement: Pick<Settlement, "settleOnDigest" | "settleOnVerdicts" | "failUndecided" | "failUnexecutable" | "slashWrongVoter">,
) {
  const { settleOnDigest, failUndecided, failUnexecutable, slashWrongVoter } = settlement;
  const { tallyToleranceAudit } = createToleranceTally(settlement);
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

  /** Draws a committee, owes each member a vote (audit: a seal or UNEXECUTABLE) by the deadline, indexes the deadline. */
  function seatCommittee(ctx: Context, record: TaskRecord, task: Task, label: "audit" | "dispute", size: number): Committee {
    const drawn = sampleByPower(ctx.block.beacon, label, record.taskId, eligibleValidators(ctx, record, task), size);
    const deadline = ctx.block.height + BigInt(attestParams.get(ctx.store).audit_timeout_blocks);
    const committee: Committee = {
      members: drawn.map((c) => ({ validator: accountAddressString(c.operator), power: c.power, voted: false, verdict: Verdict.VERDICT_UNSPECIFIED, resultDigest: new Uint8Array(), seal: new Uint8Array(), workerVerdicts: [] })),
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

  /**
   * BeginBlock at the draw height: ctx.block.beacon is this block's beacon, unknown to every
   * earlier tx. Before the reveals it draws the audit; after them it decides.
   */
  function runDraw(ctx: Context, taskId: bigint): void {
    const record = getRecord(ctx.store, taskId);
    if (!record || record.drawHeight === 0n) return;
    record.drawHeight = 0n;
    const task = requireOpenTask(market, ctx, taskId);
    if (record.phase === Phase.PHASE_DISPUTE) return drawDispute(ctx, record, task);
    if (record.phase !== Phase.PHASE_DRAW) return putRecord(ctx.store, record);
    if (record.results.every((r) => r.revealed)) return decideRevealed(ctx, record, task);
    drawAuditBeforeReveals(ctx, record, task);
  }

  /**
   * Every slot sealed, nothing (new) revealed: draw the audit. Audited → a committee seals its
   * own digests first; otherwise reveals open now.
   */
  function drawAuditBeforeReveals(ctx: Context, record: TaskRecord, task: Task): void {
    const taskId = record.taskId;
    const p = attestParams.get(ctx.store);
    const cv = minCv(ctx, record);
    // An untrusted worker alone on a task (no trusted worker had room): only an audit can check it.
    // A tolerance task is always audited: only a re-executing auditor can compare float outputs.
    const forced = isToleranceTask(task) || (task.redundancy < 2 && cv < BigInt(p.adaptive_min_cv));
    record.auditPBps = forced ? 10_000 : auditProbabilityBps(cv, p.p_floor_bps);
    record.audited = drawAudit(ctx.block.beacon, taskId, record.auditPBps);
    emitAttestEvent(ctx.events, AttestEvent.Draw, taskId, { p_bps: String(record.auditPBps), audited: String(record.audited), seed_height: ctx.block.height.toString(), forced: String(forced) });
    record.audit = undefined;
    if (record.audited) {
      record.audit = seatCommittee(ctx, record, task, "audit", p.committee_size);
      if (inputOpensForNoAuditor(ctx, record, record.audit)) return failUnexecutable(ctx, record, "no_auditor_can_open_input");
      if (record.audit.members.length > 0) {
        record.phase = Phase.PHASE_AUDIT_SEAL;
        return putRecord(ctx.store, record);
      }
      // Nobody but the workers' own validators could audit: the reveals alone decide.
      emitAttestEvent(ctx.events, AttestEvent.Draw, taskId, { p_bps: String(record.auditPBps), audited: "false", reason: "no_eligible_validator", seed_height: ctx.block.height.toString() });
      record.audited = false;
      record.audit = undefined;
    }
    openReveals(ctx, record);
    putRecord(ctx.store, record);
  }

  /** MsgCommitAudit: only while no worker has revealed (the seal window), once per member. */
  function commitAudit(ctx: Context, validator: string, taskId: bigint, seal: Uint8Array): void {
    const operator = parseAccountAddress(validator, "validator");
    const record = getRecord(ctx.store, taskId);
    const juror = record?.audit?.members.find((m) => m.validator === validator);
    if (!record || !juror) throw attestError(AttestCode.NotOnCommittee, `${validator} is not on the audit committee of task ${taskId}`);
    if (record.phase !== Phase.PHASE_AUDIT_SEAL) throw attestError(AttestCode.WrongPhase, `task ${taskId} is not taking audit seals (${Phase[record.phase]}): seals are only accepted before worker reveals open`);
    if (juror.seal.length > 0) throw attestError(AttestCode.AlreadyCommitted, `${validator} already sealed its audit of task ${taskId}`);
    if (juror.voted) throw attestError(AttestCode.AlreadyVoted, `${validator} already voted UNEXECUTABLE on task ${taskId}`);
    const seals = [...record.results.map((r) => r.seal), ...record.audit!.members.map((m) => m.seal)];
    if (seals.some((s) => bytesEqual(s, seal))) throw attestError(AttestCode.DuplicateSeal, `seal equals another seal of task ${taskId} (a copied seal can never be opened)`);
    juror.seal = seal;
    clearDuty(ctx.store, taskId, operator);
    emitAttestEvent(ctx.events, AttestEvent.AuditSealed, taskId, { validator });
    if (sealWindowComplete(record.audit!)) closeSealWindow(ctx, record);
    putRecord(ctx.store, record);
  }

  /** Every member sealed or voted UNEXECUTABLE: nobody is left to seal. */
  const sealWindowComplete = (c: Committee) => c.members.every((m) => m.seal.length > 0 || m.voted);

  /**
   * Seal window: a member that cannot execute the task (input unavailable or not opening for
   * it) votes UNEXECUTABLE instead of sealing. The vote carries no digest, so nothing can be
   * copied; it clears the member's duty and counts as its seal. ≥ 2/3 of the committee's power
   * UNEXECUTABLE → FAILED at the client's cost; otherwise the sealed members go on.
   */
  function voteUnexecutableWhileSealing(ctx: Context, record: TaskRecord, validator: string, operator: Uint8Array): void {
    const c = record.audit!;
    const juror = c.members.find((m) => m.validator === validator);
    if (!juror) throw attestError(AttestCode.NotOnCommittee, `${validator} is not on the audit committee of task ${record.taskId}`);
    if (juror.voted) throw attestError(AttestCode.AlreadyVoted, `${validator} already voted on task ${record.taskId}`);
    if (juror.seal.length > 0) throw attestError(AttestCode.AlreadyCommitted, `${validator} already sealed its audit of task ${record.taskId}: it opens that seal after the reveals`);
    Object.assign(juror, { voted: true, verdict: Verdict.VERDICT_UNEXECUTABLE, resultDigest: new Uint8Array() });
    clearDuty(ctx.store, record.taskId, operator);
    emitAttestEvent(ctx.events, AttestEvent.Vote, record.taskId, { validator, verdict: Verdict[Verdict.VERDICT_UNEXECUTABLE], result_digest: "", counted: "true" });
    if (3n * unexecutable(c) >= 2n * powerOf(c, () => true)) {
      removeDue(ctx.store, COMMITTEE_DEADLINES, c.deadlineHeight, record.taskId);
      return failUnexecutable(ctx, record, "unexecutable_by_auditors");
    }
    if (sealWindowComplete(c)) closeSealWindow(ctx, record);
    putRecord(ctx.store, record);
  }

  /**
   * Every member sealed, or the seal deadline passed (the unsealed ones are slashed as absent):
   * workers may reveal. No audit is ever drawn once a worker digest is public (issue 10 item 8).
   */
  function closeSealWindow(ctx: Context, record: TaskRecord): void {
    removeDue(ctx.store, COMMITTEE_DEADLINES, record.audit!.deadlineHeight, record.taskId);
    openReveals(ctx, record);
  }

  /**
   * BeginBlock after the last reveal: unaudited → FINALIZED, or a dispute when the reveals
   * disagree; audited → the sealed members open their seals by a new deadline (owed again as a
   * duty), and the audit tally decides.
   */
  function decideRevealed(ctx: Context, record: TaskRecord, task: Task): void {
    const c = record.audit;
    if (!record.audited || !c?.members.some((m) => m.seal.length > 0)) {
      // Tolerance: identical digests are within any tolerance; differing ones need a comparing auditor, and none sealed.
      if (!revealsAgree(record) && isToleranceTask(task)) return failUndecided(ctx, record, "no_tolerance_auditor");
      if (!revealsAgree(record)) return openDispute(ctx, record, task, "reveals_disagree", true);
      if (!record.audited || !c) return settleOnDigest(ctx, record, task, record.results[0]!.resultDigest, "finalized");
    }
    // Audited: the sealed members open their digests even when the workers disagree — a later
    // dispute may only settle on a digest some member sealed before the reveals.
    c.deadlineHeight = ctx.block.height + BigInt(attestParams.get(ctx.store).audit_timeout_blocks);
    const sealed = c.members.filter((m) => m.seal.length > 0);
    for (const m of sealed) addDuty(ctx.store, record.taskId, parseAccountAddress(m.validator, "validator"), c.deadlineHeight);
    addDue(ctx.store, COMMITTEE_DEADLINES, c.deadlineHeight, record.taskId);
    emitAttestEvent(ctx.events, AttestEvent.Committee, record.taskId, { kind: "audit_open", members: sealed.map((m) => m.validator).join(","), deadline: c.deadlineHeight.toString(), seed_height: c.drawnHeight.toString() });
    record.phase = Phase.PHASE_AUDIT;
    market.moveTask(ctx, task, TaskStatus.TASK_STATUS_AUDITING, "audit_open");
    tallyAudit(ctx, record, task, false);
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

  /**
   * Digests a dispute may settle on. After an audit, only digests an audit member sealed before
   * any reveal and then opened: dispute jurors vote with every digest public, so a result no
   * validator computed independently must not win by copied votes. Otherwise (workers disagreed
   * without an audit) any vote counts: each worker digest was itself sealed before any reveal.
   */
  function independentDigests(record: TaskRecord): Uint8Array[] | undefined {
    if (!record.audited || !record.audit) return undefined;
    return record.audit.members.filter((m) => m.voted && m.seal.length > 0).map((m) => m.resultDigest);
  }

  /** A fresh committee of 2k+1 validators; none eligible, or nothing independent to decide on → the task fails (refund, no slash). */
  function drawDispute(ctx: Context, record: TaskRecord, task: Task): void {
    if (independentDigests(record)?.length === 0) return failUndecided(ctx, record, "no_independent_result");
    record.dispute = seatCommittee(ctx, record, task, "dispute", 2 * task.redundancy + 1);
    if (inputOpensForNoAuditor(ctx, record, record.dispute)) return failUnexecutable(ctx, record, "no_auditor_can_open_input");
    if (record.dispute.members.length === 0) return failUndecided(ctx, record, "no_eligible_validator");
    putRecord(ctx.store, record);
  }

  /**
   * MsgAttest. A vote on the current committee is counted (and may decide the task in this
   * tx). An audit member that sealed opens its seal whenever it votes: in the audit, during a
   * dispute that followed it, or after the task ended (judged against the settled digest). A
   * member of an earlier committee of the task may still deliver its owed vote until its
   * deadline (it is then not slashed).
   */
  function attest(ctx: Context, validator: string, taskId: bigint, digest: Uint8Array, verdict: Verdict, salt: Uint8Array, workerVerdicts: readonly WorkerVerdict[] = []): void {
    const operator = parseAccountAddress(validator, "validator");
    const record = getRecord(ctx.store, taskId);
    if (record?.phase === Phase.PHASE_AUDIT_SEAL && verdict === Verdict.VERDICT_UNEXECUTABLE) return voteUnexecutableWhileSealing(ctx, record, validator, operator);
    const beforeAuditOpens = [Phase.PHASE_AUDIT_SEAL, Phase.PHASE_REVEAL, Phase.PHASE_DRAW].includes(record?.phase ?? Phase.PHASE_UNSPECIFIED);
    if (record && (record.phase === Phase.PHASE_AUDIT_SEAL || (record.audited && beforeAuditOpens))) {
      throw attestError(AttestCode.WrongPhase, `task ${taskId}: audit votes open after the worker reveals; seal your digest with MsgCommitAudit first (or vote UNEXECUTABLE during the seal window)`);
    }
    const committee = record?.phase === Phase.PHASE_AUDIT ? record.audit : record?.phase === Phase.PHASE_DISPUTE ? record.dispute : undefined;
    const unopened = record?.phase === Phase.PHASE_DISPUTE ? record.audit?.members.find((m) => m.validator === validator && m.seal.length > 0 && !m.voted) : undefined;
    const juror = committee?.members.find((m) => m.validator === validator);
    if (!record || !committee || !(juror || unopened)) return voteAfterCommittee(ctx, operator, validator, taskId, digest, verdict, salt);
    if (juror?.voted && !unopened) throw attestError(AttestCode.AlreadyVoted, `${validator} already voted on task ${taskId}`);
    if (record.phase === Phase.PHASE_AUDIT || unopened) openSeal(taskId, operator, (unopened ?? juror)!.seal, digest, verdict, salt);
    const task = requireOpenTask(market, ctx, taskId);
    checkWorkerVerdicts(record, task, verdict, workerVerdicts);
    // A tolerance member's digest is its own output's: it need not equal any worker's.
    if (!isToleranceTask(task)) checkVerdict(record, digest, verdict);
    const vote = { voted: true, verdict, resultDigest: verdict === Verdict.VERDICT_UNEXECUTABLE ? new Uint8Array() : digest, workerVerdicts: [...workerVerdicts] };
    // A member of both committees casts one vote: its opened seal is also its dispute vote.
    for (const m of [unopened, juror]) if (m && !m.voted) Object.assign(m, vote);
    clearDuty(ctx.store, taskId, operator);
    emitAttestEvent(ctx.events, AttestEvent.Vote, taskId, { validator, verdict: Verdict[verdict], result_digest: hex(digest), counted: "true" });
    if (record.phase === Phase.PHASE_AUDIT) tallyAudit(ctx, record, task, false);
    else tallyDispute(ctx, record, task, false);
  }

  /**
   * An audit member opens its seal: MATCH/MISMATCH with the sealed digest and salt. A member
   * that never sealed has nothing to open; UNEXECUTABLE was the alternative to sealing, never
   * a way out of an opening.
   */
  function openSeal(taskId: bigint, operator: Uint8Array, seal: Uint8Array, digest: Uint8Array, verdict: Verdict, salt: Uint8Array): void {
    const who = accountAddressString(operator);
    if (verdict === Verdict.VERDICT_UNEXECUTABLE) throw attestError(AttestCode.InconsistentVerdict, `${who} sealed a digest of task ${taskId}: UNEXECUTABLE is voted in the seal window, instead of a seal`);
    if (seal.length === 0) throw attestError(AttestCode.SealMismatch, `${who} did not seal its audit of task ${taskId} before the reveals: its vote cannot count`);
    if (!bytesEqual(computeSeal(taskId, operator, digest, salt), seal)) throw attestError(AttestCode.SealMismatch, `result_digest and salt do not open ${who}'s audit seal on task ${taskId}`);
  }

  /**
   * A vote outside any voting committee of the task. A seal left unopened when the task ended
   * is opened now and judged against the digest the task settled on: wrong → the wrong-vote
   * slash, as in time (issue 10 item 8). Any other owed vote is taken uncounted (not absent).
   */
  function voteAfterCommittee(ctx: Context, operator: Uint8Array, validator: string, taskId: bigint, digest: Uint8Array, verdict: Verdict, salt: Uint8Array): void {
    const pending = getPendingOpening(ctx.store, taskId, operator);
    if (pending) {
      openSeal(taskId, operator, pending.seal, digest, verdict, salt);
      clearDuty(ctx.store, taskId, operator);
      const wrong = pending.finalDigest.length > 0 && !bytesEqual(digest, pending.finalDigest);
      emitAttestEvent(ctx.events, AttestEvent.Vote, taskId, { validator, verdict: Verdict[verdict], result_digest: hex(digest), counted: "late", judged: String(pending.finalDigest.length > 0) });
      if (wrong) slashWrongVoter(ctx, taskId, validator, digest);
      return;
    }
    if (clearDuty(ctx.store, taskId, operator)) return emitAttestEvent(ctx.events, AttestEvent.Vote, taskId, { validator, verdict: Verdict[verdict], counted: "false" });
    throw attestError(AttestCode.NotOnCommittee, `${validator} is not on a committee of task ${taskId} that is voting`);
  }

  /** MATCH must name a revealed digest (in an audit of agreeing workers: the agreed one); MISMATCH must not; UNEXECUTABLE carries none. */
  function checkVerdict(record: TaskRecord, digest: Uint8Array, verdict: Verdict): void {
    if (verdict === Verdict.VERDICT_UNEXECUTABLE) return;
    const known = record.results.map((r) => r.resultDigest);
    const matches = known.some((d) => bytesEqual(d, digest));
    if (verdict === Verdict.VERDICT_MATCH && !matches) throw attestError(AttestCode.InconsistentVerdict, "MATCH must carry a digest the workers revealed (the agreed one in an audit)");
    if (verdict === Verdict.VERDICT_MISMATCH && matches) throw attestError(AttestCode.InconsistentVerdict, "MISMATCH must carry the auditor's own digest, which no worker revealed");
  }

  const powerOf = (c: Committee, pick: (m: Committee["members"][number]) => boolean) => c.members.filter(pick).reduce((s, m) => s + m.power, 0n);
  /** Power of the members that reported the task unexecutable (input unavailable or not opening for them). */
  const unexecutable = (c: Committee) => powerOf(c, (m) => m.voted && m.verdict === Verdict.VERDICT_UNEXECUTABLE);

  /** ≥ 2/3 of the power on MATCH → FINALIZED; once unreachable (or at the deadline) → DISPUTED. */
  function tallyAudit(ctx: Context, record: TaskRecord, task: Task, atDeadline: boolean): void {
    if (isToleranceTask(task)) return tallyToleranceAudit(ctx, record, task, atDeadline);
    const c = record.audit!;
    const total = powerOf(c, () => true);
    const match = powerOf(c, (m) => m.voted && m.verdict === Verdict.VERDICT_MATCH);
    // Only a member that sealed before the reveals can still vote (UNEXECUTABLE members voted in
    // the seal window, below 2/3 of the power: their power counts toward the total, not MATCH).
    const open = powerOf(c, (m) => !m.voted && m.seal.length > 0);
    if (!revealsAgree(record)) {
      // Workers disagree: nothing to finalise; once every sealed member opened, a dispute decides.
      if (atDeadline || open === 0n) return openDispute(ctx, record, task, "reveals_disagree", false);
      return putRecord(ctx.store, record);
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
    const allowed = independentDigests(record);
    const byDigest = new Map<string, bigint>();
    if (2n * unexecutable(c) > total) {
      removeDue(ctx.store, COMMITTEE_DEADLINES, c.deadlineHeight, record.taskId);
      return failUnexecutable(ctx, record, "unexecutable_by_auditors");
    }
    const counts = (m: Committee["members"][number]) => m.voted && m.verdict !== Verdict.VERDICT_UNEXECUTABLE && (!allowed || allowed.some((d) => bytesEqual(d, m.resultDigest)));
    for (const m of c.members) if (counts(m)) byDigest.set(hex(m.resultDigest), (byDigest.get(hex(m.resultDigest)) ?? 0n) + m.power);
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
    if (record.phase === Phase.PHASE_AUDIT_SEAL && record.audit?.deadlineHeight === height) {
      closeSealWindow(ctx, record);
      putRecord(ctx.store, record);
    } else if (record.phase === Phase.PHASE_AUDIT && record.audit?.deadlineHeight === height) tallyAudit(ctx, record, task, true);
    else if (record.phase === Phase.PHASE_DISPUTE && record.dispute?.deadlineHeight === height) tallyDispute(ctx, record, task, true);
  }

  function getTaskIfOpen(ctx: Context, taskId: bigint): Task | undefined {
    const task = market.getTask(ctx.store, taskId);
    return task && isOpen(market, task) ? task : undefined;
  }

  return { runDraw, attest, commitAudit, handleCommitteeDeadline };
}

export type Committees = ReturnType<typeof createCommittees>;
