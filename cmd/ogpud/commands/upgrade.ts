import {
  QueryAppliedPlanRequest,
  QueryAppliedPlanResponse,
  QueryCurrentPlanRequest,
  QueryCurrentPlanResponse,
  QueryModuleVersionsRequest,
  QueryModuleVersionsResponse,
} from "cosmjs-types/cosmos/upgrade/v1beta1/query";
import { CliError, type Command, type OptionSpec } from "../../cli.js";
import { abciQuery, nodeOption, outputFormat, outputOption, printResult, withNode } from "../client.js";

/**
 * `ogpud q upgrade …`, shaped like the SDK's: the scheduled plan, the height a named plan was
 * applied at, the stored module versions. Scheduling is a gov proposal (docs/upgrades.md).
 */
const queryOptions: OptionSpec = { ...nodeOption, ...outputOption };

const planCommand: Command = {
  name: "q upgrade plan",
  summary: "The scheduled software upgrade plan (fails with 'no upgrade scheduled' if none)",
  usage: "",
  options: queryOptions,
  async run({ positionals, flags }) {
    if (positionals.length > 0) throw new CliError("usage: q upgrade plan");
    const format = outputFormat(flags);
    return withNode(flags, async (node) => {
      const { plan } = await abciQuery(node, "/cosmos.upgrade.v1beta1.Query/CurrentPlan", QueryCurrentPlanRequest.encode({}).finish(), QueryCurrentPlanResponse.decode);
      if (!plan) throw new CliError("no upgrade scheduled");
      printResult(format, { name: plan.name, height: plan.height, info: plan.info });
      return 0;
    });
  },
};

const appliedCommand: Command = {
  name: "q upgrade applied",
  summary: "The height at which a named upgrade was applied (fails with 'no upgrade found' if never)",
  usage: "<name>",
  options: queryOptions,
  async run({ positionals, flags }) {
    const [name, ...rest] = positionals;
    if (!name || rest.length > 0) throw new CliError("usage: q upgrade applied <name>");
    const format = outputFormat(flags);
    return withNode(flags, async (node) => {
      const { height } = await abciQuery(node, "/cosmos.upgrade.v1beta1.Query/AppliedPlan", QueryAppliedPlanRequest.encode({ name }).finish(), QueryAppliedPlanResponse.decode);
      if (height === 0n) throw new CliError("no upgrade found");
      printResult(format, { name, height });
      return 0;
    });
  },
};

const versionsCommand: Command = {
  name: "q upgrade module-versions",
  summary: "Stored consensus version of every module (or of one)",
  usage: "[<module>]",
  options: queryOptions,
  async run({ positionals, flags }) {
    const [moduleName = "", ...rest] = positionals;
    if (rest.length > 0) throw new CliError("usage: q upgrade module-versions [<module>]");
    const format = outputFormat(flags);
    return withNode(flags, async (node) => {
      const { moduleVersions } = await abciQuery(node, "/cosmos.upgrade.v1beta1.Query/ModuleVersions", QueryModuleVersionsRequest.encode({ moduleName }).finish(), QueryModuleVersionsResponse.decode);
      printResult(format, { module_versions: moduleVersions.map((v) => ({ name: v.name, version: v.version })) });
      return 0;
    });
  },
};

export const upgradeCommands: Command[] = [planCommand, appliedCommand, versionsCommand];
