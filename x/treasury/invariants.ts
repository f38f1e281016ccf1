import type { Invariant } from "../../app/module.js";
import type { KVStore } from "../../app/store/kvstore.js";
import { moduleAddress } from "../../app/address.js";
import { BASE_DENOM } from "../../app/coins.js";
import { TREASURY, type TreasuryDeps } from "./keeper.js";
import { allTotalsIn, totalSpent } from "./store.js";

/** Σ total_in over every reason − total_spent: what the treasury must hold. */
export function expectedBalance(store: KVStore): bigint {
  let sum = 0n;
  for (const { amount } of allTotalsIn(store)) sum += amount;
  return sum - totalSpent(store);
}

/**
 * treasury/books: the treasury module account holds exactly total_in − total_spent uogpu and
 * nothing else. Any coin that reached it outside `deposit`, or left it outside `spend`, breaks it.
 */
export function treasuryInvariants({ bank }: Pick<TreasuryDeps, "bank">): Invariant[] {
  return [
    {
      name: "treasury/books",
      check(store) {
        const held = bank.getAllBalances(store, moduleAddress(TREASURY));
        const other = held.find((c) => c.denom !== BASE_DENOM);
        if (other) return `treasury holds ${other.amount}${other.denom}; it only ever receives ${BASE_DENOM}`;
        const balance = bank.getBalance(store, moduleAddress(TREASURY), BASE_DENOM);
        const expected = expectedBalance(store);
        return balance === expected ? null : `treasury holds ${balance}${BASE_DENOM} but total_in − total_spent = ${expected}${BASE_DENOM}`;
      },
    },
  ];
}
