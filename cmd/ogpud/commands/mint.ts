import { CliError, type Command, type OptionSpec } from "../../cli.js";
import { parseAccountAddress } from "../../../app/address.js";
import { decToString } from "../../../app/dec.js";
import { messageJson } from "../../../server/lcd-json.js";
import { mintAnnualProvisions, mintInflation, mintParams, mintSchedule, providerRewards, QueryError } from "../../../sdk/queries.js";
import { nodeOption, outputFormat, outputOption, printResult, withNode, type NodeConnection, type Printable } from "../client.js";

/** `ogpud q mint …`: the emission schedule and provider rewards (docs/mint.md), rendered as the REST server renders them. */

const queryOptions: OptionSpec = { ...nodeOption, ...outputOption };

function queryFailure(err: unknown): never {
  if (err instanceof QueryError) throw new CliError(err.message);
  throw err;
}

/** A command with no arguments that prints one query's answer. */
function noArgQuery(name: string, summary: string, read: (node: NodeConnection) => Promise<Printable>): Command {
  return {
    name,
    summary,
    usage: "",
    options: queryOptions,
    async run({ positionals, flags }) {
      if (positionals.length > 0) throw new CliError(`usage: ${name}`);
      const format = outputFormat(flags);
      return withNode(flags, async (node) => {
        printResult(format, await read(node).catch(queryFailure));
        return 0;
      });
    },
  };
}

const paramsCommand = noArgQuery("q mint params", "x/mint params: halving schedule, provider share, reward epoch, λ clamp", async (node) => {
  const { paramsJson } = await mintParams(node.comet);
  return JSON.parse(paramsJson) as Printable;
});

const scheduleCommand = noArgQuery("q mint schedule", "Emission so far, current block reward, next halving height, remaining to the cap", async (node) => messageJson(await mintSchedule(node.comet)));

const inflationCommand = noArgQuery("q mint inflation", "Annual provisions over supply (a decimal), from the halving schedule", async (node) => ({ inflation: decToString(BigInt(await mintInflation(node.comet))) }));

const annualProvisionsCommand = noArgQuery("q mint annual-provisions", "uogpu the schedule emits over the next year of blocks (a decimal)", async (node) => ({
  annual_provisions: decToString(BigInt(await mintAnnualProvisions(node.comet))),
}));

const providerRewardsCommand: Command = {
  name: "q mint provider-rewards",
  summary: "A worker's provider-reward standing: this epoch's fee credit and uptime windows, last and total reward",
  usage: "<worker-address>",
  options: queryOptions,
  async run({ positionals, flags }) {
    const [worker, ...rest] = positionals;
    if (!worker || rest.length > 0) throw new CliError("usage: q mint provider-rewards <worker-address>");
    try {
      parseAccountAddress(worker);
    } catch (err) {
      throw new CliError((err as Error).message);
    }
    const format = outputFormat(flags);
    return withNode(flags, async (node) => {
      printResult(format, messageJson(await providerRewards(node.comet, worker).catch(queryFailure)));
      return 0;
    });
  },
};

export const mintCommands: Command[] = [paramsCommand, scheduleCommand, inflationCommand, annualProvisionsCommand, providerRewardsCommand];
