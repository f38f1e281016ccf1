/**
 * The chain as the customer page's SDK calls need it, read over the node's REST routes (the
 * browser reaches no CometBFT RPC): REST JSON turned into the shapes sdk/task-io.ts and
 * sdk/events.ts take, so the page seals, follows and opens tasks with the Node SDK's own code.
 */
import { base64 } from "@scure/base";
import { WorkerStatus } from "../../../proto/gen/ogpu/workers/v1/workers";
import { attributesOf, auditorRecipients, REVEAL_EVENT, resultFrom, taskEvents, type CandidateWorker, type Recipient, type TaskEventView, type TaskResult } from "../../../sdk/browser";
import { api, type Task, type TxResponse, type WorkerView } from "../api";

const bytes = (b64: string | null | undefined): Uint8Array => (b64 ? base64.decode(b64) : new Uint8Array());

/** A worker of the REST listing as candidateRecipients reads it. */
export function candidateWorker(view: WorkerView): CandidateWorker {
  const status = WorkerStatus[view.status as keyof typeof WorkerStatus] ?? WorkerStatus.WORKER_STATUS_UNSPECIFIED;
  const w = view.worker;
  return {
    status,
    tier: view.tier,
    worker: {
      operator: w.operator,
      encPubkey: bytes(w.enc_pubkey),
      runtimes: w.runtimes ?? [],
      gpus: (w.gpus ?? []).map((g) => ({ model: g.model, vramMb: BigInt(g.vram_mb ?? "0") })),
    },
  };
}

/** The auditor keys the active validators published, as envelope recipients. */
export async function auditors(): Promise<Recipient[]> {
  const { auditor_keys: keys } = await api.auditorKeys();
  return auditorRecipients(keys.map((k) => ({ validator: k.validator, encPubkey: bytes(k.enc_pubkey) })));
}

/** The latest block height (blob upload signatures are valid for 100 blocks after it). */
export async function latestHeight(): Promise<bigint> {
  return BigInt((await api.latestBlock()).block.header.height);
}

/** The events naming `taskId` in the txs that emitted `eventType` for it, with each tx's height. */
export async function taskTxEvents(taskId: bigint, eventType: string): Promise<{ height: number; events: TaskEventView[] }[]> {
  const { tx_responses: txs } = await api.txsByEvent(`${eventType}.task_id=${taskId}`);
  return txs.filter((t: TxResponse) => t.code === 0).map((t) => ({ height: Number(t.height), events: taskEvents(t.events, taskId) }));
}

/**
 * What a finalised task produced, as OgpuClient.waitForResult reads it (sdk/events.ts
 * resultFrom): the workers' reveals (digest, output CID) and the settlement event
 * (attest_finalized, or attest_resolved after a dispute) when a tx carried it — a block event
 * otherwise, and then the digest every reveal agrees on.
 */
export async function taskResult(task: Task): Promise<TaskResult> {
  const taskId = BigInt(task.id);
  const [reveals, finalized, resolved] = await Promise.all([taskTxEvents(taskId, REVEAL_EVENT), taskTxEvents(taskId, "attest_finalized"), taskTxEvents(taskId, "attest_resolved")]);
  const settled = [...finalized, ...resolved];
  const state = task.status.replace("TASK_STATUS_", "").toLowerCase();
  const height = Number(task.updated_height ?? 0);
  const update = { taskId, state, from: "", reason: "", height, attributes: {}, events: settled.flatMap((s) => s.events), source: "query" as const };
  return resultFrom(update, reveals.flatMap((r) => r.events.filter((e) => e.type === REVEAL_EVENT)));
}

/** An event's attribute from a tx outcome (the first event of `type`). */
export function eventAttribute(events: readonly { type: string; attributes: readonly { key: string; value: string }[] }[], type: string, key: string): string | undefined {
  const event = events.find((e) => e.type === type);
  return event ? attributesOf(event)[key] : undefined;
}
