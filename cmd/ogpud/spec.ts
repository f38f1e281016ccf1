import type { CliSpec, GroupSpec, OptionSpec } from "../cli.js";
import { nodeOption, outputOption } from "./client.js";
import { clientDefaults } from "./client-config.js";
import { ogpudCommands } from "./commands/index.js";
import { homeOption } from "./home.js";
import { keyringOptions } from "./keyring-flags.js";

/**
 * Flags every `ogpud` command accepts (gaiad's persistent flags plus the client flags it adds
 * to every tx and query command), so scripts can pass one set everywhere.
 */
export const ogpudGlobalOptions: OptionSpec = {
  ...homeOption,
  ...nodeOption,
  "chain-id": { type: "string", description: "chain id to sign for (default: the node's, from /status)" },
  ...outputOption,
  ...keyringOptions,
  "log-level": { type: "string", description: "log level of a running node: trace | debug | info | warn | error | fatal | silent (default info)" },
  "log-format": { type: "string", description: "log format of a running node: pretty | json" },
};

/** What each group's line in its parent's help says; `q` is also `query`, as in gaiad. */
const groups: Record<string, GroupSpec> = {
  keys: { summary: "Manage your application's keys (file or test keyring)" },
  genesis: { summary: "Build and check a genesis: accounts, gentxs, validate" },
  tx: { summary: "Transactions subcommands: sign, broadcast and wait for a tx" },
  q: { summary: "Querying subcommands", aliases: ["query"] },
  comet: { summary: "CometBFT subcommands: node id, consensus key, data reset", aliases: ["tendermint"] },
  "tx bank": { summary: "Bank transaction subcommands" },
  "tx staking": { summary: "Staking transaction subcommands" },
  "tx distribution": { summary: "Distribution transaction subcommands" },
  "tx slashing": { summary: "Slashing transaction subcommands" },
  "tx market": { summary: "Compute market transaction subcommands: submit and cancel tasks" },
  "tx gov": { summary: "Governance transaction subcommands" },
  "q bank": { summary: "Querying commands for the bank module" },
  "q auth": { summary: "Querying commands for the auth module" },
  "q staking": { summary: "Querying commands for the staking module" },
  "q distribution": { summary: "Querying commands for the distribution module" },
  "q slashing": { summary: "Querying commands for the slashing module" },
  "q market": { summary: "Querying commands for the compute market: tasks, base prices, task logs, programs" },
  "q workers": { summary: "Querying commands for registered GPU workers" },
  "q mint": { summary: "Querying commands for the mint module" },
  "q gov": { summary: "Querying commands for governance" },
  "q upgrade": { summary: "Querying commands for software upgrades" },
};

export const ogpudSpec: CliSpec = {
  program: "ogpud",
  summary: "oGPU node daemon and client: run a node, manage keys, sign transactions, query the chain",
  commands: ogpudCommands,
  globalOptions: ogpudGlobalOptions,
  groups,
  defaults: clientDefaults,
};
