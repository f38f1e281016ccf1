import type { Invariant } from "../../app/module.js";
import { slashingParams } from "./params.js";
import { allSigningInfos, getMissedBits, popcount } from "./store.js";

/**
 * Liveness bookkeeping is self-consistent: no negative heights or counters, and each
 * validator's missed counter is exactly the number of set bits in its window.
 */
export const slashingInvariants: Invariant[] = [
  {
    name: "slashing/signing-info",
    check(store) {
      const window = slashingParams.get(store).signed_blocks_window;
      for (const { cons, info } of allSigningInfos(store)) {
        if (info.startHeight < 0n || info.indexOffset < 0n || info.missedBlocksCounter < 0n || info.jailedUntil.seconds < 0n) {
          return `signing info of ${info.address} has a negative field`;
        }
        const bits = popcount(getMissedBits(store, cons, window));
        if (BigInt(bits) !== info.missedBlocksCounter) return `${info.address} counts ${info.missedBlocksCounter} missed blocks but its bit array has ${bits}`;
      }
      return null;
    },
  },
];
