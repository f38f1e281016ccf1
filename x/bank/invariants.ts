import { BASE_DENOM, MAX_SUPPLY } from "../../app/coins.js";
import type { Invariant } from "../../app/module.js";
import { allBalances, allSupply, issuanceOf } from "./keeper.js";

/**
 * The ledger's conservation laws: supply = Σ balances (module accounts included), cap, no
 * negatives, and supply = genesis + minted − burned with genesis + minted ≤ cap.
 */
export const bankInvariants: Invariant[] = [
  {
    name: "bank/total-supply",
    check(store) {
      const sums = new Map<string, bigint>();
      for (const { coin } of allBalances(store)) {
        if (coin.amount <= 0n) return `non-positive balance ${coin.amount}${coin.denom}`;
        sums.set(coin.denom, (sums.get(coin.denom) ?? 0n) + coin.amount);
      }
      const supply = allSupply(store);
      for (const c of supply) {
        const sum = sums.get(c.denom) ?? 0n;
        if (sum !== c.amount) return `supply of ${c.denom} is ${c.amount} but balances sum to ${sum}`;
        sums.delete(c.denom);
      }
      for (const [denom, sum] of sums) return `balances of ${denom} sum to ${sum} but no supply is recorded`;
      return null;
    },
  },
  {
    name: "bank/supply-cap",
    check(store) {
      const total = allSupply(store).find((c) => c.denom === BASE_DENOM)?.amount ?? 0n;
      return total > MAX_SUPPLY ? `supply ${total}${BASE_DENOM} exceeds the cap ${MAX_SUPPLY}` : null;
    },
  },
  {
    name: "bank/issuance",
    check(store) {
      for (const { denom, amount } of allSupply(store)) {
        const { genesis, minted, burned } = issuanceOf(store, denom);
        if (genesis + minted - burned !== amount) return `supply of ${denom} is ${amount} but genesis ${genesis} + minted ${minted} − burned ${burned} = ${genesis + minted - burned}`;
      }
      const { genesis, minted } = issuanceOf(store, BASE_DENOM);
      return genesis + minted > MAX_SUPPLY ? `genesis ${genesis} + minted ${minted} ${BASE_DENOM} exceeds the cap ${MAX_SUPPLY}` : null;
    },
  },
];
