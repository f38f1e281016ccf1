import { moduleAddress } from "../../app/address.js";
import { GOV_MODULE_NAME } from "../../app/authority.js";
import { amountOf, BASE_DENOM } from "../../app/coins.js";
import type { Invariant } from "../../app/module.js";
import type { BankKeeper } from "../bank/keeper.js";
import { allDeposits, allProposals, heldDeposits } from "./store.js";

const sumUogpu = (coins: readonly { denom: string; amount: string }[]) => amountOf(coins, BASE_DENOM);

/** The gov account holds at least the deposits not yet refunded or burned (gov/held); each proposal's total is its deposits' sum. */
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
        // ≥, not =: a passed proposal may pay the gov account (a treasury spend to it), never take what it owes.
        if (balance < held) return `gov module account holds ${balance}${BASE_DENOM} but deposits sum to ${held}${BASE_DENOM}`;
        if (heldDeposits(store) !== held) return `gov/held is ${heldDeposits(store)}${BASE_DENOM} but deposits sum to ${held}${BASE_DENOM}`;
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
