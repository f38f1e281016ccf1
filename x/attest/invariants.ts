import { BASE_DENOM } from "../../app/coins.js";
import type { Invariant } from "../../app/module.js";
import { Phase } from "../../proto/gen/ogpu/attest/v1/attest.js";
import type { AttestDeps } from "./keeper.js";
import { allRecords } from "./store.js";

/**
 * - attest/records: every record belongs to an open task, names only workers holding a
 *   committed slot of it, and never holds more results than the task's k.
 * - attest/conservation: supply = Σ balances (escrow, treasury, bonds, pools and every
 *   account), so a slash that moves coins or a burn that destroys them is exact.
 */
export function attestInvariants({ bank, market }: Pick<AttestDeps, "bank" | "market">): Invariant[] {
  return [
    {
      name: "attest/records",
      check(store) {
        for (const r of allRecords(store)) {
          const task = market.getTask(store, r.taskId);
          if (!task || market.isTerminal(task.status)) return `record of task ${r.taskId} outlived its task`;
          if (r.results.length > task.redundancy) return `task ${r.taskId} has ${r.results.length} results for k = ${task.redundancy}`;
          for (const res of r.results) {
            if (!task.assignments.some((a) => a.worker === res.worker && a.committed)) return `task ${r.taskId}: ${res.worker} has a result but no committed slot`;
          }
          if (r.phase === Phase.PHASE_UNSPECIFIED) return `task ${r.taskId} has a record without a phase`;
        }
        return null;
      },
    },
    {
      name: "attest/conservation",
      check(store) {
        let sum = 0n;
        for (const { coin } of bank.allBalances(store)) if (coin.denom === BASE_DENOM) sum += coin.amount;
        const supply = bank.getSupply(store, BASE_DENOM);
        return sum === supply ? null : `escrow + treasury + bonds + balances = ${sum}${BASE_DENOM} but supply is ${supply}${BASE_DENOM}`;
      },
    },
  ];
}
