import type { Invariant } from "../../app/module.js";
import { allAccounts, nextAccountNumber } from "./keeper.js";

export const authInvariants: Invariant[] = [
  {
    name: "auth/account-numbers-unique",
    check(store) {
      const next = nextAccountNumber(store);
      const seen = new Set<bigint>();
      for (const acc of allAccounts(store)) {
        if (acc.accountNumber >= next) return `account number ${acc.accountNumber} >= next ${next}`;
        if (seen.has(acc.accountNumber)) return `account number ${acc.accountNumber} used twice`;
        seen.add(acc.accountNumber);
      }
      return null;
    },
  },
];
