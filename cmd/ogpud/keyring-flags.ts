import type { Flags, OptionSpec } from "../cli.js";
import { CliError } from "../cli.js";
import { Keyring, PASSPHRASE_ENV, type KeyringBackend } from "../../crypto/keyring.js";
import { homeFlag } from "./home.js";

export const keyringOptions: OptionSpec = {
  "keyring-backend": { type: "string", description: "file (encrypted, default) or test (plain, for scripts)" },
};

export function keyringBackendFlag(flags: Flags): KeyringBackend {
  const b = flags["keyring-backend"] ?? "file";
  if (b !== "file" && b !== "test") throw new CliError(`--keyring-backend must be file or test, got ${String(b)}`);
  return b;
}

/** Opens the keyring in the node home; the file backend's passphrase comes from $OGPU_KEYRING_PASSPHRASE. */
export function keyringFromFlags(flags: Flags): Keyring {
  return Keyring.open(homeFlag(flags), keyringBackendFlag(flags), process.env[PASSPHRASE_ENV]);
}
