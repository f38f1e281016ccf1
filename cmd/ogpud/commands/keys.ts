import { readFile } from "node:fs/promises";
import { CliError, stringFlag, type Command, type Flags, type OptionSpec } from "../../cli.js";
import { decryptArmorPrivKey, encryptArmorPrivKey, ArmorError } from "../../../crypto/armor.js";
import { ACCOUNT_PREFIX, toBech32, VALCONS_PREFIX, VALOPER_PREFIX } from "../../../crypto/bech32.js";
import { fromBech32 } from "../../../crypto/bech32.js";
import { type KeyInfo, type KeyType, type Keyring } from "../../../crypto/keyring.js";
import { promptLine, promptSecret } from "../../prompt.js";
import { outputFormat, outputOption } from "../client.js";
import { homeOption } from "../home.js";
import { keyringFromFlags, keyringOptions } from "../keyring-flags.js";

/** Terminal I/O behind an interface so tests can drive the commands without a TTY. */
export interface KeysIo {
  out(text: string): void;
  /** Reads one answer (a line). */
  prompt(question: string): Promise<string>;
  /** Reads one secret (not echoed on a terminal). */
  secret(question: string): Promise<string>;
}

export const processIo: KeysIo = {
  out: (text) => console.log(text),
  prompt: promptLine,
  secret: promptSecret,
};

const commonOptions: OptionSpec = { ...homeOption, ...keyringOptions, ...outputOption };

function keyringOf(flags: Flags, io: KeysIo): Keyring {
  return keyringFromFlags(flags, () => io.secret("Enter keyring passphrase: "));
}

function nameArg(positionals: string[], usage: string): string {
  const [name, ...rest] = positionals;
  if (!name || rest.length > 0) throw new CliError(`usage: ${usage}`);
  return name;
}

function keyText(info: KeyInfo): string {
  return [`- name: ${info.name}`, `  type: ${info.type}`, `  address: ${info.address}`, `  pubkey: ${info.pubkey}`].join("\n");
}

const BECH_PREFIXES: Readonly<Record<string, string>> = { acc: ACCOUNT_PREFIX, val: VALOPER_PREFIX, cons: VALCONS_PREFIX };

/** The key's address under another bech32 prefix (`keys show --bech val` is its validator operator address). */
function bechAddress(info: KeyInfo, bech: string): string {
  const prefix = BECH_PREFIXES[bech];
  if (!prefix) throw new CliError(`--bech must be acc, val or cons, got '${bech}'`);
  return toBech32(prefix, fromBech32(info.address, ACCOUNT_PREFIX));
}

/** Asks twice for a new passphrase (as gaiad does for an export) and refuses a mismatch or an empty one. */
async function newPassphrase(io: KeysIo, question: string): Promise<string> {
  const first = await io.secret(question);
  if (first === "") throw new CliError("the passphrase must not be empty");
  const again = await io.secret("Repeat the passphrase: ");
  if (again !== first) throw new CliError("the passphrases do not match");
  return first;
}

export function makeKeysCommands(io: KeysIo): Command[] {
  const add: Command = {
    name: "keys add",
    summary: "Create a key (new 24-word mnemonic) or recover one from a mnemonic",
    usage: "<name> [--recover] [--key-type secp256k1|mldsa65]",
    options: {
      ...commonOptions,
      recover: { type: "boolean", description: "read a BIP-39 mnemonic (a prompt, or the first line of stdin) instead of generating one" },
      "key-type": { type: "string", description: "secp256k1 | mldsa65 (default secp256k1)" },
    },
    async run({ positionals, flags }) {
      const name = nameArg(positionals, "keys add <name>");
      const output = outputFormat(flags);
      const type = stringFlag(flags, "key-type", "secp256k1");
      if (type !== "secp256k1" && type !== "mldsa65") throw new CliError(`--key-type must be secp256k1 or mldsa65, got '${type}'`);
      const keyring = keyringOf(flags, io);
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
    usage: "[--list-names]",
    options: { ...commonOptions, "list-names": { type: "boolean", short: "n", description: "list names only" } },
    async run({ positionals, flags }) {
      if (positionals.length > 0) throw new CliError("usage: keys list");
      const output = outputFormat(flags);
      const keys = await keyringOf(flags, io).list();
      if (flags["list-names"]) io.out(output === "json" ? JSON.stringify(keys.map((k) => k.name)) : keys.map((k) => k.name).join("\n"));
      else if (output === "json") io.out(JSON.stringify(keys));
      else io.out(keys.length === 0 ? "No keys found." : keys.map(keyText).join("\n"));
      return 0;
    },
  };

  const show: Command = {
    name: "keys show",
    summary: "Show a key's address and public key (--bech val|cons for its validator addresses)",
    usage: "<name> [-a] [--bech acc|val|cons]",
    options: {
      ...commonOptions,
      address: { type: "boolean", short: "a", description: "print only the bech32 address" },
      pubkey: { type: "boolean", short: "p", description: "print only the public key (base64)" },
      bech: { type: "string", description: "address prefix to show: acc (ogpu, default) | val (ogpuvaloper) | cons (ogpuvalcons)" },
    },
    async run({ positionals, flags }) {
      const name = nameArg(positionals, "keys show <name>");
      const output = outputFormat(flags);
      const info = await keyringOf(flags, io).show(name);
      const shown = { ...info, address: bechAddress(info, stringFlag(flags, "bech", "acc")) };
      if (flags.address && flags.pubkey) throw new CliError("give --address or --pubkey, not both");
      if (flags.address) io.out(shown.address);
      else if (flags.pubkey) io.out(shown.pubkey);
      else io.out(output === "json" ? JSON.stringify(shown) : keyText(shown));
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
      const output = outputFormat(flags);
      const keyring = keyringOf(flags, io);
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

  const exportKey: Command = {
    name: "keys export",
    summary: "Export a secp256k1 key's private key, encrypted and ASCII-armored as gaiad writes it",
    usage: "<name> [--unarmored-hex --unsafe]",
    options: {
      ...commonOptions,
      "unarmored-hex": { type: "boolean", description: "print the private key as plain hex instead (needs --unsafe)" },
      unsafe: { type: "boolean", description: "confirm an unencrypted export" },
    },
    async run({ positionals, flags }) {
      const name = nameArg(positionals, "keys export <name>");
      const keyring = keyringOf(flags, io);
      const info = await keyring.show(name);
      if (info.type !== "secp256k1") throw new CliError(`key '${name}' is ${info.type}: only secp256k1 keys have the SDK's armored form (keep its mnemonic instead)`);
      if (flags["unarmored-hex"]) {
        if (!flags.unsafe) throw new CliError("--unarmored-hex prints the private key in clear: add --unsafe to confirm");
        io.out(Buffer.from(await keyring.privateKey(name)).toString("hex"));
        return 0;
      }
      const privateKey = await keyring.privateKey(name);
      const passphrase = await newPassphrase(io, "Enter passphrase to encrypt the exported key: ");
      io.out((await encryptArmorPrivKey(privateKey, passphrase)).trimEnd());
      return 0;
    },
  };

  const importKey: Command = {
    name: "keys import",
    summary: "Import an ASCII-armored private key (from 'ogpud keys export' or any Cosmos SDK CLI)",
    usage: "<name> <keyfile>",
    options: commonOptions,
    async run({ positionals, flags }) {
      const [name, file, ...rest] = positionals;
      if (!name || !file || rest.length > 0) throw new CliError("usage: keys import <name> <keyfile>");
      const output = outputFormat(flags);
      const armored = await readFile(file, "utf8").catch((err: NodeJS.ErrnoException) => {
        throw new CliError(`cannot read ${file}: ${err.code ?? err.message}`);
      });
      const passphrase = await io.secret("Enter passphrase to decrypt your key: ");
      let privateKey: Uint8Array;
      try {
        ({ privateKey } = await decryptArmorPrivKey(armored, passphrase));
      } catch (err) {
        if (err instanceof ArmorError) throw new CliError(`${file}: ${err.message}`);
        throw err;
      }
      const info = await keyringOf(flags, io).importPrivateKey(name, privateKey);
      io.out(output === "json" ? JSON.stringify(info) : keyText(info));
      return 0;
    },
  };

  return [add, list, show, del, exportKey, importKey];
}

export const keysCommands: Command[] = makeKeysCommands(processIo);
