import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { DirectSecp256k1Wallet } from "@cosmjs/proto-signing";
import { rpcStatus, waitForHeight } from "../testnet/devnet.js";
import { offsetPort, portAt, TEST_PORTS } from "../testnet/ports.js";
import { createTestnet, startTestnetNode, stopTestnetNode, testnetNodePid, type Testnet } from "../testnet/testnet.js";
import { kvstoreTxs, meanTxSize, startKvstoreTestnet, type KvstoreTestnet } from "./kvstore-reference.js";
import { median, printFigures, printRatios, progress, type Benchmark, type Figure } from "./report.js";
import { cometbftPid, cpuSeconds, DENOM, durationMs, envInt, presign, runLoad, throughput, type BenchTx, type BroadcastStats, type SigningAccount, type Throughput } from "./tx-harness.js";

/**
 * Committed cosmjs bank sends/s and inclusion latency on an N-validator loopback testnet
 * (default 4), as a ratio to N cometbft + `abci-cli kvstore` validators built from the same
 * homes (bench/kvstore-reference.ts) under the same load with same-size txs, in interleaved
 * rounds: what any app behind a socket reaches with the same replication and consensus.
 * Each network is created by createTestnet (gentxs, persistent peers, invariants off), its
 * bench accounts funded in genesis; txs are pre-signed, then broadcast spread over all nodes.
 * Knobs (env): BENCH_TESTNET_VALIDATORS, BENCH_TESTNET_TX_COUNT, BENCH_TX_ACCOUNTS,
 * BENCH_TX_CONCURRENCY, BENCH_TX_BLOCK_TIME, BENCH_TESTNET_ROUNDS (default 1).
 */

const BENCH = "testnet-tx";
/**
 * Node i at +10i of this benchmark's range (testnet/ports.ts), shifted by OGPU_PORT_OFFSET; the
 * kvstore reference reuses the ports after it. portAt refuses more validators than the range holds.
 */
function testnetPortBase(validators: number): number {
  portAt(TEST_PORTS.benchTestnetTx, 10 * validators - 1);
  return offsetPort(TEST_PORTS.benchTestnetTx.base);
}
/** 1,000 OGPU each: far below the max wallet, plenty for the fees. */
const ACCOUNT_UOGPU = 1_000_000_000n;
const DRAIN_TIMEOUT_MS = 60_000;

interface Config {
  validators: number;
  txCount: number;
  accounts: number;
  concurrency: number;
  /** broadcast_tx_sync calls per JSON-RPC batch request. */
  batch: number;
  blockTime: string;
}

function readConfig(): Config {
  const accounts = envInt("BENCH_TX_ACCOUNTS", 300);
  return {
    validators: envInt("BENCH_TESTNET_VALIDATORS", 4),
    // Whole rounds, so every account signs the same number of txs.
    txCount: Math.ceil(envInt("BENCH_TESTNET_TX_COUNT", 30_000) / accounts) * accounts,
    accounts,
    concurrency: Math.min(accounts, envInt("BENCH_TX_CONCURRENCY", 256)),
    batch: envInt("BENCH_TX_BATCH", 1),
    blockTime: process.env.BENCH_TX_BLOCK_TIME || "500ms",
  };
}

/** Deterministic bench keys (no keyring: they only need to be funded in genesis). */
async function benchAccounts(count: number): Promise<SigningAccount[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const privateKey = createHash("sha256").update(`ogpu testnet-tx bench account ${i}`).digest();
      const [account] = await (await DirectSecp256k1Wallet.fromKey(privateKey, "ogpu")).getAccounts();
      return { address: account!.address, privateKey };
    }),
  );
}

/** CPU seconds used so far by all nodes' ogpud processes and their cometbft children. */
async function nodesCpu(testnet: Testnet): Promise<{ ogpud: number; cometbft: number }> {
  const sum = { ogpud: 0, cometbft: 0 };
  for (const node of testnet.nodes) {
    const pid = testnetNodePid(node);
    sum.ogpud += (await cpuSeconds(pid)) ?? 0;
    sum.cometbft += (await cpuSeconds(await cometbftPid(pid))) ?? 0;
  }
  return sum;
}

interface Measurement {
  throughput: Throughput;
  broadcast: BroadcastStats;
  txsSigned: number;
  /** CPU seconds during the load, all nodes together (`ogpud` = the app process: ogpud or abci-cli). */
  cpu: { ogpud: number; cometbft: number };
  txSize: number;
}

/** Which app the network runs: ogpud, or the kvstore reference (same homes, same load shape). */
type NetworkApp = { kind: "ogpud" } | { kind: "kvstore"; txSize: number; round: number };

/** Builds a `validators`-node network, runs the load, tears it down. */
async function measure(config: Config, validators: number, basePort: number, accounts: SigningAccount[], app: NetworkApp): Promise<Measurement> {
  const label = `${validators}-validator ${app.kind}`;
  const dir = await mkdtemp(join(tmpdir(), `ogpu-bench-testnet-${validators}v-`));
  const agent = new http.Agent({ keepAlive: true, maxSockets: config.concurrency + 2 });
  let testnet: Testnet | undefined;
  let reference: KvstoreTestnet | undefined;
  const cleanup = async () => {
    agent.destroy();
    await reference?.stop();
    for (const node of testnet?.nodes ?? []) await stopTestnetNode(node);
    await rm(dir, { recursive: true, force: true });
  };
  // Ctrl-C: the finally below does not run on a signal, and the nodes are detached processes.
  const onSignal = () => void cleanup().finally(() => process.exit(130));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    testnet = await createTestnet({
      dir,
      validators,
      basePort,
      chainId: `ogpu-bench-${validators}v`,
      blockTime: config.blockTime,
      checkInvariants: false,
      genesisOverrides: (appState) => {
        const bank = appState.bank as { balances: { address: string; coins: { denom: string; amount: string }[] }[] };
        for (const a of accounts) bank.balances.push({ address: a.address, coins: [{ denom: DENOM, amount: ACCOUNT_UOGPU.toString() }] });
      },
    });
    const node0 = testnet.nodes[0]!;
    let txs: BenchTx[][];
    let cpuNow: () => Promise<{ ogpud: number; cometbft: number }>;
    if (app.kind === "ogpud") {
      for (const node of testnet.nodes) startTestnetNode(node);
      for (const node of testnet.nodes) await waitForHeight(node.rpc, 2n, 120_000);
      const signStart = performance.now();
      txs = await presign(node0.rpc, testnet.chainId, accounts, config.txCount / accounts.length);
      progress(BENCH, `${label}: pre-signed ${config.txCount} txs in ${((performance.now() - signStart) / 1000).toFixed(1)} s`);
      const started = testnet;
      cpuNow = () => nodesCpu(started);
    } else {
      const running = (reference = await startKvstoreTestnet(testnet.nodes));
      txs = kvstoreTxs(accounts.length, config.txCount / accounts.length, app.txSize, `t${app.round}`);
      const sum = async (pids: (number | undefined)[]) => (await Promise.all(pids.map(cpuSeconds))).reduce<number>((a, b) => a + (b ?? 0), 0);
      cpuNow = async () => ({ ogpud: await sum(running.appPids), cometbft: await sum(running.cometPids) });
    }

    const cpuBefore = await cpuNow();
    const startHeight = Number((await rpcStatus(node0.rpc)).height) + 1;
    const { broadcast, blocks } = await runLoad(agent, testnet.nodes.map((n) => new URL(n.rpc)), new URL(node0.rpc), startHeight, txs, {
      concurrency: config.concurrency,
      batch: config.batch,
      drainTimeoutMs: DRAIN_TIMEOUT_MS,
      onBroadcastDone: (b) => progress(BENCH, `${label}: broadcast done in ${(b.durationMs / 1000).toFixed(1)} s: ${b.accepted} accepted; waiting for blocks`),
    });
    const cpuAfter = await cpuNow();
    const cpu = { ogpud: cpuAfter.ogpud - cpuBefore.ogpud, cometbft: cpuAfter.cometbft - cpuBefore.cometbft };
    for (const [reason, count] of broadcast.rejected) progress(BENCH, `${label}: rejected ${count}× ${reason}`);
    return { throughput: throughput(blocks, txs.flat()), broadcast, txsSigned: config.txCount, cpu, txSize: meanTxSize(txs.flat()) };
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    await cleanup();
  }
}

/** One network's figures, names prefixed (`` for ogpud's testnet, `kvstore_` for the reference). */
function networkFigures(prefix: string, m: Measurement): Figure[] {
  const t = m.throughput;
  const rejected = [...m.broadcast.rejected.values()].reduce((a, b) => a + b, 0);
  return [
    { figure: `${prefix}committed_tps`, value: t.committedTps, unit: "tx/s" },
    { figure: `${prefix}latency_p50_ms`, value: t.latencyP50Ms, unit: "ms", note: "submit → block seen" },
    { figure: `${prefix}latency_p95_ms`, value: t.latencyP95Ms, unit: "ms" },
    { figure: `${prefix}success_ratio`, value: Number((t.succeeded / m.txsSigned).toFixed(4)), unit: "ratio", note: `${t.succeeded} of ${m.txsSigned} committed with code 0` },
    { figure: `${prefix}window_s`, value: Number(t.windowS.toFixed(1)), unit: "s" },
    { figure: `${prefix}blocks`, value: t.blocks, unit: "blocks", note: `${(t.committed / Math.max(1, t.blocks)).toFixed(0)} txs/block` },
    { figure: `${prefix}checktx_rejected`, value: rejected, unit: "txs", note: `+${m.broadcast.skipped} not sent after their account's reject` },
    { figure: `${prefix}ogpud_cpu_s`, value: Number(m.cpu.ogpud.toFixed(1)), unit: "cpu-s", note: "all nodes, during the load" },
    { figure: `${prefix}cometbft_cpu_s`, value: Number(m.cpu.cometbft.toFixed(1)), unit: "cpu-s", note: "all nodes, during the load" },
    { figure: `${prefix}node_cpu_ms_per_tx`, value: Number((((m.cpu.ogpud + m.cpu.cometbft) * 1000) / Math.max(1, t.committed)).toFixed(2)), unit: "cpu-ms", note: "whole network, per committed tx" },
  ];
}

async function runTestnetTxBench(): Promise<void> {
  const config = readConfig();
  const rounds = envInt("BENCH_TESTNET_ROUNDS", 1);
  const load = loadavg();
  progress(BENCH, `config: ${config.validators} validators, block time ${config.blockTime}, ${config.txCount} txs from ${config.accounts} accounts, ${config.concurrency} requests in flight, ${config.batch} txs per request, ${rounds} interleaved rounds (ogpud, kvstore, …); load average ${load.map((x) => x.toFixed(2)).join(" ")}`);
  const accounts = await benchAccounts(config.accounts);
  const ours: Measurement[] = [];
  const reference: Measurement[] = [];
  for (let round = 1; round <= rounds; round++) {
    ours.push(await measure(config, config.validators, testnetPortBase(config.validators), accounts, { kind: "ogpud" }));
    reference.push(await measure(config, config.validators, testnetPortBase(config.validators), accounts, { kind: "kvstore", txSize: ours[ours.length - 1]!.txSize, round }));
    console.log(`-- round ${round}`);
    printFigures(BENCH, [...networkFigures("", ours[round - 1]!), ...networkFigures("kvstore_", reference[round - 1]!)]);
  }
  printFigures(BENCH, [
    { figure: "validators", value: config.validators, unit: "nodes" },
    { figure: "block_time", value: durationMs(config.blockTime), unit: "ms", note: "timeout_commit" },
    { figure: "txs_signed", value: config.txCount, unit: "txs", note: "per network" },
    { figure: "cpu_cores", value: cpus().length, unit: "cores" },
    { figure: "load_avg_1m_before", value: Number(load[0]!.toFixed(2)), unit: "load", note: "the machine is shared" },
    { figure: "load_avg_1m_after", value: Number(loadavg()[0]!.toFixed(2)), unit: "load" },
  ]);
  printRatios(BENCH, [
    {
      figure: "committed_tps_ratio_to_kvstore_socket",
      ours: median(ours.map((m) => m.throughput.committedTps)),
      reference: median(reference.map((m) => m.throughput.committedTps)),
      unit: "tx/s",
      referenceName: `${config.validators} kvstore-over-socket validators`,
    },
  ]);
}

export const testnetTxBenchmark: Benchmark = {
  name: "testnet-tx",
  description: "committed bank-send tx/s on a 4-validator loopback testnet, as a ratio to 4 cometbft + abci-cli kvstore validators under the same load (interleaved)",
  run: runTestnetTxBench,
};
