import type { AppModule } from "../../app/module.js";
import { defaultAuthGenesis, exportAuthGenesis, initAuthGenesis } from "./genesis.js";
import { authInvariants } from "./invariants.js";
import { authQueries } from "./queries.js";
import { authParams } from "./params.js";
import { defineUpdateParamsMsg } from "../../app/update-params.js";
import { OGPU_MSG_TYPES } from "../../proto/msg-types.js";

// Shape exemption: msgs, errors — accounts are created by receipts and sequences by the ante handler (its one Msg is the gov-only MsgUpdateParams, defined here); its errors are the SDK's root codespace (app/errors.ts).
/** x/auth: accounts, numbers, sequences, public keys. Its tx checks live in the ante handler (ante.ts), which app/modules.ts hands to the tx runner. */
export function createAuthModule(): AppModule {
  return {
    name: "auth",
    msgs: [defineUpdateParamsMsg("auth", authParams, OGPU_MSG_TYPES.UpdateAuthParams)],
    queries: authQueries,
    invariants: authInvariants,
    initGenesis: (ctx, state) => initAuthGenesis(ctx.store, state),
    exportGenesis: exportAuthGenesis,
    defaultGenesis: defaultAuthGenesis,
  };
}
