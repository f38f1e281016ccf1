import { authParams } from "../../x/auth/params.js";
import { bankParams } from "../../x/bank/params.js";

/** A fresh chain's app_state: every module's default params, no balances. */
export function defaultAppState(): Record<string, unknown> {
  return {
    auth: { params: authParams.parse(undefined), accounts: [] },
    bank: { params: bankParams.parse(undefined), balances: [] },
  };
}
