import { Command as CommanderCommand, CommanderError, Option } from "commander";

/**
 * Shared plumbing for the `ogpud` and `ogpu-worker` command lines. Every command is declared
 * as data (name, summary, usage, flags) plus a function from parsed flags to an exit code;
 * `runCli` turns the list into a commander program: command groups with their own `--help`
 * ("ogpud tx --help"), short flags, global flags, "did you mean" on typos. Errors are one
 * clear line and a non-zero exit.
 */
export type Flags = Record<string, string | boolean | undefined>;
/** A flag: its type, an optional one-letter alias, and the line `--help` shows for it. */
export interface FlagSpec {
  type: "string" | "boolean";
  short?: string;
  description: string;
}
export type OptionSpec = Record<string, FlagSpec>;

export interface Command {
  /** e.g. "keys add"; the words before the last are its groups ("keys"). */
  name: string;
  /** One line for the command list; the first line of `--help`. */
  summary: string;
  /** Usage text after the command name, e.g. "<name> [--recover]". */
  usage: string;
  options: OptionSpec;
  run(args: { positionals: string[]; flags: Flags }): Promise<number | void>;
}

/** A command group ("tx", "q market"): the line its parent's help shows, and other names for it. */
export interface GroupSpec {
  summary: string;
  aliases?: string[];
}

/** A whole command line program. */
export interface CliSpec {
  program: string;
  summary?: string;
  commands: Command[];
  /** Flags every command accepts, listed under "Global Flags" (like gaiad's persistent flags). */
  globalOptions?: OptionSpec;
  /** Summaries of the groups, keyed by their words ("tx", "q market"); others get a generic line. */
  groups?: Record<string, GroupSpec>;
  /**
   * Fills flags the user did not give (e.g. from OGPUD_* environment variables or client.toml);
   * runs after parsing, before the command.
   */
  defaults?: (flags: Flags) => Promise<Flags> | Flags;
}

/** Error whose message is meant for the user as-is (no stack trace). */
export class CliError extends Error {}

/**
 * Ends a command early with an exit code once it has printed its result — e.g. a tx command
 * under --generate-only or --dry-run stops before signing, deep inside the shared tx path.
 */
export class CommandDone extends Error {
  constructor(readonly code = 0) {
    super(`command done (exit ${code})`);
  }
}

const FLAGS_HEADING = "Flags:";
const GLOBAL_FLAGS_HEADING = "Global Flags:";

/** commander's attribute for a flag: camelCase, and `--no-x` stores `x: false`. */
function optionFor(name: string, spec: FlagSpec): Option {
  const long = spec.type === "string" ? `--${name} <value>` : `--${name}`;
  return new Option(spec.short ? `-${spec.short}, ${long}` : long, spec.description);
}

/** Reads our flag names back out of commander's parsed values. */
function flagsOf(cmd: CommanderCommand, specs: OptionSpec): Flags {
  const values = cmd.opts<Record<string, string | boolean | undefined>>();
  const flags: Flags = {};
  for (const name of Object.keys(specs)) {
    const option = cmd.options.find((o) => o.long === `--${name}`);
    if (!option) continue;
    const value = values[option.attributeName()];
    // A lone `--no-x` flag defaults `x` to true; the command asks for "no-x" itself.
    if (option.negate) flags[name] = value === false ? true : undefined;
    else if (value !== undefined) flags[name] = value;
  }
  return flags;
}

/** Adds a command's flags and the global ones it does not declare itself. */
function addFlags(target: CommanderCommand, own: OptionSpec, globals: OptionSpec): void {
  target.optionsGroup(FLAGS_HEADING);
  for (const [name, spec] of Object.entries(own)) {
    // A command's own wording of a global flag keeps the global short form (-o).
    const short = spec.short ?? globals[name]?.short;
    target.addOption(optionFor(name, short ? { ...spec, short } : spec));
  }
  for (const [name, spec] of Object.entries(globals)) {
    if (!(name in own)) target.addOption(optionFor(name, spec).helpGroup(GLOBAL_FLAGS_HEADING));
  }
}

/** Routes commander's output through console (so `runOgpud` captures it) and turns exits into exceptions. */
function configureRoot(root: CommanderCommand, spec: CliSpec): void {
  root
    .name(spec.program)
    .usage("<command> [flags]")
    .description(spec.summary ?? "")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => console.log(s.replace(/\n$/, "")),
      writeErr: (s) => console.error(s.replace(/\n$/, "")),
    })
    .showSuggestionAfterError(true)
    .allowExcessArguments(true)
    // Global flags are read wherever they stand: each command declares them itself.
    .enablePositionalOptions()
    .addHelpOption(new Option("-h, --help", "help for this command").helpGroup(FLAGS_HEADING))
    .helpCommand("help [command]", "help about any command")
    // The command list shows names (and aliases); a command's own help shows its usage.
    .configureHelp({ subcommandTerm: (cmd) => [cmd.name(), ...cmd.aliases()].join(", ") });
}

interface Built {
  root: CommanderCommand;
  /** Every group node, keyed by its words ("tx market"), "" for the root. */
  groups: Map<string, CommanderCommand>;
}

function buildProgram(spec: CliSpec, onRun: (cmd: Command, node: CommanderCommand) => Promise<void>): Built {
  const root = new CommanderCommand();
  configureRoot(root, spec);
  const globals = spec.globalOptions ?? {};
  addFlags(root, {}, globals);
  const groups = new Map<string, CommanderCommand>([["", root]]);

  const groupNode = (words: string[]): CommanderCommand => {
    const key = words.join(" ");
    const found = groups.get(key);
    if (found) return found;
    const parent = groupNode(words.slice(0, -1));
    const group = parent.command(words.at(-1)!).usage("<command> [flags]");
    const groupSpec = spec.groups?.[key];
    group.description(groupSpec?.summary ?? `${key} subcommands`);
    for (const alias of groupSpec?.aliases ?? []) group.alias(alias);
    addFlags(group, {}, globals);
    groups.set(key, group);
    return group;
  };

  for (const cmd of spec.commands) {
    const words = cmd.name.split(" ");
    const leaf = groupNode(words.slice(0, -1)).command(words.at(-1)!);
    leaf
      .description(cmd.summary)
      .usage(`${cmd.usage}${cmd.usage.includes("[flags]") ? "" : " [flags]"}`.trim())
      .allowExcessArguments(true)
      .action(async () => onRun(cmd, leaf));
    addFlags(leaf, cmd.options, globals);
  }
  return { root, groups };
}

/** `ogpud tx` alone shows the group's help (with exit 0), as cobra does. */
function helpForBareGroup(built: Built, argv: string[]): string[] {
  let node = built.root;
  let i = 0;
  for (; i < argv.length; i++) {
    const word = argv[i]!;
    const next = node.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (!next) break;
    node = next;
  }
  const isGroup = node.commands.length > 0;
  const rest = argv.slice(i);
  return isGroup && !rest.some((a) => !a.startsWith("-")) && !rest.includes("--help") && !rest.includes("-h") ? [...argv, "--help"] : argv;
}

function reportError(err: unknown): number {
  const message = err instanceof Error ? err.message : String(err);
  console.error(`error: ${message}`);
  if (process.env.OGPU_DEBUG && err instanceof Error && !(err instanceof CliError)) console.error(err.stack);
  return 1;
}

/** Parses `argv` with commander and runs the command it names; returns the exit code. */
export async function runCli(spec: CliSpec, argv: string[]): Promise<number> {
  let code = 0;
  const built = buildProgram(spec, async (cmd, node) => {
    try {
      const flags: Flags = { ...flagsOf(node, { ...spec.globalOptions, ...cmd.options }) };
      const filled = spec.defaults ? await spec.defaults(flags) : flags;
      code = (await cmd.run({ positionals: [...node.args], flags: filled })) ?? 0;
    } catch (err) {
      code = err instanceof CommandDone ? err.code : reportError(err);
    }
  });
  try {
    await built.root.parseAsync(helpForBareGroup(built, argv), { from: "user" });
    return code;
  } catch (err) {
    // commander has already printed its own message (help, unknown command with a suggestion …).
    if (err instanceof CommanderError) return err.exitCode;
    return reportError(err);
  }
}

/**
 * Parses one command's flags and positionals without running it, exactly as `runCli` would
 * (for tests that call `run` themselves); a parse error throws.
 */
export function parseCommandArgs(cmd: Command, argv: string[], globalOptions: OptionSpec = {}): { positionals: string[]; flags: Flags } {
  let parsed: { positionals: string[]; flags: Flags } | undefined;
  const leaf = new CommanderCommand(cmd.name.split(" ").at(-1));
  leaf
    .exitOverride()
    .configureOutput({ writeOut: () => {}, writeErr: () => {} })
    .allowExcessArguments(true)
    .action(() => {
      parsed = { positionals: [...leaf.args], flags: flagsOf(leaf, { ...globalOptions, ...cmd.options }) };
    });
  addFlags(leaf, cmd.options, globalOptions);
  try {
    leaf.parse(argv, { from: "user" });
  } catch (err) {
    if (err instanceof CommanderError) throw new CliError(err.message.replace(/^error: /, ""));
    throw err;
  }
  if (!parsed) throw new CliError(`${cmd.name}: nothing parsed`);
  return parsed;
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
