import { moduleAddress } from "../../app/address.js";
import { BASE_DENOM } from "../../app/coins.js";
import type { Invariant } from "../../app/module.js";
import type { BankKeeper } from "../bank/keeper.js";
import { MINT } from "./keeper.js";
import { allPaid, blockMintedTotal, providerPaidTotal } from "./store.js";

/**
 * Everything minted is accounted for: x/bank's minted counter = block rewards + provider
 * rewards (x/mint is the only minter), the mint account passes every coin on in the block it
 * mints it, and the per-worker totals add up to the provider total.
 */
export function mintInvariants(bank: Pick<BankKeeper, "issuanceOf" | "getBalance">): Invariant[] {
  return [
    {
      name: "mint/minted-accounted",
      check(store) {
        const minted = bank.issuanceOf(store, BASE_DENOM).minted;
        const ours = blockMintedTotal(store) + providerPaidTotal(store);
        if (minted !== ours) return `bank counts ${minted}${BASE_DENOM} minted but x/mint minted ${ours} (block ${blockMintedTotal(store)} + providers ${providerPaidTotal(store)})`;
        const held = bank.getBalance(store, moduleAddress(MINT), BASE_DENOM);
        return held === 0n ? null : `the mint account holds ${held}${BASE_DENOM}; minted coins must move on in the same block`;
      },
    },
    {
      name: "mint/provider-totals",
      check(store) {
        let sum = 0n;
        for (const { paid } of allPaid(store)) sum += paid;
        return sum === providerPaidTotal(store) ? null : `per-worker provider rewards sum to ${sum} but the total is ${providerPaidTotal(store)}`;
      },
    },
  ];
}
