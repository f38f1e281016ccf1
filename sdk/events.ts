/**
 * Task progress from the chain's events, without knowing the states in advance: every status
 * change of a task emits `task_status{task_id, from, to, reason}` (x/market's keeper, also when
 * x/attest moves a task), so a state added later (e.g. a new Proof-of-Sync phase) reaches
 * clients by name with no SDK change. Alongside each change the update carries every other event
 * of the same tx or block that names the task (task_assigned's worker, attest_finalized's
 * digest, …).
 *
 * This file is pure (no I/O): parsing, ordering and result extraction; sdk/progress.ts feeds it
 * from CometBFT.
 */
import { TERMINAL_TASK_STATUSES } from "../proto/task-status.js";
import { taskStateName } from "./queries.js";

/** An ABCI event as cosmjs' CometBFT client decodes it (attribute keys/values are strings). */
export interface AbciEvent {
  readonly type: string;
  readonly attributes: readonly { readonly key: string; readonly value: string }[];
}

/** One event that names the task, attributes as a plain record. */
export interface TaskEventView {
  type: string;
  attributes: Record<string, string>;
}

/** One state change of a task. */
export interface TaskUpdate {
  taskId: bigint;
  /** The new state as the chain names it, lower case: "pending", "assigned", "committed", … */
  state: string;
  /** The previous state ("unspecified" for the submission itself). */
  from: string;
  /** Why: "submitted", "scheduled", "commit_timeout", "max_retries", "cancelled_by_client", … */
  reason: string;
  /** Block height of the change. */
  height: number;
  /** Attributes of the task_status event (task_id, client, from, to, reason). */
  attributes: Record<string, string>;
  /** Every event of the same tx or block that carries this task_id, in emission order. */
  events: TaskEventView[];
  /** Where the change was seen: a tx or block event, or (after a gap) the task queried by id. */
  source: "tx" | "block" | "query";
}

/** The event every task transition emits. */
export const STATUS_EVENT = "task_status";
/** States after which a task never changes again. */
export const FINAL_STATES: ReadonlySet<string> = new Set(TERMINAL_TASK_STATUSES.map(taskStateName));
/** Final states in which the task produced an agreed result. */
export const SUCCESS_STATES: ReadonlySet<string> = new Set(["finalized", "resolved"]);

export function attributesOf(event: AbciEvent): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of event.attributes) out[a.key] = a.value;
  return out;
}

/** The events among `events` that carry `task_id` = taskId. */
export function taskEvents(events: readonly AbciEvent[], taskId: bigint): TaskEventView[] {
  const id = taskId.toString();
  const out: TaskEventView[] = [];
  for (const e of events) {
    const attributes = attributesOf(e);
    if (attributes.task_id === id) out.push({ type: e.type, attributes });
  }
  return out;
}

/** A transition plus a key that names it uniquely (the same change seen twice has one key). */
export interface KeyedUpdate {
  key: string;
  /** Order within its height when the from/to chain does not decide (tx index, block last). */
  order: number;
  update: TaskUpdate;
}

/**
 * The task's transitions in one tx's or one block's events. `sourceKey` identifies the tx
 * (hash) or block (height), so a change seen live and again by a catch-up search is one change.
 */
export function transitionsIn(events: readonly AbciEvent[], taskId: bigint, height: number, source: "tx" | "block", sourceKey: string, order: number): KeyedUpdate[] {
  const mine = taskEvents(events, taskId);
  const out: KeyedUpdate[] = [];
  for (const e of mine) {
    if (e.type !== STATUS_EVENT) continue;
    const a = e.attributes;
    out.push({
      key: `${source}:${sourceKey}:${out.length}`,
      order,
      update: { taskId, state: a.to ?? "", from: a.from ?? "", reason: a.reason ?? "", height, attributes: a, events: mine, source },
    });
  }
  return out;
}

/**
 * Orders transitions after the state `current`: by height, and within a height by following
 * the from → to chain (a block's events mix BeginBlock and EndBlock, and CometBFT delivers a
 * block's tx and block events on separate subscriptions, so arrival order proves nothing).
 * Returns the chainable prefix and what is left (a gap: an earlier change was not seen).
 */
export function chainOrder(current: string | undefined, updates: readonly KeyedUpdate[]): { ordered: KeyedUpdate[]; rest: KeyedUpdate[] } {
  const rest = [...updates].sort((a, b) => a.update.height - b.update.height || a.order - b.order);
  const ordered: KeyedUpdate[] = [];
  let state = current;
  for (;;) {
    const lowest = rest[0]?.update.height;
    if (lowest === undefined) break;
    const i = rest.findIndex((u) => u.update.height === lowest && (state === undefined || u.update.from === state));
    if (i < 0) break;
    const [next] = rest.splice(i, 1);
    ordered.push(next!);
    state = next!.update.state;
  }
  return { ordered, rest };
}

/** What a finalised task produced, as the chain recorded it. */
export interface TaskResult {
  taskId: bigint;
  state: string;
  height: number;
  /** Hex sha256 digest of the output the workers (and any audit) agreed on; on a tolerance task, the first paid worker's. */
  digest: string;
  /** CID of the output blob revealed with that digest (empty if no reveal was found). */
  outputCid: string;
  /** Workers paid for the result. */
  paidWorkers: string[];
}

/** Events whose `result_digest` is the final one (x/attest: attest_finalized / attest_resolved). */
const SETTLEMENT_EVENTS = ["attest_finalized", "attest_resolved"];
/** Reveal events: each worker's digest and output CID. */
export const REVEAL_EVENT = "attest_reveal";

/**
 * The result of a task that reached FINALIZED/RESOLVED, from its settlement event and the
 * workers' reveal events (which happened in earlier blocks, hence a separate list).
 */
export function resultFrom(update: TaskUpdate, reveals: readonly TaskEventView[]): TaskResult {
  const settlement = update.events.find((e) => SETTLEMENT_EVENTS.includes(e.type));
  const paid = (settlement?.attributes.paid_workers ?? "").split(",").filter(Boolean);
  const settled = settlement?.attributes.result_digest;
  // A tolerance task settles per worker with no single digest (""): any paid worker's output is
  // a verified result; the first paid worker's reveal names it.
  const paidReveal = settled === "" ? reveals.find((r) => paid.includes(r.attributes.worker ?? "")) : undefined;
  const digest = paidReveal?.attributes.result_digest ?? settled ?? agreedDigest(reveals);
  const reveal = paidReveal ?? reveals.find((r) => r.attributes.result_digest === digest && (paid.length === 0 || paid.includes(r.attributes.worker ?? "")));
  return { taskId: update.taskId, state: update.state, height: update.height, digest, outputCid: reveal?.attributes.output_cid ?? "", paidWorkers: paid };
}

/** Without a settlement event (seen only by query): the digest every reveal agrees on, if any. */
function agreedDigest(reveals: readonly TaskEventView[]): string {
  const digests = new Set(reveals.map((r) => r.attributes.result_digest ?? ""));
  return digests.size === 1 ? [...digests][0]! : "";
}

/** A task ended without a result (expired, cancelled, failed). */
export class TaskEndedError extends Error {
  constructor(readonly update: TaskUpdate) {
    super(`task ${update.taskId} ended ${update.state.toUpperCase()} at height ${update.height}: ${update.reason || "no reason given"}`);
    this.name = "TaskEndedError";
  }
}

/** waitForResult gave up before the task reached a final state. */
export class WaitTimeoutError extends Error {
  constructor(
    readonly taskId: bigint,
    readonly lastState: string | undefined,
    timeoutMs: number,
  ) {
    super(`task ${taskId} not final after ${timeoutMs} ms (last state: ${lastState ?? "unknown"})`);
    this.name = "WaitTimeoutError";
  }
}
