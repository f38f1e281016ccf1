/**
 * The end of Proof of Sync, always in the block that decides it: pay the workers whose reveal
 * is the final digest (x/market settles exactly), credit their reliability and their
 * validator's verified compute (x/staking), punish the wrong ones, or fail with a refund.
 */
import { bytesEqual, hex } from "../../crypto/bytes.js";
import { BASE_DENOM } from "../../app/coins.js";
import { parseAccountAddress } from "../../app/address.js";
import type { Context } from "../../app/context.js";
import { Phase, type TaskRecord } from "../../proto/gen/ogpu/attest/v1/attest.js";
import { TaskStatus, type Task } from "../../proto/gen/ogpu/market/v1/market.js";
import type { Payout } from "../market/keeper.js";
import { AttestEvent, emitAttestEvent } from "./events.js";
import type { AttestDeps } from "./keeper.js";
import { attestParams } from "./params.js";
import { consAddressOf, consensusKeyOf } from "../../app/validator-address.js";

export function createSettlement({ bank, market, staking, workers }: AttestDeps) {
  /**
   * Settles the task on `digest`: agreeing workers get price × units each (minus the market
   * fee), CV + 1 and verified compute credit (that fee); the others are punished as wrong. FINALIZED when the
   * workers agreed (and any audit matched), RESOLVED when a dispute committee decided.
   */
  function settleOnDigest(ctx: Context, record: TaskRecord, task: Task, digest: Uint8Array, how: "finalized" | "resolved"): void {
    const right = record.results.filter((r) => bytesEqual(r.resultDigest, digest));
    const wrong = record.results.filter((r) => !bytesEqual(r.resultDigest, digest));
    for (const r of wrong) punishWrongResult(ctx, r.worker, task);
    const payouts: Payout[] = right.map((r) => {
      const slot = task.assignments.find((a) => a.worker === r.worker)!;
      return { worker: r.worker, amount: BigInt(slot.pricePerUnit) * task.units };
    });
    for (const r of right) workers.recordResult(ctx, r.worker, true, "result_verified");
    const status = how === "finalized" ? TaskStatus.TASK_STATUS_FINALIZED : TaskStatus.TASK_STATUS_RESOLVED;
    emitAttestEvent(ctx.events, how === "finalized" ? AttestEvent.Finalized : AttestEvent.Resolved, task.id, {
      result_digest: hex(digest),
      audited: String(record.audited),
      paid_workers: right.map((r) => r.worker).join(","),
      wrong_workers: wrong.map((r) => r.worker).join(","),
    });
    const { fees } = market.settleFinalized(ctx, task.id, payouts, how, status);
    payouts.forEach((p, i) => creditVerifiedCompute(ctx, p.worker, fees[i]!));
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

  /**
   * Wrong result: wrong_result_slash_bps of the bond leaves worker_bonds — half to the task's
   * client (compensation), the rest burned (supply falls; the cap is unaffected) — the worker
   * is jailed for wrong_result_jail_blocks and its CV is reset.
   */
  function punishWrongResult(ctx: Context, worker: string, task: Task): bigint {
    const p = attestParams.get(ctx.store);
    const w = workers.requireWorker(ctx.store, worker);
    const bond = BigInt(w.bond);
    const slashed = (bond * BigInt(p.wrong_result_slash_bps)) / 10_000n;
    const toClient = slashed / 2n;
    const burned = slashed - toClient;
    w.bond = (bond - slashed).toString();
    workers.setWorker(ctx.store, w);
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
   * A drawn validator did not vote by its deadline: auditor_absent_slash_bps of its stake
   * (and of entries that unbonded or redelegated since) is burned via x/staking's slash,
   * infraction height = this block. Unknown validators (since removed) are skipped.
   */
  function slashAbsentAuditor(ctx: Context, taskId: bigint, operator: Uint8Array): void {
    const v = staking.getValidator(ctx.store, operator);
    if (!v) return;
    const bps = BigInt(attestParams.get(ctx.store).auditor_absent_slash_bps);
    const burned = bps === 0n ? 0n : staking.slash(ctx, consAddressOf(consensusKeyOf(v)), ctx.block.height, bps);
    emitAttestEvent(ctx.events, AttestEvent.AuditorAbsent, taskId, { validator: v.operatorAddress, burned: burned.toString() });
  }

  return { settleOnDigest, failUndecided, failUnexecutable, slashAbsentAuditor };
}

export type Settlement = ReturnType<typeof createSettlement>;
