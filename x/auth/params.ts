import { defineParams } from "../../app/params.js";

/** The SDK's x/auth params, plus the largest tx we accept. */
export const authParams = defineParams(
  "auth/params",
  {
    max_memo_characters: 256,
    tx_sig_limit: 7,
    tx_size_cost_per_byte: 10,
    sig_verify_cost_secp256k1: 1000,
    max_tx_bytes: 1_048_576,
  },
  (p) => {
    for (const [k, v] of Object.entries(p)) if (v <= 0) throw new Error(`auth param ${k} must be positive`);
  },
);
