import type { Command } from "../../cli.js";
import { chainInfoCommand } from "./chain-info.js";
import { exportCommand } from "./export.js";
import { genesisAddAccountCommand } from "./genesis.js";
import { govCommands } from "./gov.js";
import { gentxCommands } from "./gentx.js";
import { initCommand } from "./init.js";
import { nodeToolCommands } from "./node-tools.js";
import { keysCommands } from "./keys.js";
import { marketCommands } from "./market.js";
import { queryTaskLogs } from "./market-logs.js";
import { queryPrograms } from "./market-programs.js";
import { mintCommands } from "./mint.js";
import { queryCommands } from "./query.js";
import { shadowForkCommand } from "./shadow-fork.js";
import { stakingTxCommands } from "./staking.js";
import { authzTxCommands } from "./authz.js";
import { authzQueryCommands, stakingQueryCommands } from "./lcd-queries.js";
import { startCommand } from "./start.js";
import { statusCommand } from "./status.js";
import { txCommands } from "./tx.js";
import { txOfflineCommands } from "./tx-offline.js";
import { upgradeCommands } from "./upgrade.js";
import { workersCommands } from "./workers.js";

/** Every `ogpud` command, in the order `ogpud --help` lists them. */
export const ogpudCommands: Command[] = [
  initCommand,
  startCommand,
  genesisAddAccountCommand,
  ...gentxCommands,
  ...keysCommands,
  ...txCommands,
  ...txOfflineCommands,
  ...stakingTxCommands,
  ...authzTxCommands,
  ...queryCommands,
  ...stakingQueryCommands,
  ...authzQueryCommands,
  ...upgradeCommands,
  ...marketCommands,
  queryTaskLogs,
  queryPrograms,
  ...workersCommands,
  ...mintCommands,
  ...govCommands,
  statusCommand,
  exportCommand,
  chainInfoCommand,
  shadowForkCommand,
  ...nodeToolCommands,
];
