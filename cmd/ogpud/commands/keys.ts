import { createInterface } from "node:readline/promises";
import { CliError, stringFlag, type Command, type Flags, type OptionSpec } from "../../cli.js";
import { Keyring, type KeyInfo, type KeyringBackend, type KeyType } from "../../../crypto/keyring.js";
import { homeFlag, homeOption } from "../home.js";

/** Terminal I/O behind an interface so tests can drive the commands without a TTY. */
export interface KeysIo {
  out(text: string): void;
  /** Reads one answer: a line on a TTY, all of stdin otherwise. */
  prompt(question: string): Promise<string>;
}

export const processIo: KeysIo = {
  out: (text) => console.log(text),
  async prompt(question) {
    if (!process.stdin.isTTY) {
      let data = "";
      for await (const chunk of process.stdin) data += String(chunk);
      return data.trim();
    }
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return (await rl.question(question)).trim();
    } finally {
      rl.close();
    }
  },
};

const commonOptions: OptionSpec = {
  ...homeOption,
  "keyring-backend": { type: "string", description: "file (encrypted, passphrase from $OGPU_KEYRING_PASSPHRASE) | test (default file)" },
  output: { type: "string", description: "text | json (default text)" },
};

type Output = "text" | "json";

function outputOf(flags: Flags): Output {
  const output = stringFlag(flags, "output", "text");
  if (output !== "text" && output !== "json") throw new CliError(`--output must be text or json, got '${output}'`);
  return output;
}

function keyringOf(flags: Flags): Keyring {
  const backend = stringFlag(flags, "keyring-backend", "file");
  if (backend !== "file" && backend !== "test") throw new CliError(`--keyring-backend must be file or test, got '${backend}'`);
  return Keyring.open(homeFlag(flags), backend as KeyringBackend);
}

function nameArg(positionals: string[], usage: string): string {
  const [name, ...rest] = positionals;
  if (!name || rest.length > 0) throw new CliError(`usage: ${usage}`);
  return name;
}

function keyText(info: KeyInfo): string {
  return [`- name: ${info.name}`, `  type: ${info.type}`, `  address: ${info.address}`, `  pubkey: ${info.pubkey}`].join("\n");
}

export function makeKeysCommands(io: KeysIo): Command[] {
  const add: Command = {
    name: "keys add",
    summary: "Create a key (new 24-word mnemonic) or recover one from a mnemonic",
    usage: "<name> [--recover] [--key-type secp256k1|mldsa65]",
    options: {
      ...commonOptions,
      recover: { type: "boolean", description: "read a BIP-39 mnemonic from stdin instead of generating one" },
      "key-type": { type: "string", description: "secp256k1 | mldsa65 (default secp256k1)" },
    },
    async run({ positionals, flags }) {
      const name = nameArg(positionals, "keys add <name>");
      const output = outputOf(flags);
      const type = stringFlag(flags, "key-type", "secp256k1");
      if (type !== "secp256k1" && type !== "mldsa65") throw new CliError(`--key-type must be secp256k1 or mldsa65, got '${type}'`);
      const keyring = keyringOf(flags);
      let mnemonic: string | undefined;
      if (flags.recover) {
        mnemonic = await io.prompt("Enter your bip39 mnemonic\n");
        if (!mnemonic) throw new CliError("no mnemonic given on stdin");
      }
      const created = await keyring.add(name, { mnemonic, type: type as KeyType });
      // A recovered mnemonic is already known to the user; only a new one is shown.
      const shown = flags.recover ? undefined : created.mnemonic;
      if (output === "json") {
        io.out(JSON.stringify(shown ? { ...created.info, mnemonic: shown } : created.info));
        return 0;
      }
      io.out(keyText(created.info));
      if (shown) {
        io.out(
          "\n**Important** write this mnemonic phrase in a safe place.\n" +
            "It is the only way to recover your account if you ever forget your password.\n\n" +
            shown,
        );
      }
      return 0;
    },
  };

  const list: Command = {
    name: "keys list",
    summary: "List all keys in the keyring",
    usage: "",
    options: commonOptions,
    async run({ positionals, flags }) {
      if (positionals.length > 0) throw new CliError("usage: keys list");
      const output = outputOf(flags);
      const keys = await keyringOf(flags).list();
      if (output === "json") io.out(JSON.stringify(keys));
      else io.out(keys.length === 0 ? "No keys found." : keys.map(keyText).join("\n"));
      return 0;
    },
  };

  const show: Command = {
    name: "keys show",
    summary: "Show a key's address and public key",
    usage: "<name> [--address]",
    options: { ...commonOptions, address: { type: "boolean", description: "print only the bech32 address" } },
    async run({ positionals, flags }) {
      const name = nameArg(positionals, "keys show <name>");
      const output = outputOf(flags);
      const info = await keyringOf(flags).show(name);
      if (flags.address) io.out(info.address);
      else io.out(output === "json" ? JSON.stringify(info) : keyText(info));
      return 0;
    },
  };

  const del: Command = {
    name: "keys delete",
    summary: "Delete a key from the keyring",
    usage: "<name> [--yes]",
    options: { ...commonOptions, yes: { type: "boolean", short: "y", description: "skip the confirmation prompt" } },
    async run({ positionals, flags }) {
      const name = nameArg(positionals, "keys delete <name>");
      const output = outputOf(flags);
      const keyring = keyringOf(flags);
      await keyring.show(name); // fail on an unknown name before asking
      if (!flags.yes) {
        const answer = await io.prompt(`Key '${name}' will be deleted; without its mnemonic it cannot be recovered. Continue? [y/N] `);
        if (!/^y(es)?$/i.test(answer)) throw new CliError("aborted: key not deleted");
      }
      await keyring.delete(name);
      io.out(output === "json" ? JSON.stringify({ deleted: name }) : `Key '${name}' deleted.`);
      return 0;
    },
  };

  return [add, list, show, del];
}

export const keysCommands: Command[] = makeKeysCommands(processIo);
