import { TaskStatus } from "../proto/gen/ogpu/market/v1/market.js";
import { nextTaskId } from "../x/market/keeper.js";
import { submitTaskMsg } from "../x/market/testing.js";
import { attestMsg, auditSealMsg, commitMsg, digestOf, expectOk, OGPU, revealMsg, startPosChain, Verdict } from "../x/attest/testing.js";
import { printFigures, progress, type Benchmark } from "./report.js";

/**
 * Proof of Sync in steady state, in process (invariants off, as on a production node):
 * 4 validators, BENCH_POS_WORKERS trusted workers (CV 1000, so p = p_floor = 2 %), k = 1,
 * committee m = 3. Each round submits one task per worker, then one block of commits, the
 * draw block (audit committees drawn before any reveal), one block of the committees' seals,
 * one of reveals (timed: finalize_ms_1000_reveals), the decision block (unaudited tasks
 * finalise; audits open) and one block in which the committees open their seals.
 *  - executions_per_task = (Σ k + Σ committee sizes of audited tasks) / tasks
 *  - blocks_to_final = blocks from the last reveal to FINALIZED, unaudited tasks (max)
 * Knobs (env): BENCH_POS_WORKERS (default 1000), BENCH_POS_ROUNDS (default 5).
 */
const BENCH = "pos";

/**
 * Each round schedules all n tasks in one block; at the default budget (20,000 checks, a task
 * load costing 200) a block loads at most ~100 tasks, so this bench raises the budget.
 */
const THROUGHPUT_CHECK_BUDGET = 1_000_000;

async function runPos(): Promise<void> {
  const n = Number(process.env.BENCH_POS_WORKERS ?? 1000);
  const rounds = Number(process.env.BENCH_POS_ROUNDS ?? 5);
  progress(BENCH, `genesis: 4 validators, ${n} trusted workers`);
  const chain = await startPosChain({
    validatorStakes: [4000n * OGPU, 3000n * OGPU, 2000n * OGPU, 1000n * OGPU],
    workers: Array.from({ length: n }, (_, i) => ({ cv: 1000n, price: BigInt(100 + (i % 7)), bond: 100n * OGPU, maxConcurrent: 1 })),
    params: { workers: { min_worker_bond: (100n * OGPU).toString() }, market: { max_tasks_per_block: Math.min(n, 2000), max_worker_checks_per_block: THROUGHPUT_CHECK_BUDGET, max_new_slots_per_worker: 1 }, attest: { p_floor_bps: 200, committee_size: 3 } },
    checkInvariants: false,
  });
  try {
    let tasks = 0;
    let executions = 0;
    let audited = 0;
    let maxBlocksToFinal = 0n;
    const revealMs: number[] = [];
    const drawMs: number[] = [];
    for (let r = 0; r < rounds; r++) {
      progress(BENCH, `round ${r + 1}/${rounds}: ${n} tasks`);
      const first = nextTaskId(chain.app.store);
      expectOk(await chain.run(Array.from({ length: n }, () => chain.client.tx([submitTaskMsg(chain.client.address, { bid: 1000n, units: 10n, k: 1 })]))));
      const ids = Array.from({ length: n }, (_, i) => first + BigInt(i));
      const workerOf = (id: bigint) => chain.workers.find((w) => w.address === chain.task(id).assignments[0]!.worker)!;
      const digest = (id: bigint) => digestOf(`output of task ${id}`);
      expectOk(await chain.run(ids.map((id) => workerOf(id).tx([commitMsg(workerOf(id).address, id, digest(id))]))));
      await chain.run([]); // the audit draw, before any reveal
      const seals = new Map<string, ReturnType<typeof auditSealMsg>[]>();
      for (const id of ids) for (const m of chain.record(id)!.audit?.members ?? []) seals.set(m.validator, [...(seals.get(m.validator) ?? []), auditSealMsg(m.validator, id, digest(id))]);
      const signerOf = (validator: string) => chain.validators.find((v) => v.v.key.address === validator)!.signer;
      expectOk(await chain.run([...seals].map(([validator, msgs]) => signerOf(validator).tx(msgs))));
      expectOk(await chain.run(ids.map((id) => workerOf(id).tx([revealMsg(workerOf(id).address, id, digest(id))]))));
      revealMs.push(chain.lastFinalizeMs);
      const revealHeight = chain.height;
      await chain.run([]);
      drawMs.push(chain.lastFinalizeMs);
      const votes = new Map<string, ReturnType<typeof attestMsg>[]>();
      for (const id of ids) {
        tasks += 1;
        executions += chain.task(id).redundancy;
        const status = chain.task(id).status;
        if (status === TaskStatus.TASK_STATUS_FINALIZED) {
          const blocks = chain.task(id).updatedHeight - revealHeight;
          if (blocks > maxBlocksToFinal) maxBlocksToFinal = blocks;
          continue;
        }
        if (status !== TaskStatus.TASK_STATUS_AUDITING) throw new Error(`task ${id} is ${TaskStatus[status]} after the draw`);
        audited += 1;
        for (const m of chain.record(id)!.audit!.members) {
          executions += 1;
          votes.set(m.validator, [...(votes.get(m.validator) ?? []), attestMsg(m.validator, id, digest(id), Verdict.VERDICT_MATCH)]);
        }
      }
      const signers = [...votes].map(([validator, msgs]) => signerOf(validator).tx(msgs));
      expectOk(await chain.run(signers));
      const open = ids.filter((id) => chain.task(id).status !== TaskStatus.TASK_STATUS_FINALIZED);
      if (open.length > 0) throw new Error(`${open.length} tasks not finalised after their audits`);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    printFigures(BENCH, [
      { figure: "executions_per_task", value: round(executions / tasks, 4), unit: "x", note: `${tasks} tasks, k=1, ${audited} audited (${((100 * audited) / tasks).toFixed(2)} %), m=3; expectation 1 + 0.02·3 = 1.06` },
      { figure: "blocks_to_final", value: Number(maxBlocksToFinal), unit: "blocks", note: "last reveal → FINALIZED, unaudited tasks (max)" },
      { figure: "finalize_ms_1000_reveals", value: round(median(revealMs), 1), unit: "ms", note: `FinalizeBlock of a block with ${n} MsgRevealResult txs (median of ${rounds})` },
      { figure: "finalize_ms_1000_draws", value: round(median(drawMs), 1), unit: "ms", note: `BeginBlock decisions + settlement of ${n} revealed tasks (median of ${rounds})` },
    ]);
  } finally {
    await chain.close();
  }
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

export const posBenchmark: Benchmark = {
  name: BENCH,
  description: "Proof of Sync steady state: executions per task, blocks to finality, FinalizeBlock with 1,000 reveals",
  run: runPos,
};


