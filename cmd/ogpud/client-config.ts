import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { CliError, type Flags } from "../cli.js";
import { DEFAULT_HOME } from "./home.js";
import { getTomlString, setTomlValue } from "./toml.js";

/**
 * The client settings gaiad keeps in <home>/config/client.toml and OGPUD_* environment
 * variables: a flag on the command line wins, then the environment (OGPUD_NODE, OGPUD_CHAIN_ID,
 * OGPUD_KEYRING_BACKEND, OGPUD_OUTPUT, OGPUD_BROADCAST_MODE; OGPUD_HOME for the home itself),
 * then client.toml, then each command's own default.
 */
export const CLIENT_KEYS = ["chain-id", "keyring-backend", "output", "node", "broadcast-mode"] as const;
export type ClientKey = (typeof CLIENT_KEYS)[number];

export function isClientKey(key: string): key is ClientKey {
  return (CLIENT_KEYS as readonly string[]).includes(key);
}

/** OGPUD_CHAIN_ID for chain-id, as gaiad's GAIAD_* variables are named. */
export function envName(key: string): string {
  return `OGPUD_${key.toUpperCase().replace(/-/g, "_")}`;
}

export function clientTomlPath(home: string): string {
  return join(home, "config", "client.toml");
}

const HEADER = "# ogpud client settings (ogpud config <key> <value>); flags and OGPUD_* variables override them.\n";

/** The values set in client.toml (absent keys omitted); no file is an empty config. */
export async function readClientConfig(home: string): Promise<Partial<Record<ClientKey, string>>> {
  const path = clientTomlPath(home);
  if (!existsSync(path)) return {};
  const text = await readFile(path, "utf8");
  const config: Partial<Record<ClientKey, string>> = {};
  for (const key of CLIENT_KEYS) {
    const value = getTomlString(text, "", key);
    if (value !== undefined && value !== "") config[key] = value;
  }
  return config;
}

/** Sets one key in client.toml, creating the file (with every key) when it is new. */
export async function writeClientConfig(home: string, key: ClientKey, value: string): Promise<void> {
  const path = clientTomlPath(home);
  let text = existsSync(path) ? await readFile(path, "utf8") : HEADER + CLIENT_KEYS.map((k) => `${k} = ""`).join("\n") + "\n";
  try {
    text = setTomlValue(text, "", key, value);
  } catch {
    text = `${text.trimEnd()}\n${key} = ${JSON.stringify(value)}\n`;
  }
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}

/** The home a command runs on: --home, else $OGPUD_HOME, else ~/.ogpud. */
export function resolvedHome(flags: Flags): string {
  if (typeof flags.home === "string") return flags.home;
  return process.env.OGPUD_HOME || DEFAULT_HOME;
}

/** Fills the client flags the user did not give from the environment, then client.toml. */
export async function clientDefaults(flags: Flags): Promise<Flags> {
  const home = resolvedHome(flags);
  const filled: Flags = { ...flags };
  if (process.env.OGPUD_HOME && typeof flags.home !== "string") filled.home = home;
  let config: Partial<Record<ClientKey, string>> | undefined;
  for (const key of CLIENT_KEYS) {
    if (typeof filled[key] === "string") continue;
    const fromEnv = process.env[envName(key)];
    if (fromEnv) {
      filled[key] = fromEnv;
      continue;
    }
    config ??= await readClientConfig(home).catch((err: unknown) => {
      throw new CliError(`cannot read ${clientTomlPath(home)}: ${err instanceof Error ? err.message : String(err)}`);
    });
    if (config[key] !== undefined) filled[key] = config[key];
  }
  return filled;
}
