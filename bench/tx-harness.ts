import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import http from "node:http";
import { DirectSecp256k1Wallet, type AccountData, type OfflineDirectSigner } from "@cosmjs/proto-signing";
import { SigningStargateClient, StargateClient, type StdFee } from "@cosmjs/stargate";
import type { SignDoc } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { deriveKey } from "../crypto/keyring.js";
import type { DevAccount } from "../testnet/devnet.js";
import { cometbftPid as findCometbftPid } from "../testnet/processes.js";
import { quantile } from "./report.js";

/**
 * The machinery of the committed-tx benchmarks (`tx` on a single-node devnet, `testnet-tx`
 * on a multi-validator testnet): stock cosmjs pre-signing, broadcasting over keep-alive
 * JSON-RPC, watching blocks for the benchmark's txs, and the headline throughput numbers.
 */

export const DENOM = "uogpu";
const FEE: StdFee = { amount: [{ denom: DENOM, amount: "200" }], gas: "40000" };
const BLOCK_POLL_MS = 20;

export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got ${raw}`);
  return n;
}

/** "1s" / "500ms" → milliseconds (CometBFT duration strings as the devnet accepts them). */
export function durationMs(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(text);
  if (!m) throw new Error(`block time must look like 1s or 500ms, got ${text}`);
  return Number(m[1]) * (m[2] === "s" ? 1000 : 1);
}

// ---- JSON-RPC over keep-alive HTTP -------------------------------------------------------

interface RpcReply<T> {
  result?: T;
  error?: { code: number; message: string; data?: string };
}

/** One CometBFT JSON-RPC call over a pooled keep-alive connection. */
export function rpc<T>(agent: http.Agent, url: URL, method: string, params: Record<string, string>): Promise<RpcReply<T>> {
  return postJson<RpcReply<T>>(agent, url, JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }));
}

/**
 * Several calls in one JSON-RPC 2.0 batch (one HTTP request); CometBFT answers them in order.
 * Batching is what a real high-volume client (an exchange, a relayer) does, and it saves
 * both sides an HTTP round trip per tx.
 */
export function rpcBatch<T>(agent: http.Agent, url: URL, calls: { method: string; params: Record<string, string> }[]): Promise<RpcReply<T>[]> {
  const body = JSON.stringify(calls.map((c, id) => ({ jsonrpc: "2.0", id, method: c.method, params: c.params })));
  // CometBFT answers a one-element batch with a bare object.
  return postJson<RpcReply<T>[] | RpcReply<T>>(agent, url, body).then((r) => (Array.isArray(r) ? r : [r]));
}

function postJson<R>(agent: http.Agent, url: URL, body: string): Promise<R> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")) as R);
          } catch (err) {
            reject(err);
          }
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

// ---- pre-signing ---------------------------------------------------------------------------

/** One pre-signed tx and what happened to it. */
export interface BenchTx {
  base64: string;
  /** CometBFT's tx hash: uppercase hex sha256 of the tx bytes. */
  hash: string;
  submittedAt?: number;
  committedAt?: number;
  code?: number;
}

/** An account the benchmark signs for: its address and raw secp256k1 key. */
export interface SigningAccount {
  address: string;
  privateKey: Uint8Array;
}

/** Keyring accounts (mnemonics) as signing accounts, checking each derives its keyring address. */
export async function signingAccountsFromMnemonics(accounts: DevAccount[]): Promise<SigningAccount[]> {
  return Promise.all(
    accounts.map(async (a) => {
      const privateKey = (await deriveKey(a.mnemonic, "secp256k1")).privateKey;
      const [account] = await (await DirectSecp256k1Wallet.fromKey(privateKey, "ogpu")).getAccounts();
      if (account?.address !== a.address) throw new Error(`key of ${a.name} derives ${account?.address}, keyring says ${a.address}`);
      return { address: a.address, privateKey };
    }),
  );
}

/**
 * Many stock cosmjs wallets behind one signer, so one offline client signs for all. Keys are
 * used raw (DirectSecp256k1HdWallet re-derives the HD path on every signature: ~3 ms/tx).
 */
function multiSigner(wallets: Map<string, DirectSecp256k1Wallet>, accounts: AccountData[]): OfflineDirectSigner {
  return {
    getAccounts: async () => accounts,
    signDirect: (address: string, doc: SignDoc) => wallets.get(address)!.signDirect(address, doc),
  };
}

/**
 * Signs `perAccount` sends from each account to the next one, sequences 0..perAccount-1,
 * fully offline (explicit account number, sequence and chain id).
 */
export async function presign(rpcUrl: string, chainId: string, accounts: SigningAccount[], perAccount: number): Promise<BenchTx[][]> {
  const wallets = new Map<string, DirectSecp256k1Wallet>();
  const accountData: AccountData[] = [];
  for (const a of accounts) {
    const wallet = await DirectSecp256k1Wallet.fromKey(a.privateKey, "ogpu");
    const [account] = await wallet.getAccounts();
    if (account?.address !== a.address) throw new Error(`key derives ${account?.address}, expected ${a.address}`);
    wallets.set(a.address, wallet);
    accountData.push(account);
  }
  const query = await StargateClient.connect(rpcUrl);
  const accountNumbers: bigint[] = [];
  try {
    for (const a of accounts) {
      const account = await query.getAccount(a.address);
      if (!account) throw new Error(`genesis account ${a.address} not found on chain`);
      accountNumbers.push(BigInt(account.accountNumber));
    }
  } finally {
    query.disconnect();
  }
  const signer = await SigningStargateClient.offline(multiSigner(wallets, accountData));
  const txs: BenchTx[][] = accounts.map(() => []);
  for (let sequence = 0; sequence < perAccount; sequence++) {
    for (let i = 0; i < accounts.length; i++) {
      const from = accounts[i]!.address;
      const to = accounts[(i + 1) % accounts.length]!.address;
      const send = { typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: from, toAddress: to, amount: [{ denom: DENOM, amount: "1" }] } };
      const raw = await signer.sign(from, [send], FEE, "", { accountNumber: accountNumbers[i]!, sequence, chainId });
      const bytes = TxRaw.encode(raw).finish();
      txs[i]!.push({
        base64: Buffer.from(bytes).toString("base64"),
        hash: createHash("sha256").update(bytes).digest("hex").toUpperCase(),
      });
    }
  }
  return txs;
}

// ---- broadcasting --------------------------------------------------------------------------

export interface BroadcastStats {
  accepted: number;
  /** CheckTx rejections by "codespace/code", and RPC-level errors (e.g. mempool full) by message. */
  rejected: Map<string, number>;
  /** Txs never sent because an earlier tx of the same account was rejected (their sequence is unusable). */
  skipped: number;
  durationMs: number;
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/**
 * Sends every account's txs in sequence order (one in flight per account, so CheckTx sees
 * them in order), accounts concurrently, at most `concurrency` requests in flight. Account i
 * sends to `urls[i % urls.length]` (one node, or spread over a testnet's nodes).
 */
export async function broadcastAll(agent: http.Agent, urls: URL[], perAccount: BenchTx[][], concurrency: number, batch = 1): Promise<BroadcastStats> {
  const stats: BroadcastStats = { accepted: 0, rejected: new Map(), skipped: 0, durationMs: 0 };
  // One URL per group: accounts are spread over nodes by index, groups by account stride.
  const queues = perAccount.map((txs, i) => ({ txs, next: 0, url: urls[i % urls.length]! }));
  const ready = [...queues];
  const start = performance.now();
  const worker = async () => {
    // Each request carries the next tx of up to `batch` different accounts, so every
    // account's txs still reach CheckTx in sequence order.
    for (let group = ready.splice(0, batch); group.length > 0; group = ready.splice(0, batch)) {
      const txs = group.map((q) => q.txs[q.next++]!);
      const now = performance.now();
      for (const tx of txs) tx.submittedAt = now;
      let failures: (string | undefined)[];
      try {
        const replies = await rpcBatch<{ code: number; codespace: string; log: string }>(agent, group[0]!.url, txs.map((tx) => ({ method: "broadcast_tx_sync", params: { tx: tx.base64 } })));
        const byId = new Map(replies.map((r) => [Number((r as { id?: number }).id), r]));
        failures = txs.map((_, i) => {
          const reply = byId.get(i);
          if (!reply) return `rpc: no reply in batch: ${JSON.stringify(replies[0]).slice(0, 160)}`;
          if (reply.error) return `rpc: ${reply.error.data ?? reply.error.message}`;
          return reply.result!.code !== 0 ? `checktx ${reply.result!.codespace || "?"}/${reply.result!.code}` : undefined;
        });
      } catch (err) {
        failures = txs.map(() => `http: ${(err as Error).message}`);
      }
      group.forEach((q, i) => {
        const failure = failures[i];
        if (failure === undefined) stats.accepted++;
        else {
          bump(stats.rejected, failure);
          stats.skipped += q.txs.length - q.next;
          q.next = q.txs.length;
        }
        if (q.next < q.txs.length) ready.push(q);
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  stats.durationMs = performance.now() - start;
  return stats;
}

// ---- watching blocks -----------------------------------------------------------------------

export interface ObservedBlock {
  height: number;
  /** Header time (consensus time), ms since the epoch. */
  timeMs: number;
  /** When this process first saw the block (performance.now()). */
  observedAt: number;
  benchTxs: BenchTx[];
}

interface BlockJson {
  block: { header: { height: string; time: string }; data: { txs: string[] | null } };
}

/** Header time with sub-millisecond digits dropped (RFC 3339 with nanoseconds). */
function headerTimeMs(time: string): number {
  return Date.parse(time.replace(/(\.\d{3})\d*/, "$1"));
}

/**
 * Polls /block height by height from `fromHeight`, matching txs to the benchmark's by hash,
 * until `done(bench txs committed so far)` says so. Blocks without bench txs are kept too (they count in the window).
 */
export async function watchBlocks(
  agent: http.Agent,
  url: URL,
  fromHeight: number,
  byHash: Map<string, BenchTx>,
  done: (committed: number) => boolean,
): Promise<ObservedBlock[]> {
  const blocks: ObservedBlock[] = [];
  let committed = 0;
  for (let height = fromHeight; !done(committed); ) {
    const reply = await rpc<BlockJson>(agent, url, "block", { height: String(height) });
    if (!reply.result) {
      await new Promise((r) => setTimeout(r, BLOCK_POLL_MS));
      continue;
    }
    const observedAt = performance.now();
    const benchTxs: BenchTx[] = [];
    for (const b64 of reply.result.block.data.txs ?? []) {
      const hash = createHash("sha256").update(Buffer.from(b64, "base64")).digest("hex").toUpperCase();
      const tx = byHash.get(hash);
      if (tx) {
        tx.committedAt = observedAt;
        benchTxs.push(tx);
      }
    }
    committed += benchTxs.length;
    blocks.push({ height, timeMs: headerTimeMs(reply.result.block.header.time), observedAt, benchTxs });
    height++;
  }
  return blocks;
}

/** Execution codes of the bench txs in `blocks`, from /block_results (fetched after the run). */
export async function recordCodes(agent: http.Agent, url: URL, blocks: ObservedBlock[]): Promise<void> {
  for (const b of blocks) {
    if (b.benchTxs.length === 0) continue;
    const reply = await rpc<{ txs_results: { code: number }[] | null }>(agent, url, "block_results", { height: String(b.height) });
    const results = reply.result?.txs_results ?? [];
    // Bench txs are the only txs on this chain, so block order = result order.
    b.benchTxs.forEach((tx, i) => (tx.code = results[i]?.code));
  }
}

/**
 * Broadcasts everything while watching `watchUrl`'s blocks from the next height, until every
 * accepted tx is seen in a block or `drainTimeoutMs` passed after the last broadcast; then
 * records each committed tx's execution code.
 */
export async function runLoad(
  agent: http.Agent,
  sendTo: URL[],
  watchUrl: URL,
  startHeight: number,
  txs: BenchTx[][],
  opts: { concurrency: number; batch?: number; drainTimeoutMs: number; onBroadcastDone?: (stats: BroadcastStats) => void },
): Promise<{ broadcast: BroadcastStats; blocks: ObservedBlock[] }> {
  const byHash = new Map(txs.flat().map((t) => [t.hash, t]));
  let broadcast: BroadcastStats | undefined;
  let broadcastEnd = 0;
  const watching = watchBlocks(agent, watchUrl, startHeight, byHash, (committed) => {
    if (!broadcast) return false;
    return committed >= broadcast.accepted || performance.now() - broadcastEnd > opts.drainTimeoutMs;
  });
  broadcast = await broadcastAll(agent, sendTo, txs, opts.concurrency, opts.batch);
  broadcastEnd = performance.now();
  opts.onBroadcastDone?.(broadcast);
  const blocks = await watching;
  await recordCodes(agent, watchUrl, blocks);
  return { broadcast, blocks };
}

// ---- the headline numbers ------------------------------------------------------------------

export interface Throughput {
  /** Bench txs committed per second of consensus time, over the blocks holding them. */
  committedTps: number;
  windowS: number;
  /** Blocks from the first to the last holding bench txs. */
  blocks: number;
  committed: number;
  succeeded: number;
  latencyP50Ms: number;
  latencyP95Ms: number;
}

export function throughput(blocks: ObservedBlock[], txs: BenchTx[]): Throughput {
  const withTxs = blocks.filter((b) => b.benchTxs.length > 0);
  const first = withTxs[0];
  const last = withTxs[withTxs.length - 1];
  // The first block's txs arrived before the window opened, so they are not counted in it.
  const inWindow = first && last ? withTxs.filter((b) => b.height > first.height).reduce((n, b) => n + b.benchTxs.length, 0) : 0;
  const windowS = first && last ? (last.timeMs - first.timeMs) / 1000 : 0;
  const committed = txs.filter((t) => t.committedAt !== undefined);
  const latencies = committed.map((t) => t.committedAt! - t.submittedAt!).sort((a, b) => a - b);
  return {
    committedTps: windowS > 0 ? Math.round(inWindow / windowS) : 0,
    windowS,
    blocks: first && last ? last.height - first.height + 1 : 0,
    committed: committed.length,
    succeeded: committed.filter((t) => t.code === 0).length,
    latencyP50Ms: Math.round(quantile(latencies, 0.5)),
    latencyP95Ms: Math.round(quantile(latencies, 0.95)),
  };
}

// ---- process CPU ---------------------------------------------------------------------------

/** CPU seconds (user + system) of a process, from /proc; undefined off Linux. */
export async function cpuSeconds(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    // Fields after the ")" of the command name: state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / clockTicks();
  } catch {
    return undefined;
  }
}

let ticks: number | undefined;
function clockTicks(): number {
  ticks ??= Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  return ticks;
}

/** The cometbft child of an ogpud process (testnet/processes.ts finds it by its command line). */
export async function cometbftPid(ogpudPid: number | undefined): Promise<number | undefined> {
  return ogpudPid === undefined ? undefined : findCometbftPid(ogpudPid);
}
