/**
 * The node's own CometBFT RPC, as the LCD's tx service and base/tendermint routes reach it:
 * broadcast, tx lookups and searches (CometBFT's kv indexer), blocks, validator sets and node
 * status live in CometBFT, not in app state, so — as in the SDK — these routes ask CometBFT.
 * A stock cosmjs Comet38Client does the JSON-RPC; it connects on first use, because the REST
 * server starts before the cometbft child it talks to.
 */
import { Comet38Client } from "@cosmjs/tendermint-rpc";
import { GrpcCode, GrpcStatusError } from "./abci-query.js";

/** Decoded CometBFT calls (blocks, validator sets, status): a subset of Comet38Client. */
export type CometClient = Pick<Comet38Client, "block" | "validatorsAll" | "status">;

/**
 * The node's CometBFT RPC: cosmjs' decoded client for blocks, validator sets and status, and
 * plain JSON-RPC for txs, whose raw results keep what cosmjs drops (each event attribute's
 * `index` flag, the tx bytes as sent).
 */
export interface CometRpc {
  client(): Promise<CometClient>;
  call<T>(method: string, params: Record<string, unknown>): Promise<T>;
}

/** CometBFT's RPC at `rpcUrl` (http://host:port); the cosmjs client is created on first use. */
export function cometRpc(rpcUrl: string): CometRpc {
  let client: Promise<CometClient> | undefined;
  let nextId = 1;
  return {
    client() {
      client ??= Comet38Client.connect(rpcUrl).catch((err: unknown) => {
        client = undefined;
        throw err;
      });
      return client;
    },
    async call<T>(method: string, params: Record<string, unknown>): Promise<T> {
      const res = await fetch(rpcUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params }),
      });
      const body = (await res.json()) as { result?: T; error?: { message?: string; data?: string } };
      if (body.error !== undefined || body.result === undefined) throw new Error(`CometBFT ${method}: ${JSON.stringify(body.error ?? body)}`);
      return body.result;
    },
  };
}

/**
 * CometBFT's `[rpc] laddr` (tcp://0.0.0.0:26657, unix sockets aside) as the http URL this
 * process dials: a wildcard listen address is reached on loopback.
 */
export function rpcUrlFromLaddr(laddr: string): string {
  const match = /^(?:tcp:\/\/)?([^:]*):(\d+)$/.exec(laddr.trim());
  if (match === null) throw new Error(`unsupported CometBFT rpc laddr "${laddr}" (expected tcp://host:port)`);
  const host = match[1] === "" || match[1] === "0.0.0.0" ? "127.0.0.1" : match[1] === "::" ? "[::1]" : match[1]!;
  return `http://${host}:${match[2]}`;
}

/**
 * Runs one CometBFT call; a failure to reach it is Unavailable (503), and an RPC error whose
 * text says "not found" is NotFound (404) — how CometBFT reports an unknown tx or height.
 */
export async function cometCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof GrpcStatusError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    if (/not found|is not available|could not find/i.test(message)) {
      throw new GrpcStatusError(GrpcCode.NotFound, `${what}: ${cometErrorText(message)}`);
    }
    if (/fetch failed|ECONNREFUSED|socket hang up|network/i.test(message)) {
      throw new GrpcStatusError(GrpcCode.Unavailable, `${what}: CometBFT RPC unavailable: ${message}`);
    }
    throw new GrpcStatusError(GrpcCode.InvalidArgument, `${what}: ${cometErrorText(message)}`);
  }
}

/** cosmjs reports an RPC error as `Error: {"code":-32603,"message":"…","data":"…"}`; keep the readable part. */
function cometErrorText(message: string): string {
  const json = /\{[\s\S]*\}/.exec(message)?.[0];
  if (json === undefined) return message;
  try {
    const parsed = JSON.parse(json) as { message?: unknown; data?: unknown };
    return typeof parsed.data === "string" && parsed.data !== "" ? parsed.data : String(parsed.message ?? message);
  } catch {
    return message;
  }
}
