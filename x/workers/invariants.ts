import { BASE_DENOM } from "../../app/coins.js";
import type { Invariant } from "../../app/module.js";
import type { BankKeeper } from "../bank/keeper.js";
import { allWorkers, WORKER_BONDS } from "./keeper.js";
import { moduleAddress } from "../../app/address.js";

/** The worker_bonds account holds exactly the registered bonds (exiting workers' included). */
export function workersInvariants(bank: Pick<BankKeeper, "getBalance">): Invariant[] {
  return [
    {
      name: "workers/bonds",
      check(store) {
        let sum = 0n;
        for (const w of allWorkers(store)) sum += BigInt(w.bond);
        const balance = bank.getBalance(store, moduleAddress(WORKER_BONDS), BASE_DENOM);
        return balance === sum ? null : `${WORKER_BONDS} holds ${balance}${BASE_DENOM} but bonds sum to ${sum}${BASE_DENOM}`;
      },
    },
  ];
}
