import type { AppModule } from "../../app/module.js";
import { defaultAuthzGenesis, exportAuthzGenesis, initAuthzGenesis } from "./genesis.js";
import { authzInvariants } from "./invariants.js";
import type { AuthzDeps, AuthzKeeper } from "./keeper.js";
import { authzMsgs } from "./msgs.js";
import { authzQueries } from "./queries.js";

/**
 * x/authz (the SDK's subset): an account lets another run msgs as it — GenericAuthorization
 * for one msg type, SubmitTaskAuthorization for task submission up to a spend limit.
 */
export function createAuthzModule(keeper: AuthzKeeper, { router }: Pick<AuthzDeps, "router">): AppModule {
  return {
    name: "authz",
    msgs: authzMsgs(keeper, router),
    queries: authzQueries,
    invariants: authzInvariants,
    initGenesis: (ctx, state) => initAuthzGenesis(ctx, state),
    exportGenesis: exportAuthzGenesis,
    defaultGenesis: defaultAuthzGenesis,
    beginBlock: (ctx) => keeper.pruneExpired(ctx),
  };
}
