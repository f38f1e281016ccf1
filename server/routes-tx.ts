/**
 * The SDK's tx service (cosmos.tx.v1beta1.Service) at its gateway paths: broadcast (what
 * Keplr's sendTx and explorers' wallets POST), a tx by hash and txs by event query (CometBFT's
 * `tx` and `tx_search` over its kv indexer), and simulate (the app's own Simulate query).
 */
import { BroadcastMode, OrderBy, SimulateRequest, SimulateResponse } from "cosmjs-types/cosmos/tx/v1beta1/service";
import { SIMULATE_PATH } from "../app/query.js";
import { isBeaconTx } from "../app/beacon.js";
import { GrpcCode, GrpcStatusError, runAbciQuery } from "./abci-query.js";
import { cometCall } from "./comet-rpc.js";
import { messageJson } from "./lcd-json.js";
import { bodyBytes, bodyObject, requireComet, type NodeRoute } from "./node-routes.js";
import { invalidArgument, parseEnum, parseUint64, queryParam, type ParamDoc, type QueryParams } from "./routes-table.js";
import { blockTimes, indexedTxJson, txResponseJson, type CometBroadcastJson, type CometTxJson } from "./tx-json.js";

const TX = "/cosmos/tx/v1beta1";

/** Default and largest page of a tx search (CometBFT's own per_page cap is 100). */
const DEFAULT_TX_PAGE = 100n;
const MAX_TX_PAGE = 100n;

const TX_BYTES_FIELD: ParamDoc = { name: "tx_bytes", in: "query", type: "string", description: "the signed tx (TxRaw bytes), base64" };

function parseBroadcastMode(value: unknown): BroadcastMode {
  const text = typeof value === "number" ? String(value) : typeof value === "string" ? value : "";
  if (text === "") throw invalidArgument("invalid broadcast mode: mode is required (BROADCAST_MODE_SYNC or BROADCAST_MODE_ASYNC)");
  return parseEnum(BroadcastMode)("mode", text);
}

const broadcast: NodeRoute = {
  method: "POST",
  path: `${TX}/txs`,
  summary: "Broadcast a signed tx: BROADCAST_MODE_SYNC answers with CheckTx's result, BROADCAST_MODE_ASYNC at once",
  params: [],
  bodyFields: [TX_BYTES_FIELD, { name: "mode", in: "query", type: "string", description: "BROADCAST_MODE_SYNC | BROADCAST_MODE_ASYNC", enum: ["BROADCAST_MODE_SYNC", "BROADCAST_MODE_ASYNC"] }],
  async run(ctx, { body }) {
    const fields = bodyObject(body);
    const txBytes = bodyBytes(fields, "tx_bytes");
    if (txBytes.length === 0) throw invalidArgument("invalid empty tx");
    const mode = parseBroadcastMode(fields.mode);
    if (mode !== BroadcastMode.BROADCAST_MODE_SYNC && mode !== BroadcastMode.BROADCAST_MODE_ASYNC) {
      throw invalidArgument(`unsupported broadcast mode ${BroadcastMode[mode]}; supported modes: BROADCAST_MODE_SYNC, BROADCAST_MODE_ASYNC`);
    }
    const comet = requireComet(ctx);
    const method = mode === BroadcastMode.BROADCAST_MODE_SYNC ? "broadcast_tx_sync" : "broadcast_tx_async";
    const result = await cometCall("broadcast", () => comet.call<CometBroadcastJson>(method, { tx: Buffer.from(txBytes).toString("base64") }));
    return { json: { tx_response: txResponseJson({ height: 0n, txhash: result.hash.toUpperCase(), result }) } };
  },
};

const getTx: NodeRoute = {
  method: "GET",
  path: `${TX}/txs/{hash}`,
  summary: "A committed tx by hash: the decoded tx and its tx_response (events, block time)",
  params: [{ name: "hash", in: "path", type: "string", description: "tx hash, 64 hex characters" }],
  async run(ctx, { params }) {
    const hash = params.hash ?? "";
    if (!/^[0-9A-Fa-f]{64}$/.test(hash)) throw invalidArgument(`invalid tx hash "${hash}": expected 64 hex characters`);
    const comet = requireComet(ctx);
    const tx = await cometCall("tx", () => comet.call<CometTxJson>("tx", { hash: Buffer.from(hash, "hex").toString("base64") })).catch((err: unknown) => {
      // The SDK's wording for an unknown hash.
      if (err instanceof GrpcStatusError && err.grpcCode === GrpcCode.NotFound) throw new GrpcStatusError(GrpcCode.NotFound, `tx not found: ${hash}`);
      throw err;
    });
    if (isBeaconTx(Buffer.from(tx.tx, "base64"))) throw new GrpcStatusError(GrpcCode.NotFound, `tx not found: ${hash} is a block's beacon (vote-extension randomness), not a Cosmos tx`);
    const times = await cometCall("header", () => blockTimes(comet, [tx.height]));
    return { json: indexedTxJson(tx, times.get(tx.height)!) };
  },
};

/** A legacy `events=` condition as a query clause: `a.b=v` gets the quotes CometBFT needs. */
function eventClause(event: string): string {
  const match = /^([\w.-]+)\s*(=|<=|>=|<|>|CONTAINS|EXISTS)\s*(.*)$/.exec(event.trim());
  if (match === null || !match[1]!.includes(".")) throw invalidArgument(`invalid event; event ${event} should be of the format: {eventType}.{eventAttribute}={value}`);
  const value = match[3]!;
  const quoted = match[2] === "=" && !/^'.*'$/.test(value) && !/^\d+$/.test(value) ? `'${value}'` : value;
  return `${match[1]} ${match[2]} ${quoted}`;
}

/** The search query: `query=` as given, else the `events=` conditions joined by AND. */
function searchQuery(query: QueryParams): string {
  const text = queryParam(query, "query");
  if (text !== undefined && text.trim() !== "") return text;
  const raw = query.events;
  const events = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter((e) => e.trim() !== "");
  if (events.length === 0) throw invalidArgument("query cannot be empty");
  return events.map(eventClause).join(" AND ");
}

/** page (1-based) and limit from `page`/`limit`, or from the older `pagination.offset|limit`. */
function searchPage(query: QueryParams): { page: bigint; limit: bigint } {
  const optional = (name: string) => {
    const text = queryParam(query, name);
    return text === undefined || text === "" ? undefined : parseUint64(name, text);
  };
  const limitParam = optional("limit") ?? optional("pagination.limit") ?? DEFAULT_TX_PAGE;
  const limit = limitParam === 0n ? DEFAULT_TX_PAGE : limitParam > MAX_TX_PAGE ? MAX_TX_PAGE : limitParam;
  const page = optional("page");
  if (page !== undefined && page > 0n) return { page, limit };
  const offset = optional("pagination.offset") ?? 0n;
  return { page: offset / limit + 1n, limit };
}

/** CometBFT's order_by: ascending height unless DESC is asked for (as the SDK maps it). */
function cometOrder(orderBy: number): "asc" | "desc" {
  return orderBy === OrderBy.ORDER_BY_DESC ? "desc" : "asc";
}

const searchTxs: NodeRoute = {
  method: "GET",
  path: `${TX}/txs`,
  summary: "Committed txs matching an event query (CometBFT tx_search), one page at a time",
  params: [
    { name: "query", in: "query", type: "string", description: "CometBFT event query, e.g. message.sender='ogpu1…' AND tx.height>5" },
    { name: "events", in: "query", type: "string", description: "older form: repeated {type}.{attribute}={value} conditions, joined by AND" },
    { name: "page", in: "query", type: "integer", description: "page number, from 1 (default 1)" },
    { name: "limit", in: "query", type: "integer", description: `txs per page (default and at most ${MAX_TX_PAGE})` },
    { name: "order_by", in: "query", type: "string", description: "by height", enum: ["ORDER_BY_UNSPECIFIED", "ORDER_BY_ASC", "ORDER_BY_DESC"] },
    { name: "pagination.offset", in: "query", type: "integer", description: "older form of page: txs to skip (a multiple of the limit)" },
    { name: "pagination.limit", in: "query", type: "integer", description: "older form of limit" },
  ],
  async run(ctx, { query }) {
    const search = searchQuery(query);
    const { page, limit } = searchPage(query);
    const orderText = queryParam(query, "order_by");
    const orderBy = orderText === undefined || orderText === "" ? OrderBy.ORDER_BY_UNSPECIFIED : parseEnum(OrderBy)("order_by", orderText);
    const comet = requireComet(ctx);
    const result = await cometCall("tx search", () =>
      comet.call<{ txs: CometTxJson[]; total_count: string }>("tx_search", { query: search, prove: false, page: page.toString(), per_page: limit.toString(), order_by: cometOrder(orderBy) }),
    );
    // A block's beacon tx (no events; only tx.height / tx.hash queries match it) is no Cosmos tx: left out of the page.
    const found = result.txs.filter((t) => !isBeaconTx(Buffer.from(t.tx, "base64")));
    const times = await cometCall("header", () => blockTimes(comet, found.map((t) => t.height)));
    const pairs = found.map((t) => indexedTxJson(t, times.get(t.height)!));
    return {
      json: {
        txs: pairs.map((p) => p.tx),
        tx_responses: pairs.map((p) => p.tx_response),
        // Deprecated in the SDK (total replaces it); older explorers still read pagination.total.
        pagination: { next_key: null, total: result.total_count },
        total: result.total_count,
      },
    };
  },
};

const simulate: NodeRoute = {
  method: "POST",
  path: `${TX}/simulate`,
  summary: "Run a tx without committing it: gas_info (gas used) and its result (events, msg_responses)",
  params: [],
  bodyFields: [TX_BYTES_FIELD],
  async run(ctx, { body }) {
    const fields = bodyObject(body);
    if (fields.tx !== undefined && fields.tx !== null) throw invalidArgument("the JSON `tx` field is not supported: send the encoded tx as tx_bytes");
    const txBytes = bodyBytes(fields, "tx_bytes");
    if (txBytes.length === 0) throw invalidArgument("empty txBytes is not allowed");
    const method = { path: SIMULATE_PATH, request: SimulateRequest, response: SimulateResponse };
    const result = await runAbciQuery(ctx.query, method, SimulateRequest.fromPartial({ txBytes }));
    return { json: messageJson(result.response, SimulateResponse), height: result.height };
  },
};

export const txRoutes: readonly NodeRoute[] = [broadcast, simulate, getTx, searchTxs];
