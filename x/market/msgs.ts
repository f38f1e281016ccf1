import { BASE_DENOM, parseAmount } from "../../app/coins.js";
import { parseAccountAddress } from "../../app/address.js";
import { AppError } from "../../app/errors.js";
import { defineMsg, type RegisteredMsg } from "../../app/module.js";
import { OGPU_MSG_TYPES } from "../../proto/msg-types.js";
import { defineUpdateParamsMsg } from "../../app/update-params.js";
import { DeclineReason, TaskStatus, VerificationClass, type Task } from "../../proto/gen/ogpu/market/v1/market.js";
import type { MsgSubmitTask } from "../../proto/gen/ogpu/market/v1/tx.js";
import { WorkerStatus } from "../../proto/gen/ogpu/workers/v1/workers.js";
import { marketError, MarketCode } from "./errors.js";
import { emitStatusChange, emitTaskEvent, TaskEvent } from "./events.js";
import { MARKET_ESCROW, PendingReason, requireTask, type MarketDeps, type MarketKeeper } from "./keeper.js";
import { marketParams } from "./params.js";
import { hardwareChecks } from "./scheduler.js";
import { taskRequirement, validateProgramRequirements } from "./requirements.js";
import { enqueue, markOpen, putTask, takeTaskId } from "./store.js";
import { recordProgramUse } from "./program-index.js";
import { MAX_TIER } from "../../app/gpu-tiers.js";
import { BLOB_CID_FORM, isBlobCid } from "../../crypto/cid.js";

/**
 * Largest max_price_per_unit × units of one slot (2^38 uogpu ≈ 275,000 OGPU, above what the
 * max-wallet rule lets anyone hold): keeps every scheduler cost an exact integer in a double.
 */
export const MAX_SLOT_VALUE = 2n ** 38n;

const invalid = (message: string) => marketError(MarketCode.InvalidTask, message);

/**
 * Most logs one task keeps: one per assignment, and a task sees at most
 * max_redundancy × (max_retries + 1) assignments plus declines; a fixed cap keeps Task bounded
 * whatever the params.
 */
export const MAX_TASK_LOGS = 64;

/** An auditor key fingerprint: sha256 of the 1216-byte key (x/attest auditorKeyFingerprint). */
const FINGERPRINT_LENGTH = 32;

/** The reason class a decline is counted under, e.g. "input_unavailable"; undefined for UNSPECIFIED or unknown values. */
export function declineReasonClass(reason: DeclineReason): string | undefined {
  if (reason === DeclineReason.DECLINE_REASON_UNSPECIFIED) return undefined;
  return DeclineReason[reason]?.replace(/^DECLINE_REASON_/, "").toLowerCase();
}

/** Started KiB of a declared input_bytes (bounded by max_input_bytes before this is called). */
export function inputKib(inputBytes: bigint): number {
  return Number((inputBytes + 1023n) / 1024n);
}

function bidOf(msg: MsgSubmitTask): bigint {
  let bid: bigint;
  try {
    bid = parseAmount(msg.maxPricePerUnit);
  } catch {
    throw marketError(MarketCode.InvalidPrice, `invalid max_price_per_unit "${msg.maxPricePerUnit}": must be a decimal uogpu amount`);
  }
  if (bid === 0n) throw marketError(MarketCode.InvalidPrice, "max_price_per_unit must be positive");
  return bid;
}

/** Stateless checks; returns the escrow the task needs. */
function validateSubmit(msg: MsgSubmitTask): bigint {
  parseAccountAddress(msg.client, "client");
  if (msg.units === 0n) throw marketError(MarketCode.ZeroUnits, "units must be positive");
  if (msg.redundancy === 0) throw invalid("redundancy k must be at least 1");
  if (msg.priority > 3) throw invalid(`priority ${msg.priority} must be in 0..3`);
  if (msg.kind === "" || msg.kind.length > 64) throw invalid("kind must be 1-64 characters");
  if (msg.programHash === "" || msg.programHash.length > 128) throw invalid("program_hash must be 1-128 characters");
  if (!isBlobCid(msg.inputCid)) throw invalid(`input_cid must be a blob CID, ${BLOB_CID_FORM}`);
  if (msg.inputBytes === 0n) throw marketError(MarketCode.InvalidInputBytes, "input_bytes must declare the bytes the task makes nodes store (input, encrypted payload, program bundle), at least 1");
  if (msg.verification !== VerificationClass.VERIFICATION_CLASS_BITWISE && msg.verification !== VerificationClass.VERIFICATION_CLASS_TOLERANCE) {
    throw invalid("verification must be VERIFICATION_CLASS_BITWISE or VERIFICATION_CLASS_TOLERANCE");
  }
  if (msg.verification === VerificationClass.VERIFICATION_CLASS_BITWISE && (msg.atol !== 0n || msg.rtol !== 0n)) throw invalid("atol/rtol apply to VERIFICATION_CLASS_TOLERANCE tasks only");
  // The audit committee compares the workers' outputs, which workers wrap to the auditor keys the
  // task names (docs/verification.md): an encrypted tolerance task without one could never settle.
  if (msg.verification === VerificationClass.VERIFICATION_CLASS_TOLERANCE && msg.inputEncrypted && msg.auditorKeyFingerprints.length === 0) {
    throw invalid("an encrypted VERIFICATION_CLASS_TOLERANCE task needs auditor_key_fingerprints: its outputs are wrapped to those auditors, who compare them");
  }
  if (!msg.inputEncrypted && msg.auditorKeyFingerprints.length > 0) throw invalid("auditor_key_fingerprints only apply to an encrypted input (input_encrypted)");
  if (msg.auditorKeyFingerprints.some((f) => f.length !== FINGERPRINT_LENGTH)) throw invalid(`each auditor key fingerprint must be ${FINGERPRINT_LENGTH} bytes (sha256 of the key)`);
  const req = msg.requirements;
  if (req && req.tier > MAX_TIER) throw invalid(`requirements.tier ${req.tier} must be in 0..${MAX_TIER}`);
  if (req && req.gpuModels.some((m) => m === "")) throw invalid("requirements.gpu_models has an empty model");
  validateProgramRequirements(msg);
  const bid = bidOf(msg);
  const slot = bid * msg.units;
  if (slot > MAX_SLOT_VALUE) {
    throw marketError(MarketCode.PriceOverflow, `price overflow: max_price_per_unit × units = ${slot}${BASE_DENOM} exceeds ${MAX_SLOT_VALUE}${BASE_DENOM}`);
  }
  return slot * BigInt(msg.redundancy);
}

export function marketMsgs(keeper: MarketKeeper, { bank, workers }: Pick<MarketDeps, "bank" | "workers">): RegisteredMsg[] {
  const msgSubmitTask = defineMsg({
    type: OGPU_MSG_TYPES.SubmitTask,
    gas: 30_000,
    signers: (msg) => [msg.client],
    validate: (msg) => void validateSubmit(msg),
    handle(ctx, msg) {
      const escrow = validateSubmit(msg);
      const p = marketParams.get(ctx.store);
      if (msg.inputBytes > BigInt(p.max_input_bytes)) throw marketError(MarketCode.InvalidInputBytes, `input_bytes ${msg.inputBytes} exceeds max_input_bytes ${p.max_input_bytes}`);
      // Every node replicates the declared bytes (server/blob-replication.ts): the submitter pays for them.
      ctx.gas.consume(p.submit_gas_per_kib * inputKib(msg.inputBytes), "market: input bytes");
      const req = taskRequirement(msg.requirements);
      if (req.models.length > p.max_gpu_models) throw invalid(`requirements.gpu_models lists ${req.models.length} models, the limit is max_gpu_models ${p.max_gpu_models}`);
      for (const model of req.models) {
        try {
          workers.gpuTier(ctx.store, model);
        } catch (err) {
          throw marketError(MarketCode.UnknownGpuModel, (err as AppError).message);
        }
      }
      if (msg.redundancy > p.max_redundancy) throw marketError(MarketCode.RedundancyUnavailable, `redundancy ${msg.redundancy} exceeds max_redundancy ${p.max_redundancy}`);
      // k must not exceed the registered workers that could ever run it (hardware only: prices and liveness change).
      const matches = workers.hardwareMatcher(ctx.store);
      // Stops at k matches: a submission costs O(k) decodes in the usual case, not O(workers).
      // Every worker examined is paid for, so a scan that finds too few (O(workers)) costs its work.
      const gasPerWorker = p.submit_gas_per_worker * hardwareChecks(1, req.models.length);
      let possible = 0;
      for (const w of workers.allWorkers(ctx.store)) {
        ctx.gas.consume(gasPerWorker, "market: worker scan");
        if (workers.workerStatus(ctx.store, w, ctx.block.height) !== WorkerStatus.WORKER_STATUS_EXITING && matches(w, req)) possible++;
        if (possible >= msg.redundancy) break;
      }
      if (msg.redundancy > possible) {
        throw marketError(MarketCode.RedundancyUnavailable, `redundancy ${msg.redundancy} exceeds the ${possible} registered worker(s) whose GPUs${req.runtime ? ` and runtimes (${req.runtime})` : ""} meet the requirements`);
      }
      const deadlineBlocks = msg.deadlineBlocks === 0n ? BigInt(p.max_deadline_blocks) : msg.deadlineBlocks;
      if (msg.auditorKeyFingerprints.length > p.max_auditor_key_fingerprints) {
        throw invalid(`auditor_key_fingerprints lists ${msg.auditorKeyFingerprints.length} keys; at most max_auditor_key_fingerprints = ${p.max_auditor_key_fingerprints}`);
      }
      if (msg.atol > BigInt(p.max_atol)) throw invalid(`atol ${msg.atol} exceeds max_atol ${p.max_atol} (parts per 10^12)`);
      if (msg.rtol > BigInt(p.max_rtol)) throw invalid(`rtol ${msg.rtol} exceeds max_rtol ${p.max_rtol} (parts per 10^12)`);
      if (deadlineBlocks > BigInt(p.max_deadline_blocks)) throw invalid(`deadline_blocks ${msg.deadlineBlocks} exceeds max_deadline_blocks ${p.max_deadline_blocks}`);

      bank.sendToModule(ctx, parseAccountAddress(msg.client, "client"), MARKET_ESCROW, [{ denom: BASE_DENOM, amount: escrow }]);
      const task: Task = {
        id: takeTaskId(ctx.store),
        client: msg.client,
        kind: msg.kind,
        programHash: msg.programHash,
        inputCid: msg.inputCid,
        units: msg.units,
        requirements: { minVramMb: req.minVramMb, gpuModels: [...req.models], tier: req.tier, preferredRegion: msg.requirements?.preferredRegion ?? "", runtime: req.runtime, gpus: req.gpus },
        redundancy: msg.redundancy,
        maxPricePerUnit: bidOf(msg).toString(),
        priority: msg.priority,
        deadlineHeight: ctx.block.height + deadlineBlocks,
        verification: msg.verification,
        status: TaskStatus.TASK_STATUS_PENDING,
        escrow: escrow.toString(),
        submitHeight: ctx.block.height,
        retries: 0,
        assignments: [],
        // Until the scheduler looks at it (this block's EndBlock, unless the queue is longer than B).
        pendingReason: PendingReason.NoCapacity,
        excludedWorkers: [],
        statusReason: "submitted",
        updatedHeight: ctx.block.height,
        inputEncrypted: msg.inputEncrypted,
        auditorKeyFingerprints: msg.auditorKeyFingerprints,
        declines: 0,
        declineReason: "",
        atol: msg.atol,
        rtol: msg.rtol,
        logs: [],
        inputBytes: msg.inputBytes,
      };
      putTask(ctx.store, task);
      enqueue(ctx.store, task);
      markOpen(ctx.store, task);
      recordProgramUse(ctx, task);
      emitTaskEvent(ctx.events, TaskEvent.Submitted, task.id, {
        client: msg.client,
        escrow: `${escrow}${BASE_DENOM}`,
        priority: String(msg.priority),
        redundancy: String(msg.redundancy),
        tier: String(req.tier),
      });
      emitStatusChange(ctx.events, task.id, task.client, TaskStatus.TASK_STATUS_UNSPECIFIED, TaskStatus.TASK_STATUS_PENDING, "submitted");
      return { taskId: task.id, escrow: escrow.toString() };
    },
  });

  const msgCancelTask = defineMsg({
    type: OGPU_MSG_TYPES.CancelTask,
    gas: 20_000,
    signers: (msg) => [msg.client],
    validate(msg) {
      parseAccountAddress(msg.client, "client");
      if (msg.taskId === 0n) throw invalid("task_id must be positive");
    },
    handle(ctx, msg) {
      const task = requireTask(ctx, msg.taskId);
      if (task.client !== msg.client) throw marketError(MarketCode.NotTaskClient, `task ${msg.taskId} belongs to ${task.client}, not ${msg.client}`);
      if (task.status !== TaskStatus.TASK_STATUS_PENDING && task.status !== TaskStatus.TASK_STATUS_ASSIGNED) {
        throw marketError(MarketCode.NotCancellable, `task ${msg.taskId} is ${TaskStatus[task.status]}; only PENDING or ASSIGNED tasks can be cancelled`);
      }
      // A committed worker has done the work; its result may already be public after a reveal.
      if (task.assignments.some((a) => a.committed)) {
        throw marketError(MarketCode.NotCancellable, `task ${msg.taskId} has committed results; it settles through Proof of Sync and cannot be cancelled`);
      }
      const refunded = keeper.refundAndClose(ctx, task, TaskStatus.TASK_STATUS_CANCELLED, "cancelled_by_client");
      return { refunded: refunded.toString() };
    },
  });

  const msgDeclineAssignment = defineMsg({
    type: OGPU_MSG_TYPES.DeclineAssignment,
    gas: 20_000,
    signers: (msg) => [msg.worker],
    validate(msg) {
      parseAccountAddress(msg.worker, "worker");
      if (msg.taskId === 0n) throw invalid("task_id must be positive");
      if (!declineReasonClass(msg.reason)) throw invalid("reason must be DECLINE_REASON_INPUT_UNAVAILABLE, _INPUT_UNDECRYPTABLE, _PROGRAM_UNAVAILABLE, _PROGRAM_MISMATCH, _NO_CAPABILITY or _INPUT_OVER_DECLARED");
    },
    handle(ctx, msg) {
      const taskFailed = keeper.declineSlot(ctx, msg.taskId, msg.worker, declineReasonClass(msg.reason)!);
      return { taskFailed };
    },
  });

  const msgPostTaskLog = defineMsg({
    type: OGPU_MSG_TYPES.PostTaskLog,
    gas: 20_000,
    signers: (msg) => [msg.worker],
    validate(msg) {
      parseAccountAddress(msg.worker, "worker");
      if (msg.taskId === 0n) throw invalid("task_id must be positive");
      if (!isBlobCid(msg.logCid)) throw invalid(`log_cid must be a blob CID, ${BLOB_CID_FORM}`);
    },
    handle(ctx, msg) {
      const task = requireTask(ctx, msg.taskId);
      if (keeper.isTerminal(task.status)) throw marketError(MarketCode.TaskEnded, `task ${msg.taskId} is already ${TaskStatus[task.status]}`);
      const slot = task.assignments.find((a) => a.worker === msg.worker);
      if (!slot) throw marketError(MarketCode.NotAssigned, `${msg.worker} holds no slot of task ${msg.taskId}`);
      // One log per assignment: a reassigned worker (new assigned_height) may post again.
      if (task.logs.some((l) => l.worker === msg.worker && l.height >= slot.assignedHeight)) {
        throw marketError(MarketCode.LogAlreadyPosted, `${msg.worker} already posted a log for its assignment to task ${msg.taskId}`);
      }
      if (task.logs.length >= MAX_TASK_LOGS) throw marketError(MarketCode.LogAlreadyPosted, `task ${msg.taskId} already holds ${MAX_TASK_LOGS} logs`);
      task.logs.push({ worker: msg.worker, logCid: msg.logCid, height: ctx.block.height });
      putTask(ctx.store, task);
      emitTaskEvent(ctx.events, TaskEvent.LogPosted, msg.taskId, { worker: msg.worker, log_cid: msg.logCid });
      return {};
    },
  });

  const msgUpdateParams = defineUpdateParamsMsg("market", marketParams, OGPU_MSG_TYPES.UpdateMarketParams);
  return [msgSubmitTask, msgCancelTask, msgDeclineAssignment, msgPostTaskLog, msgUpdateParams];
}
