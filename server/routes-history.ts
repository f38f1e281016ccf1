/**
 * Recent slashes and audits, for dashboards: read from the node's CometBFT event index (tx_search
 * for events of txs, block_search + block_results for those of FinalizeBlock), not from app
 * state — the chain keeps no history of them, and these routes add none. What CometBFT has
 * indexed is what they show (a node that prunes or disables its indexer shows less).
 */
import { TaskStatus } from "../proto/gen/ogpu/market/v1/market.js";
import { QueryTaskRequest, QueryTaskResponse } from "../proto/gen/ogpu/market/v1/query.js";
import { runAbciQuery } from "./abci-query.js";
import { cometCall, type CometRpc } from "./comet-rpc.js";
import type { JsonObject } from "./lcd-json.js";
import { requireComet, type NodeRoute, type NodeRouteContext } from "./node-routes.js";
import { invalidArgument, parseUint64, queryMethod, queryParam, type ParamDoc, type QueryParams } from "./routes-table.js";
import type { CometEventJson, CometTxJson } from "./tx-json.js";

const HISTORY = "/ogpu/history/v1";
const DEFAULT_LIMIT = 20n;
/** Each search asks CometBFT for this many matches at most (one page), so a request is bounded. */
export const MAX_HISTORY_LIMIT = 50n;

const LIMIT_PARAM: ParamDoc = { name: "limit", in: "query", type: "integer", description: `most entries, newest first (default ${DEFAULT_LIMIT}, at most ${MAX_HISTORY_LIMIT})` };

/** The events of one tx or one block's FinalizeBlock, in emission order, with their height. */
export interface EventList {
  height: bigint;
  events: CometEventJson[];
}

/** An event's attribute by key ("" when absent). */
export function attr(event: CometEventJson, key: string): string {
  return event.attributes?.find((a) => a.key === key)?.value ?? "";
}

function parseLimit(query: QueryParams): number {
  const text = queryParam(query, "limit");
  const limit = text === undefined || text === "" ? DEFAULT_LIMIT : parseUint64("limit", text);
  if (limit === 0n || limit > MAX_HISTORY_LIMIT) throw invalidArgument(`limit must be between 1 and ${MAX_HISTORY_LIMIT}, got ${limit}`);
  return Number(limit);
}

/**
 * The newest event lists holding a `key` attribute (an indexed one; equal to `value` when given) of event `type`: the txs
 * (tx_search) and blocks (block_search, then block_results) that emitted it, newest first.
 */
export async function recentEventLists(comet: Pick<CometRpc, "call">, type: string, key: string, limit: number, value?: string): Promise<EventList[]> {
  const query = value === undefined ? `${type}.${key} EXISTS` : `${type}.${key}='${value}'`;
  const perPage = String(limit);
  const [txs, blocks] = await Promise.all([
    cometCall("tx search", () => comet.call<{ txs: CometTxJson[] }>("tx_search", { query, prove: false, page: "1", per_page: perPage, order_by: "desc" })),
    cometCall("block search", () => comet.call<{ blocks: { block: { header: { height: string } } }[] }>("block_search", { query, page: "1", per_page: perPage, order_by: "desc" })),
  ]);
  const fromBlocks = await Promise.all(
    blocks.blocks.map(async (b) => {
      const height = b.block.header.height;
      const results = await cometCall("block results", () => comet.call<{ finalize_block_events?: CometEventJson[] | null }>("block_results", { height }));
      return { height: BigInt(height), events: results.finalize_block_events ?? [] };
    }),
  );
  const fromTxs = txs.txs.map((t) => ({ height: BigInt(t.height), events: t.tx_result.events ?? [] }));
  return [...fromTxs, ...fromBlocks].sort((a, b) => (a.height > b.height ? -1 : a.height < b.height ? 1 : 0));
}

/** One slash: who lost what, why, at which height (amount in uogpu). */
export interface SlashEntry {
  height: bigint;
  subject: "worker" | "validator";
  address: string;
  reason: string;
  amount: string;
  taskId: string;
}

/** "123uogpu" → "123". */
const amountOf = (coin: string) => coin.replace(/[a-z]+$/, "");

/**
 * A validator's stake slash (x/staking's `slash`, the one with a `validator` attribute) is
 * followed, in the same list, by the event that says why: x/slashing's `slash` (reason
 * double_sign / missing_signature) or x/attest's auditor_absent / auditor_wrong.
 */
function validatorReason(events: CometEventJson[], from: number): { reason: string; taskId: string } {
  for (const e of events.slice(from + 1)) {
    if (e.type === "slash" && attr(e, "reason") !== "") return { reason: attr(e, "reason"), taskId: "" };
    if (e.type === "attest_auditor_absent") return { reason: `auditor_absent (${attr(e, "reason") || "absent"})`, taskId: attr(e, "task_id") };
    if (e.type === "attest_auditor_wrong") return { reason: "auditor_wrong", taskId: attr(e, "task_id") };
  }
  return { reason: "unknown", taskId: "" };
}

/** Every slash one event list records: workers' bonds (x/workers, x/attest) and validators' stake. */
export function slashesIn(list: EventList): SlashEntry[] {
  const out: SlashEntry[] = [];
  list.events.forEach((e, i) => {
    const base = { height: list.height, taskId: attr(e, "task_id") };
    if (e.type === "worker_slashed") out.push({ ...base, subject: "worker", address: attr(e, "operator"), reason: attr(e, "reason"), amount: amountOf(attr(e, "amount")) });
    else if (e.type === "attest_wrong_result") out.push({ ...base, subject: "worker", address: attr(e, "worker"), reason: "wrong_result", amount: attr(e, "slashed") });
    else if (e.type === "attest_reveal_timeout" && attr(e, "held") === "true") out.push({ ...base, subject: "worker", address: attr(e, "worker"), reason: "reveal_withheld", amount: attr(e, "slashed") });
    else if (e.type === "slash" && attr(e, "validator") !== "") {
      out.push({ height: list.height, subject: "validator", address: attr(e, "validator"), amount: amountOf(attr(e, "burned_coins")), ...validatorReason(list.events, i) });
    }
  });
  return out;
}

/** Where slashes are searched: each event type that records one, and its indexed attribute naming who was slashed. */
const SLASH_SOURCES: readonly [type: string, who: string][] = [
  ["worker_slashed", "operator"],
  ["attest_wrong_result", "worker"],
  ["attest_reveal_timeout", "worker"],
  ["slash", "validator"],
];

const ADDRESS_PARAM: ParamDoc = { name: "address", in: "query", type: "string", description: "only slashes of this worker operator (ogpu1…) or validator (ogpuvaloper1…)" };

/** The address filter, checked to be bech32 text before it goes into an index query. */
function parseAddress(query: QueryParams): string | undefined {
  const text = queryParam(query, "address");
  if (text === undefined || text === "") return undefined;
  if (!/^[a-z]{1,20}1[a-z0-9]{6,100}$/.test(text)) throw invalidArgument(`invalid address "${text}": expected a bech32 address`);
  return text;
}

/** One audit or dispute committee: the task, its members, when it was drawn, and how the task stands now. */
export interface AuditEntry {
  height: bigint;
  taskId: string;
  kind: string;
  members: string[];
  deadline: string;
}

/** Committees drawn in one event list (`audit_open`, the opening of an audit's seals, is no new committee). */
export function auditsIn(list: EventList): AuditEntry[] {
  return list.events
    .filter((e) => e.type === "attest_committee" && attr(e, "kind") !== "audit_open")
    .map((e) => ({ height: list.height, taskId: attr(e, "task_id"), kind: attr(e, "kind"), members: attr(e, "members").split(",").filter((m) => m !== ""), deadline: attr(e, "deadline") }));
}

/** Entries of every list, newest first, duplicates (one list found by two searches) once. */
function newest<T extends { height: bigint }>(lists: EventList[][], extract: (l: EventList) => T[], limit: number): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const list of lists.flat().sort((a, b) => (a.height > b.height ? -1 : a.height < b.height ? 1 : 0))) {
    for (const entry of extract(list)) {
      const key = JSON.stringify(entry, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(entry);
    }
  }
  return out.slice(0, limit);
}

const TASK = queryMethod("/ogpu.market.v1.Query/Task", QueryTaskRequest, QueryTaskResponse);

/** The task's status now ("" when the chain no longer has it). */
async function taskStatus(ctx: NodeRouteContext, taskId: string): Promise<string> {
  try {
    const { response } = await runAbciQuery(ctx.query, TASK, { taskId: BigInt(taskId) });
    return response.task === undefined ? "" : TaskStatus[response.task.status] ?? "";
  } catch {
    return "";
  }
}

const recentSlashes: NodeRoute = {
  method: "GET",
  path: `${HISTORY}/slashes`,
  summary: "Recent slashes of worker bonds and validator stake, newest first, with reason, amount (uogpu) and height, from CometBFT's event index",
  params: [LIMIT_PARAM, ADDRESS_PARAM],
  async run(ctx, { query }) {
    const limit = parseLimit(query);
    const address = parseAddress(query);
    const comet = requireComet(ctx);
    const lists = await Promise.all(SLASH_SOURCES.map(([type, who]) => recentEventLists(comet, type, who, limit, address)));
    const slashes = newest(lists, slashesIn, limit).filter((s) => address === undefined || s.address === address);
    return {
      json: {
        slashes: slashes.map((s): JsonObject => ({ height: s.height.toString(), subject: s.subject, address: s.address, reason: s.reason, amount: s.amount, task_id: s.taskId })),
      },
    };
  },
};

const recentAudits: NodeRoute = {
  method: "GET",
  path: `${HISTORY}/audits`,
  summary: "Recent audit and dispute committees, newest first: task, members, draw height, deadline, and the task's status now",
  params: [LIMIT_PARAM],
  async run(ctx, { query }) {
    const limit = parseLimit(query);
    const comet = requireComet(ctx);
    const audits = newest([await recentEventLists(comet, "attest_committee", "task_id", limit)], auditsIn, limit);
    const statuses = await Promise.all(audits.map((a) => taskStatus(ctx, a.taskId)));
    return {
      json: {
        audits: audits.map((a, i): JsonObject => ({ height: a.height.toString(), task_id: a.taskId, kind: a.kind, members: a.members, deadline: a.deadline, task_status: statuses[i]! })),
      },
    };
  },
};

export const historyRoutes: readonly NodeRoute[] = [recentSlashes, recentAudits];
