/**
 * Commit and reveal: the first two steps of Proof of Sync (docs/proof-of-sync.md).
 * A worker seals its result (MsgCommitResult); the block after the last commit draws the audit
 * (committee.ts), whose auditors seal their own digests before any reveal; then the workers open
 * their seals (MsgRevealResult); the block after the last reveal decides.
 */
import { bytesEqual, hex } from "../../crypto/bytes.js";
import { parseAccountAddress } from "../../app/address.js";
import type { Context } from "../../app/context.js";
import { Phase, TaskRecord, type Verdict, type WorkerVerdict } from "../../proto/gen/ogpu/attest/v1/attest.js";
import type { KVStore } from "../../app/store/kvstore.js";
import { TaskStatus } from "../../proto/gen/ogpu/market/v1/market.js";
import type { BankKeeper } from "../bank/keeper.js";
import type { MarketKeeper } from "../market/keeper.js";
import type { StakingKeeper } from "../staking/keeper.js";
import type { WorkersKeeper } from "../workers/keeper.js";
import { createAuditorKeys, type AuditorKeyEntry } from "./auditor-keys.js";
import { createCommittees } from "./committee.js";
import { attestError, AttestCode } from "./errors.js";
import { AttestEvent, emitAttestEvent } from "./events.js";
import { attestParams } from "./params.js";
import { computeResultSeal } from "./seal.js";
import { createSettlement } from "./settle.js";
import { isOpen, requireOpenTask, scheduleDraw } from "./tasks.js";
import { deleteRecord, DRAWS, COMMITTEE_DEADLINES, getRecord, putRecord, removeDue, REVEAL_DEADLINES } from "./store.js";

/** What Proof of Sync needs: tasks and settlement (market), worker penalties, validator power and slashing, bond moves. */
export interface AttestDeps {
  bank: Pick<BankKeeper, "sendFromModule" | "burnCoins" | "allBalances" | "getSupply">;
  market: Pick<MarketKeeper, "getTask" | "isTerminal" | "moveTask" | "markCommitted" | "reassignSlot" | "failTask" | "failUnexecutable" | "settleFinalized">;
  staking: Pick<StakingKeeper, "lastPowers" | "getValidator" | "recordVerifiedCompute" | "slash">;
  workers: Pick<WorkersKeeper, "bondsAccount" | "getWorker" | "requireWorker" | "setWorker" | "recordResult" | "slashBond" | "jailWorker">;
}

/** x/attest's surface: its msgs and block steps, and the two market hooks it provides. */
export interface AttestKeeper {
  /** MsgCommitResult: an assigned worker's first and only seal for the task. */
  commitResult(ctx: Context, worker: string, taskId: bigint, seal: Uint8Array): void;
  /** MsgRevealResult: opens the worker's own seal; the last reveal schedules the audit draw. */
  revealResult(ctx: Context, worker: string, taskId: bigint, digest: Uint8Array, salt: Uint8Array, outputCid: string): void;
  /** MsgAttest: a committee member's vote (on an audit: the opening of its seal). */
  /** `workerVerdicts`: tolerance tasks' per-worker MATCH/MISMATCH (x/attest/tolerance.ts); empty otherwise. */
  attest(ctx: Context, validator: string, taskId: bigint, digest: Uint8Array, verdict: Verdict, salt: Uint8Array, workerVerdicts?: readonly WorkerVerdict[]): void;
  /** MsgCommitAudit: an audit member's seal over its own digest, before any worker reveal. */
  commitAudit(ctx: Context, validator: string, taskId: bigint, seal: Uint8Array): void;
  /** MsgSetAuditorKey: only a validator's operator may publish a key, and only its own. */
  setAuditorKey(ctx: Context, operator: Uint8Array, encPubkey: Uint8Array): void;
  activeAuditorKeys(store: KVStore): AuditorKeyEntry[];
  runDraw(ctx: Context, taskId: bigint): void;
  handleRevealTimeout(ctx: Context, taskId: bigint): void;
  handleCommitteeDeadline(ctx: Context, taskId: bigint, height: bigint): void;
  slashAbsentAuditor(ctx: Context, taskId: bigint, operator: Uint8Array, reason?: string): void;
  /** Market hook: a task ended — its record and index entries go. */
  dropRecord(ctx: Context, taskId: bigint): void;
  /** Market hook: k = 1 tasks go only to workers with CV ≥ adaptive_min_cv (adaptive replication). */
  minTrustedCv(ctx: Context): bigint;
}

function newRecord(taskId: bigint): TaskRecord {
  return TaskRecord.fromPartial({ taskId, phase: Phase.PHASE_COMMIT });
}

export function createAttestKeeper(deps: AttestDeps): AttestKeeper {
  const { market, workers } = deps;
  const settlement = createSettlement(deps);
  const committees = createCommittees(deps, settlement);
  const auditorKeys = createAuditorKeys(deps);

  /** MsgCommitResult: an assigned worker's first and only seal for the task. */
  function commitResult(ctx: Context, worker: string, taskId: bigint, seal: Uint8Array): void {
    const task = requireOpenTask(market, ctx, taskId);
    const slot = task.assignments.find((a) => a.worker === worker);
    if (!slot) throw attestError(AttestCode.NotAssigned, `${worker} is not an assigned worker of task ${taskId}`);
    const record = getRecord(ctx.store, taskId) ?? newRecord(taskId);
    if (slot.committed || record.results.some((r) => r.worker === worker)) throw attestError(AttestCode.AlreadyCommitted, `${worker} already committed to task ${taskId}`);
    if (record.results.some((r) => bytesEqual(r.seal, seal))) {
      throw attestError(AttestCode.DuplicateSeal, `seal of task ${taskId} equals another worker's seal (a copied seal can never be opened)`);
    }
    record.results.push({ worker, seal, committedHeight: ctx.block.height, revealed: false, resultDigest: new Uint8Array(), salt: new Uint8Array(), outputCid: "", revealedHeight: 0n });
    market.markCommitted(ctx, taskId, worker);
    emitAttestEvent(ctx.events, AttestEvent.Committed, taskId, { worker });
    // Every slot sealed: the next block's beacon draws the audit before anything is revealed.
    if (market.getTask(ctx.store, taskId)!.status === TaskStatus.TASK_STATUS_COMMITTED) scheduleDraw(ctx, record);
    putRecord(ctx.store, record);
  }

  /** MsgRevealResult: opens the worker's own seal; the last reveal schedules the audit draw. */
  function revealResult(ctx: Context, worker: string, taskId: bigint, digest: Uint8Array, salt: Uint8Array, outputCid: string): void {
    const task = requireOpenTask(market, ctx, taskId);
    const record = getRecord(ctx.store, taskId);
    const result = record?.results.find((r) => r.worker === worker);
    if (!record || !result) throw attestError(AttestCode.NotAssigned, `${worker} has no commitment on task ${taskId}`);
    if (record.phase !== Phase.PHASE_REVEAL) throw attestError(AttestCode.WrongPhase, `task ${taskId} is not revealing (${Phase[record.phase]}): reveals open after every slot committed, the audit draw ran and any audit committee sealed`);
    if (result.revealed) throw attestError(AttestCode.AlreadyRevealed, `${worker} already revealed on task ${taskId}`);
    if (!bytesEqual(computeResultSeal(taskId, parseAccountAddress(worker), digest, outputCid, salt), result.seal)) {
      throw attestError(AttestCode.SealMismatch, `result_digest, output_cid and salt do not open ${worker}'s seal on task ${taskId}`);
    }
    Object.assign(result, { revealed: true, resultDigest: digest, salt, outputCid, revealedHeight: ctx.block.height });
    emitAttestEvent(ctx.events, AttestEvent.Revealed, taskId, { worker, result_digest: hex(digest), output_cid: outputCid });
    if (record.results.length === task.redundancy && record.results.every((r) => r.revealed)) {
      removeDue(ctx.store, REVEAL_DEADLINES, record.revealByHeight, taskId);
      record.revealByHeight = 0n;
      market.moveTask(ctx, task, TaskStatus.TASK_STATUS_REVEALED, "all_revealed");
      scheduleDraw(ctx, record);
    }
    putRecord(ctx.store, record);
  }

  /**
   * EndBlock: workers that committed but did not reveal by reveal_by are punished.
   * Nobody revealed: each loses reveal_timeout_slash_bps of its bond (to the treasury) and its
   * slot; the market requeues the task (or expires it after max_retries).
   * Some reveal stands (issue 10 item 7): the task is not requeued — a client's own second
   * worker could otherwise read the honest output and get a refund. The silent slots are slashed
   * into the attest module account and dropped; the standing reveals are decided by the audit
   * committee drawn (and sealed) before the reveals, or, when none was drawn, as any unaudited
   * reveals are: agreeing → FINALIZED and paid with the held slash, disagreeing → a dispute. No
   * audit is drawn now: the standing digests are public, an auditor could copy them (item 8).
   * A worker that withholds after its task was drawn for audit is punished as a wrong result
   * (wrong_result_slash_bps, jail): withholding must not be the cheaper way out for a cheater.
   */
  function handleRevealTimeout(ctx: Context, taskId: bigint): void {
    const record = getRecord(ctx.store, taskId);
    if (!record || record.phase !== Phase.PHASE_REVEAL) return;
    const task = market.getTask(ctx.store, taskId);
    if (!task) return;
    const p = attestParams.get(ctx.store);
    const silent = record.results.filter((r) => !r.revealed).map((r) => r.worker);
    const audited = record.audited && record.audit !== undefined && record.audit.members.length > 0;
    const standing = record.results.some((r) => r.revealed);
    record.results = record.results.filter((r) => r.revealed);
    record.revealByHeight = 0n;
    if (standing) {
      let held = BigInt(record.withheldSlash || "0");
      for (const worker of silent) {
        const slashed = settlement.holdWithheldSlash(ctx, worker, audited);
        held += slashed;
        emitAttestEvent(ctx.events, AttestEvent.RevealTimeout, taskId, { worker, slashed: slashed.toString(), audited: String(audited), held: "true" });
      }
      record.withheldSlash = held.toString();
      scheduleDraw(ctx, record);
      return putRecord(ctx.store, record);
    }
    record.phase = Phase.PHASE_COMMIT;
    putRecord(ctx.store, record);
    for (const worker of silent) {
      let slashed: bigint;
      if (audited) slashed = settlement.punishWrongResult(ctx, worker, task);
      else {
        workers.recordResult(ctx, worker, false, "reveal_timeout");
        slashed = workers.slashBond(ctx, worker, p.reveal_timeout_slash_bps, "reveal_timeout", { task_id: taskId.toString() });
      }
      emitAttestEvent(ctx.events, AttestEvent.RevealTimeout, taskId, { worker, slashed: slashed.toString(), audited: String(audited) });
      const now = market.getTask(ctx.store, taskId);
      if (now && now.assignments.some((a) => a.worker === worker) && isOpen(market, now)) market.reassignSlot(ctx, taskId, worker, "reveal_timeout");
    }
  }

  /**
   * Market close hook: the task ended (settled, expired, cancelled) — its record and index
   * entries go. Seals still owed an opening stay beside their duty (settlement already kept
   * them with the settled digest; here, with none).
   */
  function dropRecord(ctx: Context, taskId: bigint): void {
    const record = getRecord(ctx.store, taskId);
    if (!record) return;
    settlement.burnWithheldSlash(ctx, record);
    settlement.keepUnopenedSeals(ctx, record, new Uint8Array());
    if (record.revealByHeight > 0n) removeDue(ctx.store, REVEAL_DEADLINES, record.revealByHeight, taskId);
    if (record.drawHeight > 0n) removeDue(ctx.store, DRAWS, record.drawHeight, taskId);
    for (const c of [record.audit, record.dispute]) if (c) removeDue(ctx.store, COMMITTEE_DEADLINES, c.deadlineHeight, taskId);
    deleteRecord(ctx.store, taskId);
  }

  return {
    commitResult,
    revealResult,
    handleRevealTimeout,
    dropRecord,
    minTrustedCv: (ctx) => BigInt(attestParams.get(ctx.store).adaptive_min_cv),
    ...committees,
    slashAbsentAuditor: settlement.slashAbsentAuditor,
    ...auditorKeys,
  };
}
