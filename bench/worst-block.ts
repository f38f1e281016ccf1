import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { OgpuApp } from "../app/app.js";
import { createAppWiring } from "../app/modules.js";
import { finalizeRequest, initChainRequest, sendMsg, signTx, testGenesis, testKey, type TestKey } from "../app/testkit.js";
import { getAccount } from "../x/auth/keeper.js";
import { gpu, OGPU, registerWorkerMsg, submitTaskMsg } from "../x/market/testing.js";
import { MAX_BLOCK_GAS } from "../cmd/ogpud/commands/init.js";
import { printFigures, progress, type Benchmark, type Figure } from "./report.js";

/**
 * The worst block an attacker can buy within max_gas and the param caps, in process (no
 * cometbft), invariants off as on a production node, at BENCH_WORST_WORKERS workers (500):
 *  - now: a block whose gas_wanted sum is BENCH_WORST_GAS (default: the genesis max_gas) of
 *    MsgSubmitTask txs that scan every worker and fail (the costliest work per gas we know),
 *    vs a block of the same gas of MsgSends (the reference: what honest gas buys);
 *  - later: deferred loads, a block's gas of tasks that stay queued, each priced below every
 *    worker: (a) max_gpu_models-long model lists, each task its own shape (the check budget
 *    binds); (b) one shape for all (no check cost after the first, so max_tasks_per_block of
 *    them are loaded every block). The following empty blocks vs an empty block of an
 *    identical chain without them.
 * Block time is the process's CPU time (user + system) during FinalizeBlock: on a shared machine
 * wall time mostly measures the other jobs. Pairs are measured interleaved (A B A B …) and the
 * median of each side is compared.
 */
const BENCH = "worst-block";
const ROUNDS = 5;
const FOLLOWING_WARMUP = 10;
const FOLLOWING_ROUNDS = 40;

interface Chain {
  app: OgpuApp;
  dir: string;
  height: bigint;
  sequences: Map<string, bigint>;
}

async function openChain(keys: TestKey[], workerKeys: TestKey[]): Promise<Chain> {
  const state = testGenesis(Object.fromEntries([...keys, ...workerKeys].map((k) => [k.address, 10_000n * OGPU])));
  const dir = mkdtempSync(join(tmpdir(), "ogpu-bench-worst-"));
  const app = await OgpuApp.open(join(dir, "db"), createAppWiring(), { minGasPrices: [], checkInvariants: false });
  app.initChain(initChainRequest(state));
  const chain: Chain = { app, dir, height: 0n, sequences: new Map() };
  await block(chain, []);
  for (let i = 0; i < workerKeys.length; i += 500) {
    const txs = workerKeys.slice(i, i + 500).map((k, j) => sign(chain, k, [registerWorkerMsg(k.address, { gpus: [gpu(["RTX4090", "A100", "H100"][(i + j) % 3]!, 81_920)], region: "eu", price: BigInt(100 + ((i + j) % 97)), maxConcurrent: 4 })], 2_000_000n));
    await block(chain, txs);
  }
  return chain;
}

function sign(chain: Chain, key: TestKey, msgs: Any[], gas: bigint): Uint8Array {
  const sequence = chain.sequences.get(key.address) ?? 0n;
  chain.sequences.set(key.address, sequence + 1n);
  return signTx(key, msgs, { accountNumber: getAccount(chain.app.store, key.addressBytes)!.accountNumber, sequence, fee: [{ denom: "uogpu", amount: "1000" }], gas });
}

/** Finalizes and commits one block; returns FinalizeBlock's CPU time and the txs' gas used. */
async function block(chain: Chain, txs: Uint8Array[]): Promise<{ ms: number; gasUsed: bigint[]; checks: number }> {
  chain.height += 1n;
  const request = finalizeRequest(chain.height, txs);
  const start = process.cpuUsage();
  const res = chain.app.finalizeBlock(request);
  const used = process.cpuUsage(start);
  const ms = (used.user + used.system) / 1000;
  await chain.app.commit();
  const checks = res.events.filter((e) => e.type === "schedule").reduce((n, e) => n + Number(e.attributes.find((a) => a.key === "worker_checks")?.value ?? 0), 0);
  return { ms, gasUsed: res.txResults.map((r) => r.gasUsed), checks };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number) => Math.round(x * 100) / 100;

/** Signs `count` txs of `msg(i)` spread over `keys`, each declaring `gas`. */
function txs(chain: Chain, keys: TestKey[], count: number, gas: bigint, msg: (key: TestKey, i: number) => Any): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => {
    const key = keys[i % keys.length]!;
    return sign(chain, key, [msg(key, i)], gas);
  });
}

async function runWorstBlock(): Promise<void> {
  const workers = Number(process.env.BENCH_WORST_WORKERS ?? 500);
  const blockGas = BigInt(process.env.BENCH_WORST_GAS ?? MAX_BLOCK_GAS);
  const keys = Array.from({ length: 50 }, (_, i) => testKey(100 + i));
  const workerKeys = Array.from({ length: workers }, (_, i) => testKey(10_000 + i));
  progress(BENCH, `two chains with ${workers} workers each`);
  const base = await openChain(keys, workerKeys);
  const attacked = await openChain(keys, workerKeys);
  const sameShape = await openChain(keys, workerKeys);
  try {
    // Gas each kind of tx really uses: the attacker declares exactly that (more would buy less).
    // MI300X is in the catalogue but no worker has one: the scan examines every worker, then fails.
    const failing = (key: TestKey) => submitTaskMsg(key.address, { bid: 1000n, models: ["MI300X"] });
    const send = (key: TestKey) => sendMsg(key.address, keys[0]!.address, "1");
    const probeTxs = (c: Chain) => [sign(c, keys[0]!, [failing(keys[0]!)], 10_000_000n), sign(c, keys[1]!, [send(keys[1]!)], 10_000_000n)];
    const probe = await block(base, probeTxs(base));
    await block(attacked, probeTxs(attacked));
    const [failGas, sendGas] = probe.gasUsed.map((g) => g + 1_000n) as [bigint, bigint];
    const failCount = Number(blockGas / failGas);
    const sendCount = Number(blockGas / sendGas);
    progress(BENCH, `now: ${failCount} failing submits (${failGas} gas) vs ${sendCount} sends (${sendGas} gas), ${ROUNDS} rounds`);
    const worst: number[] = [];
    const sends: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      sends.push((await block(base, txs(base, keys, sendCount, sendGas, send))).ms);
      worst.push((await block(attacked, txs(attacked, keys, failCount, failGas, failing))).ms);
    }

    // Deferred: tasks that stay queued, each with a max_gpu_models list and its own shape.
    const models = Array.from({ length: 16 }, (_, i) => ["RTX4090", "A100", "H100", "L40S"][i % 4]!);
    const queued = (key: TestKey, i: number) => submitTaskMsg(key.address, { bid: 50n, minVramMb: i, models, priority: 3 });
    const queuedProbe = await block(attacked, [sign(attacked, keys[0]!, [queued(keys[0]!, 0)], 10_000_000n)]);
    await block(base, []);
    const queuedGas = queuedProbe.gasUsed[0]! + 1_000n;
    const queuedCount = Number(blockGas / queuedGas);
    progress(BENCH, `later: ${queuedCount} queued tasks (${queuedGas} gas each), then empty blocks`);
    await block(attacked, txs(attacked, keys, queuedCount, queuedGas, (k, i) => queued(k, i + 1)));
    // (b) The same gas of tasks of one shape (the first task's): loaded, not tested, every block.
    await block(sameShape, [sign(sameShape, keys[0]!, [queued(keys[0]!, 0)], 10_000_000n)]);
    await block(sameShape, txs(sameShape, keys, queuedCount, queuedGas, (k) => queued(k, 0)));
    await block(base, []);
    const empty: number[] = [];
    const following: number[] = [];
    const followingSame: number[] = [];
    let maxChecks = 0;
    // The first blocks warm the JIT up (the scheduler's paths are cold after the setup blocks).
    for (let r = -FOLLOWING_WARMUP; r < FOLLOWING_ROUNDS; r++) {
      const e = await block(base, []);
      const b = await block(attacked, []);
      const same = await block(sameShape, []);
      maxChecks = Math.max(maxChecks, b.checks);
      if (r < 0) continue;
      empty.push(e.ms);
      following.push(b.ms);
      followingSame.push(same.ms);
    }
    const figures: Figure[] = [
      { figure: "worst_block_ms", value: round(median(worst)), unit: "ms", note: `${failCount} failing MsgSubmitTask, ${blockGas} gas, ${workers} workers` },
      { figure: "same_gas_sends_ms", value: round(median(sends)), unit: "ms", note: `reference: ${sendCount} MsgSend, ${blockGas} gas` },
      { figure: "worst_vs_sends_ratio", value: round(median(worst) / median(sends)), unit: "x", note: "goal ≤ 2" },
      { figure: "following_block_ms", value: round(median(following)), unit: "ms", note: `empty block after ${queuedCount} queued 16-model tasks` },
      { figure: "empty_block_ms", value: round(median(empty)), unit: "ms", note: "reference: empty block, same workers, no queue" },
      { figure: "following_vs_empty_ratio", value: round(median(following) / median(empty)), unit: "x", note: "goal ≤ 2" },
      { figure: "following_same_shape_ms", value: round(median(followingSame)), unit: "ms", note: `empty block after ${queuedCount} queued tasks of one 16-model shape` },
      { figure: "following_same_shape_vs_empty_ratio", value: round(median(followingSame) / median(empty)), unit: "x", note: "goal ≤ 2" },
      { figure: "max_worker_checks_per_block", value: maxChecks, unit: "checks", note: "scheduler work counter of the following blocks" },
    ];
    printFigures(BENCH, figures);
  } finally {
    for (const c of [base, attacked, sameShape]) {
      await c.app.close();
      rmSync(c.dir, { recursive: true, force: true });
    }
  }
}

export const worstBlockBenchmark: Benchmark = {
  name: BENCH,
  description: "worst-case block an attacker can buy within max_gas (and the blocks after it) vs honest/empty blocks",
  run: runWorstBlock,
};
