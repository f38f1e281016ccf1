import { hex, hexUpper } from "../../../crypto/bytes.js";
import { CliError, type Command } from "../../cli.js";
import { nodeOption, outputFormat, outputOption, printResult, withNode } from "../client.js";

/** `ogpud status`: the node's view of the chain, from CometBFT's RPC /status. */
export const statusCommand: Command = {
  name: "status",
  summary: "Chain id, latest height and app hash, sync state and validator of a running node",
  usage: "[--node http://127.0.0.1:26657]",
  options: { ...nodeOption, ...outputOption },
  async run({ positionals, flags }) {
    if (positionals.length > 0) throw new CliError("usage: status [--node <url>]");
    const format = outputFormat(flags);
    return withNode(flags, async ({ comet }) => {
      const { nodeInfo, syncInfo, validatorInfo } = await comet.status();
      printResult(format, {
        node_info: {
          id: hex(nodeInfo.id),
          moniker: nodeInfo.moniker,
          network: nodeInfo.network,
          version: nodeInfo.version,
        },
        sync_info: {
          latest_block_height: syncInfo.latestBlockHeight,
          latest_block_hash: hexUpper(syncInfo.latestBlockHash),
          latest_app_hash: hexUpper(syncInfo.latestAppHash),
          latest_block_time: syncInfo.latestBlockTime.toISOString(),
          catching_up: syncInfo.catchingUp,
        },
        validator_info: {
          address: hexUpper(validatorInfo.address),
          voting_power: validatorInfo.votingPower,
        },
      });
      return 0;
    });
  },
};
