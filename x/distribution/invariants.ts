import type { Invariant } from "../../app/module.js";
import { commissionOf, DISTRIBUTION, remainderOf, totals, type DistributionDeps, type DistributionKeeper } from "./keeper.js";
import { parseAccountAddress } from "../../app/address.js";
import { moduleAddress } from "../../app/address.js";

/**
 * The distribution account holds exactly fees collected − rewards paid, and that covers
 * everything still owed: pending delegator rewards + unwithdrawn commission + the carried
 * remainder (rounding may leave a few uogpu more, never less).
 */
export function distributionInvariants(keeper: Pick<DistributionKeeper, "pendingReward">, { bank, staking }: Pick<DistributionDeps, "bank" | "staking">): Invariant[] {
  return [
    {
      name: "distribution/paid-within-collected",
      check(store) {
        const { collected, paid } = totals(store);
        const balance = bank.getBalance(store, moduleAddress(DISTRIBUTION), staking.params(store).bond_denom);
        if (paid > collected) return `paid ${paid} exceeds collected ${collected}`;
        return balance === collected - paid ? null : `distribution account holds ${balance} but collected − paid = ${collected - paid}`;
      },
    },
    {
      name: "distribution/outstanding-covered",
      check(store) {
        let owed = remainderOf(store);
        for (const { operator } of staking.allValidators(store)) {
          owed += commissionOf(store, operator);
          for (const d of staking.delegationsTo(store, operator)) owed += keeper.pendingReward(store, parseAccountAddress(d.delegatorAddress), operator);
        }
        const balance = bank.getBalance(store, moduleAddress(DISTRIBUTION), staking.params(store).bond_denom);
        return owed <= balance ? null : `outstanding rewards ${owed} exceed the distribution account's ${balance}`;
      },
    },
  ];
}
