import { defineParams } from "../../app/params.js";

/**
 * max_wallet_bps: no ordinary account may hold more than this share of the 21M cap
 * (default 200 = 2 %). Module accounts and the addresses in max_wallet_exempt are exempt.
 */
export const bankParams = defineParams(
  "bank/params",
  { max_wallet_bps: 200, max_wallet_exempt: [] as string[], send_enabled: true },
  (p) => {
    if (p.max_wallet_bps <= 0 || p.max_wallet_bps > 10_000) throw new Error("max_wallet_bps must be in 1..10000");
    if (!p.max_wallet_exempt.every((a) => typeof a === "string")) throw new Error("max_wallet_exempt must list addresses");
  },
);
