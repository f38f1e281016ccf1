import { BASE_DENOM } from "../../app/coins.js";
import type { Invariant } from "../../app/module.js";
import { MARKET_ESCROW, type MarketDeps } from "./keeper.js";
import { getTask, openTaskIds } from "./store.js";
import { moduleAddress } from "../../app/address.js";

/**
 * - market/escrow: the escrow account holds exactly the open tasks' escrows (nothing leaks,
 *   nothing is settled lazily).
 * - market/worker-slots: each worker's open_tasks equals the slots it holds on open tasks.
 */
export function marketInvariants({ bank, workers }: Pick<MarketDeps, "bank" | "workers">): Invariant[] {
  return [
    {
      name: "market/escrow",
      check(store) {
        let sum = 0n;
        for (const id of openTaskIds(store)) sum += BigInt(getTask(store, id)!.escrow);
        const balance = bank.getBalance(store, moduleAddress(MARKET_ESCROW), BASE_DENOM);
        return balance === sum ? null : `${MARKET_ESCROW} holds ${balance}${BASE_DENOM} but open tasks escrow ${sum}${BASE_DENOM}`;
      },
    },
    {
      name: "market/worker-slots",
      check(store) {
        const held = new Map<string, number>();
        for (const id of openTaskIds(store)) {
          for (const a of getTask(store, id)!.assignments) held.set(a.worker, (held.get(a.worker) ?? 0) + 1);
        }
        for (const w of workers.allWorkers(store)) {
          const n = held.get(w.operator) ?? 0;
          if (n !== w.openTasks) return `worker ${w.operator} records ${w.openTasks} open task(s) but holds ${n} slot(s)`;
          held.delete(w.operator);
        }
        for (const [worker, n] of held) return `unregistered worker ${worker} holds ${n} slot(s)`;
        return null;
      },
    },
  ];
}
