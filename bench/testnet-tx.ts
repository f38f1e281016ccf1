import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { DirectSecp256k1Wallet } from "@cosmjs/proto-signing";
import { rpcStatus, waitForHeight } from "../testnet/devnet.js";
import { createTestnet, startTestnetNode, stopTestnetNode, testnetNodePid, type Testnet } from "../testnet/testnet.js";
import { printFigures, progress, type Benchmark, type Figure } from "./report.js";
import { cometbftPid, cpuSeconds, DENOM, durationMs, envInt, presign, runLoad, throughput, type BroadcastStats, type SigningAccount, type Throughput } from "./tx-harness.js";

/**
 * Committed cosmjs bank sends/s and inclusion latency on an N-validator loopback testnet
 * (default 4), beside the same load on a 1-validator network built the same way in the same
 * run: every tx is checked by every node's mempool and executed by every node, so on one
 * machine the testnet figure shows what replication and consensus rounds cost.
 * Each network is created by createTestnet (gentxs, persistent peers, invariants off), its
 * bench accounts funded in genesis; txs are pre-signed, then broadcast spread over all nodes.
 * Knobs (env): BENCH_TESTNET_VALIDATORS, BENCH_TESTNET_TX_COUNT, BENCH_TX_ACCOUNTS,
 * BENCH_TX_CONCURRENCY, BENCH_TX_BLOCK_TIME.
 */

const BENCH = "testnet-tx";
/** The testnet uses 27850..27883 (node i: +10i), the single node 27890..27893. */
const TESTNET_PORT_BASE = 27850;
const SINGLE_PORT_BASE = 27890;
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
  /** CPU seconds during the load, all nodes together. */
  cpu: { ogpud: number; cometbft: number };
}

/** Builds a `validators`-node network, runs the load, tears it down. */
async function measure(config: Config, validators: number, basePort: number, accounts: SigningAccount[]): Promise<Measurement> {
  const label = `${validators}-validator`;
  const dir = await mkdtemp(join(tmpdir(), `ogpu-bench-testnet-${validators}v-`));
  const agent = new http.Agent({ keepAlive: true, maxSockets: config.concurrency + 2 });
  let testnet: Testnet | undefined;
  const cleanup = async () => {
    agent.destroy();
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
    for (const node of testnet.nodes) startTestnetNode(node);
    for (const node of testnet.nodes) await waitForHeight(node.rpc, 2n, 120_000);
    const node0 = testnet.nodes[0]!;

    const signStart = performance.now();
    const txs = await presign(node0.rpc, testnet.chainId, accounts, config.txCount / accounts.length);
    progress(BENCH, `${label}: pre-signed ${config.txCount} txs in ${((performance.now() - signStart) / 1000).toFixed(1)} s`);

    const cpuBefore = await nodesCpu(testnet);
    const startHeight = Number((await rpcStatus(node0.rpc)).height) + 1;
    const { broadcast, blocks } = await runLoad(agent, testnet.nodes.map((n) => new URL(n.rpc)), new URL(node0.rpc), startHeight, txs, {
      concurrency: config.concurrency,
      batch: config.batch,
      drainTimeoutMs: DRAIN_TIMEOUT_MS,
      onBroadcastDone: (b) => progress(BENCH, `${label}: broadcast done in ${(b.durationMs / 1000).toFixed(1)} s: ${b.accepted} accepted; waiting for blocks`),
    });
    const cpuAfter = await nodesCpu(testnet);
    const cpu = { ogpud: cpuAfter.ogpud - cpuBefore.ogpud, cometbft: cpuAfter.cometbft - cpuBefore.cometbft };
    for (const [reason, count] of broadcast.rejected) progress(BENCH, `${label}: rejected ${count}× ${reason}`);
    return { throughput: throughput(blocks, txs.flat()), broadcast, txsSigned: config.txCount, cpu };
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    await cleanup();
  }
}

/** One network's figures, names prefixed (`` for the testnet, `single_node_` for the 1-validator run). */
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
  const load = loadavg();
  progress(BENCH, `config: ${config.validators} validators, block time ${config.blockTime}, ${config.txCount} txs from ${config.accounts} accounts, ${config.concurrency} requests in flight, ${config.batch} txs per request; load average ${load.map((x) => x.toFixed(2)).join(" ")}`);
  const accounts = await benchAccounts(config.accounts);
  const testnet = await measure(config, config.validators, TESTNET_PORT_BASE, accounts);
  const single = await measure(config, 1, SINGLE_PORT_BASE, accounts);
  const ratio = single.throughput.committedTps > 0 ? testnet.throughput.committedTps / single.throughput.committedTps : 0;
  printFigures(BENCH, [
    ...networkFigures("", testnet),
    ...networkFigures("single_node_", single),
    { figure: "testnet_over_single_node", value: Number(ratio.toFixed(3)), unit: "ratio" },
    { figure: "validators", value: config.validators, unit: "nodes" },
    { figure: "block_time", value: durationMs(config.blockTime), unit: "ms", note: "timeout_commit" },
    { figure: "txs_signed", value: config.txCount, unit: "txs", note: "per network" },
    { figure: "cpu_cores", value: cpus().length, unit: "cores" },
    { figure: "load_avg_1m_before", value: Number(load[0]!.toFixed(2)), unit: "load", note: "the machine is shared" },
    { figure: "load_avg_1m_after", value: Number(loadavg()[0]!.toFixed(2)), unit: "load" },
  ]);
}

export const testnetTxBenchmark: Benchmark = {
  name: "testnet-tx",
  description: "committed bank-send tx/s and inclusion latency on a 4-validator loopback testnet, beside a 1-validator network",
  run: runTestnetTxBench,
};
