import { createHash } from "node:crypto";
import http from "node:http";
import { secp256k1PublicKey, signSecp256k1, verifySecp256k1 } from "../crypto/secp256k1.js";
import { rpcStatus, startTestNode, type NodeProcess, type TestNode } from "../testnet/devnet.js";
import { printFigures, progress, type Benchmark, type Figure } from "./report.js";
import { cometbftPid, cpuSeconds, durationMs, envInt, presign, runLoad, signingAccountsFromMnemonics, throughput, type BenchTx, type BroadcastStats, type ObservedBlock } from "./tx-harness.js";

/**
 * Committed bank-send throughput of a single-node devnet, end to end: cosmjs-signed txs go
 * through CometBFT's RPC, CheckTx, the mempool, consensus, FinalizeBlock and Commit. Txs are
 * signed before the clock starts so the figure is the node's, not the client's signing speed.
 * The shared machinery (signing, broadcasting, block watching) is in tx-harness.ts.
 * Knobs (env): BENCH_TX_BLOCK_TIME, BENCH_TX_COUNT, BENCH_TX_ACCOUNTS, BENCH_TX_CONCURRENCY.
 */

const BENCH = "tx";
/** Ports 27400..27403 (the tx benchmark's range is 27400-27499). */
const PORT_BASE = 27400;
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

async function runTxBench(): Promise<void> {
  const config = readConfig();
  const perAccount = config.txCount / config.accounts;
  progress(BENCH, `config: block time ${config.blockTime}, ${config.txCount} txs from ${config.accounts} accounts, ${config.concurrency} requests in flight, ${config.batch} txs per request`);
  const verifyRate = secp256k1VerifyRate();

  let testNode: TestNode | undefined;
  const agent = new http.Agent({ keepAlive: true, maxSockets: config.concurrency + 2 });
  // Ctrl-C: the finally below does not run on a signal, so stop and clean up here too.
  const onSignal = () => void cleanup().finally(() => process.exit(130));
  const cleanup = async () => {
    agent.destroy();
    await testNode?.cleanup();
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    testNode = await startTestNode({
      portBase: PORT_BASE,
      homePrefix: "ogpu-bench-tx-",
      chainId: "ogpu-bench-tx",
      blockTime: config.blockTime,
      checkInvariants: false,
      accounts: Array.from({ length: config.accounts }, (_, i) => ({ name: `bench${i}`, coins: ACCOUNT_COINS })),
    });
    const { devnet, node } = testNode;
    const rpcUrl = new URL(devnet.rpcUrl);

    const signStart = performance.now();
    const txs = await presign(devnet.rpcUrl, devnet.chainId, await signingAccountsFromMnemonics(devnet.accounts), perAccount);
    const signSeconds = (performance.now() - signStart) / 1000;
    progress(BENCH, `pre-signed ${config.txCount} txs in ${signSeconds.toFixed(1)} s`);

    const before = await profileSnapshot(node, devnet.restUrl);
    const startHeight = Number((await rpcStatus(devnet.rpcUrl)).height) + 1;
    const { broadcast, blocks } = await runLoad(agent, [rpcUrl], rpcUrl, startHeight, txs, {
      concurrency: config.concurrency,
      batch: config.batch,
      drainTimeoutMs: DRAIN_TIMEOUT_MS,
      onBroadcastDone: (b) => progress(BENCH, `broadcast done in ${(b.durationMs / 1000).toFixed(1)} s: ${b.accepted} accepted; waiting for blocks`),
    });
    const after = await profileSnapshot(node, devnet.restUrl);

    printFigures(BENCH, txFigures(config, verifyRate, broadcast, blocks, txs.flat()).concat(profileFigures(before, after)));
    for (const [reason, count] of broadcast.rejected) progress(BENCH, `rejected ${count}× ${reason}`);
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    await cleanup();
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
  description: "committed bank-send tx/s, success ratio and inclusion latency on a single-node devnet",
  run: runTxBench,
};
