import { CliError, type Command, type OptionSpec } from "../../cli.js";
import { messageJson } from "../../../server/lcd-json.js";
import type { WorkerView } from "../../../proto/gen/ogpu/workers/v1/query.js";
import { WorkerStatus } from "../../../proto/gen/ogpu/workers/v1/workers.js";
import { getWorker, listWorkers, parseWorkerStatus, QueryError } from "../../../sdk/queries.js";
import { nodeOption, outputFormat, outputOption, printResult, withNode } from "../client.js";

/** `ogpud q workers …`: the GPU worker registry, rendered as the REST server renders it. */

const queryOptions: OptionSpec = { ...nodeOption, ...outputOption };

export function workerJson(view: WorkerView) {
  return messageJson(view, undefined, { enums: { status: WorkerStatus } });
}

function queryFailure(err: unknown): never {
  if (err instanceof QueryError) throw new CliError(err.message);
  throw err;
}

const listCommand: Command = {
  name: "q workers list",
  summary: "Registered workers in address order, with status and tier",
  usage: "[--status online|offline|jailed|exiting] [--gpu-model <model>]",
  options: {
    ...queryOptions,
    status: { type: "string", description: "only workers with this status" },
    "gpu-model": { type: "string", description: "only workers with at least one GPU of this model" },
  },
  async run({ positionals, flags }) {
    if (positionals.length > 0) throw new CliError("usage: q workers list [--status <status>] [--gpu-model <model>]");
    const format = outputFormat(flags);
    let status: WorkerStatus | undefined;
    try {
      status = typeof flags.status === "string" ? parseWorkerStatus(flags.status) : undefined;
    } catch (err) {
      throw new CliError((err as Error).message);
    }
    const gpuModel = typeof flags["gpu-model"] === "string" ? flags["gpu-model"] : undefined;
    return withNode(flags, async (node) => {
      const workers = await listWorkers(node.comet, { status, gpuModel }).catch(queryFailure);
      printResult(format, { workers: workers.map(workerJson) });
      return 0;
    });
  },
};

const showCommand: Command = {
  name: "q workers show",
  summary: "One worker by its operator address",
  usage: "<address>",
  options: queryOptions,
  async run({ positionals, flags }) {
    const [address, ...rest] = positionals;
    if (!address || rest.length > 0) throw new CliError("usage: q workers show <address>");
    const format = outputFormat(flags);
    return withNode(flags, async (node) => {
      const worker = await getWorker(node.comet, address).catch(queryFailure);
      if (!worker) throw new CliError(`worker ${address} not found`);
      printResult(format, workerJson(worker));
      return 0;
    });
  },
};

export const workersCommands: Command[] = [listCommand, showCommand];
