import type { Flags, OptionSpec } from "../cli.js";
import { CliError } from "../cli.js";
import { Keyring, PASSPHRASE_ENV, type KeyringBackend } from "../../crypto/keyring.js";
import { promptSecret } from "../prompt.js";
import { homeFlag } from "./home.js";

export const keyringOptions: OptionSpec = {
  "keyring-backend": { type: "string", description: `file (encrypted: passphrase from $${PASSPHRASE_ENV} or a prompt; default) or test (plain, for scripts)` },
};

export function keyringBackendFlag(flags: Flags): KeyringBackend {
  const b = flags["keyring-backend"] ?? "file";
  if (b !== "file" && b !== "test") throw new CliError(`--keyring-backend must be file or test, got ${String(b)}`);
  return b;
}

/** Asks for the file keyring's passphrase on the terminal (or the next stdin line when piped). */
export const askKeyringPassphrase = (): Promise<string> => promptSecret("Enter keyring passphrase: ");

/**
 * Opens the keyring in the node home; the file backend's passphrase comes from
 * $OGPU_KEYRING_PASSPHRASE, else it is asked for the first time a secret is needed.
 */
export function keyringFromFlags(flags: Flags, ask: () => Promise<string> = askKeyringPassphrase): Keyring {
  return Keyring.open(homeFlag(flags), keyringBackendFlag(flags), process.env[PASSPHRASE_ENV], ask);
}
