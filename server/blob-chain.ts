/**
 * What the blob store needs to know about the chain, read through the app's query interface at
 * the last committed height (never the modules' stores): an uploader's balance, and the CIDs
 * that tasks not yet in an end state still name.
 */
import type { RequestQuery, ResponseQuery } from "cosmjs-types/tendermint/abci/types";
import { BASE_DENOM } from "../app/coins.js";
import { PROGRAM_TASK_KIND } from "../app/program-runtimes.js";
import { TaskStatus, VerificationClass, type Task } from "../proto/gen/ogpu/market/v1/market.js";
import { OPEN_TASK_STATUSES } from "../proto/task-status.js";
import { getBalance, getTaskRecord, listTasks, type AbciQuerier } from "../sdk/queries.js";

const HAS_REVEALS = new Set<TaskStatus>([TaskStatus.TASK_STATUS_COMMITTED, TaskStatus.TASK_STATUS_REVEALED, TaskStatus.TASK_STATUS_AUDITING, TaskStatus.TASK_STATUS_DISPUTED]);
const PAGE = 1000;

/** The app's own query method (OgpuApp.query) as the SDK's querier, at the last committed height. */
export function appQuerier(app: { query(req: RequestQuery): ResponseQuery }): AbciQuerier {
  return { abciQuery: async ({ path, data }) => app.query({ path, data, height: 0n, prove: false }) };
}

export function spendableUogpu(rpc: AbciQuerier, account: string): Promise<bigint> {
  return getBalance(rpc, account, BASE_DENOM);
}

/** Input CIDs (and program bundles) of live tasks and the output CIDs their reveals name. */
export async function liveTaskCids(rpc: AbciQuerier): Promise<Set<string>> {
  const { inputs, outputs } = await openTaskCids(rpc);
  return new Set([...inputs, ...outputs]);
}

/**
 * Output CIDs named by tasks not yet settled: nobody has paid for these results yet, so the
 * blob store refuses to serve them (issue 10 item 7) until the task ends. Except a tolerance
 * task under audit: its committee must compare every worker's output (docs/verification.md);
 * every worker has revealed by then, so no withholding can stop the payment any more — only a
 * committee that reaches no 2/3 on some worker fails the task with a refund.
 */
export async function unpaidOutputCids(rpc: AbciQuerier): Promise<Set<string>> {
  const { outputs, auditable } = await openTaskCids(rpc);
  for (const cid of auditable) outputs.delete(cid);
  return outputs;
}

const underToleranceAudit = (task: Task) => task.verification === VerificationClass.VERIFICATION_CLASS_TOLERANCE && task.status === TaskStatus.TASK_STATUS_AUDITING;

/**
 * Input CIDs (and program bundles: kind "program") of tasks not in an end state, the output CIDs their commits sealed and reveals
 * named, and of those the outputs of tolerance tasks under audit (served to their comparers).
 */
async function openTaskCids(rpc: AbciQuerier): Promise<{ inputs: Set<string>; outputs: Set<string>; auditable: Set<string> }> {
  const inputs = new Set<string>();
  const outputs = new Set<string>();
  const auditable = new Set<string>();
  for (const status of OPEN_TASK_STATUSES) {
    let afterId = 0n;
    for (;;) {
      const tasks = await listTasks(rpc, { status, limit: PAGE, afterId });
      for (const task of tasks) {
        if (task.inputCid !== "") inputs.add(task.inputCid);
        // A bundle replicated or fetched for a live task stays until the task ends, as its input does.
        if (task.kind === PROGRAM_TASK_KIND && task.programHash !== "") inputs.add(task.programHash);
        if (!HAS_REVEALS.has(task.status)) continue;
        const record = await getTaskRecord(rpc, task.id);
        for (const result of record?.results ?? []) {
          if (result.outputCid === "") continue;
          outputs.add(result.outputCid);
          if (underToleranceAudit(task)) auditable.add(result.outputCid);
        }
      }
      if (tasks.length < PAGE) break;
      afterId = tasks[tasks.length - 1]!.id;
    }
  }
  return { inputs, outputs, auditable };
}
