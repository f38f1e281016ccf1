import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { OgpuApp } from "../app/app.js";
import { createAppWiring } from "../app/modules.js";
import { finalizeRequest, initChainRequest, signTx, testGenesis, testKey, type TestKey } from "../app/testkit.js";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { getAccount } from "../x/auth/keeper.js";
import { TaskStatus } from "../proto/gen/ogpu/market/v1/market.js";
import { allTasks } from "../x/market/keeper.js";
import { gpu, OGPU, registerWorkerMsg, submitTaskMsg } from "../x/market/testing.js";
import { printFigures, progress, type Benchmark, type Figure } from "./report.js";

/**
 * FinalizeBlock time of blocks in which the market schedules 1,000 tasks, in process (no
 * cometbft), invariants off as on a production node:
 *  - submit_and_schedule: a block of 1,000 MsgSubmitTask txs (each signature-checked), all
 *    scheduled in that block's EndBlock against 2,000 one-slot workers;
 *  - timeout_and_reschedule: an empty block in which those 1,000 assignments time out
 *    (slash, reliability, requeue) and are rescheduled to the other 1,000 workers.
 * Knob (env): BENCH_MARKET_TASKS (default 1000).
 */
const BENCH = "market-finalize";

async function runMarketFinalize(): Promise<void> {
  const tasks = Number(process.env.BENCH_MARKET_TASKS ?? 1000);
  const workerKeys = Array.from({ length: 2 * tasks }, (_, i) => testKey(10_000 + i));
  const client = testKey(1);
  const state = testGenesis({ [client.address]: 10_000n * OGPU, ...Object.fromEntries(workerKeys.map((k) => [k.address, 2_000n * OGPU])) });
  // All tasks in one block: the default budget (20,000 checks, 200 a task load) loads ~100 a block.
  state.market = { params: { commit_timeout_blocks: 2, max_tasks_per_block: Math.min(tasks, 2000), max_worker_checks_per_block: 1_000_000 } };
  const dir = mkdtempSync(join(tmpdir(), "ogpu-bench-market-"));
  const app = await OgpuApp.open(join(dir, "db"), createAppWiring(), { minGasPrices: [], checkInvariants: false });
  let height = 0n;
  const block = async (txs: Uint8Array[]) => {
    height += 1n;
    const start = performance.now();
    const res = app.finalizeBlock(finalizeRequest(height, txs));
    const ms = performance.now() - start;
    await app.commit();
    const failed = res.txResults.find((r) => r.code !== 0);
    if (failed) throw new Error(`tx failed at height ${height}: ${failed.log}`);
    return ms;
  };
  const sign = (key: TestKey, msgs: Any[], sequence: bigint) =>
    signTx(key, msgs, { accountNumber: getAccount(app.store, key.addressBytes)!.accountNumber, sequence, fee: [{ denom: "uogpu", amount: "1000" }], gas: 2_000_000n });
  try {
    app.initChain(initChainRequest(state));
    await block([]);
    progress(BENCH, `registering ${workerKeys.length} workers`);
    const models = ["RTX4090", "A100", "H100"];
    for (let i = 0; i < workerKeys.length; i += 500) {
      const batch = workerKeys.slice(i, i + 500).map((k, j) =>
        sign(k, [registerWorkerMsg(k.address, { gpus: [gpu(models[(i + j) % 3]!, 81_920)], region: (i + j) % 2 ? "eu" : "us", price: BigInt(100 + ((i + j) % 97)), maxConcurrent: 1 })], 0n),
      );
      await block(batch);
    }
    const submits = Array.from({ length: tasks }, (_, i) => sign(client, [submitTaskMsg(client.address, { bid: 1000n, units: 10n, priority: i % 4, region: i % 3 ? "eu" : "" })], BigInt(i)));
    progress(BENCH, `one block of ${tasks} MsgSubmitTask`);
    const submitMs = await block(submits);
    const assigned = countAssigned(app);
    await block([]);
    progress(BENCH, "empty block: every assignment times out and is rescheduled");
    const rescheduleMs = await block([]);
    const reassigned = countAssigned(app);
    if (assigned !== tasks || reassigned !== tasks) throw new Error(`expected ${tasks} assigned tasks, got ${assigned} then ${reassigned}`);
    const figures: Figure[] = [
      { figure: "submit_and_schedule_ms", value: round(submitMs), unit: "ms", note: `${tasks} submit txs + scheduling vs ${workerKeys.length} workers` },
      { figure: "timeout_and_reschedule_ms", value: round(rescheduleMs), unit: "ms", note: `${tasks} timeouts + rescheduling, no txs` },
    ];
    printFigures(BENCH, figures);
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function countAssigned(app: OgpuApp): number {
  let n = 0;
  for (const t of allTasks(app.store)) if (t.status === TaskStatus.TASK_STATUS_ASSIGNED) n++;
  return n;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

export const marketFinalizeBenchmark: Benchmark = {
  name: BENCH,
  description: "FinalizeBlock time of a block that schedules 1,000 tasks (in process)",
  run: runMarketFinalize,
};
