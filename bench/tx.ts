import { TEST_PORTS } from "../testnet/ports.js";
import { createHash } from "node:crypto";
import http from "node:http";
import { secp256k1PublicKey, signSecp256k1, verifySecp256k1 } from "../crypto/secp256k1.js";
import { rpcStatus, startTestNode, type NodeProcess } from "../testnet/devnet.js";
import { kvstoreTxs, meanTxSize, startKvstoreNode } from "./kvstore-reference.js";
import { median, printFigures, printRatios, progress, type Benchmark, type Figure } from "./report.js";
import { cometbftPid, cpuSeconds, durationMs, envInt, presign, runLoad, signingAccountsFromMnemonics, throughput, type BenchTx, type BroadcastStats, type ObservedBlock } from "./tx-harness.js";

/**
 * Committed bank-send throughput of a single-node devnet, end to end: cosmjs-signed txs go
 * through CometBFT's RPC, CheckTx, the mempool, consensus, FinalizeBlock and Commit. Txs are
 * signed before the clock starts so the figure is the node's, not the client's signing speed.
 * The shared machinery (signing, broadcasting, block watching) is in tx-harness.ts.
 * The headline is a ratio to CometBFT's kvstore example app behind the same socket
 * (bench/kvstore-reference.ts), measured in interleaved rounds (ogpud, kvstore, ogpud, …).
 * Knobs (env): BENCH_TX_BLOCK_TIME, BENCH_TX_COUNT, BENCH_TX_ACCOUNTS, BENCH_TX_CONCURRENCY,
 * BENCH_TX_ROUNDS (default 2).
 */

const BENCH = "tx";
/** The node's ports, then the kvstore reference's (testnet/ports.ts). */
const PORT_BASE = TEST_PORTS.benchTx.base;
const DENOM = "uogpu";
/** 1,000 OGPU each: far below the 420,000 OGPU max wallet, plenty for fees of a few thousand txs. */
const ACCOUNT_COINS = `1000000000${DENOM}`;
/** After the last broadcast, how long to wait for accepted txs to show up in blocks. */
const DRAIN_TIMEOUT_MS = 60_000;
const MIN_WINDOW_S = 20;

interface TxBenchConfig {
  blockTime: string;
  txCount: number;
  accounts: number;
  concurrency: number;
  /** broadcast_tx_sync calls per JSON-RPC batch request. */
  batch: number;
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
    batch: envInt("BENCH_TX_BATCH", 1),
  };
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

// ---- where the time goes -------------------------------------------------------------------

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

/** One round's headline numbers, ogpud's or the reference's. */
interface RoundResult {
  tps: number;
  p50Blocks: number;
  txSize: number;
}

/** Inclusion latency in blocks: p50 submit→seen over the block time, at least 1. */
function latencyBlocks(latencyMs: number, blockTime: string): number {
  return Number((latencyMs / durationMs(blockTime)).toFixed(2));
}

/** One ogpud round: a fresh devnet, pre-signed bank sends, the load, figures printed. */
async function runOgpudRound(config: TxBenchConfig, verifyRate: number, agent: http.Agent, round: number): Promise<RoundResult> {
  const perAccount = config.txCount / config.accounts;
  const testNode = await startTestNode({
    portBase: PORT_BASE,
    homePrefix: "ogpu-bench-tx-",
    chainId: "ogpu-bench-tx",
    blockTime: config.blockTime,
    checkInvariants: false,
    accounts: Array.from({ length: config.accounts }, (_, i) => ({ name: `bench${i}`, coins: ACCOUNT_COINS })),
  });
  cleanups.add(testNode.cleanup);
  try {
    const { devnet, node } = testNode;
    const rpcUrl = new URL(devnet.rpcUrl);
    const signStart = performance.now();
    const txs = await presign(devnet.rpcUrl, devnet.chainId, await signingAccountsFromMnemonics(devnet.accounts), perAccount);
    progress(BENCH, `round ${round} ogpud: pre-signed ${config.txCount} txs in ${((performance.now() - signStart) / 1000).toFixed(1)} s`);
    const before = await profileSnapshot(node, devnet.restUrl);
    const startHeight = Number((await rpcStatus(devnet.rpcUrl)).height) + 1;
    const { broadcast, blocks } = await runLoad(agent, [rpcUrl], rpcUrl, startHeight, txs, {
      concurrency: config.concurrency,
      batch: config.batch,
      drainTimeoutMs: DRAIN_TIMEOUT_MS,
      onBroadcastDone: (b) => progress(BENCH, `round ${round} ogpud: broadcast done in ${(b.durationMs / 1000).toFixed(1)} s: ${b.accepted} accepted; waiting for blocks`),
    });
    const after = await profileSnapshot(node, devnet.restUrl);
    console.log(`-- round ${round}: ogpud`);
    printFigures(BENCH, txFigures(config, verifyRate, broadcast, blocks, txs.flat()).concat(profileFigures(before, after)));
    for (const [reason, count] of broadcast.rejected) progress(BENCH, `rejected ${count}× ${reason}`);
    const t = throughput(blocks, txs.flat());
    return { tps: t.committedTps, p50Blocks: latencyBlocks(t.latencyP50Ms, config.blockTime), txSize: meanTxSize(txs.flat()) };
  } finally {
    cleanups.delete(testNode.cleanup);
    await testNode.cleanup();
  }
}

/** One reference round: cometbft + `abci-cli kvstore` over the same socket, same-size txs. */
async function runKvstoreRound(config: TxBenchConfig, agent: http.Agent, round: number, txSize: number): Promise<RoundResult> {
  const node = await startKvstoreNode({ portBase: PORT_BASE, blockTime: config.blockTime, transport: "tcp" });
  cleanups.add(node.stop);
  try {
    const rpcUrl = new URL(node.rpcUrl);
    const txs = kvstoreTxs(config.accounts, config.txCount / config.accounts, txSize, `r${round}`);
    const cpuBefore = [await cpuSeconds(node.cometPid), await cpuSeconds(node.appPid)];
    const startHeight = Number((await rpcStatus(node.rpcUrl)).height) + 1;
    const { broadcast, blocks } = await runLoad(agent, [rpcUrl], rpcUrl, startHeight, txs, {
      concurrency: config.concurrency,
      batch: config.batch,
      drainTimeoutMs: DRAIN_TIMEOUT_MS,
      onBroadcastDone: (b) => progress(BENCH, `round ${round} kvstore: broadcast done in ${(b.durationMs / 1000).toFixed(1)} s: ${b.accepted} accepted; waiting for blocks`),
    });
    const cpuAfter = [await cpuSeconds(node.cometPid), await cpuSeconds(node.appPid)];
    const t = throughput(blocks, txs.flat());
    const cpu = (i: number) => (cpuBefore[i] !== undefined && cpuAfter[i] !== undefined ? Number((cpuAfter[i]! - cpuBefore[i]!).toFixed(2)) : Number.NaN);
    console.log(`-- round ${round}: reference (cometbft + abci-cli kvstore over tcp, ${txSize}-byte txs)`);
    printFigures(`${BENCH}-kvstore`, [
      { figure: "committed_tps", value: t.committedTps, unit: "tx/s" },
      { figure: "success_ratio", value: Number((t.succeeded / Math.max(1, txs.flat().length)).toFixed(4)), unit: "ratio" },
      { figure: "latency_p50_ms", value: t.latencyP50Ms, unit: "ms" },
      { figure: "latency_p95_ms", value: t.latencyP95Ms, unit: "ms" },
      { figure: "checktx_rejected", value: [...broadcast.rejected.values()].reduce((a, b) => a + b, 0), unit: "txs" },
      { figure: "cometbft_cpu_s", value: cpu(0), unit: "cpu-s" },
      { figure: "kvstore_cpu_s", value: cpu(1), unit: "cpu-s" },
    ]);
    return { tps: t.committedTps, p50Blocks: latencyBlocks(t.latencyP50Ms, config.blockTime), txSize };
  } finally {
    cleanups.delete(node.stop);
    await node.stop();
  }
}

/** What must be stopped if the run is interrupted (the finally blocks don't run on a signal). */
const cleanups = new Set<() => Promise<void>>();

async function runTxBench(): Promise<void> {
  const config = readConfig();
  const rounds = envInt("BENCH_TX_ROUNDS", 2);
  progress(BENCH, `config: block time ${config.blockTime}, ${config.txCount} txs from ${config.accounts} accounts, ${config.concurrency} requests in flight, ${config.batch} txs per request, ${rounds} interleaved rounds (ogpud, kvstore, …)`);
  const verifyRate = secp256k1VerifyRate();
  const agent = new http.Agent({ keepAlive: true, maxSockets: config.concurrency + 2 });
  const onSignal = () => void Promise.all([...cleanups].map((c) => c())).finally(() => process.exit(130));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const ours: RoundResult[] = [];
    const reference: RoundResult[] = [];
    for (let round = 1; round <= rounds; round++) {
      ours.push(await runOgpudRound(config, verifyRate, agent, round));
      reference.push(await runKvstoreRound(config, agent, round, ours[ours.length - 1]!.txSize));
    }
    console.log(`-- ${rounds} rounds, medians`);
    printRatios(BENCH, [
      { figure: "committed_tps_ratio_to_kvstore_socket", ours: median(ours.map((r) => r.tps)), reference: median(reference.map((r) => r.tps)), unit: "tx/s", referenceName: "kvstore over socket" },
      { figure: "p50_inclusion_blocks_ratio_to_kvstore_socket", ours: median(ours.map((r) => r.p50Blocks)), reference: median(reference.map((r) => r.p50Blocks)), unit: "blocks", referenceName: "kvstore over socket" },
    ]);
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    agent.destroy();
  }
}

/** The headline figures: committed rate over the window of blocks holding bench txs, etc. */
function txFigures(config: TxBenchConfig, verifyRate: number, broadcast: BroadcastStats, blocks: ObservedBlock[], txs: BenchTx[]): Figure[] {
  const t = throughput(blocks, txs);
  const rejected = [...broadcast.rejected.values()].reduce((a, b) => a + b, 0);
  const windowNote = t.windowS < MIN_WINDOW_S ? `shorter than ${MIN_WINDOW_S} s: raise BENCH_TX_COUNT` : undefined;
  return [
    { figure: "committed_tps", value: t.committedTps, unit: "tx/s" },
    { figure: "success_ratio", value: Number((t.succeeded / txs.length).toFixed(4)), unit: "ratio", note: `${t.succeeded} of ${txs.length} signed txs committed with code 0` },
    { figure: "latency_p50_ms", value: t.latencyP50Ms, unit: "ms", note: "submit → block seen" },
    { figure: "latency_p95_ms", value: t.latencyP95Ms, unit: "ms" },
    { figure: "secp256k1_verify_rate", value: verifyRate, unit: "verify/s" },
    { figure: "tps_over_verify_rate", value: Number((t.committedTps / verifyRate).toFixed(3)), unit: "ratio" },
    { figure: "block_time", value: durationMs(config.blockTime), unit: "ms", note: "timeout_commit" },
    { figure: "window_s", value: Number(t.windowS.toFixed(1)), unit: "s", note: windowNote },
    { figure: "blocks", value: t.blocks, unit: "blocks", note: `${(t.committed / Math.max(1, t.blocks)).toFixed(0)} txs/block` },
    { figure: "txs_signed", value: txs.length, unit: "txs" },
    { figure: "checktx_rejected", value: rejected, unit: "txs", note: `+${broadcast.skipped} not sent after their account's reject` },
    { figure: "accepted_not_committed", value: broadcast.accepted - t.committed, unit: "txs" },
    { figure: "broadcast_tps", value: Math.round(broadcast.accepted / (broadcast.durationMs / 1000)), unit: "tx/s", note: "CheckTx admissions" },
  ];
}

export const txBenchmark: Benchmark = {
  name: "tx",
  description: "committed bank-send tx/s and inclusion latency on a single-node devnet, as a ratio to cometbft + abci-cli kvstore over the same socket (interleaved rounds)",
  run: runTxBench,
};
