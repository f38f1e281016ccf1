import { authParams } from "../../x/auth/params.js";
import { bankParams } from "../../x/bank/params.js";
import { stakingParams } from "../../x/staking/params.js";
import { slashingParams } from "../../x/slashing/params.js";
import { workersParams } from "../../x/workers/params.js";
import { marketParams } from "../../x/market/params.js";
import { attestParams } from "../../x/attest/params.js";

/** A fresh chain's app_state: every module's default params, no balances, no validators yet. */
export function defaultAppState(): Record<string, unknown> {
  return {
    auth: { params: authParams.parse(undefined), accounts: [] },
    bank: { params: bankParams.parse(undefined), balances: [] },
    staking: { params: stakingParams.parse(undefined) },
    distribution: {},
    slashing: { params: slashingParams.parse(undefined) },
    workers: { params: workersParams.parse(undefined), workers: [] },
    market: { params: marketParams.parse(undefined), tasks: [] },
    attest: { params: attestParams.parse(undefined), records: [], duties: [] },
    genutil: { gen_txs: [] },
  };
}
