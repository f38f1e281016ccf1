import { CliError, stringFlag, type Command } from "../../cli.js";
import { messageJson } from "../../../server/lcd-json.js";
import { listPrograms, programsPage, QueryError } from "../../../sdk/queries.js";
import { nodeOption, outputFormat, outputOption, printResult, withNode } from "../client.js";
import { smallIntFlag } from "./market.js";

/**
 * `ogpud q market programs`: the chain's program index (Query/Programs; docs/programs.md) —
 * every program_hash a task named, with kind, runtime, GPUs, first/last height and task
 * count — and the built-in kernels with their fixed program ids. Without --limit it follows
 * next_key to the end; with --limit it prints one page and the next_key to resume with --page-key.
 */
export const queryPrograms: Command = {
  name: "q market programs",
  summary: "Programs seen on chain (program_hash, runtime, GPUs, first/last height, task count) and the built-in kernels' fixed program ids",
  usage: "[--limit n] [--page-key <base64 next_key>]",
  options: {
    ...nodeOption,
    ...outputOption,
    limit: { type: "string", description: "one page of at most n programs (the node caps a page at 1000); prints next_key" },
    "page-key": { type: "string", description: "with --limit: resume at this next_key (base64, from the previous page)" },
  },
  async run({ positionals, flags }) {
    if (positionals.length > 0) throw new CliError("usage: q market programs [--limit n] [--page-key <base64>]");
    const format = outputFormat(flags);
    const limit = smallIntFlag(flags, "limit", 0);
    const pageKey = stringFlag(flags, "page-key", "");
    if (pageKey !== "" && limit === 0) throw new CliError("--page-key needs --limit (it resumes a paged listing)");
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(pageKey)) throw new CliError("--page-key must be base64 (the next_key a previous page printed)");
    return withNode(flags, async (node) => {
      try {
        if (limit === 0) {
          const { programs, builtins } = await listPrograms(node.comet);
          printResult(format, { programs: programs.map((p) => messageJson(p)), builtins: builtins.map((b) => messageJson(b)) });
          return 0;
        }
        const page = await programsPage(node.comet, { key: new Uint8Array(Buffer.from(pageKey, "base64")), limit });
        const nextKey = Buffer.from(page.pagination?.nextKey ?? new Uint8Array()).toString("base64");
        printResult(format, { programs: page.programs.map((p) => messageJson(p)), builtins: page.builtins.map((b) => messageJson(b)), next_key: nextKey });
        return 0;
      } catch (err) {
        if (err instanceof QueryError) throw new CliError(err.message);
        throw err;
      }
    });
  },
};
