/**
 * Proof of Sync for VERIFICATION_CLASS_TOLERANCE tasks (docs/verification.md). Workers' float
 * outputs may differ in their last bits, so differing digests are not a dispute: an audit is
 * always drawn, each member seals its own digest before any reveal (as for bitwise tasks), then
 * compares every revealed worker output to its own off chain and opens its seal with one
 * MATCH/MISMATCH per worker. The chain tallies per worker by committee power:
 *  - ≥ 2/3 MATCH → the worker is verified and paid;
 *  - ≥ 2/3 MISMATCH → the worker is punished as a wrong result;
 *  - a worker with neither once every sealed member opened (or at the deadline) → the task
 *    FAILS, client refunded, nobody slashed: no supermajority exists to judge anyone by.
 * Members whose vote on a worker went against the decision are slashed as wrong voters.
 */
import type { Context } from "../../app/context.js";
import { Verdict, type Committee, type TaskRecord, type WorkerVerdict } from "../../proto/gen/ogpu/attest/v1/attest.js";
import { VerificationClass, type Task } from "../../proto/gen/ogpu/market/v1/market.js";
import { attestError, AttestCode } from "./errors.js";
import type { Settlement } from "./settle.js";
import { COMMITTEE_DEADLINES, putRecord, removeDue } from "./store.js";

export const isToleranceTask = (task: Task) => task.verification === VerificationClass.VERIFICATION_CLASS_TOLERANCE;

/**
 * A tolerance opening names every revealed worker exactly once, MATCH or MISMATCH, and its
 * overall verdict is MATCH only when every worker matched. Bitwise openings carry none.
 */
export function checkWorkerVerdicts(record: TaskRecord, task: Task, verdict: Verdict, votes: readonly WorkerVerdict[]): void {
  const invalid = (message: string) => attestError(AttestCode.InconsistentVerdict, message);
  if (!isToleranceTask(task)) {
    if (votes.length > 0) throw invalid("worker_verdicts apply to tolerance tasks only");
    return;
  }
  if (votes.length !== record.results.length) throw invalid(`a tolerance vote judges each of the ${record.results.length} workers once; got ${votes.length} worker_verdicts`);
  const seen = new Set<string>();
  for (const v of votes) {
    if (!record.results.some((r) => r.worker === v.worker)) throw invalid(`worker_verdicts names ${v.worker}, not a worker of task ${record.taskId}`);
    if (seen.has(v.worker)) throw invalid(`worker_verdicts names ${v.worker} twice`);
    if (v.verdict !== Verdict.VERDICT_MATCH && v.verdict !== Verdict.VERDICT_MISMATCH) throw invalid("each worker verdict is MATCH or MISMATCH");
    seen.add(v.worker);
  }
  const allMatch = votes.every((v) => v.verdict === Verdict.VERDICT_MATCH);
  if (verdict !== (allMatch ? Verdict.VERDICT_MATCH : Verdict.VERDICT_MISMATCH)) throw invalid("verdict is MATCH when every worker verdict is MATCH, MISMATCH otherwise");
}

type Juror = Committee["members"][number];
const powerOf = (c: Committee, pick: (m: Juror) => boolean) => c.members.filter(pick).reduce((s, m) => s + m.power, 0n);
const votedOn = (m: Juror, worker: string, verdict: Verdict) => m.voted && m.workerVerdicts.some((v) => v.worker === worker && v.verdict === verdict);

export function createToleranceTally({ settleOnVerdicts, failUndecided }: Pick<Settlement, "settleOnVerdicts" | "failUndecided">) {
  /** Decides once every worker has a 2/3 side, or when no more openings can come (all opened, or the deadline). */
  function tallyToleranceAudit(ctx: Context, record: TaskRecord, task: Task, atDeadline: boolean): void {
    const c = record.audit!;
    const total = powerOf(c, () => true);
    const open = powerOf(c, (m) => !m.voted && m.seal.length > 0);
    const matched = new Set<string>();
    let undecided = 0;
    for (const r of record.results) {
      if (3n * powerOf(c, (m) => votedOn(m, r.worker, Verdict.VERDICT_MATCH)) >= 2n * total) matched.add(r.worker);
      else if (3n * powerOf(c, (m) => votedOn(m, r.worker, Verdict.VERDICT_MISMATCH)) < 2n * total) undecided++;
    }
    if (undecided > 0 && open > 0n && !atDeadline) return putRecord(ctx.store, record);
    removeDue(ctx.store, COMMITTEE_DEADLINES, c.deadlineHeight, record.taskId);
    if (undecided > 0) return failUndecided(ctx, record, atDeadline ? "tolerance_no_majority_by_deadline" : "tolerance_no_majority");
    settleOnVerdicts(ctx, record, task, matched);
  }

  return { tallyToleranceAudit };
}
