import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFile, mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DirectSecp256k1Wallet, type AccountData, type OfflineDirectSigner } from "@cosmjs/proto-signing";
import { SigningStargateClient, StargateClient, type StdFee } from "@cosmjs/stargate";
import type { SignDoc } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { deriveKey } from "../crypto/keyring.js";
import { secp256k1PublicKey, signSecp256k1, verifySecp256k1 } from "../crypto/secp256k1.js";
import { initDevnet, portsFrom, rpcStatus, spawnNode, waitForHeight, type DevAccount, type NodeProcess } from "../testnet/devnet.js";
import { printFigures, progress, quantile, type Benchmark, type Figure } from "./report.js";

/**
 * Committed bank-send throughput of a single-node devnet, end to end: cosmjs-signed txs go
 * through CometBFT's RPC, CheckTx, the mempool, consensus, FinalizeBlock and Commit. Txs are
 * signed before the clock starts so the figure is the node's, not the client's signing speed.
 * Knobs (env): BENCH_TX_BLOCK_TIME, BENCH_TX_COUNT, BENCH_TX_ACCOUNTS, BENCH_TX_CONCURRENCY.
 */

const BENCH = "tx";
/** Ports 27400..27403 (the tx benchmark's range is 27400-27499). */
const PORT_BASE = 27400;
const DENOM = "uogpu";
/** 1,000 OGPU each: far below the 420,000 OGPU max wallet, plenty for fees of a few thousand txs. */
const ACCOUNT_COINS = `1000000000${DENOM}`;
const FEE: StdFee = { amount: [{ denom: DENOM, amount: "200" }], gas: "100000" };
/** After the last broadcast, how long to wait for accepted txs to show up in blocks. */
const DRAIN_TIMEOUT_MS = 60_000;
const BLOCK_POLL_MS = 20;
const MIN_WINDOW_S = 20;

interface TxBenchConfig {
  blockTime: string;
  txCount: number;
  accounts: number;
  concurrency: number;
}

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got ${raw}`);
  return n;
}

function readConfig(): TxBenchConfig {
  const accounts = envInt("BENCH_TX_ACCOUNTS", 300);
  // Whole rounds, so every account signs the same number of txs.
  const txCount = Math.ceil(envInt("BENCH_TX_COUNT", 60_000) / accounts) * accounts;
  return {
    // Of 500ms / 1s / 2s, 500ms gave the highest committed rate and the lowest latency here.
    blockTime: process.env.BENCH_TX_BLOCK_TIME || "500ms",
    txCount,
    accounts,
    // CometBFT's ABCI socket client flushes CheckTx requests in ~20 ms batches, so a few dozen
    // requests in flight cap admission at ~1k tx/s no matter how fast the app is; 256 does not.
    concurrency: Math.min(accounts, envInt("BENCH_TX_CONCURRENCY", 256)),
  };
}

/** "1s" / "500ms" → milliseconds (CometBFT duration strings as the devnet accepts them). */
function durationMs(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(text);
  if (!m) throw new Error(`BENCH_TX_BLOCK_TIME must look like 1s or 500ms, got ${text}`);
  return Number(m[1]) * (m[2] === "s" ? 1000 : 1);
}

/** secp256k1 verifications per second on one core over ~1 s: the budget every tx spends once. */
function secp256k1VerifyRate(): number {
  const priv = createHash("sha256").update("tx bench key").digest();
  const pub = secp256k1PublicKey(priv);
  const doc = new Uint8Array(256).map((_, i) => i);
  const sig = signSecp256k1(priv, doc);
  if (!verifySecp256k1(pub, doc, sig)) throw new Error("secp256k1 self-check failed");
  const start = performance.now();
  let calls = 0;
  while (performance.now() - start < 1000) {
    for (let i = 0; i < 50; i++) verifySecp256k1(pub, doc, sig);
    calls += 50;
  }
  return Math.round((calls * 1000) / (performance.now() - start));
}

// ---- JSON-RPC over keep-alive HTTP -------------------------------------------------------

interface RpcReply<T> {
  result?: T;
  error?: { code: number; message: string; data?: string };
}

/** One CometBFT JSON-RPC call over a pooled keep-alive connection. */
function rpc<T>(agent: http.Agent, url: URL, method: string, params: Record<string, string>): Promise<RpcReply<T>> {
  const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method, params });
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")) as RpcReply<T>);
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
interface BenchTx {
  base64: string;
  /** CometBFT's tx hash: uppercase hex sha256 of the tx bytes. */
  hash: string;
  submittedAt?: number;
  committedAt?: number;
  code?: number;
}

/**
 * Many stock cosmjs wallets behind one signer, so one offline client signs for all. Keys are
 * derived once (DirectSecp256k1HdWallet re-derives the HD path on every signature: ~3 ms/tx).
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
async function presign(rpcUrl: string, chainId: string, devAccounts: DevAccount[], perAccount: number): Promise<BenchTx[][]> {
  const wallets = new Map<string, DirectSecp256k1Wallet>();
  const accountData: AccountData[] = [];
  for (const a of devAccounts) {
    const wallet = await DirectSecp256k1Wallet.fromKey((await deriveKey(a.mnemonic, "secp256k1")).privateKey, "ogpu");
    const [account] = await wallet.getAccounts();
    if (account?.address !== a.address) throw new Error(`key of ${a.name} derives ${account?.address}, keyring says ${a.address}`);
    wallets.set(a.address, wallet);
    accountData.push(account);
  }
  const query = await StargateClient.connect(rpcUrl);
  const accountNumbers: bigint[] = [];
  try {
    for (const a of devAccounts) {
      const account = await query.getAccount(a.address);
      if (!account) throw new Error(`genesis account ${a.address} not found on chain`);
      accountNumbers.push(BigInt(account.accountNumber));
    }
  } finally {
    query.disconnect();
  }
  const signer = await SigningStargateClient.offline(multiSigner(wallets, accountData));
  const txs: BenchTx[][] = devAccounts.map(() => []);
  for (let sequence = 0; sequence < perAccount; sequence++) {
    for (let i = 0; i < devAccounts.length; i++) {
      const from = devAccounts[i]!.address;
      const to = devAccounts[(i + 1) % devAccounts.length]!.address;
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

interface BroadcastStats {
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
 * them in order), accounts concurrently, at most `concurrency` requests in flight.
 */
async function broadcastAll(agent: http.Agent, url: URL, perAccount: BenchTx[][], concurrency: number): Promise<BroadcastStats> {
  const stats: BroadcastStats = { accepted: 0, rejected: new Map(), skipped: 0, durationMs: 0 };
  const queues = perAccount.map((txs) => ({ txs, next: 0 }));
  const ready = [...queues];
  const start = performance.now();
  const worker = async () => {
    for (let q = ready.shift(); q; q = ready.shift()) {
      const tx = q.txs[q.next++]!;
      tx.submittedAt = performance.now();
      let failure: string | undefined;
      try {
        const reply = await rpc<{ code: number; codespace: string; log: string }>(agent, url, "broadcast_tx_sync", { tx: tx.base64 });
        if (reply.error) failure = `rpc: ${reply.error.data ?? reply.error.message}`;
        else if (reply.result!.code !== 0) failure = `checktx ${reply.result!.codespace || "?"}/${reply.result!.code}`;
      } catch (err) {
        failure = `http: ${(err as Error).message}`;
      }
      if (failure === undefined) stats.accepted++;
      else {
        bump(stats.rejected, failure);
        stats.skipped += q.txs.length - q.next;
        q.next = q.txs.length;
      }
      if (q.next < q.txs.length) ready.push(q);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  stats.durationMs = performance.now() - start;
  return stats;
}

// ---- watching blocks -----------------------------------------------------------------------

interface ObservedBlock {
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
async function watchBlocks(
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
async function recordCodes(agent: http.Agent, url: URL, blocks: ObservedBlock[]): Promise<void> {
  for (const b of blocks) {
    if (b.benchTxs.length === 0) continue;
    const reply = await rpc<{ txs_results: { code: number }[] | null }>(agent, url, "block_results", { height: String(b.height) });
    const results = reply.result?.txs_results ?? [];
    // Bench txs are the only txs on this chain, so block order = result order.
    b.benchTxs.forEach((tx, i) => (tx.code = results[i]?.code));
  }
}

// ---- where the time goes -------------------------------------------------------------------

/** CPU seconds (user + system) of a process, from /proc; undefined off Linux. */
async function cpuSeconds(pid: number | undefined): Promise<number | undefined> {
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

async function cometbftPid(ogpudPid: number | undefined): Promise<number | undefined> {
  if (ogpudPid === undefined) return undefined;
  try {
    const first = (await readFile(`/proc/${ogpudPid}/task/${ogpudPid}/children`, "utf8")).trim().split(/\s+/)[0];
    return first ? Number(first) : undefined;
  } catch {
    return undefined;
  }
}

/** The node's Prometheus counters and histogram sums the profile needs. */
async function nodeMetrics(restUrl: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${restUrl}/metrics`)).text();
  const values = new Map<string, number>();
  for (const line of text.split("\n")) {
    const m = /^(ogpu_\w+_seconds_(?:sum|count)|ogpu_txs_committed_total|process_cpu_seconds_total) (\S+)$/.exec(line);
    if (m) values.set(m[1]!, Number(m[2]));
  }
  return values;
}

interface ProfileSnapshot {
  metrics: Map<string, number>;
  ogpudCpu?: number;
  cometCpu?: number;
  benchCpu: number;
}

async function profileSnapshot(node: NodeProcess, restUrl: string): Promise<ProfileSnapshot> {
  const usage = process.cpuUsage();
  return {
    metrics: await nodeMetrics(restUrl),
    ogpudCpu: await cpuSeconds(node.proc.pid),
    cometCpu: await cpuSeconds(await cometbftPid(node.proc.pid)),
    benchCpu: (usage.user + usage.system) / 1e6,
  };
}

/** Where the time went between two snapshots, as figures. */
function profileFigures(before: ProfileSnapshot, after: ProfileSnapshot): Figure[] {
  const delta = (name: string) => (after.metrics.get(name) ?? 0) - (before.metrics.get(name) ?? 0);
  const round = (x: number, digits = 2) => Number(x.toFixed(digits));
  const checkCount = delta("ogpu_check_tx_seconds_count");
  const txsCommitted = delta("ogpu_txs_committed_total");
  const figures: Figure[] = [
    { figure: "check_tx_calls", value: checkCount, unit: "calls", note: "CheckTx + recheck" },
    { figure: "check_tx_total_s", value: round(delta("ogpu_check_tx_seconds_sum")), unit: "s" },
    { figure: "check_tx_mean_us", value: round((delta("ogpu_check_tx_seconds_sum") / Math.max(1, checkCount)) * 1e6, 1), unit: "us" },
    { figure: "finalize_block_total_s", value: round(delta("ogpu_finalize_block_seconds_sum")), unit: "s" },
    { figure: "deliver_tx_mean_us", value: round((delta("ogpu_finalize_block_seconds_sum") / Math.max(1, txsCommitted)) * 1e6, 1), unit: "us", note: "FinalizeBlock time per tx" },
    { figure: "commit_total_s", value: round(delta("ogpu_commit_seconds_sum")), unit: "s" },
  ];
  const cpu = (figure: string, a: number | undefined, b: number | undefined) => {
    if (a !== undefined && b !== undefined) figures.push({ figure, value: round(b - a), unit: "cpu-s" });
  };
  cpu("ogpud_cpu_s", before.ogpudCpu, after.ogpudCpu);
  cpu("cometbft_cpu_s", before.cometCpu, after.cometCpu);
  cpu("bench_client_cpu_s", before.benchCpu, after.benchCpu);
  return figures;
}

// ---- the benchmark -------------------------------------------------------------------------

async function runTxBench(): Promise<void> {
  const config = readConfig();
  const perAccount = config.txCount / config.accounts;
  progress(BENCH, `config: block time ${config.blockTime}, ${config.txCount} txs from ${config.accounts} accounts, ${config.concurrency} in flight`);
  const verifyRate = secp256k1VerifyRate();

  const home = await mkdtemp(join(tmpdir(), "ogpu-bench-tx-"));
  let node: NodeProcess | undefined;
  const agent = new http.Agent({ keepAlive: true, maxSockets: config.concurrency + 2 });
  // Ctrl-C: the finally below does not run on a signal, so stop and clean up here too.
  const onSignal = () => void cleanup().finally(() => process.exit(130));
  const cleanup = async () => {
    agent.destroy();
    await node?.stop();
    await rm(home, { recursive: true, force: true });
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const devnet = await initDevnet({
      home,
      ports: portsFrom(PORT_BASE),
      chainId: "ogpu-bench-tx",
      blockTime: config.blockTime,
      checkInvariants: false,
      accounts: Array.from({ length: config.accounts }, (_, i) => ({ name: `bench${i}`, coins: ACCOUNT_COINS })),
    });
    node = spawnNode(home);
    await waitForHeight(devnet.rpcUrl, 2n);
    const rpcUrl = new URL(devnet.rpcUrl);

    const signStart = performance.now();
    const txs = await presign(devnet.rpcUrl, devnet.chainId, devnet.accounts, perAccount);
    const signSeconds = (performance.now() - signStart) / 1000;
    progress(BENCH, `pre-signed ${config.txCount} txs in ${signSeconds.toFixed(1)} s`);
    const byHash = new Map(txs.flat().map((t) => [t.hash, t]));

    const before = await profileSnapshot(node, devnet.restUrl);
    const startHeight = Number((await rpcStatus(devnet.rpcUrl)).height) + 1;
    let broadcast: BroadcastStats | undefined;
    let broadcastEnd = 0;
    const watching = watchBlocks(agent, rpcUrl, startHeight, byHash, (committed) => {
      if (!broadcast) return false;
      return committed >= broadcast.accepted || performance.now() - broadcastEnd > DRAIN_TIMEOUT_MS;
    });
    broadcast = await broadcastAll(agent, rpcUrl, txs, config.concurrency);
    broadcastEnd = performance.now();
    progress(BENCH, `broadcast done in ${(broadcast.durationMs / 1000).toFixed(1)} s: ${broadcast.accepted} accepted; waiting for blocks`);
    const blocks = await watching;
    const after = await profileSnapshot(node, devnet.restUrl);
    await recordCodes(agent, rpcUrl, blocks);

    printFigures(BENCH, txFigures(config, verifyRate, broadcast, blocks, [...byHash.values()]).concat(profileFigures(before, after)));
    for (const [reason, count] of broadcast.rejected) progress(BENCH, `rejected ${count}× ${reason}`);
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    await cleanup();
  }
}

/** The headline figures: committed rate over the window of blocks holding bench txs, etc. */
function txFigures(config: TxBenchConfig, verifyRate: number, broadcast: BroadcastStats, blocks: ObservedBlock[], txs: BenchTx[]): Figure[] {
  const withTxs = blocks.filter((b) => b.benchTxs.length > 0);
  const first = withTxs[0];
  const last = withTxs[withTxs.length - 1];
  // The first block's txs arrived before the window opened, so they are not counted in it.
  const inWindow = first && last ? withTxs.filter((b) => b.height > first.height).reduce((n, b) => n + b.benchTxs.length, 0) : 0;
  const windowS = first && last ? (last.timeMs - first.timeMs) / 1000 : 0;
  const committedTps = windowS > 0 ? Math.round(inWindow / windowS) : 0;
  const committed = txs.filter((t) => t.committedAt !== undefined);
  const succeeded = committed.filter((t) => t.code === 0).length;
  const latencies = committed.map((t) => t.committedAt! - t.submittedAt!).sort((a, b) => a - b);
  const rejected = [...broadcast.rejected.values()].reduce((a, b) => a + b, 0);
  const windowNote = windowS < MIN_WINDOW_S ? `shorter than ${MIN_WINDOW_S} s: raise BENCH_TX_COUNT` : undefined;
  const blockCount = first && last ? last.height - first.height + 1 : 0;
  return [
    { figure: "committed_tps", value: committedTps, unit: "tx/s" },
    { figure: "success_ratio", value: Number((succeeded / txs.length).toFixed(4)), unit: "ratio", note: `${succeeded} of ${txs.length} signed txs committed with code 0` },
    { figure: "latency_p50_ms", value: Math.round(quantile(latencies, 0.5)), unit: "ms", note: "submit → block seen" },
    { figure: "latency_p95_ms", value: Math.round(quantile(latencies, 0.95)), unit: "ms" },
    { figure: "secp256k1_verify_rate", value: verifyRate, unit: "verify/s" },
    { figure: "tps_over_verify_rate", value: Number((committedTps / verifyRate).toFixed(3)), unit: "ratio" },
    { figure: "block_time", value: durationMs(config.blockTime), unit: "ms", note: "timeout_commit" },
    { figure: "window_s", value: Number(windowS.toFixed(1)), unit: "s", note: windowNote },
    { figure: "blocks", value: blockCount, unit: "blocks", note: `${(committed.length / Math.max(1, blockCount)).toFixed(0)} txs/block` },
    { figure: "txs_signed", value: txs.length, unit: "txs" },
    { figure: "checktx_rejected", value: rejected, unit: "txs", note: `+${broadcast.skipped} not sent after their account's reject` },
    { figure: "accepted_not_committed", value: broadcast.accepted - committed.length, unit: "txs" },
    { figure: "broadcast_tps", value: Math.round(broadcast.accepted / (broadcast.durationMs / 1000)), unit: "tx/s", note: "CheckTx admissions" },
  ];
}

export const txBenchmark: Benchmark = {
  name: "tx",
  description: "committed bank-send tx/s, success ratio and inclusion latency on a single-node devnet",
  run: runTxBench,
};
