import { authParams } from "../../x/auth/params.js";
import { bankParams } from "../../x/bank/params.js";
import { stakingParams } from "../../x/staking/params.js";

/** A fresh chain's app_state: every module's default params, no balances, no validators yet. */
export function defaultAppState(): Record<string, unknown> {
  return {
    auth: { params: authParams.parse(undefined), accounts: [] },
    bank: { params: bankParams.parse(undefined), balances: [] },
    staking: { params: stakingParams.parse(undefined) },
    distribution: {},
    genutil: { gen_txs: [] },
  };
}
