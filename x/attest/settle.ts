/**
 * The end of Proof of Sync, always in the block that decides it: pay the workers whose reveal
 * is the final digest (x/market settles exactly), credit their reliability and their
 * validator's verified compute (x/staking), punish the wrong ones, or fail with a refund.
 */
import { bytesEqual, hex } from "../../crypto/bytes.js";
import { BASE_DENOM } from "../../app/coins.js";
import { moduleAddress, parseAccountAddress } from "../../app/address.js";
import type { Context } from "../../app/context.js";
import { Phase, Verdict, type TaskRecord } from "../../proto/gen/ogpu/attest/v1/attest.js";
import { TaskStatus, type Task } from "../../proto/gen/ogpu/market/v1/market.js";
import type { Payout } from "../market/keeper.js";
import { AttestEvent, emitAttestEvent } from "./events.js";
import type { AttestDeps } from "./keeper.js";
import { attestParams } from "./params.js";
import { getPendingOpening, putPendingOpening, putRecord } from "./store.js";
import { consAddressOf, consensusKeyOf } from "../../app/validator-address.js";

/** Module account holding withheld-reveal slashes until their task settles (issue 10 item 7). */
export const WITHHELD_SLASHES = "attest_withheld";

export function createSettlement({ bank, market, staking, workers }: AttestDeps) {
  /**
   * Settles the task on `digest`: agreeing workers get price × units each (minus the market
   * fee), CV + 1, an EWMA success weighted by that fee and verified compute credit (that fee);
   * the others are punished as wrong. FINALIZED when the
   * workers agreed (and any audit matched), RESOLVED when a dispute committee decided.
   */
  function settleOnDigest(ctx: Context, record: TaskRecord, task: Task, digest: Uint8Array, how: "finalized" | "resolved"): void {
    const right = record.results.filter((r) => bytesEqual(r.resultDigest, digest));
    const wrong = record.results.filter((r) => !bytesEqual(r.resultDigest, digest));
    for (const r of wrong) punishWrongResult(ctx, r.worker, task);
    slashWrongVoters(ctx, record, digest);
    keepUnopenedSeals(ctx, record, digest);
    pay(ctx, record, task, right, wrong, how, hex(digest));
  }

  /**
   * A tolerance task the audit committee decided worker by worker (x/attest/tolerance.ts):
   * MATCH workers are paid as above, MISMATCH workers punished as wrong, members whose vote on
   * some worker went against the committee's decision lose auditor_wrong_slash_bps. FINALIZED
   * when any worker was paid, RESOLVED (all refunded to the client) when none was. Seals left
   * unopened are kept unjudged: a member's own float output is never "the" digest.
   */
  function settleOnVerdicts(ctx: Context, record: TaskRecord, task: Task, matched: ReadonlySet<string>): void {
    const right = record.results.filter((r) => matched.has(r.worker));
    const wrong = record.results.filter((r) => !matched.has(r.worker));
    for (const r of wrong) punishWrongResult(ctx, r.worker, task);
    for (const m of record.audit?.members ?? []) {
      if (!m.voted) continue;
      if (m.verdict === Verdict.VERDICT_UNEXECUTABLE) slashAbsentAuditor(ctx, record.taskId, parseAccountAddress(m.validator, "validator"), "unexecutable_on_executed_task");
      else if (m.workerVerdicts.some((v) => (v.verdict === Verdict.VERDICT_MATCH) !== matched.has(v.worker))) slashWrongVoter(ctx, record.taskId, m.validator, m.resultDigest);
    }
    keepUnopenedSeals(ctx, record, new Uint8Array());
    pay(ctx, record, task, right, wrong, right.length > 0 ? "finalized" : "resolved", "");
  }

  /** Pays `right`, records the outcome (`digest`: the settled digest in hex, "" for tolerance verdicts) and closes the task. */
  function pay(ctx: Context, record: TaskRecord, task: Task, right: TaskRecord["results"], wrong: TaskRecord["results"], how: "finalized" | "resolved", digest: string): void {
    const payouts: Payout[] = right.map((r) => {
      const slot = task.assignments.find((a) => a.worker === r.worker)!;
      return { worker: r.worker, amount: BigInt(slot.pricePerUnit) * task.units };
    });
    const status = how === "finalized" ? TaskStatus.TASK_STATUS_FINALIZED : TaskStatus.TASK_STATUS_RESOLVED;
    emitAttestEvent(ctx.events, how === "finalized" ? AttestEvent.Finalized : AttestEvent.Resolved, task.id, {
      result_digest: digest,
      audited: String(record.audited),
      paid_workers: right.map((r) => r.worker).join(","),
      wrong_workers: wrong.map((r) => r.worker).join(","),
    });
    payWithheldSlash(ctx, record, payouts.map((p) => p.worker));
    const { fees } = market.settleFinalized(ctx, task.id, payouts, how, status);
    // Reliability and verified compute both count what the payout paid in fees (issue 10 item 5).
    payouts.forEach((p, i) => {
      workers.recordResult(ctx, p.worker, true, "result_verified", fees[i]!);
      creditVerifiedCompute(ctx, p.worker, fees[i]!);
    });
  }

  /**
   * Verified compute counts toward the validator whose operator account is the worker's
   * account (x/staking's C_i), valued at the market fee its payout paid to the treasury: the
   * client-declared units cost nothing to inflate when the client pays its own worker, the fee
   * is gone for good (issue 10 item 5). Workers that are not validator operators earn no power,
   * and nothing is stored for them (records are pruned per validator only).
   */
  function creditVerifiedCompute(ctx: Context, worker: string, feePaid: bigint): void {
    const operator = parseAccountAddress(worker);
    if (staking.getValidator(ctx.store, operator)) staking.recordVerifiedCompute(ctx.store, operator, feePaid, ctx.block.height);
  }

  /** Takes `bps` of a worker's bond off its record; the caller moves that much out of worker_bonds. */
  function takeBond(ctx: Context, worker: string, bps: number): bigint {
    const w = workers.requireWorker(ctx.store, worker);
    const bond = BigInt(w.bond);
    const slashed = (bond * BigInt(bps)) / 10_000n;
    w.bond = (bond - slashed).toString();
    workers.setWorker(ctx.store, w);
    return slashed;
  }

  /**
   * A worker withheld its reveal while another reveal stood (issue 10 item 7): the slash —
   * reveal_timeout_slash_bps, or wrong_result_slash_bps with jail when the task was already
   * drawn for audit — moves to WITHHELD_SLASHES until the task settles; CV is reset.
   */
  function holdWithheldSlash(ctx: Context, worker: string, audited: boolean): bigint {
    const p = attestParams.get(ctx.store);
    const slashed = takeBond(ctx, worker, audited ? p.wrong_result_slash_bps : p.reveal_timeout_slash_bps);
    if (slashed > 0n) bank.sendFromModule(ctx, workers.bondsAccount, moduleAddress(WITHHELD_SLASHES), [{ denom: BASE_DENOM, amount: slashed }]);
    workers.recordResult(ctx, worker, false, "reveal_timeout");
    if (audited) workers.jailWorker(ctx, worker, ctx.block.height + BigInt(p.wrong_result_jail_blocks), "reveal_withheld_under_audit");
    return slashed;
  }

  /** The held slash goes to the verified workers: split evenly, the remainder to the first (in record order). */
  function payWithheldSlash(ctx: Context, record: TaskRecord, paid: readonly string[]): void {
    const held = BigInt(record.withheldSlash || "0");
    if (held === 0n || paid.length === 0) return;
    const share = held / BigInt(paid.length);
    paid.forEach((worker, i) => {
      const amount = i === 0 ? held - share * BigInt(paid.length - 1) : share;
      if (amount > 0n) bank.sendFromModule(ctx, WITHHELD_SLASHES, parseAccountAddress(worker), [{ denom: BASE_DENOM, amount }]);
      emitAttestEvent(ctx.events, AttestEvent.WithheldSlashPaid, record.taskId, { worker, amount: amount.toString() });
    });
    record.withheldSlash = "";
    putRecord(ctx.store, record);
  }

  /** The task ended with no verified result: the held slash is burned (nobody earned it). */
  function burnWithheldSlash(ctx: Context, record: TaskRecord): void {
    const held = BigInt(record.withheldSlash || "0");
    if (held === 0n) return;
    bank.burnCoins(ctx, WITHHELD_SLASHES, [{ denom: BASE_DENOM, amount: held }]);
    record.withheldSlash = "";
  }

  /**
   * Wrong result: wrong_result_slash_bps of the bond leaves worker_bonds — half to the task's
   * client (compensation), the rest burned (supply falls; the cap is unaffected) — the worker
   * is jailed for wrong_result_jail_blocks and its CV is reset.
   */
  function punishWrongResult(ctx: Context, worker: string, task: Task): bigint {
    const p = attestParams.get(ctx.store);
    const slashed = takeBond(ctx, worker, p.wrong_result_slash_bps);
    const toClient = slashed / 2n;
    const burned = slashed - toClient;
    if (toClient > 0n) bank.sendFromModule(ctx, workers.bondsAccount, parseAccountAddress(task.client), [{ denom: BASE_DENOM, amount: toClient }]);
    if (burned > 0n) bank.burnCoins(ctx, workers.bondsAccount, [{ denom: BASE_DENOM, amount: burned }]);
    workers.recordResult(ctx, worker, false, "wrong_result");
    workers.jailWorker(ctx, worker, ctx.block.height + BigInt(p.wrong_result_jail_blocks), "wrong_result");
    emitAttestEvent(ctx.events, AttestEvent.WrongResult, task.id, { worker, slashed: slashed.toString(), to_client: toClient.toString(), burned: burned.toString() });
    return slashed;
  }

  /** No committee majority (or no committee at all): full refund, nobody slashed. */
  function failUndecided(ctx: Context, record: TaskRecord, reason: string): void {
    emitAttestEvent(ctx.events, AttestEvent.Failed, record.taskId, { reason });
    record.phase = Phase.PHASE_UNSPECIFIED;
    market.failTask(ctx, record.taskId, reason);
  }

  /**
   * Nobody drawn could run the task (its encrypted input opens for no drawn auditor, or the
   * committee reported it unexecutable): the client's fault — FAILED, the client forfeits
   * x/market's unexecutable fee, no worker or auditor is penalised.
   */
  function failUnexecutable(ctx: Context, record: TaskRecord, reason: string): void {
    emitAttestEvent(ctx.events, AttestEvent.Failed, record.taskId, { reason });
    record.phase = Phase.PHASE_UNSPECIFIED;
    market.failUnexecutable(ctx, record.taskId, reason);
  }

  /**
   * A drawn validator did not vote by its deadline (or voted UNEXECUTABLE on a task others
   * computed, `reason`): auditor_absent_slash_bps of its stake (and of entries that unbonded or
   * redelegated since) is burned via x/staking's slash, infraction height = this block.
   * Unknown validators (since removed) are skipped.
   */
  function slashAbsentAuditor(ctx: Context, taskId: bigint, operator: Uint8Array, reason = "absent"): void {
    const v = staking.getValidator(ctx.store, operator);
    if (!v) return;
    const bps = BigInt(attestParams.get(ctx.store).auditor_absent_slash_bps);
    const burned = bps === 0n ? 0n : staking.slash(ctx, consAddressOf(consensusKeyOf(v)), ctx.block.height, bps);
    emitAttestEvent(ctx.events, AttestEvent.AuditorAbsent, taskId, { validator: v.operatorAddress, burned: burned.toString(), reason });
  }

  /** auditor_wrong_slash_bps of a committee member's stake, burned: its vote named `votedDigest`, not the settled one. */
  function slashWrongVoter(ctx: Context, taskId: bigint, validator: string, votedDigest: Uint8Array): void {
    const bps = BigInt(attestParams.get(ctx.store).auditor_wrong_slash_bps);
    const v = staking.getValidator(ctx.store, parseAccountAddress(validator, "validator"));
    if (!v) return;
    const burned = bps === 0n ? 0n : staking.slash(ctx, consAddressOf(consensusKeyOf(v)), ctx.block.height, bps);
    emitAttestEvent(ctx.events, AttestEvent.AuditorWrong, taskId, { validator, result_digest: hex(votedDigest), burned: burned.toString() });
  }

  /**
   * Committee members whose vote named a digest other than the settled one lose
   * auditor_wrong_slash_bps of their stake (burned): an audit member sealed that digest before
   * any reveal, so it is its own (wrong) computation or a guess; a dispute juror backed a
   * result the majority refuted. UNEXECUTABLE carries no digest, but the task just settled on
   * a digest that others computed (an audit's ≥ 2/3 sealed MATCH, or a dispute majority): it
   * was executable, so the vote pays what silence pays — auditor_absent_slash_bps — and never
   * more (its voter may have been the one member whose envelope the client broke). A task that
   * nobody could run never settles on a digest, so an honest UNEXECUTABLE there costs nothing.
   */
  function slashWrongVoters(ctx: Context, record: TaskRecord, digest: Uint8Array): void {
    const judged = new Set<string>(); // a member of both committees is judged once (its opening was also its dispute vote)
    for (const committee of [record.audit, record.dispute]) {
      for (const m of committee?.members ?? []) {
        if (!m.voted || judged.has(m.validator)) continue;
        judged.add(m.validator);
        if (m.verdict === Verdict.VERDICT_UNEXECUTABLE) slashAbsentAuditor(ctx, record.taskId, parseAccountAddress(m.validator, "validator"), "unexecutable_on_executed_task");
        else if (!bytesEqual(m.resultDigest, digest)) slashWrongVoter(ctx, record.taskId, m.validator, m.resultDigest);
      }
    }
  }

  /**
   * Audit members that sealed and had not opened when the task ended keep their seal beside
   * their owed vote, with the digest the task settled on (`finalDigest`; empty when it ended
   * without one): a late opening is judged exactly as an opening in time (issue 10 item 8). The
   * first call wins (settlement, then the market's close hook).
   */
  function keepUnopenedSeals(ctx: Context, record: TaskRecord, finalDigest: Uint8Array): void {
    for (const m of record.audit?.members ?? []) {
      const operator = parseAccountAddress(m.validator, "validator");
      if (m.seal.length === 0 || m.voted || getPendingOpening(ctx.store, record.taskId, operator)) continue;
      putPendingOpening(ctx.store, record.taskId, operator, { seal: m.seal, finalDigest });
    }
  }

  return { settleOnDigest, settleOnVerdicts, failUndecided, failUnexecutable, slashAbsentAuditor, slashWrongVoter, keepUnopenedSeals, punishWrongResult, holdWithheldSlash, burnWithheldSlash };
}

export type Settlement = ReturnType<typeof createSettlement>;
