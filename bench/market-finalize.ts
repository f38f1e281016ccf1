import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { OgpuApp } from "../app/app.js";
import { testGenesis, testKey, type TestKey } from "../app/testkit.js";
import { TaskStatus, type Task } from "../proto/gen/ogpu/market/v1/market.js";
import { commitMsg, digestOf, revealMsg } from "../x/attest/testing.js";
import { allTasks } from "../x/market/keeper.js";
import { gpu, OGPU, registerWorkerMsg, submitTaskMsg } from "../x/market/testing.js";
import { openBenchChain } from "./app-harness.js";
import { envInt } from "./tx-harness.js";
import { median, printFigures, printRatios, progress, type Benchmark, type Figure } from "./report.js";

/**
 * FinalizeBlock time of market blocks as a ratio to a block of as many bank sends, in process
 * (no cometbft), invariants off as on a production node, each round on a fresh app:
 *  - reference: a block of N MsgSend txs (each signature-checked, like every block below);
 *  - submit_and_schedule: a block of N MsgSubmitTask, all scheduled in that block against
 *    2N one-slot workers;
 *  - commits, reveals: blocks of the N assigned workers' MsgCommitResult, then MsgRevealResult
 *    (the reveals finalise and settle the k = 1 tasks);
 *  - timeout_and_reschedule (on the round's second copy of the tasks): an empty block in which
 *    N assignments time out and are rescheduled.
 * Rounds interleave the block kinds (reference, submit, commit, reveal, …, per fresh app).
 * Knobs (env): BENCH_MARKET_TASKS (default 1000), BENCH_MARKET_ROUNDS (default 3).
 */
const BENCH = "market-finalize";
const MODELS = ["RTX4090", "A100", "H100"];

interface RoundTimes {
  sendsMs: number;
  submitMs: number;
  commitsMs: number;
  revealsMs: number;
  rescheduleMs: number;
}

async function runRound(tasks: number, round: number): Promise<RoundTimes> {
  const workerKeys = Array.from({ length: 2 * tasks }, (_, i) => testKey(10_000 + i));
  const client = testKey(1);
  const state = testGenesis({ [client.address]: 10_000n * OGPU, ...Object.fromEntries(workerKeys.map((k) => [k.address, 2_000n * OGPU])) });
  // All tasks in one block: the default budget (20,000 checks, 200 a task load) loads ~100 a block.
  state.market = { params: { commit_timeout_blocks: 2, max_tasks_per_block: Math.min(2 * tasks, 4000), max_worker_checks_per_block: 1_000_000 } };
  const chain = await openBenchChain(state, "ogpu-bench-market-");
  const { app, block, sign } = chain;
  const byAddress = new Map(workerKeys.map((k) => [k.address, k]));
  try {
    progress(BENCH, `round ${round}: registering ${workerKeys.length} workers`);
    for (let i = 0; i < workerKeys.length; i += 500) {
      await block(workerKeys.slice(i, i + 500).map((k, j) => sign(k, [registerWorkerMsg(k.address, { gpus: [gpu(MODELS[(i + j) % 3]!, 81_920)], region: (i + j) % 2 ? "eu" : "us", price: BigInt(100 + ((i + j) % 97)), maxConcurrent: 1 })])));
    }
    progress(BENCH, `round ${round}: reference block of ${tasks} bank sends`);
    const send = (from: TestKey): Any => ({ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.encode({ fromAddress: from.address, toAddress: client.address, amount: [{ denom: "uogpu", amount: "1" }] }).finish() });
    const sendsMs = await block(workerKeys.slice(0, tasks).map((k) => sign(k, [send(k)])));

    progress(BENCH, `round ${round}: one block of ${tasks} MsgSubmitTask`);
    const submitMs = await block(Array.from({ length: tasks }, (_, i) => sign(client, [submitTaskMsg(client.address, { bid: 1000n, units: 10n, priority: i % 4, region: i % 3 ? "eu" : "" })])));
    const assigned = tasksIn(app, TaskStatus.TASK_STATUS_ASSIGNED);
    if (assigned.length !== tasks) throw new Error(`expected ${tasks} assigned tasks, got ${assigned.length}`);
    const worked = assigned.map((t) => ({ id: t.id, key: byAddress.get(t.assignments[0]!.worker)! }));
    const digest = (id: bigint) => digestOf(`output of ${id}`);
    progress(BENCH, `round ${round}: a block of ${tasks} commits, then of ${tasks} reveals`);
    const commitsMs = await block(worked.map((w) => sign(w.key, [commitMsg(w.key.address, w.id, digest(w.id))])));
    const revealsMs = await block(worked.map((w) => sign(w.key, [revealMsg(w.key.address, w.id, digest(w.id))])));
    const open = tasksIn(app, TaskStatus.TASK_STATUS_ASSIGNED).length + tasksIn(app, TaskStatus.TASK_STATUS_COMMITTED).length;
    if (open !== 0) throw new Error(`${open} tasks still open after every worker revealed`);

    progress(BENCH, `round ${round}: ${tasks} more tasks, left to time out and be rescheduled`);
    await block(Array.from({ length: tasks }, (_, i) => sign(client, [submitTaskMsg(client.address, { bid: 1000n, units: 10n, priority: i % 4, region: i % 3 ? "eu" : "" })])));
    await block([]);
    const rescheduleMs = await block([]);
    return { sendsMs, submitMs, commitsMs, revealsMs, rescheduleMs };
  } finally {
    await chain.close();
  }
}

function tasksIn(app: OgpuApp, status: TaskStatus): Task[] {
  return [...allTasks(app.store)].filter((t) => t.status === status);
}

const round1 = (ms: number) => Math.round(ms * 10) / 10;

async function runMarketFinalize(): Promise<void> {
  const tasks = envInt("BENCH_MARKET_TASKS", 1000);
  const rounds = envInt("BENCH_MARKET_ROUNDS", 3);
  const times: RoundTimes[] = [];
  for (let round = 1; round <= rounds; round++) times.push(await runRound(tasks, round));
  const med = (pick: (t: RoundTimes) => number) => round1(median(times.map(pick)));
  const figures: Figure[] = [
    { figure: "bank_sends_ms", value: med((t) => t.sendsMs), unit: "ms", note: `${tasks} MsgSend txs (reference)` },
    { figure: "submit_and_schedule_ms", value: med((t) => t.submitMs), unit: "ms", note: `${tasks} submit txs + scheduling vs ${2 * tasks} workers` },
    { figure: "commits_ms", value: med((t) => t.commitsMs), unit: "ms" },
    { figure: "reveals_ms", value: med((t) => t.revealsMs), unit: "ms", note: "each reveal finalises and settles its task" },
    { figure: "timeout_and_reschedule_ms", value: med((t) => t.rescheduleMs), unit: "ms", note: `${tasks} timeouts + rescheduling, no txs` },
  ];
  printFigures(BENCH, figures);
  const reference = med((t) => t.sendsMs);
  const ratio = (figure: string, ours: number) => ({ figure, ours, reference, unit: "ms", referenceName: `a block of ${tasks} bank sends` });
  printRatios(BENCH, [
    ratio("submit_and_schedule_ratio_to_bank_sends", med((t) => t.submitMs)),
    ratio("commits_ratio_to_bank_sends", med((t) => t.commitsMs)),
    ratio("reveals_ratio_to_bank_sends", med((t) => t.revealsMs)),
  ]);
}

export const marketFinalizeBenchmark: Benchmark = {
  name: BENCH,
  description: "FinalizeBlock time of 1,000-task market blocks (submit+schedule, commits, reveals) as ratios to a block of 1,000 bank sends (in process)",
  run: runMarketFinalize,
};
