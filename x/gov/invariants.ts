import { moduleAddress } from "../../app/address.js";
import { GOV_MODULE_NAME } from "../../app/authority.js";
import { BASE_DENOM } from "../../app/coins.js";
import type { Invariant } from "../../app/module.js";
import type { BankKeeper } from "../bank/keeper.js";
import { allDeposits, allProposals } from "./store.js";

const sumUogpu = (coins: readonly { denom: string; amount: string }[]) => coins.reduce((s, c) => s + (c.denom === BASE_DENOM ? BigInt(c.amount) : 0n), 0n);

/** The gov account holds exactly the deposits not yet refunded or burned; each proposal's total is its deposits' sum. */
export function govInvariants(bank: Pick<BankKeeper, "getBalance">): Invariant[] {
  return [
    {
      name: "gov/module-account",
      check(store) {
        let held = 0n;
        const byProposal = new Map<bigint, bigint>();
        for (const d of allDeposits(store)) {
          const amount = sumUogpu(d.amount);
          held += amount;
          byProposal.set(d.proposalId, (byProposal.get(d.proposalId) ?? 0n) + amount);
        }
        const balance = bank.getBalance(store, moduleAddress(GOV_MODULE_NAME), BASE_DENOM);
        if (balance !== held) return `gov module account holds ${balance}${BASE_DENOM} but deposits sum to ${held}${BASE_DENOM}`;
        for (const p of allProposals(store)) {
          const deposited = byProposal.get(p.id) ?? 0n;
          const total = sumUogpu(p.totalDeposit);
          // Settled proposals keep their total for the record; their deposits are gone.
          if (deposited !== 0n && deposited !== total) return `proposal ${p.id} total_deposit ${total} but its deposits sum to ${deposited}`;
        }
        return null;
      },
    },
  ];
}
