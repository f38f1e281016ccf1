import type { AppModule } from "../../app/module.js";
import { exportWorkersGenesis, initWorkersGenesis } from "./genesis.js";
import { workersInvariants } from "./invariants.js";
import { completeExits } from "./keeper.js";
import { workersMsgs } from "./msgs.js";
import { workersQueries } from "./queries.js";

/** x/workers: the GPU worker registry — offers, bonds, liveness, reliability, exits. */
export const workersModule: AppModule = {
  name: "workers",
  msgs: workersMsgs,
  queries: workersQueries,
  invariants: workersInvariants,
  initGenesis: (ctx, state) => initWorkersGenesis(ctx.store, state),
  exportGenesis: exportWorkersGenesis,
  // Bonds of finished exits return before the market schedules (x/market's endBlock runs after).
  endBlock: (ctx) => completeExits(ctx),
};
