import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CliError, runCli, type CliSpec, type Command, type Flags } from "./cli.js";

/** Records what a command was run with, so the tests see exactly what the parser handed it. */
let calls: { name: string; positionals: string[]; flags: Flags }[];
let out: string[];
let err: string[];
const { log, error } = console;
beforeEach(() => {
  calls = [];
  out = [];
  err = [];
  console.log = (...a: unknown[]) => void out.push(a.join(" "));
  console.error = (...a: unknown[]) => void err.push(a.join(" "));
});
afterEach(() => {
  console.log = log;
  console.error = error;
});

function recorder(name: string, options: Command["options"] = {}): Command {
  return {
    name,
    summary: `the ${name} command`,
    usage: "<arg>",
    options,
    async run({ positionals, flags }) {
      if (positionals[0] === "fail") throw new CliError("it failed");
      calls.push({ name, positionals, flags });
      return 0;
    },
  };
}

const spec: CliSpec = {
  program: "demo",
  commands: [
    recorder("tx bank send", { fees: { type: "string", description: "fee" }, yes: { type: "boolean", short: "y", description: "no prompt" } }),
    recorder("q bank balances", { output: { type: "string", description: "the command's own wording" } }),
    recorder("start", { "no-cometbft": { type: "boolean", description: "ABCI only" } }),
  ],
  globalOptions: { home: { type: "string", description: "home" }, output: { type: "string", short: "o", description: "text | json" } },
  groups: { q: { summary: "Querying subcommands", aliases: ["query"] } },
};

describe("runCli (commander)", () => {
  it("runs a nested command with positionals, short flags and global flags in any order", async () => {
    expect(await runCli(spec, ["tx", "bank", "send", "alice", "--home", "/h", "bob", "-y", "--fees", "5uogpu", "-o", "json"])).toBe(0);
    expect(calls).toEqual([{ name: "tx bank send", positionals: ["alice", "bob"], flags: { fees: "5uogpu", yes: true, home: "/h", output: "json" } }]);
  });

  it("a command's own wording of a global flag keeps its short form; aliases reach the group", async () => {
    expect(await runCli(spec, ["query", "bank", "balances", "ogpu1x", "-o", "json"])).toBe(0);
    expect(calls[0]).toMatchObject({ name: "q bank balances", flags: { output: "json" } });
  });

  it("a lone --no-x flag is off unless given", async () => {
    await runCli(spec, ["start"]);
    await runCli(spec, ["start", "--no-cometbft"]);
    expect(calls.map((c) => c.flags["no-cometbft"])).toEqual([undefined, true]);
  });

  it("group help lists the group's commands; a bare group shows it with exit 0", async () => {
    expect(await runCli(spec, ["tx", "--help"])).toBe(0);
    expect(out.join("\n")).toMatch(/Usage: demo tx <command> \[flags\][\s\S]*bank/);
    out.length = 0;
    expect(await runCli(spec, ["q", "bank"])).toBe(0);
    expect(out.join("\n")).toMatch(/balances\s+the q bank balances command/);
    expect(calls).toEqual([]);
  });

  it("a command's help shows its usage, short flags and the global flags", async () => {
    expect(await runCli(spec, ["tx", "bank", "send", "-h"])).toBe(0);
    const text = out.join("\n");
    expect(text).toContain("Usage: demo tx bank send <arg> [flags]");
    expect(text).toMatch(/-y, --yes\s+no prompt/);
    expect(text).toMatch(/Global Flags:[\s\S]*-o, --output <value>/);
  });

  it("typos get a suggestion and exit 1", async () => {
    expect(await runCli(spec, ["tx", "bnak"])).toBe(1);
    expect(err.join("\n")).toMatch(/unknown command 'bnak'[\s\S]*Did you mean bank\?/);
    err.length = 0;
    expect(await runCli(spec, ["tx", "bank", "send", "a", "--fess", "1"])).toBe(1);
    expect(err.join("\n")).toMatch(/unknown option '--fess'[\s\S]*Did you mean --fees\?/);
    expect(calls).toEqual([]);
  });

  it("a command's CliError is one line on stderr and exit 1", async () => {
    expect(await runCli(spec, ["tx", "bank", "send", "fail"])).toBe(1);
    expect(err).toEqual(["error: it failed"]);
  });

  it("defaults fill only what the user did not give", async () => {
    const withDefaults: CliSpec = { ...spec, defaults: (flags) => ({ home: "/from-env", ...flags }) };
    await runCli(withDefaults, ["tx", "bank", "send", "a"]);
    await runCli(withDefaults, ["tx", "bank", "send", "a", "--home", "/given"]);
    expect(calls.map((c) => c.flags.home)).toEqual(["/from-env", "/given"]);
  });
});
