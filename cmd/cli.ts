import { parseArgs } from "node:util";

/**
 * Shared plumbing for the `ogpud` and `ogpu-worker` command lines: every command is a
 * function from parsed flags to an exit code; errors are one clear line and a non-zero exit.
 */
export type Flags = Record<string, string | boolean | undefined>;
/** A flag: its type, an optional one-letter alias, and the line `--help` shows for it. */
export interface FlagSpec {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
  description: string;
}
export type OptionSpec = Record<string, FlagSpec>;

export interface Command {
  /** e.g. "keys add" */
  name: string;
  /** One line for the command list; the first line of `--help`. */
  summary: string;
  /** Usage text after the command name, e.g. "<name> [--recover]". */
  usage: string;
  options: OptionSpec;
  run(args: { positionals: string[]; flags: Flags }): Promise<number | void>;
}

/** Error whose message is meant for the user as-is (no stack trace). */
export class CliError extends Error {}

export function parseCommandArgs(cmd: Command, argv: string[]): { positionals: string[]; flags: Flags } {
  const options = Object.fromEntries(
    Object.entries(cmd.options).map(([name, { description: _, ...parseSpec }]) => [name, parseSpec]),
  );
  const parsed = parseArgs({
    args: argv,
    options: { ...options, help: { type: "boolean", short: "h" } },
    allowPositionals: true,
    strict: true,
  });
  return { positionals: parsed.positionals, flags: parsed.values as Flags };
}

export function helpText(program: string, cmd: Command): string {
  const lines = [`${cmd.summary}`, "", `Usage: ${program} ${cmd.name} ${cmd.usage}`.trimEnd()];
  const opts = Object.entries(cmd.options);
  if (opts.length > 0) {
    lines.push("", "Flags:");
    for (const [name, spec] of opts) {
      const desc = spec.description;
      const arg = spec.type === "string" ? " <value>" : "";
      // At least one space between a long flag and its description.
      lines.push(`  --${name}${arg}`.padEnd(31) + " " + desc);
    }
  }
  return lines.join("\n");
}

/** Looks up the longest command name matching the start of argv and runs it. */
export async function runCli(program: string, commands: Command[], argv: string[]): Promise<number> {
  const sorted = [...commands].sort((a, b) => b.name.split(" ").length - a.name.split(" ").length);
  const cmd = sorted.find((c) => {
    const words = c.name.split(" ");
    return words.every((w, i) => argv[i] === w);
  });
  if (!cmd) {
    const wantsHelp = argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help";
    const list = commands.map((c) => `  ${c.name.padEnd(28)}${c.summary}`).join("\n");
    const text = `Usage: ${program} <command> [flags]\n\nCommands:\n${list}\n\nRun '${program} <command> --help' for a command's flags.`;
    if (wantsHelp) {
      console.log(text);
      return 0;
    }
    console.error(`error: unknown command '${argv.join(" ")}'\n\n${text}`);
    return 1;
  }
  const rest = argv.slice(cmd.name.split(" ").length);
  try {
    const { positionals, flags } = parseCommandArgs(cmd, rest);
    if (flags.help) {
      console.log(helpText(program, cmd));
      return 0;
    }
    return (await cmd.run({ positionals, flags })) ?? 0;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    console.error(`error: ${message}`);
    if (process.env.OGPU_DEBUG && err instanceof Error && !(err instanceof CliError)) console.error(err.stack);
    return 1;
  }
}

export function stringFlag(flags: Flags, name: string, fallback?: string): string {
  const v = flags[name];
  if (typeof v === "string") return v;
  if (fallback !== undefined) return fallback;
  throw new CliError(`missing required flag --${name}`);
}

/** A non-negative integer flag, or `fallback` when absent. */
export function intFlag(flags: Flags, name: string, fallback: number): number {
  const v = flags[name];
  if (v === undefined) return fallback;
  if (typeof v !== "string" || !/^[0-9]+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new CliError(`--${name} must be a non-negative integer`);
  return Number(v);
}
