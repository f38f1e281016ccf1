import { setTimeout as sleep } from "node:timers/promises";
import { CliError, stringFlag, type Command } from "../../cli.js";
import { isTerminalTaskStatus } from "../../../proto/task-status.js";
import { TaskStatus } from "../../../proto/gen/ogpu/market/v1/market.js";
import { OgpuClient } from "../../../sdk/client.js";
import type { OpenedTaskLog } from "../../../sdk/task-io.js";
import type { KemKeyPair } from "../../../crypto/kem.js";
import { keyringFromFlags, keyringOptions } from "../keyring-flags.js";
import { homeOption } from "../home.js";
import { keyFromNameOrAddress, nodeOption, outputFormat, outputOption, printResult, withNode, type OutputFormat } from "../client.js";
import { clientKeys, DEFAULT_REST, taskIdArg } from "./market.js";

/**
 * `ogpud q market logs <task-id> [--follow]`: the job logs a task's workers posted
 * (MsgPostTaskLog; docs/task-logs.md), downloaded and decrypted with the --from key's client
 * encryption key (derived from its mnemonic, as for results). --follow polls until the task ends.
 */

const USAGE = "q market logs <task-id> [--from <key>] [--follow] [--rest <url>]";
const POLL_MS = 1000;

function printLog(format: OutputFormat, taskId: bigint, log: OpenedTaskLog): void {
  if (format === "json") {
    printResult(format, { task_id: taskId, worker: log.worker, height: log.height, log_cid: log.logCid, text: log.text });
    return;
  }
  console.log(`==> task ${taskId}  worker ${log.worker}  height ${log.height}  log ${log.logCid} <==`);
  // console.log adds the final newline (and is what runOgpud captures in tests).
  if (log.text !== "") console.log(log.text.endsWith("\n") ? log.text.slice(0, -1) : log.text);
}

export const queryTaskLogs: Command = {
  name: "q market logs",
  summary: "The job logs (stdout/stderr) of a task's workers, decrypted with the client's key; --follow waits for more until the task ends",
  usage: USAGE,
  options: {
    ...nodeOption,
    ...outputOption,
    ...homeOption,
    ...keyringOptions,
    from: { type: "string", description: "the task's client key (name or address): opens an encrypted task's logs" },
    rest: { type: "string", description: `the node's REST server / blob store; several comma-separated (a,b,c) are failed over in order (default ${DEFAULT_REST})` },
    follow: { type: "boolean", description: "print each log as it is posted, until the task ends" },
  },
  async run({ positionals, flags }) {
    const taskId = taskIdArg(positionals, USAGE);
    const format = outputFormat(flags);
    const restUrl = stringFlag(flags, "rest", DEFAULT_REST);
    let encryptionKey: KemKeyPair | undefined;
    if (typeof flags.from === "string") {
      const keyring = keyringFromFlags(flags);
      encryptionKey = (await clientKeys(keyring, await keyFromNameOrAddress(keyring, flags.from))).encryptionKey;
    }
    return withNode(flags, async (node) => {
      const sdk = await OgpuClient.connectReadOnly(node.url, { restUrl, encryptionKey });
      const printed = new Set<string>();
      try {
        for (;;) {
          const task = await sdk.getTask(taskId);
          if (!task) {
            if (printed.size > 0) return 0; // pruned after it ended: everything was shown
            throw new CliError(`task ${taskId} not found`);
          }
          if (task.inputEncrypted && !encryptionKey && task.logs.length > 0) throw new CliError(`task ${taskId} is encrypted: give --from <the client's key> to open its logs`);
          const logs = await sdk.logs(taskId).catch((err: unknown) => {
            throw new CliError(`task ${taskId}: opening its logs failed: ${err instanceof Error ? err.message : String(err)}`);
          });
          for (const log of logs.filter((l) => !printed.has(l.logCid))) {
            printLog(format, taskId, log);
            printed.add(log.logCid);
          }
          if (!flags.follow || isTerminalTaskStatus(task.status)) {
            if (printed.size === 0 && format === "text") console.error(`task ${taskId} (${TaskStatus[task.status]}) has no logs yet`);
            return 0;
          }
          await sleep(POLL_MS);
        }
      } finally {
        sdk.disconnect();
      }
    });
  },
};
