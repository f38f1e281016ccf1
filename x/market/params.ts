import { defineParams } from "../../app/params.js";
import { MAX_SOLVER_SIDE } from "./solver/lap.js";
import { MAX_TIER } from "../../app/gpu-tiers.js";

const bps = (name: string, v: number, max = 10_000) => {
  if (v < 0 || v > max) throw new Error(`${name} must be in 0..${max}`);
};

/**
 * Market parameters (integers and decimal strings only):
 * - max_tasks_per_block: queue entries the scheduler considers per block (B).
 * - max_new_slots_per_worker: slots one worker can receive in one block (bounds the matrix width).
 * - commit_timeout_blocks: an assigned worker must commit within this many blocks or lose the slot.
 * - max_retries: reassignments after timeouts before the task EXPIRES.
 * - timeout_slash_bps: share of the worker's bond moved to the treasury on a commit timeout.
 * - market_fee_bps: share of each worker payout paid to the treasury at settlement.
 * - max_redundancy: largest k a task may ask for.
 * - max_deadline_blocks: longest deadline (and the default when a task gives 0).
 * - target_utilization_bps / max_base_change_bps / base_price_floor: demand pricing λ per tier.
 * - region_penalty_bps / load_penalty_bps / reliability_credit_bps: scheduler cost terms,
 *   as shares of worker price × units.
 * - task_retention_blocks: an ended task stays queryable this many blocks, then is pruned from
 *   state (its history stays in the tx/event index: docs/market.md).
 * - max_prunes_per_block: most ended tasks one EndBlock prunes (the rest wait a block).
 * - max_worker_checks_per_block: work budget of one block's scheduling, in hardware checks
 *   (worker × listed model, scheduler.ts hardwareChecks), each queued task loaded costing
 *   TASK_LOAD_CHECKS; the queue is served in a rotation that
 *   resumes where the budget ran out, so no task starves.
 * - max_gpu_models: longest requirements.gpu_models list a task may give.
 * - max_due_per_block: commit timeouts and deadlines each handled per block (the rest the next).
 * - submit_gas_per_worker: gas MsgSubmitTask pays per hardware check of its worker scan.
 * - declines_to_fail: distinct workers that must decline a task for the same reason class
 *   before it FAILS as unexecutable (at least the task's k); one worker alone cannot fail it.
 * - unexecutable_fee_bps / unexecutable_fee_min: what a client forfeits (to the treasury, never
 *   to a decliner) when its task fails as unexecutable: this share of the escrow, at least the
 *   minimum (uogpu), at most the whole escrow.
 * - max_auditor_key_fingerprints: longest auditor_key_fingerprints list a task may carry.
 * - max_atol / max_rtol: largest tolerances a VERIFICATION_CLASS_TOLERANCE task may ask for, in
 *   parts per 10^12 (sdk/program-manifest.ts toleranceToPpt; default 10^12 = 1.0). A looser tolerance accepts
 *   more wrong results (docs/verification.md).
 * - max_log_bytes: most bytes of a job's stdout+stderr a worker keeps and uploads as the task's
 *   log (the head and the tail, with a truncation marker between; docs/task-logs.md). Read by the
 *   workers off chain; the chain itself stores only each log's CID.
 * - max_input_bytes: largest input_bytes a MsgSubmitTask may declare (its input, an encrypted
 *   input's payload and a program bundle together; default three 16 MiB node blob caps).
 * - submit_gas_per_kib: gas MsgSubmitTask pays per started KiB of its declared input_bytes, for
 *   the copy of that data every node replicates (docs/storage.md "Who pays").
 */
export const marketParams = defineParams(
  "market/params",
  {
    max_tasks_per_block: 1000,
    max_new_slots_per_worker: 4,
    commit_timeout_blocks: 20,
    max_retries: 3,
    timeout_slash_bps: 100,
    market_fee_bps: 500,
    max_redundancy: 5,
    max_deadline_blocks: 10_000,
    target_utilization_bps: 5000,
    max_base_change_bps: 1250,
    base_price_floor: ["1", "1", "1", "1"] as string[],
    region_penalty_bps: 1000,
    load_penalty_bps: 500,
    reliability_credit_bps: 1000,
    task_retention_blocks: 100_000,
    max_prunes_per_block: 100,
    max_worker_checks_per_block: 20_000,
    max_gpu_models: 16,
    max_due_per_block: 1000,
    submit_gas_per_worker: 100,
    declines_to_fail: 2,
    unexecutable_fee_bps: 1000,
    unexecutable_fee_min: "10000",
    max_auditor_key_fingerprints: 150,
    max_atol: 1_000_000_000_000,
    max_rtol: 1_000_000_000_000,
    max_log_bytes: 65_536,
    max_input_bytes: 3 * 16 * 1024 * 1024,
    submit_gas_per_kib: 20,
  },
  (p) => {
    if (p.max_tasks_per_block < 1 || p.max_tasks_per_block > MAX_SOLVER_SIDE) throw new Error(`max_tasks_per_block must be in 1..${MAX_SOLVER_SIDE}`);
    if (p.max_new_slots_per_worker < 1 || p.max_new_slots_per_worker > 64) throw new Error("max_new_slots_per_worker must be in 1..64");
    if (p.commit_timeout_blocks < 1) throw new Error("commit_timeout_blocks must be at least 1");
    if (p.max_retries < 0 || p.max_retries > 100) throw new Error("max_retries must be in 0..100");
    if (p.max_redundancy < 1 || p.max_redundancy > 16) throw new Error("max_redundancy must be in 1..16");
    if (p.max_deadline_blocks < 1) throw new Error("max_deadline_blocks must be at least 1");
    if (p.task_retention_blocks < 1) throw new Error("task_retention_blocks must be at least 1");
    if (p.max_prunes_per_block < 1 || p.max_prunes_per_block > 10_000) throw new Error("max_prunes_per_block must be in 1..10000");
    bps("timeout_slash_bps", p.timeout_slash_bps);
    bps("market_fee_bps", p.market_fee_bps);
    bps("target_utilization_bps", p.target_utilization_bps);
    if (p.target_utilization_bps === 0) throw new Error("target_utilization_bps must be positive");
    bps("max_base_change_bps", p.max_base_change_bps, 5000);
    bps("region_penalty_bps", p.region_penalty_bps, 5000);
    bps("load_penalty_bps", p.load_penalty_bps, 5000);
    bps("reliability_credit_bps", p.reliability_credit_bps, 5000);
    if (!Number.isSafeInteger(p.max_worker_checks_per_block) || p.max_worker_checks_per_block < 1) throw new Error("max_worker_checks_per_block must be a positive integer");
    if (!Number.isSafeInteger(p.max_gpu_models) || p.max_gpu_models < 1 || p.max_gpu_models > 256) throw new Error("max_gpu_models must be in 1..256");
    if (!Number.isSafeInteger(p.max_due_per_block) || p.max_due_per_block < 1) throw new Error("max_due_per_block must be a positive integer");
    if (!Number.isSafeInteger(p.submit_gas_per_worker) || p.submit_gas_per_worker < 0 || p.submit_gas_per_worker > 1_000_000) throw new Error("submit_gas_per_worker must be in 0..1000000");
    if (p.declines_to_fail < 1 || p.declines_to_fail > 100) throw new Error("declines_to_fail must be in 1..100");
    bps("unexecutable_fee_bps", p.unexecutable_fee_bps);
    if (typeof p.unexecutable_fee_min !== "string" || !/^(0|[1-9][0-9]{0,17})$/.test(p.unexecutable_fee_min)) throw new Error("unexecutable_fee_min must be a decimal uogpu amount");
    if (p.max_auditor_key_fingerprints < 0 || p.max_auditor_key_fingerprints > 1000) throw new Error("max_auditor_key_fingerprints must be in 0..1000");
    for (const [name, v] of [["max_atol", p.max_atol], ["max_rtol", p.max_rtol]] as const) {
      if (!Number.isSafeInteger(v) || v < 0 || v > 1_000_000_000_000_000) throw new Error(`${name} must be an integer in 0..10^18 (parts per 10^12)`);
    }
    if (!Number.isSafeInteger(p.max_log_bytes) || p.max_log_bytes < 1024 || p.max_log_bytes > 16 << 20) throw new Error("max_log_bytes must be in 1024..16777216");
    if (!Number.isSafeInteger(p.max_input_bytes) || p.max_input_bytes < 1024 || p.max_input_bytes > 1 << 30) throw new Error("max_input_bytes must be in 1024..1073741824");
    if (!Number.isSafeInteger(p.submit_gas_per_kib) || p.submit_gas_per_kib < 0 || p.submit_gas_per_kib > 1_000_000) throw new Error("submit_gas_per_kib must be in 0..1000000");
    if (p.base_price_floor.length !== MAX_TIER + 1 || !p.base_price_floor.every((s) => typeof s === "string" && /^[1-9][0-9]{0,11}$/.test(s))) {
      throw new Error(`base_price_floor must list ${MAX_TIER + 1} positive decimal uogpu amounts (one per tier)`);
    }
  },
);

export type MarketParams = ReturnType<typeof marketParams.get>;
