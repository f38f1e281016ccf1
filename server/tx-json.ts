/**
 * The SDK's tx-service JSON (cosmos.tx.v1beta1) built from CometBFT's raw JSON-RPC results:
 * `tx_response` as the SDK fills it (hex `data`, `raw_log`, events with their index flags, the
 * tx as an Any, the block time to the second) and the tx itself decoded with every message as
 * `{"@type": …}` (lcd-json's Any payloads know every Msg the chain accepts).
 */
import { TxResponse } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import { Tx } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { hexUpper } from "../crypto/bytes.js";
import type { CometRpc } from "./comet-rpc.js";
import { messageJson, type JsonObject } from "./lcd-json.js";

export const TX_TYPE_URL = "/cosmos.tx.v1beta1.Tx";

/** An ABCI event as CometBFT's JSON-RPC prints it (0.38: attribute keys and values are text). */
export interface CometEventJson {
  type: string;
  attributes?: { key: string; value: string; index?: boolean }[] | null;
}

/** ExecTxResult / ResponseCheckTx as CometBFT's JSON-RPC prints them. */
export interface CometTxResultJson {
  code?: number;
  codespace?: string;
  data?: string | null;
  log?: string;
  info?: string;
  gas_wanted?: string;
  gas_used?: string;
  events?: CometEventJson[] | null;
}

/** One result of CometBFT's `tx` / `tx_search`. */
export interface CometTxJson {
  hash: string;
  height: string;
  index: number;
  tx_result: CometTxResultJson;
  /** base64 tx bytes */
  tx: string;
}

/** CometBFT's `broadcast_tx_sync` result (CheckTx's outcome). */
export interface CometBroadcastJson extends CometTxResultJson {
  hash: string;
}

function base64Bytes(text: string | null | undefined): Uint8Array {
  return text ? new Uint8Array(Buffer.from(text, "base64")) : new Uint8Array();
}

/**
 * Block time as the SDK puts it in tx_response.timestamp: RFC 3339 to the second
 * (Go's time.RFC3339); CometBFT prints nanoseconds.
 */
export function txTimestamp(cometTime: string): string {
  return cometTime.replace(/\.\d+Z$/, "Z");
}

/** Block time of each height, one `header` call per distinct height (for tx_response.timestamp). */
export async function blockTimes(comet: Pick<CometRpc, "call">, heights: readonly string[]): Promise<Map<string, string>> {
  const unique = [...new Set(heights)];
  const times = await Promise.all(unique.map((height) => comet.call<{ header: { time: string } }>("header", { height }).then((r) => r.header.time)));
  return new Map(unique.map((height, i) => [height, times[i]!]));
}

/** A tx (TxRaw bytes) decoded as the SDK's JSON Tx: body, auth_info, signatures. */
export function txJson(txBytes: Uint8Array): JsonObject {
  return messageJson(Tx.decode(txBytes), Tx);
}

interface TxResponseFields {
  height: bigint;
  txhash: string;
  result: CometTxResultJson;
  /** The tx bytes, rendered as tx_response.tx (absent for broadcast answers, as in the SDK). */
  txBytes?: Uint8Array;
  timestamp?: string;
}

/** tx_response as the SDK's JSON (cosmos.base.abci.v1beta1.TxResponse). */
export function txResponseJson(fields: TxResponseFields): JsonObject {
  const { result } = fields;
  const response = TxResponse.fromPartial({
    height: fields.height,
    txhash: fields.txhash,
    codespace: result.codespace ?? "",
    code: result.code ?? 0,
    data: hexUpper(base64Bytes(result.data)),
    rawLog: result.log ?? "",
    logs: [],
    info: result.info ?? "",
    gasWanted: BigInt(result.gas_wanted ?? "0"),
    gasUsed: BigInt(result.gas_used ?? "0"),
    tx: fields.txBytes === undefined ? undefined : { typeUrl: TX_TYPE_URL, value: fields.txBytes },
    timestamp: fields.timestamp ?? "",
    events: (result.events ?? []).map((e) => ({
      type: e.type,
      attributes: (e.attributes ?? []).map((a) => ({ key: a.key, value: a.value, index: a.index ?? false })),
    })),
  });
  return messageJson(response, TxResponse);
}

/** One indexed tx as GetTxResponse's pair: the decoded tx and its tx_response. */
export function indexedTxJson(tx: CometTxJson, blockTime: string): { tx: JsonObject; tx_response: JsonObject } {
  const txBytes = base64Bytes(tx.tx);
  return {
    tx: txJson(txBytes),
    tx_response: txResponseJson({ height: BigInt(tx.height), txhash: tx.hash.toUpperCase(), result: tx.tx_result, txBytes, timestamp: txTimestamp(blockTime) }),
  };
}
