import type { AppModule } from "../../app/module.js";
import { defaultWorkersGenesis, exportWorkersGenesis, initWorkersGenesis } from "./genesis.js";
import { workersInvariants } from "./invariants.js";
import type { AuthKeeper } from "../auth/keeper.js";
import type { WorkersDeps, WorkersKeeper } from "./keeper.js";
import { workersMsgs } from "./msgs.js";
import { workersQueries } from "./queries.js";

/** x/workers: the GPU worker registry — offers, bonds, liveness, reliability, exits. */
export function createWorkersModule(keeper: WorkersKeeper, deps: WorkersDeps & { auth: Pick<AuthKeeper, "ensureModuleAccount"> }): AppModule {
  return {
    name: "workers",
    msgs: workersMsgs(keeper),
    queries: workersQueries,
    invariants: workersInvariants(deps.bank),
    initGenesis: (ctx, state) => initWorkersGenesis(deps.auth, ctx.store, state),
    exportGenesis: exportWorkersGenesis,
    defaultGenesis: defaultWorkersGenesis,
    // Bonds of finished exits return before the market schedules (x/market's endBlock runs after).
    endBlock: (ctx) => keeper.completeExits(ctx),
  };
}
