import type { Command } from "../../cli.js";
import { genesisAddAccountCommand } from "./genesis.js";
import { initCommand } from "./init.js";
import { keysCommands } from "./keys.js";
import { startCommand } from "./start.js";

/** Every `ogpud` command, in the order `ogpud --help` lists them. */
export const ogpudCommands: Command[] = [initCommand, startCommand, genesisAddAccountCommand, ...keysCommands];
